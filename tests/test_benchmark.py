"""The benchmark script runs end to end (a smoke run: no timing is asserted)."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"

pytest.importorskip("torch")


def test_quick_benchmark_run_prints_and_writes_every_case(tmp_path):
    out = tmp_path / "results.rst"
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--write-docs", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    cases = ("(a) lab", "(b) ", "(c) Grid", "(d) predict_proba", "(e) peak")
    more = ("(f) (a) with Adam", "(g) (b) with Adam", "(h) lab grid", "(i) breast")
    more += ("(j) regression",)
    for case in (*cases, *more):
        assert case in run.stdout
    assert "BatchedGridSearchCV, numpy" in run.stdout
    assert "GridSearchCV, MLPClassifier, n_jobs=1" in run.stdout
    assert "GEMM floor (numpy)" in run.stdout
    # Every target is reported, met or not (a smoke run's sizes prove nothing);
    # the two against skorch only where skorch is installed; (h) and (i) have
    # two each per backend; (j) has one.
    statuses = re.findall(r"\s(met|NOT met)\s*$", run.stdout, flags=re.MULTILINE)
    assert len(statuses) == (21 if importlib.util.find_spec("skorch") else 19)
    assert "NumpyMLPRegressor" in run.stdout and "MLPRegressor" in run.stdout
    text = out.read_text()
    assert ".. list-table::" in text and "NumpyMLPClassifier" in text
