"""The mlplab command: the lab on bundled and user data, and bad input."""

import importlib.util
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlplab import load_lab  # noqa: E402
from sklearn_mlplab.cli import (  # noqa: E402
    FULL,
    QUICK,
    GridResult,
    _compare,
    _search_conclusions,
    main,
    make_model,
)

# Only the tests that run the torch backend need PyTorch; the command itself
# runs without it (see test_lab_without_torch_runs_numpy_only).
requires_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="needs PyTorch"
)

LAB_FIGURES = {
    "data_raw.png",
    "data_zscored.png",
    "loss_functions.png",
    "decision_boundary.png",
    "momentum.png",
    "grid_numpy.png",
    "grid_torch.png",
}


@pytest.fixture(scope="module")
def lab_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab") / "report"
    status = main(["lab", "--quick", "--quiet", "--out", str(out), "--n-jobs", "1"])
    return status, out


@requires_torch
def test_lab_writes_every_figure_and_both_reports(lab_report):
    status, out = lab_report
    assert status == 0
    assert {p.name for p in out.glob("*.png")} == LAB_FIGURES
    assert (out / "report.md").is_file() and (out / "report.html").is_file()


@requires_torch
def test_report_html_is_self_contained(lab_report):
    _, out = lab_report
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(LAB_FIGURES)
    assert not re.search(r'src="(?!data:)', page)
    assert page.startswith("<!DOCTYPE html>")


@requires_torch
def test_report_has_accuracy_table_with_bayes_and_both_backends(lab_report):
    _, out = lab_report
    md = (out / "report.md").read_text()
    train, test = load_lab(), load_lab(split="test")
    bayes = f"{train.bayes_accuracy:.4f}"
    on_rows = f"{train.bayes_sample_accuracy:.3f} / {test.bayes_sample_accuracy:.3f}"
    rows = [line for line in md.splitlines() if "MLPClassifier (2-3-1)" in line]
    assert [r.split("|")[1].strip().split()[0] for r in rows] == [
        "NumpyMLPClassifier",
        "TorchMLPClassifier",
    ]
    assert all(bayes in r and on_rows in r for r in rows)
    for row in rows:
        # Test accuracy with its standard error sqrt(p(1-p)/n), n = 300.
        p, se = map(float, re.search(r"\| ([\d.]+) ± ([\d.]+) \|", row).groups())
        assert se == pytest.approx(np.sqrt(p * (1 - p) / 300), abs=6e-4)
    assert "LogisticRegression (linear baseline)" in md


@requires_torch
def test_report_states_measured_conclusions(lab_report):
    _, out = lab_report
    md = (out / "report.md").read_text()
    for section in (
        "## Summary",
        "1. Data",
        "2. Loss function",
        "3. Accuracy of both backends",
        "4. Decision boundary",
        "5. Momentum",
        "6. Hidden units x learning rate",
        "Best parameters",
    ):
        assert section in md
    # The momentum section explains both forms from the measured speed-ups.
    assert re.search(r"\*\*Dampened\*\*.*speed-ups of [\d.]+x at β=0.5", md)
    assert re.search(r"\*\*Classic\*\*.*speed-ups of [\d.]+x at β=0.5", md)
    assert "lr g / (1-β)" in md
    # The two backends' searches are reported as twins.
    assert re.search(r"numpy and torch searches chose the same parameters", md)


@requires_torch
def test_lab_via_python_dash_m_on_user_csv(tmp_path):
    # Three features and string labels: no boundary plot, everything else.
    X, y = make_classification(
        n_samples=90, n_features=3, n_informative=3, n_redundant=0, random_state=0
    )
    frame = pd.DataFrame(X * [1, 10, 100], columns=["a", "b", "c"])
    frame["kind"] = np.where(y == 1, "yes", "no")
    csv = tmp_path / "mine.csv"
    frame.to_csv(csv, index=False)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sklearn_mlplab",
            "lab",
            "--quick",
            "--data",
            str(csv),
            "--target",
            "kind",
            "--out",
            str(out),
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"Report written to {out / 'report.html'}" in result.stdout
    # The progress bar went to stderr.
    assert "mlplab lab" in result.stderr
    names = {p.name for p in out.glob("*.png")}
    assert names == LAB_FIGURES - {"decision_boundary.png"}
    md = (out / "report.md").read_text()
    assert "63 training and 27 test rows, 3 features, 2 classes" in md
    assert "Skipped: the data has 3 features" in md
    assert "Bayes" not in md.split("## 3.")[1].split("## 4.")[0]


