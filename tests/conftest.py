import json
import os

# scikit-learn's array-API estimator check runs only when scipy is imported in
# array-API mode; set it before anything imports scipy so that check runs too.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]


@pytest.fixture(params=ESTIMATORS, ids=lambda c: c.__name__)
def Estimator(request):
    """Each public estimator class in turn."""
    return request.param


@pytest.fixture
def moons():
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def blobs3():
    X, y = make_blobs(n_samples=150, centers=3, random_state=0)
    return StandardScaler().fit_transform(X), y


def rows_sum_to_one(proba):
    return np.allclose(proba.sum(axis=1), 1.0)


_HIDE_TORCH = textwrap.dedent(
    """
    import sys

    class HideTorch:
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError(f"No module named {name!r}")

    sys.meta_path.insert(0, HideTorch())
    """
)


@pytest.fixture
def run_without_torch():
    """Run Python code in a fresh interpreter in which torch cannot be imported."""

    def run(code):
        return subprocess.run(
            [sys.executable, "-c", _HIDE_TORCH + textwrap.dedent(code)],
            capture_output=True,
            text=True,
            check=False,
        )

    return run


# Mutation testing (tools/mutation.py) runs, for each mutant, the tests that
# called the function it changes. The parity tests compare the two backends,
# so they cannot see a mutant in code the backends share, which changes both
# alike; for those mutants they are left out, which saves most of a run.
_SHARED_CODE = (
    "sklearn_mlplab._base.",
    "sklearn_mlplab._classifier.",
    "sklearn_mlplab._regressor.",
    "sklearn_mlplab.plotting.",
    "sklearn_mlplab.lab.",
)


def _recorded_durations():
    """Each test's duration in mutmut's clean run (its working directory is
    ``mutants/``), or {} outside a mutation run."""
    try:
        with open("mutmut-stats.json", encoding="utf-8") as f:
            return json.load(f).get("duration_by_test", {})
    except (OSError, ValueError):
        return {}


def pytest_collection_modifyitems(config, items):
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if not mutant:
        return
    if mutant.startswith(_SHARED_CODE):
        kept = [i for i in items if not i.nodeid.startswith("tests/test_parity.py")]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
    # mutmut stops at the first failing test: run the quick files first, so
    # that a killed mutant costs seconds, not the whole selection. Files stay
    # whole and in their own order, or module fixtures would be set up again.
    durations = _recorded_durations()
    if durations:
        cost = {}
        for item in items:
            path = item.nodeid.split("::")[0]
            cost[path] = cost.get(path, 0.0) + durations.get(item.nodeid, 0.0)
        items.sort(key=lambda item: cost[item.nodeid.split("::")[0]])
