"""The mlplab command: the lab on bundled and user data, and bad input."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
pytest.importorskip("torch")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlplab import load_lab  # noqa: E402
from sklearn_mlplab.cli import FULL, QUICK, main, make_model  # noqa: E402

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


def test_lab_writes_every_figure_and_both_reports(lab_report):
    status, out = lab_report
    assert status == 0
    assert {p.name for p in out.glob("*.png")} == LAB_FIGURES
    assert (out / "report.md").is_file() and (out / "report.html").is_file()


def test_report_html_is_self_contained(lab_report):
    _, out = lab_report
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(LAB_FIGURES)
    assert not re.search(r'src="(?!data:)', page)
    assert page.startswith("<!DOCTYPE html>")


def test_report_has_accuracy_table_with_bayes_and_both_backends(lab_report):
    _, out = lab_report
    md = (out / "report.md").read_text()
    bayes = f"{load_lab().bayes_accuracy:.4f}"
    rows = [line for line in md.splitlines() if "MLPClassifier (2-3-1)" in line]
    assert [r.split("|")[1].strip().split()[0] for r in rows] == [
        "NumpyMLPClassifier",
        "TorchMLPClassifier",
    ]
    assert all(bayes in r for r in rows)
    assert "LogisticRegression (linear baseline)" in md


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
            "has only one class",
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


@pytest.mark.parametrize("backend", ["numpy", "torch"])
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
