"""The mlplab command: options, exit codes, CSV handling and what it writes.

The report's conclusions are tested on constructed results in
``test_lab_conclusions.py``; here the command runs end to end (quick
settings) and every bad input is refused before anything is written.
"""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
pytest.importorskip("jinja2")

from sklearn.datasets import make_classification  # noqa: E402

from sklearn_mlplab import cli  # noqa: E402
from sklearn_mlplab.cli import main  # noqa: E402

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
    "hidden_units.png",
    "training_evolution.png",
}
LAB_ANIMATIONS = {"training_evolution.gif"}


@pytest.fixture(scope="module")
def lab_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab") / "report"
    status = main(["lab", "--quick", "--quiet", "--out", str(out), "--n-jobs", "1"])
    return status, out


@requires_torch
def test_lab_writes_every_figure_and_both_reports(lab_report):
    status, out = lab_report
    assert status == 0
    # The torch grid is identical to the numpy one, so it is not drawn twice.
    assert {p.name for p in out.iterdir()} == LAB_FIGURES | LAB_ANIMATIONS | {
        "report.md",
        "report.html",
    }


@requires_torch
def test_report_html_is_self_contained(lab_report):
    _, out = lab_report
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(LAB_FIGURES)
    assert page.count('src="data:image/gif;base64,') == len(LAB_ANIMATIONS)
    assert 'src="data:' in page and 'src="http' not in page
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "border-collapse" in page  # the stylesheet


@requires_torch
def test_quick_report_is_marked_as_a_smoke_run_everywhere(lab_report):
    _, out = lab_report
    md = (out / "report.md").read_text()
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings and all(h.endswith("(smoke run)") for h in headings)
    lines = md.splitlines()
    captions = [b for a, b in zip(lines, lines[2:], strict=False) if a.startswith("![")]
    assert len(captions) == len(LAB_FIGURES) + len(LAB_ANIMATIONS)
    assert all(c.startswith("*Smoke run.") for c in captions)
    assert "clearly" not in md
    verdicts = [row.split("|")[4].strip() for row in _claim_rows(md)]
    assert verdicts == ["**not applicable**"] * 7


@requires_torch
def test_report_opens_with_the_claims_table(lab_report):
    _, out = lab_report
    md = (out / "report.md").read_text()
    claims = md.split("## The lab and this run")[1].split("## In short")[0]
    rows = [
        line for line in claims.splitlines() if line.startswith("| ") and "§" in line
    ]
    assert len(rows) == 7
    assert md.index("## The lab and this run") < md.index("## 1. Data")


def _claim_rows(md):
    table = md.split("## The lab and this run")[1].split("## In short")[0]
    return [
        line for line in table.splitlines() if line.startswith("| ") and "§" in line
    ]


def _csv(path, n_samples=40, seed=1, **write):
    X, y = make_classification(
        n_samples=n_samples, n_features=2, n_redundant=0, random_state=seed
    )
    frame = pd.DataFrame({"u": X[:, 0], "v": 50 * X[:, 1], "t": y})
    frame.to_csv(path, **{"index": False, **write})
    return str(path)


def _run(tmp_path, *args):
    return main(["lab", "--quick", "--quiet", "--out", str(tmp_path / "o"), *args])


def test_quiet_prints_nothing(tmp_path, capsys):
    csv = _csv(tmp_path / "two.csv")
    status = _run(tmp_path, "--data", csv, "--target", "t")
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out == "" and captured.err == ""
    assert (tmp_path / "o" / "decision_boundary.png").is_file()


@requires_torch
def test_lab_via_python_dash_m_on_a_multiclass_csv(tmp_path):
    # Three features, three string labels: no boundary, no binary argument.
    X, y = make_classification(
        n_samples=120,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        random_state=0,
    )
    frame = pd.DataFrame(X * [1, 10, 100], columns=["a", "b", "c"])
    frame["kind"] = np.array(["no", "yes", "maybe"])[y]
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
    assert "epoch" in result.stderr  # the progress bar, on stderr
    # The plane's figures need two features.
    assert {p.name for p in out.glob("*.png")} == LAB_FIGURES - {
        "decision_boundary.png",
        "hidden_units.png",
        "training_evolution.png",
    }
    assert not list(out.glob("*.gif"))
    md = (out / "report.md").read_text()
    assert "84 training and 36 test rows" in md
    assert "3-3-3 sigmoid network" in md
    assert "p (1 - p)" not in md
    assert "Not drawn: the data has 3 features" in md
    assert "Bayes" not in md
    assert "**not applicable**" in md


def test_semicolon_csv_is_read(tmp_path):
    csv = _csv(tmp_path / "semi.csv", sep=";")
    assert _run(tmp_path, "--data", csv, "--target", "t") == 0


def test_explicit_separator_is_used(tmp_path, capsys):
    csv = _csv(tmp_path / "pipe.csv", sep="|")
    assert _run(tmp_path, "--data", csv, "--target", "t", "--sep", "|") == 0
    # A wrong separator leaves one column: the target is not found.
    assert _run(tmp_path, "--data", csv, "--target", "t", "--sep", ",") == 2
    err = capsys.readouterr().err
    assert "the delimiter looks like '|'" in err and "--sep" in err


