"""The tables of ``_functions``: each entry against its formula, fast paths
against their plain twins."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, log_softmax, softmax

from sklearn_mlplab import NumpyMLPClassifier, _numpy_fast
from sklearn_mlplab._functions import (
    ACTIVATIONS,
    DERIVATIVES,
    FAST_DERIVATIVES,
    LOSSES,
    OUT_ACTIVATIONS,
    log_output,
)


def _pre_activations(shape=(50, 7), seed=0):
    z = np.random.RandomState(seed).normal(size=shape)
    z[::3, ::2] = 0.0  # exact zeros: relu's kink, where a = 0
    return z


@pytest.mark.parametrize("name", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activations_match_their_formulas_in_place(name, dtype):
    z = _pre_activations().astype(dtype)
    formula = {
        "identity": lambda v: v,
        "logistic": expit,
        "tanh": np.tanh,
        "relu": lambda v: v * (v > 0),
    }
    expected = formula[name](z.astype(np.float64))
    buf = z.copy()
    out = ACTIVATIONS[name](buf)
    assert np.shares_memory(out, buf)
    assert out.dtype == dtype
    assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_relu_works_in_place_on_any_layout_and_size(monkeypatch):
    # The forward pass ignores the return value: every path must write z.
    from sklearn_mlplab import _functions

    def check(z):
        expected = np.maximum(z, 0)
        out = ACTIVATIONS["relu"](z)
        assert np.shares_memory(out, z)
        assert_array_equal(z, expected)
        assert_array_equal(out, expected)

    z = _pre_activations((40, 30))
    check(z.T.copy(order="F"))  # not C-contiguous
    check(z.copy()[:, ::2])  # strided
    check(z.astype(np.float32))
    monkeypatch.setattr(_functions, "_ZEROS_MAX", 10)  # too big for the zeros
    check(z.copy())
    monkeypatch.undo()
    check(_pre_activations((3, 2), seed=1))  # after a larger buffer exists


@pytest.mark.parametrize("name", ["identity", "logistic", "tanh", "relu"])
def test_derivatives_multiply_delta_by_the_slope_at_a(name):
    z = _pre_activations()
    a = ACTIVATIONS[name](z.copy())
    delta = np.random.RandomState(1).normal(size=z.shape)
    slope = {
        "identity": np.ones_like(z),
        "logistic": expit(z) * (1 - expit(z)),
        "tanh": 1 - np.tanh(z) ** 2,
        "relu": (z > 0).astype(float),
    }[name]
    for table in (DERIVATIVES, FAST_DERIVATIVES):
        d = delta.copy()
        table[name](a, d)
        assert_allclose(d, delta * slope, rtol=1e-12, atol=1e-15)


def test_exact_relu_derivative_equals_the_fast_one_where_delta_is_finite():
    # The exact derivative is the fallback after a blow-up; where nothing
    # blew up it must give what the fast path gives, kink (a = 0) included.
    a = ACTIVATIONS["relu"](_pre_activations())
    assert (a == 0).sum() > a.size // 3
    delta = np.random.RandomState(2).normal(size=a.shape)
    exact, fast = delta.copy(), delta.copy()
    DERIVATIVES["relu"](a, exact)
    FAST_DERIVATIVES["relu"](a, fast)
    assert_array_equal(exact, fast)
    assert_array_equal(exact[a == 0], 0.0)


def test_exact_relu_derivative_gives_zero_not_nan_where_delta_is_infinite():
    a = ACTIVATIONS["relu"](_pre_activations())
    delta = np.full(a.shape, np.inf)
    DERIVATIVES["relu"](a, delta)
    assert_array_equal(delta, np.where(a > 0, np.inf, 0.0))
    fast = np.full(a.shape, np.inf)
    with np.errstate(invalid="ignore"):
        FAST_DERIVATIVES["relu"](a, fast)
    assert np.isnan(fast[a == 0]).all()  # why the fallback exists


def _relu_network(dead_units, alpha=0.1):
    # A relu network whose hidden units sit at exactly 0 (a = 0) for many
    # rows: negative pre-activations clipped, and whole units switched off.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    y = np.arange(30) % 3
    est = NumpyMLPClassifier((6, 5), activation="relu", alpha=alpha)
    Y = est._encode_targets(y, False, None, False, False, np.float64)
    est._rng = rng
    est._initialize((6, 5), 4, np.float64)
    if dead_units:
        est.intercepts_[0][:2] = -50.0  # never on
    ws = _numpy_fast.Workspace(est, X, Y, None, 30)
    return est, ws, X, Y


@pytest.mark.parametrize("dead_units", [False, True])
def test_fallback_backprop_equals_the_fast_path_on_finite_gradients(dead_units):
    est, ws, X, Y = _relu_network(dead_units)
    loss_fast = _numpy_fast.loss_grad(ws, X, Y, None, 30.0, scale=0.7)
    grad_fast = ws.grad.copy()
    loss_exact = _numpy_fast.loss_grad(ws, X, Y, None, 30.0, scale=0.7, exact=True)
    assert loss_exact == loss_fast
    assert_array_equal(ws.grad, grad_fast)
    assert np.abs(grad_fast).max() > 0


def test_backprop_falls_back_to_the_exact_derivative_after_a_blow_up():
    # Deltas so large that they overflow meet relu's zeros: the fast path's
    # inf * 0 would give nan, the fallback gives the exact 0.
    est, ws, X, Y = _relu_network(dead_units=True, alpha=0.0)
    est.coefs_[2][...] = 1e300
    est.coefs_[1][...] = 1e300
    with np.errstate(over="ignore", invalid="ignore"):
        _numpy_fast.loss_grad(ws, X, Y, None, 30.0)
    grad_W1 = ws.grad_coefs[0]
    # The units that never fire get exactly no gradient.
    assert_array_equal(grad_W1[:, :2], 0.0)
    assert_array_equal(ws.grad_intercepts[0][:2], 0.0)


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e6])
def test_softmax_stays_finite_where_exp_of_the_logits_overflows(scale):
    z = np.array([[1.0, 0.5, -1.0], [2.0, 2.0, 0.0], [-3.0, 0.0, 1.0]]) * scale
    for dtype in (np.float64, np.float32):
        p = OUT_ACTIVATIONS["softmax"](z.astype(dtype))
        assert np.isfinite(p).all()
        assert_allclose(p, softmax(z, axis=1), rtol=1e-5, atol=1e-30)
        assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    assert_allclose(
        log_output(z, "softmax"), log_softmax(z, axis=1), rtol=1e-12, atol=1e-15 * scale
    )


def test_softmax_does_not_change_its_input():
    z = np.array([[1000.0, 0.0, -1000.0]])
    before = z.copy()
    OUT_ACTIVATIONS["softmax"](z)
    assert_array_equal(z, before)


def test_predict_proba_stays_finite_for_huge_logits(Estimator):
    # Weights that give logits of about 1e3: exp overflows, the
    # probabilities must not.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = np.arange(60) % 3
    est = Estimator(hidden=4, max_iter=1, random_state=0).fit(X, y)
    est.coefs_[1][...] = rng.choice([-1.0, 1.0], size=est.coefs_[1].shape) * 500
    z = est._logits(X)
    assert np.abs(z).max() > 800
    proba = est.predict_proba(X)
    assert np.isfinite(proba).all()
    assert_allclose(proba, softmax(z, axis=1), rtol=1e-9, atol=1e-300)
    assert_allclose(est.predict_log_proba(X), log_softmax(z, axis=1), rtol=1e-9)


@pytest.mark.parametrize("out_activation", ["logistic", "softmax"])
def test_log_output_is_the_log_of_the_output_function(out_activation):
    z = np.random.RandomState(3).normal(
        size=(10, 1 if out_activation == "logistic" else 4)
    )
    assert_allclose(
        np.exp(log_output(z, out_activation)),
        OUT_ACTIVATIONS[out_activation](z),
        rtol=1e-12,
    )


def test_multiclass_log_loss_is_exact_for_rows_of_very_different_scale():
    # The log-sum-exp shift is per row: a row far below another's logits
    # must not underflow to log(0).
    z = np.array([[1000.0, 0.0, -5.0], [-1000.0, -1001.0, -1003.0], [0.0, 1.0, 2.0]])
    Y = np.eye(3)[[0, 1, 2]]
    per_sample, _ = LOSSES["log_loss"](z, softmax(z, axis=1), Y, "softmax")
    assert_allclose(per_sample, -(Y * log_softmax(z, axis=1)).sum(axis=1), rtol=1e-12)


@pytest.mark.parametrize("n_out", [1, 3])
@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_losses_match_their_formulas(loss, n_out):
    rng = np.random.RandomState(4)
    z = rng.normal(scale=3.0, size=(20, n_out))
    if n_out == 1:
        out, p = "logistic", expit(z)
        Y = (rng.uniform(size=(20, 1)) > 0.5).astype(float)
        log_p = np.hstack([np.log1p(-p), np.log(p)])
        Y_full = np.hstack([1 - Y, Y])
    else:
        out, p = "softmax", softmax(z, axis=1)
        Y = np.eye(n_out)[rng.randint(0, n_out, size=20)]
        log_p, Y_full = np.log(p), Y
    per_sample, grad = LOSSES[loss](z, p.copy(), Y, out)
    if loss == "log_loss":
        assert_allclose(per_sample, -(Y_full * log_p).sum(axis=1), rtol=1e-10)
        assert_allclose(grad, p - Y, rtol=1e-12)
    else:
        assert_allclose(per_sample, 0.5 * ((p - Y) ** 2).sum(axis=1), rtol=1e-12)
        # dL/dz = J^T (p - Y), J the output function's Jacobian.
        for i in range(20):
            if n_out == 1:
                J = np.diag(p[i] * (1 - p[i]))
            else:
                J = np.diag(p[i]) - np.outer(p[i], p[i])
            assert_allclose(grad[i], J.T @ (p[i] - Y[i]), rtol=1e-10, atol=1e-15)


def test_relu_caches_one_zeros_buffer_per_dtype_and_reuses_it(monkeypatch):
    from sklearn_mlplab import _functions

    monkeypatch.setattr(_functions, "_ZEROS", {})
    cache = _functions._ZEROS
    relu = ACTIVATIONS["relu"]
    z = _pre_activations((100, 50))
    relu(z.copy())
    buf = cache[z.dtype]
    assert buf.dtype == np.float64 and buf.size >= z.size
    for again in (z, z[:10], z[:, :7]):  # as large, and smaller
        out = relu(again.copy())
        assert_array_equal(out, np.maximum(again, 0))
    assert cache[z.dtype] is buf
    z32 = z.astype(np.float32)
    relu(z32)
    assert cache[z32.dtype].dtype == np.float32
    assert cache[z.dtype] is buf
    bigger = _pre_activations((300, 50), seed=2)
    out = relu(bigger.copy())
    assert_array_equal(out, np.maximum(bigger, 0))
    assert cache[z.dtype].size >= bigger.size
    assert not cache[z.dtype].any() and not cache[z32.dtype].any()


def test_relu_serves_arrays_up_to_the_cache_limit_and_never_grows_past_it(
    monkeypatch,
):
    # The buffer lives for the whole process: arrays past _ZEROS_MAX values
    # take the scalar path instead of enlarging it.
    from sklearn_mlplab import _functions

    monkeypatch.setattr(_functions, "_ZEROS", {})
    monkeypatch.setattr(_functions, "_ZEROS_MAX", 5000)
    relu = ACTIVATIONS["relu"]
    at_limit = _pre_activations((100, 50))
    relu(at_limit.copy())
    buf = _functions._ZEROS[at_limit.dtype]
    past = _pre_activations((5001, 1), seed=1)
    out = relu(past.copy())
    assert_array_equal(out, np.maximum(past, 0))
    assert _functions._ZEROS[at_limit.dtype] is buf
    assert buf.size < past.size


def test_logistic_squared_error_gradient_stays_accurate_as_the_sigmoid_saturates():
    # dL/dz = (p - y) p (1 - p). Written as the softmax Jacobian on one
    # column, p ((p - y) - (p - y) p), it loses most of its digits at
    # p near 1, y = 1 (a difference of two nearly equal products).
    z = np.linspace(5.0, 16.0, 200, dtype=np.float32)[:, None]
    p = OUT_ACTIVATIONS["logistic"](z)
    assert p.dtype == np.float32 and (p < 1).all()
    Y = np.ones_like(p)
    _, grad = LOSSES["squared_error"](z, p, Y, "logistic")
    p64 = p.astype(np.float64)
    assert_allclose(grad, (p64 - 1) * p64 * (1 - p64), rtol=1e-6)


def test_the_fallback_backprop_keeps_the_sample_weights_and_the_scale(monkeypatch):
    # Layer 2 never fires and its outgoing weights are huge: the deltas sent
    # back overflow and meet a = 0 everywhere. The output layer's intercepts
    # still get a finite gradient, which the weights and the scale shape.
    est, ws, X, Y = _relu_network(dead_units=False, alpha=0.0)
    est.intercepts_[1][...] = -1e3
    signs = np.random.RandomState(5).choice([-1.0, 1.0], size=est.coefs_[2].shape)
    est.coefs_[2][...] = signs * 1e308
    sw = np.linspace(0.2, 3.0, 30)
    calls = []
    loss_grad = _numpy_fast.loss_grad

    def spy(*args, **kwargs):
        calls.append(kwargs.get("exact", False))
        return loss_grad(*args, **kwargs)

    monkeypatch.setattr(_numpy_fast, "loss_grad", spy)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = _numpy_fast.loss_grad(ws, X, Y, sw, 2.0, scale=3.0)
        assert calls == [False, True]  # the fast path fell back
        grad = ws.grad.copy()
        assert loss == _numpy_fast.loss_grad(ws, X, Y, sw, 2.0, scale=3.0, exact=True)
    assert_array_equal(grad, ws.grad)
    assert np.isfinite(grad).all()
    p = OUT_ACTIVATIONS["softmax"](est._forward_logits(X))
    # One column sums to about 0 by cancellation: its rounding is absolute.
    expected = 3.0 * (sw / 2.0) @ (p - Y)
    assert_allclose(
        ws.grad_intercepts[2], expected, rtol=1e-12, atol=1e-13 * np.abs(expected).max()
    )


@pytest.mark.parametrize("sw", [None, np.linspace(0.2, 3.0, 30)])
def test_backprop_leaves_scale_times_the_gradient_penalty_included(sw):
    # The numpy backend back-propagates s g for the update: every part of
    # the gradient, the alpha penalty's too, comes out multiplied by s.
    est, ws, X, Y = _relu_network(dead_units=False, alpha=0.3)
    loss = _numpy_fast.loss_grad(ws, X, Y, sw, 30.0)
    grad = ws.grad.copy()
    assert loss == _numpy_fast.loss_grad(ws, X, Y, sw, 30.0, scale=0.05)
    assert_allclose(ws.grad, 0.05 * grad, rtol=1e-12, atol=1e-300)
    assert np.abs(grad).min() < np.abs(grad).max()
