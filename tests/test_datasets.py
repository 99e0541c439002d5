"""The bundled lab dataset: loader convention, files, and the shipped wheel."""

import runpy
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sklearn_mlplab import load_lab
from sklearn_mlplab.datasets import LAB_BAYES_ACCURACY

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ("lab_train.csv", "lab_test.csv", "lab.rst")


@pytest.fixture(scope="module")
def generator():
    return runpy.run_path(str(ROOT / "data" / "make_lab_data.py"))


@pytest.mark.parametrize("split", ["train", "test"])
def test_load_lab_shapes_and_dtypes(split):
    bunch = load_lab(split=split)
    assert bunch.data.shape == (300, 2)
    assert bunch.target.shape == (300,)
    assert bunch.data.dtype == np.float64
    assert bunch.target.dtype == np.int64
    assert np.bincount(bunch.target).tolist() == [150, 150]


def test_load_lab_bunch_fields():
    bunch = load_lab()
    assert set(bunch) >= {
        "data",
        "target",
        "feature_names",
        "target_names",
        "frame",
        "DESCR",
        "bayes_accuracy",
        "bayes_sample_accuracy",
    }
    assert bunch.feature_names == ["X", "Y"]
    assert bunch.target_names.tolist() == ["0", "1"]
    assert bunch.frame is None
    assert "Bayes-optimal accuracy" in bunch.DESCR
    assert bunch.bayes_accuracy == LAB_BAYES_ACCURACY


def test_features_are_on_different_scales():
    X = load_lab().data
    std = X.std(axis=0)
    assert std.max() / std.min() > 10


def test_train_and_test_differ():
    X_train, _ = load_lab(return_X_y=True)
    X_test, _ = load_lab(split="test", return_X_y=True)
    assert not np.allclose(X_train, X_test)


def test_load_lab_as_frame():
    pd = pytest.importorskip("pandas")
    bunch = load_lab(as_frame=True)
    assert isinstance(bunch.data, pd.DataFrame)
    assert isinstance(bunch.target, pd.Series)
    assert list(bunch.frame.columns) == ["X", "Y", "label"]
    assert bunch.frame.shape == (300, 3)
    assert bunch.data.dtypes.tolist() == [np.float64, np.float64]
    assert bunch.target.dtype == np.int64
    X, y = load_lab(split="test", as_frame=True, return_X_y=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (300, 2)


def test_load_lab_return_X_y_matches_bunch():
    X, y = load_lab(split="test", return_X_y=True)
    bunch = load_lab(split="test")
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


def test_load_lab_rejects_unknown_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_lab(split="validation")


@pytest.mark.parametrize("name", DATA_FILES)
def test_package_copy_matches_data_directory(name):
    top = (ROOT / "data" / name).read_bytes()
    packaged = (ROOT / "sklearn_mlplab" / "_data" / name).read_bytes()
    assert top == packaged


def test_generator_reproduces_the_csvs(generator):
    train, test = generator["make_csvs"]()
    assert train == (ROOT / "data" / "lab_train.csv").read_text()
    assert test == (ROOT / "data" / "lab_test.csv").read_text()


def test_bayes_accuracy_matches_the_density(generator):
    # A coarse grid is enough to pin the recorded value to three decimals.
    coarse = generator["bayes_accuracy_grid"](n_points=801)
    assert coarse == pytest.approx(LAB_BAYES_ACCURACY, abs=1e-3)
    assert f"{LAB_BAYES_ACCURACY:.6f}" in load_lab().DESCR


def test_bayes_rule_on_the_sample_is_near_its_accuracy(generator):
    # The true density's rule applied to the published rows: a sanity check
    # that the files and the density in the script belong together.
    for split in ("train", "test"):
        X, y = load_lab(split=split, return_X_y=True)
        u = (X - generator["OFFSET"]) / generator["SCALE"]
        pred = generator["class_density"](1, u) > generator["class_density"](0, u)
        assert abs((pred == y).mean() - LAB_BAYES_ACCURACY) < 0.04


@pytest.mark.parametrize("split", ["train", "test"])
def test_bayes_sample_accuracy_is_the_rule_on_the_rows(split):
    # The rule recomputed with scipy's Gaussian density, independently of the
    # package's own density code.
    from scipy.stats import multivariate_normal

    from sklearn_mlplab import datasets

    bunch = load_lab(split=split)
    u = (bunch.data - datasets._OFFSET) / datasets._SCALE
    density = [np.zeros(len(u)), np.zeros(len(u))]
    for label, weight, mean, cov in datasets._COMPONENTS:
        density[label] += weight * multivariate_normal(mean, cov).pdf(u)
    pred = density[1] > density[0]
    assert bunch.bayes_sample_accuracy == pytest.approx((pred == bunch.target).mean())


def test_wheel_contains_the_data(tmp_path):
    pytest.importorskip("setuptools")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "sklearn_mlplab",
        src / "sklearn_mlplab",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
        ],
        cwd=src,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("sklearn_mlplab-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for name in DATA_FILES:
            member = f"sklearn_mlplab/_data/{name}"
            assert member in names
            assert zf.read(member) == (ROOT / "data" / name).read_bytes()
        assert "sklearn_mlplab/datasets.py" in names
        assert "sklearn_mlplab/cli.py" in names
        # The report's templates and stylesheet ship with the package.
        assert "sklearn_mlplab/lab/templates/report.md.j2" in names
        assert "sklearn_mlplab/lab/templates/report.css" in names
        assert "sklearn_mlplab/lab/templates/sections/claims.md.j2" in names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "mlplab = sklearn_mlplab.cli:main" in zf.read(entry_points).decode()