def test_pandas_index_column_is_dropped_with_a_warning(tmp_path, capsys):
    csv = _csv(tmp_path / "indexed.csv", index=True)
    assert _run(tmp_path, "--data", csv, "--target", "t") == 0
    err = capsys.readouterr().err
    assert err.startswith("mlplab: warning: column 'Unnamed: 0'")
    assert "--features" in err
    md = (tmp_path / "o" / "report.md").read_text()
    assert "2 features" in md and "Unnamed: 0" in md


def test_index_column_is_never_a_feature(tmp_path):
    # Rows sorted by class: the index alone would predict the label.
    path = tmp_path / "sorted.csv"
    frame = pd.read_csv(_csv(path, n_samples=60)).sort_values("t")
    frame.reset_index(drop=True).to_csv(path, index=True)
    from sklearn_mlplab.lab import QUICK, load_csv

    data = load_csv(path, "t", QUICK, 0)
    assert data.feature_names == ("u", "v")


def test_features_and_drop_choose_the_columns(tmp_path):
    from sklearn_mlplab.lab import QUICK, load_csv

    path = tmp_path / "text.csv"
    frame = pd.read_csv(_csv(path))
    frame["name"] = "row"
    frame.to_csv(path, index=False)
    assert load_csv(path, "t", QUICK, 0, drop=["name"]).feature_names == ("u", "v")
    assert load_csv(path, "t", QUICK, 0, features=["v"]).feature_names == ("v",)
    assert _run(tmp_path, "--data", str(path), "--target", "t", "--drop", "name") == 0


def _write(path, text):
    path.write_text(text)
    return str(path)


def _bad_inputs(tmp):
    ok = _write(
        tmp / "ok.csv", "a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40))
    )
    text = _write(
        tmp / "text.csv",
        "a,b,y\n" + "".join(f"{i},x{i},{i % 2}\n" for i in range(40)),
    )
    unnamed = _write(
        tmp / "unnamed.csv",
        ",a,y\n" + "".join(f"{i}.5,{i},{i % 2}\n" for i in range(40)),
    )
    return {
        "missing file": (
            ["--data", str(tmp / "nope.csv"), "--target", "y"],
            "no such file",
        ),
        "directory": (["--data", str(tmp), "--target", "y"], "is a directory"),
        "empty file": (
            ["--data", _write(tmp / "e.csv", ""), "--target", "y"],
            "is empty",
        ),
        "header only": (
            ["--data", _write(tmp / "head.csv", "a,b,y\n"), "--target", "y"],
            "has a header but no rows",
        ),
        "unknown column": (
            ["--data", ok, "--target", "label"],
            "choose the class column with --target",
        ),
        "text column": (
            ["--data", text, "--target", "y"],
            "leave it out with --drop 'b'",
        ),
        "unknown --features column": (
            ["--data", ok, "--target", "y", "--features", "a,q"],
            "--features names 'q', which is not a column",
        ),
        "unknown --drop column": (
            ["--data", ok, "--target", "y", "--drop", "q"],
            "--drop names 'q', which is not a column",
        ),
        "--features lists the target": (
            ["--data", ok, "--target", "y", "--features", "a,y"],
            "--features lists the target column 'y'",
        ),
        "--features and --drop": (
            ["--data", ok, "--target", "y", "--features", "a", "--drop", "b"],
            "give --features or --drop, not both",
        ),
        "empty --features": (
            ["--data", ok, "--target", "y", "--features", "a,"],
            "separated by commas",
        ),
        "unnamed column that is not an index": (
            ["--data", unnamed, "--target", "y"],
            "name it in the header, or leave it out with --drop 'Unnamed: 0'",
        ),
        "bad --sep": (
            ["--data", ok, "--target", "y", "--sep", ";;"],
            "must be one character",
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
                _write(tmp / "c.csv", "a,y\n1,0.5\n2,1.25\n3,2.75\n"),
                "--target",
                "y",
            ],
            "must name a column of class labels",
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
        "--drop without data": (["--drop", "a"], "--drop needs --data"),
        "test data lacks a column": (
            [
                "--data",
                ok,
                "--target",
                "y",
                "--test-data",
                _write(tmp / "other.csv", "a,c,y\n1,2,0\n2,3,1\n"),
            ],
            "has no column 'b'; the test file needs the same columns",
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
        "negative seed": (["--seed", "-1"], "must be an integer from 0 to 4294967295"),
        "seed too large": (["--seed", str(2**32)], "must be an integer from 0 to"),
        "seed not a number": (["--seed", "abc"], "must be an integer from 0 to"),
        "unknown option": (["--fast"], "unrecognized arguments: --fast"),
    }


def _case_names():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return list(_bad_inputs(Path(tmp)))


@pytest.mark.parametrize("case", _case_names())
def test_bad_input_exits_2_with_one_line_and_writes_nothing(case, tmp_path, capsys):
    args, message = _bad_inputs(tmp_path)[case]
    out = tmp_path / "fresh" / "report"
    status = main(["lab", "--quick", "--quiet", "--out", str(out), *args])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("mlplab: error: ")
    assert message in lines[0]
    assert not (tmp_path / "fresh").exists()
    assert not list(tmp_path.glob(".mlplab-*"))


def test_no_command_prints_usage_and_the_commands(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: mlplab")
    assert "lab" in err and "run the whole study and write the report" in err
    assert err.strip().splitlines()[-1] == (
        "mlplab: error: choose a command, e.g. `mlplab lab`"
    )


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
    assert not (tmp_path / "mlplab-report").exists()


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
        "--features",
        "--drop",
        "--sep",
        "--n-jobs",
        "--dask-scheduler",
        "--seed",
        "--quick",
    ):
        assert option in result.stdout


def test_failed_run_leaves_no_half_report(tmp_path, capsys, monkeypatch):
    from sklearn_mlplab.lab import report

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "render_html", broken)
    out = tmp_path / "o"
    assert _run(tmp_path) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert not out.exists()
    assert not list(tmp_path.glob(".mlplab-*"))


