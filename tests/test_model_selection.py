"""In a Pipeline after StandardScaler, tuned by GridSearchCV, against sklearn."""

import warnings

import pytest
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier

GRID = {"clf__hidden": [3, 6, 11], "clf__lr": [0.5, 0.1, 0.01]}
COMMON = dict(activation="logistic", batch_size=32, max_iter=200, momentum=0.9)


@pytest.fixture(scope="module")
def moons_split():
    X, y = make_moons(n_samples=400, noise=0.2, random_state=0)
    return train_test_split(X, y, random_state=0)


def _search(clf, grid, X, y):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)


@pytest.mark.parametrize("Estimator", [NumpyMLPClassifier, TorchMLPClassifier])
def test_grid_search_beats_or_matches_mlpclassifier(Estimator, moons_split):
    # Like for like: the same grid, epochs, batch, activation and update rule
    # (scikit-learn's SGD uses Nesterov momentum by default).
    X_train, X_test, y_train, y_test = moons_split
    ours = _search(
        Estimator(momentum_type="nesterov", random_state=0, **COMMON),
        GRID,
        X_train,
        y_train,
    )
    sk_grid = {
        "clf__hidden_layer_sizes": [(h,) for h in GRID["clf__hidden"]],
        "clf__learning_rate_init": GRID["clf__lr"],
    }
    theirs = _search(
        MLPClassifier(solver="sgd", random_state=0, **COMMON),
        sk_grid,
        X_train,
        y_train,
    )
    ours_test = ours.score(X_test, y_test)
    assert ours_test >= theirs.score(X_test, y_test)
    assert ours_test > 0.9
    # And scikit-learn at our best hidden size and lr does no better.
    best = ours.best_params_
    sk_at_best = MLPClassifier(
        hidden_layer_sizes=(best["clf__hidden"],),
        learning_rate_init=best["clf__lr"],
        solver="sgd",
        random_state=0,
        **COMMON,
    )
    sk_at_best = _search(sk_at_best, {"clf__alpha": [1e-4]}, X_train, y_train)
    assert ours_test >= sk_at_best.score(X_test, y_test)


def test_lab_default_dampened_momentum_search_fits_moons(moons_split):
    X_train, X_test, y_train, y_test = moons_split
    search = _search(NumpyMLPClassifier(random_state=0), GRID, X_train, y_train)
    assert search.best_params_["clf__lr"] == 0.5
    assert search.score(X_test, y_test) > 0.9