def test_quiet_prints_nothing(tmp_path, capsys):
    csv = tmp_path / "two.csv"
    X, y = make_classification(
        n_samples=40, n_features=2, n_redundant=0, random_state=1
    )
    pd.DataFrame({"u": X[:, 0], "v": X[:, 1], "t": y}).to_csv(csv, index=False)
    status = main(
        ["lab", "--quick", "--quiet", "--data", str(csv), "--target", "t"]
        + ["--out", str(tmp_path / "o")]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out == "" and captured.err == ""
    assert (tmp_path / "o" / "decision_boundary.png").is_file()


def _write(path, text):
    path.write_text(text)
    return str(path)


def _bad_inputs(tmp):
    ok = _write(
        tmp / "ok.csv", "a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40))
    )
    return {
        "missing file": (
            ["--data", str(tmp / "nope.csv"), "--target", "y"],
            "no such file",
        ),
        "directory": (["--data", str(tmp), "--target", "y"], "is a directory"),
        "empty file": (
            ["--data", _write(tmp / "empty.csv", ""), "--target", "y"],
            "is empty",
        ),
        "header only": (
            ["--data", _write(tmp / "head.csv", "a,b,y\n"), "--target", "y"],
            "has a header but no rows",
        ),
        "unknown column": (
            ["--data", ok, "--target", "label"],
            "column 'label' is not in",
        ),
        "non-numeric feature": (
            [
                "--data",
                _write(tmp / "text.csv", "a,b,y\n1,x,0\n2,y,1\n3,z,0\n4,w,1\n"),
                "--target",
                "y",
            ],
            "feature column 'b'",
        ),
        "missing values": (
            [
                "--data",
                _write(tmp / "nan.csv", "a,b,y\n1,,0\n2,3,1\n"),
                "--target",
                "y",
            ],
            "missing values in column 'b'",
        ),
        "one class": (
            [
                "--data",
                _write(tmp / "one.csv", "a,y\n1,0\n2,0\n3,0\n"),
                "--target",
                "y",
            ],
            "has only one class (0); the study needs at least two",
        ),
        "continuous target": (
            [
                "--data",
                _write(tmp / "cont.csv", "a,y\n1,0.5\n2,1.25\n3,2.75\n"),
                "--target",
                "y",
            ],
            "continuous values",
        ),
        "too few rows per class": (
            [
                "--data",
                _write(tmp / "few.csv", "a,y\n1,0\n2,0\n3,1\n4,1\n5,1\n"),
                "--target",
                "y",
            ],
            "needs at least",
        ),
        "data without target": (["--data", ok], "--data and --target"),
        "target without data": (["--target", "y"], "--data and --target"),
        "test data without data": (["--test-data", ok], "--test-data needs --data"),
        "test data columns differ": (
            [
                "--data",
                ok,
                "--target",
                "y",
                "--test-data",
                _write(tmp / "other.csv", "a,c,y\n1,2,0\n2,3,1\n"),
            ],
            "feature columns",
        ),
        "test label unseen in training": (
            [
                "--data",
                ok,
                "--target",
                "y",
                "--test-data",
                _write(tmp / "new.csv", "a,b,y\n1,2,0\n2,3,2\n"),
            ],
            "the test set has label 2, which the training set does not have",
        ),
        "out is a file": (
            ["--out", _write(tmp / "file.txt", "x")],
            "exists and is not a directory",
        ),
        "n-jobs zero": (["--n-jobs", "0"], "must not be 0"),
        "n-jobs not a number": (["--n-jobs", "many"], "must be an integer"),
        "unknown option": (["--fast"], "unrecognized arguments: --fast"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "directory",
        "empty file",
        "header only",
        "unknown column",
        "non-numeric feature",
        "missing values",
        "one class",
        "continuous target",
        "too few rows per class",
        "data without target",
        "target without data",
        "test data without data",
        "test data columns differ",
        "test label unseen in training",
        "out is a file",
        "n-jobs zero",
        "n-jobs not a number",
        "unknown option",
    ],
)
def test_bad_input_exits_2_with_one_line(case, tmp_path, capsys):
    args, message = _bad_inputs(tmp_path)[case]
    status = main(["lab", "--quick", "--quiet", *args])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("mlplab: error: ")
    assert message in lines[0]


def test_no_subcommand_exits_2(capsys):
    assert main([]) == 2
    assert "mlplab: error:" in capsys.readouterr().err


def test_console_script_bad_input_has_no_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sklearn_mlplab",
            "lab",
            "--data",
            "x.csv",
            "--target",
            "y",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr == "mlplab: error: no such file: 'x.csv'\n"


def test_help_lists_the_options():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_mlplab", "lab", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    for option in (
        "--out",
        "--data",
        "--target",
        "--n-jobs",
        "--dask-scheduler",
        "--seed",
    ):
        assert option in result.stdout


def test_quick_settings_only_shorten_the_runs():
    differ = {
        k for k in FULL.__dataclass_fields__ if getattr(FULL, k) != getattr(QUICK, k)
    }
    assert differ == {"epochs", "momentum_epochs", "search_epochs", "cv"}


