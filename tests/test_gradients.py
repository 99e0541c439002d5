"""The hand-written backpropagation against central finite differences."""

import itertools

import numpy as np
import pytest

from sklearn_mlplab import NumpyMLPClassifier, _numpy_fast

CASES = list(
    itertools.product(
        ["identity", "logistic", "tanh", "relu"],  # activation
        ["log_loss", "squared_error"],  # loss
        [2, 3, "multilabel"],  # classes, or 3 labels
        [0.0, 0.3],  # alpha
        [False, True],  # sample_weight
        [(4,), (4, 3)],  # hidden layers
    )
)


def _loss_and_gradient(activation, loss, n_classes, alpha, weighted, hidden):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 3))
    multilabel = n_classes == "multilabel"
    if multilabel:
        y = (rng.uniform(size=(12, 3)) > 0.5).astype(int)
        y[0], y[1] = 0, 1  # each label both on and off
    else:
        y = np.arange(12) % n_classes
    sw = rng.uniform(0.1, 2.0, size=12) if weighted else None
    est = NumpyMLPClassifier(hidden, activation=activation, loss=loss, alpha=alpha)
    Y = est._encode_targets(y, multilabel, None, False, False, np.float64)
    est._rng = rng
    est._initialize(hidden, X.shape[1], np.float64)
    # Larger-than-init weights so every layer's derivative matters, and
    # non-zero biases: with zero biases a row whose relu units are all off
    # sits exactly on the next layer's kink, where no derivative exists.
    est._params *= 2.0
    for b in est.intercepts_:
        b[...] = rng.normal(scale=0.5, size=b.shape)
    weight_sum = 12.0 if sw is None else sw.sum()
    ws = _numpy_fast.Workspace(est, X, Y, sw, 12)

    def f(theta):
        est._params[:] = theta
        return _numpy_fast.loss_grad(ws, X, Y, sw, weight_sum)

    return est._params.copy(), f, ws


@pytest.mark.parametrize(
    "activation, loss, n_classes, alpha, weighted, hidden",
    CASES,
    ids=["-".join(map(str, c)) for c in CASES],
)
def test_backprop_matches_finite_differences(
    activation, loss, n_classes, alpha, weighted, hidden
):
    theta, f, ws = _loss_and_gradient(
        activation, loss, n_classes, alpha, weighted, hidden
    )
    f(theta)
    analytic = ws.grad.copy()
    h = 1e-6
    numeric = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        numeric[j] = (f(theta + e) - f(theta - e)) / (2 * h)
    relative = np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric)
    assert relative < 1e-6
    np.testing.assert_allclose(
        analytic, numeric, rtol=1e-5, atol=1e-7 * np.abs(numeric).max()
    )


def test_squared_error_gradient_is_not_the_canonical_shortcut():
    # With squared_error, dL/dz != p - y: the sigmoid factor must be there.
    theta, f, ws = _loss_and_gradient("logistic", "squared_error", 2, 0.0, False, (4,))
    f(theta)
    with_factor = ws.grad.copy()
    _, f_ce, ws_ce = _loss_and_gradient("logistic", "log_loss", 2, 0.0, False, (4,))
    f_ce(theta)
    assert not np.allclose(with_factor, ws_ce.grad)


def test_log_loss_from_logits_stays_exact_when_saturated():
    from sklearn_mlplab._functions import LOSSES, OUT_ACTIVATIONS

    z = np.array([[1000.0], [-1000.0], [1000.0]])
    Y = np.array([[0.0], [1.0], [1.0]])
    per_sample, grad = LOSSES["log_loss"](
        z, OUT_ACTIVATIONS["logistic"](z), Y, "logistic"
    )
    np.testing.assert_allclose(per_sample, [1000.0, 1000.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(grad, [[1.0], [-1.0], [0.0]])
    z3 = np.array([[1000.0, 0.0, -1000.0]])
    Y3 = np.array([[0.0, 0.0, 1.0]])
    per_sample, _ = LOSSES["log_loss"](
        z3, OUT_ACTIVATIONS["softmax"](z3), Y3, "softmax"
    )
    np.testing.assert_allclose(per_sample, [2000.0])
