"""The plain backprop that students read, against finite differences, and
the fast path that training runs, against the plain backprop."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from sklearn_mlplab import NumpyMLPClassifier, _numpy_fast
from sklearn_mlplab._numpy_mlp import backprop

CASES = list(
    itertools.product(
        ["identity", "logistic", "tanh", "relu"],  # activation
        ["log_loss", "squared_error"],  # loss
        [2, 3, "multilabel"],  # sigmoid, softmax, or 3 sigmoid outputs
        [0.0, 0.3],  # alpha
        [False, True],  # sample_weight
        [(4,), (4, 3)],  # hidden layers
    )
)
IDS = ["-".join(map(str, c)) for c in CASES]


def _multilabel_y(rng, n):
    """3 labels, each of them on some rows and off on others."""
    y = (rng.uniform(size=(n, 3)) > 0.5).astype(int)
    y[0], y[1] = 0, 1
    return y


def _network(activation, loss, n_classes, alpha, hidden, dtype=np.float64, n=12):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3)).astype(dtype)
    multilabel = n_classes == "multilabel"
    y = _multilabel_y(rng, n) if multilabel else np.arange(n) % n_classes
    est = NumpyMLPClassifier(hidden, activation=activation, loss=loss, alpha=alpha)
    Y = est._encode_targets(y, multilabel, None, False, False, dtype)
    est._rng = rng
    est._initialize(hidden, X.shape[1], dtype)
    # Larger-than-init weights so every layer's derivative matters, and
    # non-zero biases (no relu unit exactly at its kink).
    est._params *= 2.0
    for b in est.intercepts_:
        b[...] = rng.normal(scale=0.5, size=b.shape)
    sw = rng.uniform(0.1, 2.0, size=n).astype(dtype)
    return est, X, Y, sw


def _plain(est, X, Y, sw):
    return backprop(
        X,
        Y,
        sw,
        est.coefs_,
        est.intercepts_,
        activation=est.activation,
        loss=est.loss,
        out_activation=est.out_activation_,
        alpha=est.alpha,
    )


def _flat(est, coef_grads, intercept_grads):
    return est._pack(coef_grads, intercept_grads, np.float64)


@pytest.mark.parametrize(
    "activation, loss, n_classes, alpha, weighted, hidden", CASES, ids=IDS
)
def test_plain_backprop_matches_finite_differences(
    activation, loss, n_classes, alpha, weighted, hidden
):
    est, X, Y, sw = _network(activation, loss, n_classes, alpha, hidden)
    sw = sw if weighted else None
    theta = est._params.copy()
    objective, coef_grads, intercept_grads = _plain(est, X, Y, sw)
    analytic = _flat(est, coef_grads, intercept_grads)

    def f(w):
        est._params[:] = w
        return _plain(est, X, Y, sw)[0]

    h = 1e-6
    numeric = np.array(
        [(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    )
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7 * np.abs(numeric).max())
    assert objective == f(theta)


@pytest.mark.parametrize(
    "activation, loss, n_classes, alpha, weighted, hidden", CASES, ids=IDS
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_path_equals_the_plain_backprop(
    activation, loss, n_classes, alpha, weighted, hidden, dtype
):
    est, X, Y, sw = _network(activation, loss, n_classes, alpha, hidden, dtype)
    sw = sw if weighted else None
    objective, coef_grads, intercept_grads = _plain(est, X, Y, sw)
    # A workspace sized for a larger batch, as in a fit whose last batch is
    # short; a scale, as the optimizers ask.
    ws = _numpy_fast.Workspace(est, X, Y, sw, len(X) + 5)
    weight_sum = float(len(X) if sw is None else sw.sum())
    fast = _numpy_fast.loss_grad(ws, X, Y, sw, weight_sum, scale=0.25)
    # Same operations in another order: float64 agrees to rounding, float32
    # to float32's.
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    assert fast == pytest.approx(objective, rel=rtol)
    plain = _flat(est, coef_grads, intercept_grads)
    atol = rtol * np.abs(plain).max()
    assert_allclose(ws.grad, 0.25 * plain, rtol=rtol, atol=0.25 * atol)
    assert ws.grad.dtype == dtype


@pytest.mark.parametrize("activation", ["logistic", "relu"])
def test_fast_path_equals_the_plain_backprop_on_sparse_input(activation):
    est, X, Y, sw = _network(activation, "log_loss", 3, 0.1, (4,), n=30)
    X[np.abs(X) < 0.8] = 0.0
    Xs = sp.csr_matrix(X)
    objective, coef_grads, intercept_grads = _plain(est, Xs, Y, sw)
    dense = _plain(est, X, Y, sw)
    assert objective == pytest.approx(dense[0], rel=1e-14)
    ws = _numpy_fast.Workspace(est, Xs, Y, sw, 30)
    fast = _numpy_fast.loss_grad(ws, Xs, Y, sw, float(sw.sum()))
    assert fast == pytest.approx(objective, rel=1e-12)
    assert_allclose(
        ws.grad, _flat(est, coef_grads, intercept_grads), rtol=1e-12, atol=1e-15
    )


def test_lbfgs_trains_on_the_plain_backprop(monkeypatch):
    # The maths a student reads is the maths L-BFGS runs.
    from sklearn_mlplab import _numpy_mlp

    calls = []

    def spy(*args, **kwargs):
        calls.append(1)
        return backprop(*args, **kwargs)

    monkeypatch.setattr(_numpy_mlp, "backprop", spy)
    X, y = np.random.RandomState(0).normal(size=(30, 2)), np.arange(30) % 2
    est = NumpyMLPClassifier(solver="lbfgs", max_iter=3, random_state=0)
    with pytest.warns(UserWarning):
        est.fit(X, y)
    assert len(calls) >= 3