@pytest.mark.parametrize(
    "backend", ["numpy", pytest.param("torch", marks=requires_torch)]
)
def test_full_settings_reach_the_lab_accuracy(backend):
    # The full run's main model, as `mlplab lab` trains it: near the report's
    # train 0.97 and within 2 points of the Bayes-optimal test accuracy, where
    # a linear model is far off.
    train, test = load_lab(as_frame=True), load_lab(split="test", as_frame=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_model(backend, FULL, 0).fit(train.data, train.target)
    assert model[-1].n_iter_ == FULL.epochs
    assert model.score(train.data, train.target) >= 0.95
    assert abs(model.score(test.data, test.target) - train.bayes_accuracy) <= 0.02
    linear = make_pipeline(StandardScaler(), LogisticRegression())
    linear.fit(train.data, train.target)
    assert linear.score(test.data, test.target) < 0.75


def test_diverging_training_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    from sklearn_mlplab import cli
    from sklearn_mlplab._base import NonFiniteError

    def diverge(*args, **kwargs):
        raise NonFiniteError("Training diverged in epoch 3: lower lr.")

    monkeypatch.setattr(cli, "step_losses", diverge)
    status = main(["lab", "--quick", "--quiet", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2
    assert (
        err == "mlplab: error: on this data, Training diverged in epoch 3: lower lr.\n"
    )


def _small_csv(path, seed=1, n_samples=40):
    X, y = make_classification(
        n_samples=n_samples, n_features=2, n_redundant=0, random_state=seed
    )
    pd.DataFrame({"u": X[:, 0], "v": X[:, 1], "t": y}).to_csv(path, index=False)
    return str(path)


def test_lab_without_torch_runs_numpy_only(tmp_path, run_without_torch):
    csv = _small_csv(tmp_path / "two.csv")
    out = tmp_path / "o"
    result = run_without_torch(
        f"""
        from sklearn_mlplab.cli import main
        status = main(["lab", "--quick", "--quiet", "--data", {csv!r},
                       "--target", "t", "--out", {str(out)!r}])
        assert "torch" not in sys.modules
        sys.exit(status)
        """
    )
    assert result.returncode == 0, result.stderr
    md = (out / "report.md").read_text()
    assert "PyTorch is not installed" in md
    assert "both backends" not in md
    assert (out / "grid_numpy.png").is_file()
    assert not (out / "grid_torch.png").exists()


def test_one_class_test_file_is_accepted(tmp_path):
    train = _small_csv(tmp_path / "train.csv")
    test = tmp_path / "test.csv"
    pd.read_csv(train).query("t == 1").to_csv(test, index=False)
    out = tmp_path / "o"
    status = main(
        ["lab", "--quick", "--quiet", "--data", train, "--target", "t"]
        + ["--test-data", str(test), "--out", str(out)]
    )
    assert status == 0
    assert (out / "report.md").is_file()


def test_compare_puts_the_winners_value_first():
    text = _compare("cross-entropy", 0.943, "squared error", 0.957)
    assert text == "squared error does better (0.957 against 0.943)"
    text = _compare("cross-entropy", 0.957, "squared error", 0.943)
    assert text == "cross-entropy does better (0.957 against 0.943)"


def test_compare_within_the_margin_names_no_winner():
    text = _compare("cross-entropy", 0.943, "squared error", 0.957, margin=0.025)
    assert "indistinguishable" in text
    assert "better" not in text


def _grid(mean, std):
    mean = np.asarray(mean, dtype=float)
    i, j = np.unravel_index(np.argmax(mean), mean.shape)
    hiddens, lrs = [3, 6], [0.5, 0.01]
    return GridResult(
        mean=mean,
        std=np.asarray(std, dtype=float),
        hidden_values=hiddens,
        lr_values=lrs,
        pick=(hiddens[i], lrs[j]),
    )


def test_search_conclusions_claim_nothing_within_the_fold_spread():
    # Every gap is smaller than the fold standard deviations: a tie.
    grid = _grid([[0.950, 0.600], [0.960, 0.603]], [[0.4, 0.4], [0.4, 0.4]])
    notes = " ".join(_search_conclusions(QUICK, {"numpy": grid}))
    assert "indistinguishable from it" in notes
    assert "No learning rate is clearly worse" in notes
    assert "the hidden sizes [3, 6] are indistinguishable" in notes
    assert "clearly" not in notes.replace("No learning rate is clearly", "")
    assert "better" not in notes and "worst" not in notes


def test_search_conclusions_name_differences_beyond_the_fold_spread():
    grid = _grid([[0.950, 0.600], [0.800, 0.603]], [[0.01, 0.01], [0.01, 0.01]])
    notes = _search_conclusions(QUICK, {"numpy": grid})
    text = " ".join(notes)
    assert "0.950 ± 0.010, is at hidden=3, lr=0.5; every other pair is" in text
    assert "lr in [0.01] is clearly worse" in text
    assert "hidden in [6] is clearly below hidden=3" in text
