"""Test accuracy with Adam and L-BFGS against scikit-learn's MLPClassifier
with the same settings, on the datasets the suite uses and two classics.

The two differ in their initial weights (Xavier normal here, Glorot uniform
there), so single fits differ by their draw: the mean over five stratified
splits and seeds is compared. scikit-learn's penalty is alpha / (2 m) times
the squared weights, m the rows of the batch, added to the batch's mean
loss; here it is alpha / 2, so scikit-learn's 1e-4 is 1e-4 / m here.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, make_moons
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPClassifier, load_lab

DATASETS = {
    "lab": lambda: load_lab(return_X_y=True),
    "moons": lambda: make_moons(1000, noise=0.3, random_state=0),
    "iris": lambda: load_iris(return_X_y=True),
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
}


def _pair(solver, n, seed):
    common = dict(max_iter=500, tol=1e-4, random_state=seed)
    if solver == "adam":
        batch = min(200, n)
        sk = MLPClassifier(
            (10,),
            solver="adam",
            learning_rate_init=1e-2,
            batch_size=batch,
            alpha=1e-4,
            n_iter_no_change=10,
            **common,
        )
        ours = NumpyMLPClassifier(
            10,
            activation="relu",
            solver="adam",
            lr=1e-2,
            batch_size=batch,
            alpha=1e-4 / batch,  # per batch, as scikit-learn's (lbfgs: n)
            n_iter_no_change=10,
            **common,
        )
    else:
        sk = MLPClassifier((10,), solver="lbfgs", alpha=1e-4, **common)
        ours = NumpyMLPClassifier(
            10, activation="relu", solver="lbfgs", alpha=1e-4 / n, **common
        )
    return ours, sk


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_test_accuracy_is_within_1_5_points_of_mlpclassifier(dataset, solver):
    X, y = DATASETS[dataset]()
    ours_scores, sk_scores = [], []
    for seed in range(5):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed
        )
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        ours, sk = _pair(solver, len(y_train), seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both may stop at max_iter
            ours_scores.append(ours.fit(X_train, y_train).score(X_test, y_test))
            sk_scores.append(sk.fit(X_train, y_train).score(X_test, y_test))
    ours_mean, sk_mean = np.mean(ours_scores), np.mean(sk_scores)
    assert abs(ours_mean - sk_mean) <= 0.015, (ours_mean, sk_mean)
    assert ours_mean > 0.85  # both learned something: not a tie at chance
