"""Test R^2 of NumpyMLPRegressor against scikit-learn's MLPRegressor with
the same settings, on standard regression sets: the table of the docs.

    python benchmarks/regression_r2.py          # the table, about a minute

The two differ in their initial weights (Xavier normal here, Glorot
uniform there), so single fits differ by their draw: each cell is the mean
over ten random splits (a quarter held out) and seeds. Inputs and targets
are standardised (``StandardScaler`` in a pipeline, inside a
``TransformedTargetRegressor``). scikit-learn's penalty is alpha / (2 m)
times the squared weights, m the rows of the batch (all of them for
L-BFGS); here it is alpha / 2, so scikit-learn's alpha is alpha / m here.

California housing is not among the sets: it is downloaded on first use,
and this project's machines have no network. ``tests/test_regressor.py``
holds every row to within 0.02.
"""

import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_diabetes,
    make_friedman1,
    make_friedman2,
    make_regression,
)
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPRegressor

# (loader, scikit-learn's alpha): diabetes, 442 noisy rows, is fitted with a
# stronger penalty (at alpha=1, L-BFGS overfits it to a test R^2 near 0).
DATASETS = {
    "diabetes": (lambda: load_diabetes(return_X_y=True), 3.0),
    "friedman1": (lambda: make_friedman1(1000, noise=1.0, random_state=0), 1.0),
    "friedman2": (lambda: make_friedman2(1000, noise=10.0, random_state=0), 1.0),
    "regression": (
        lambda: make_regression(
            1000, n_features=10, n_informative=5, noise=10.0, random_state=0
        ),
        1.0,
    ),
}
SOLVERS = ("adam", "lbfgs")
BATCH = 64
SEEDS = 10
ACTIVATION = "relu"


def pair(solver, n, seed, alpha):
    """(ours, scikit-learn's) with the same settings, for ``n`` training rows."""
    common = dict(activation=ACTIVATION, batch_size=BATCH, random_state=seed)
    iters = 300 if solver == "adam" else 1000
    rows = BATCH if solver == "adam" else n  # the m of scikit-learn's penalty
    sk = MLPRegressor(
        hidden_layer_sizes=(20,),
        solver=solver,
        learning_rate_init=1e-2,
        alpha=alpha,
        max_iter=iters,
        **common,
    )
    ours = NumpyMLPRegressor(
        20, solver=solver, lr=1e-2, alpha=alpha / rows, max_iter=iters, **common
    )
    return ours, sk


def _model(est):
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), est), transformer=StandardScaler()
    )


def compare(dataset, solver, seeds=SEEDS):
    """Mean test R^2 and fit time of ours and scikit-learn's over ``seeds``
    splits: ((ours R^2, ours s), (scikit-learn's R^2, its s))."""
    load, alpha = DATASETS[dataset]
    X, y = load()
    scores = np.zeros((seeds, 2, 2))
    for seed in range(seeds):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed
        )
        for k, est in enumerate(pair(solver, len(y_train), seed, alpha)):
            model = _model(est)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # both may stop at max_iter
                model.fit(X_train, y_train)
            scores[seed, k] = model.score(X_test, y_test), time.perf_counter() - start
    return tuple(map(tuple, scores.mean(axis=0)))


def main():
    print("| data | solver | NumpyMLPRegressor R^2 | MLPRegressor R^2 | difference |")
    print("|---|---|---|---|---|")
    for dataset in DATASETS:
        for solver in SOLVERS:
            (ours, _), (sk, _) = compare(dataset, solver)
            print(
                f"| {dataset} | {solver} | {ours:.4f} | {sk:.4f} | {ours - sk:+.4f} |"
            )


if __name__ == "__main__":
    main()