def test_rerun_replaces_the_report_in_an_existing_folder(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / "grid_torch.png").write_bytes(b"stale")
    csv = _csv(tmp_path / "two.csv")
    assert _run(tmp_path, "--data", csv, "--target", "t") == 0
    assert (out / "keep.txt").read_text() == "mine"
    assert not (out / "grid_torch.png").exists()  # not drawn this time
    assert (out / "report.md").is_file()


def test_diverging_training_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    from sklearn_mlplab._base import NonFiniteError
    from sklearn_mlplab.lab import experiments

    def diverge(*args, **kwargs):
        raise NonFiniteError("Training diverged in epoch 3: lower lr.")

    monkeypatch.setattr(experiments, "compare_losses", diverge)
    status = _run(tmp_path)
    err = capsys.readouterr().err
    assert status == 2
    assert (
        err == "mlplab: error: on this data, Training diverged in epoch 3: lower lr.\n"
    )
    assert not (tmp_path / "o").exists()


def test_progress_bar_counts_every_planned_epoch(tmp_path, monkeypatch):
    from sklearn_mlplab.lab import QUICK, planned_epochs

    seen = []

    class Bar:
        def __init__(self, total, quiet):
            self.total, self.n = total, 0

        def __enter__(self):
            seen.append(self)
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            self.n += n

        def set_postfix_str(self, text):
            pass

    monkeypatch.setattr(cli, "_progress_bar", Bar)
    csv = _csv(tmp_path / "two.csv")
    assert _run(tmp_path, "--data", csv, "--target", "t") == 0
    (bar,) = seen
    from sklearn_mlplab.lab.study import available_backends

    assert bar.total == planned_epochs(QUICK, available_backends())
    assert bar.n == bar.total


def test_lab_without_torch_runs_numpy_only(tmp_path, run_without_torch):
    csv = _csv(tmp_path / "two.csv")
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
    assert "## 3. Accuracy (numpy backend only)" in md
    assert "Only the numpy backend was run." in md
    assert "mlplab: warning: PyTorch is not installed" in result.stderr
    assert "torch backend" not in md
    assert (out / "grid_numpy.png").is_file()


def test_one_class_test_file_is_accepted(tmp_path):
    train = _csv(tmp_path / "train.csv")
    test = tmp_path / "test.csv"
    pd.read_csv(train).query("t == 1").to_csv(test, index=False)
    assert (
        _run(tmp_path, "--data", train, "--target", "t", "--test-data", str(test)) == 0
    )
    assert (tmp_path / "o" / "report.md").is_file()


@pytest.mark.parametrize("drop", [None, ["w"]])
def test_saved_index_is_left_out_with_or_without_drop(tmp_path, drop):
    from sklearn_mlplab.lab import QUICK, load_csv

    path = tmp_path / "indexed.csv"
    frame = pd.read_csv(_csv(tmp_path / "plain.csv", n_samples=60))
    frame["w"] = 1.0
    frame.sort_values("t").reset_index(drop=True).to_csv(path, index=True)
    data = load_csv(path, "t", QUICK, 0, drop=drop)
    assert data.feature_names == (("u", "v") if drop else ("u", "v", "w"))
    (note,) = data.notes
    assert note.startswith("column 'Unnamed: 0' of")


def test_reset_index_column_is_left_out_but_a_real_index_feature_is_kept(tmp_path):
    from sklearn_mlplab.lab import QUICK, load_csv

    path = tmp_path / "reset.csv"
    frame = pd.read_csv(_csv(tmp_path / "plain.csv", n_samples=60))
    frame.reset_index().to_csv(path, index=False)
    assert load_csv(path, "t", QUICK, 0).feature_names == ("u", "v")
    frame.insert(0, "index", np.linspace(0, 1, len(frame)))
    frame.to_csv(path, index=False)
    data = load_csv(path, "t", QUICK, 0)
    assert data.feature_names == ("index", "u", "v") and not data.notes
