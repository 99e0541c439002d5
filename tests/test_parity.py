"""TorchMLPClassifier against NumpyMLPClassifier, step for step, in float64.

The numpy backend's gradients are written by hand, the torch backend's come
from autograd: agreement over 20 epochs of every configuration holds each
against the other.
"""

import itertools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier, _torch_mlp

pytest.importorskip("torch")

CASES = list(
    itertools.product(
        ["logistic", "tanh", "relu"],
        ["log_loss", "squared_error"],
        ["dampened", "classic", "nesterov"],
        [2, 3],  # classes
        [None, 16],  # full batch, or mini-batches with shuffling
        [0.0, 0.01],  # alpha
        [False, True],  # sample_weight
        ["ones-column", "plain"],  # torch's first layer: one block, or W and b
    )
)


def _data(n_classes):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    if n_classes == 3:
        y = y + (X[:, 2] > 0.8)
    if n_classes == "multilabel":
        y = np.column_stack([y, X[:, 2] > 0.3, X[:, 0] < 0]).astype(int)
    return X, y, rng.uniform(0.2, 3.0, size=40)


@pytest.mark.parametrize(
    "activation, loss, momentum_type, n_classes, batch_size, alpha, weighted, first",
    CASES,
    ids=["-".join(map(str, c)) for c in CASES],
)
def test_torch_matches_numpy_step_for_step(
    activation,
    loss,
    momentum_type,
    n_classes,
    batch_size,
    alpha,
    weighted,
    first,
    monkeypatch,
):
    if first == "plain":
        # Small data normally gets the ones column: switch it off.
        monkeypatch.setattr(_torch_mlp, "_AUGMENT_VALUES", 0)
    X, y, sw = _data(n_classes)
    params = dict(
        hidden=(4,),
        activation=activation,
        loss=loss,
        lr=0.3,
        momentum=0.9,
        momentum_type=momentum_type,
        alpha=alpha,
        batch_size=batch_size,
        max_iter=20,
        shuffle=True,
        random_state=7,
    )
    fit_params = {"sample_weight": sw} if weighted else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = NumpyMLPClassifier(**params).fit(X, y, **fit_params)
        twin = TorchMLPClassifier(**params).fit(X, y, **fit_params)
    assert ours.n_iter_ == twin.n_iter_
    assert_allclose(twin.loss_curve_, ours.loss_curve_, rtol=1e-9)
    for a, b in zip(
        twin.coefs_ + twin.intercepts_, ours.coefs_ + ours.intercepts_, strict=True
    ):
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert_allclose(twin.predict_proba(X), ours.predict_proba(X), rtol=1e-9)


def test_parity_holds_for_two_hidden_layers_and_float32():
    X, y, _ = _data(3)
    params = dict(hidden=(5, 4), activation="tanh", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = NumpyMLPClassifier(**params).fit(X, y)
        twin = TorchMLPClassifier(**params).fit(X, y)
        assert_allclose(twin._params, ours._params, rtol=1e-9, atol=1e-12)
        ours32 = NumpyMLPClassifier(**params).fit(X.astype(np.float32), y)
        twin32 = TorchMLPClassifier(**params).fit(X.astype(np.float32), y)
    assert twin32._params.dtype == ours32._params.dtype == np.float32
    assert_allclose(twin32._params, ours32._params, rtol=1e-3, atol=1e-4)


SOLVER_CASES = [
    case
    for case in itertools.product(
        ["identity", "logistic", "tanh", "relu"],
        ["log_loss", "squared_error"],
        [
            ("sgd", "invscaling"),
            ("sgd", "adaptive"),
            ("adam", "constant"),
            ("adam", "invscaling"),
            ("adam", "adaptive"),
            ("lbfgs", "constant"),
        ],
        [2, 3, "multilabel"],  # classes, or 3 labels
        [None, 16],  # full batch, or shuffled mini-batches
    )
    if not (case[2][0] == "lbfgs" and case[4] == 16)  # L-BFGS is full-batch
]


@pytest.mark.parametrize(
    "activation, loss, solver_schedule, n_classes, batch_size",
    SOLVER_CASES,
    ids=["-".join(map(str, c[:2] + c[2] + c[3:])) for c in SOLVER_CASES],
)
def test_every_solver_and_schedule_matches_across_backends(
    activation, loss, solver_schedule, n_classes, batch_size
):
    solver, schedule = solver_schedule
    X, y, sw = _data(n_classes)
    params = dict(
        hidden=(4,),
        activation=activation,
        loss=loss,
        solver=solver,
        lr=0.05 if solver == "adam" else 0.5,
        lr_schedule=schedule,
        power_t=0.25,
        alpha=0.01,
        batch_size=batch_size,
        max_iter=20,
        random_state=7,
    )
    if schedule == "adaptive":
        # Stuck early and often: the rate is divided several times.
        params.update(tol=0.05, n_iter_no_change=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = NumpyMLPClassifier(**params).fit(X, y, sample_weight=sw)
        twin = TorchMLPClassifier(**params).fit(X, y, sample_weight=sw)
    assert ours.n_iter_ == twin.n_iter_ > 1
    assert_allclose(twin.loss_curve_, ours.loss_curve_, rtol=1e-7)
    assert_allclose(twin._params, ours._params, rtol=1e-7, atol=1e-9)
    assert_allclose(twin.predict_proba(X), ours.predict_proba(X), rtol=1e-7)
    if ours._optimizer is not None:
        assert twin._optimizer.lr == ours._optimizer.lr
        assert vars(twin._optimizer).keys() == vars(ours._optimizer).keys()
    if schedule == "adaptive":
        assert ours._optimizer.lr < params["lr"] / 5  # divided at least twice
