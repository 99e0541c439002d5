"""Divergence and interruption never lose a trained model.

A learning rate that blows the weights up raises a clear error; a fresh fit
that diverges leaves the previous model as it was, while a continued run
(``warm_start``, ``partial_fit``) keeps its last finite epoch. A
``KeyboardInterrupt`` stops training with a warning and keeps the weights of
the last finished epoch.
"""

import copy
import warnings

import numpy as np
import pytest
from _hand_training import interrupt_on_call
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier
from sklearn_mlplab._base import NonFiniteError

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
by_backend = pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
# Overflow is what these tests provoke; numpy reports it on the way.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# Unscaled inputs, relu and lr=1e4 with the cross-entropy: the weights of the
# two layers feed each other's gradients and overflow within a few epochs.
# (With squared_error the saturated sigmoid output stops the gradient first:
# see test_squared_error_at_huge_lr_saturates_but_stays_finite.)
DIVERGE = dict(lr=1e4, loss="log_loss", activation="relu")
MESSAGE = r"non-finite.*Lower lr"


def _data():
    X, y = make_moons(n_samples=120, noise=0.2, random_state=0)
    return X * 1e3, y


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def _good(Est, **params):
    """A sane model on the unscaled data, to diverge from later."""
    X, y = _data()
    est = Est(hidden=5, activation="relu", lr=1e-5, max_iter=5, random_state=0)
    return _quiet(est.set_params(**params).fit, X, y)


def _assert_same_model(a, b):
    X, _ = _data()
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert_array_equal(wa, wb)
    assert a.n_iter_ == b.n_iter_
    assert a.loss_curve_ == b.loss_curve_
    assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def _assert_finite_model(est):
    X, _ = _data()
    for w in est.coefs_ + est.intercepts_:
        assert np.isfinite(w).all()
    proba = est.predict_proba(X)
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1)


@by_backend
def test_huge_lr_raises_the_clear_non_finite_error(Est):
    X, y = _data()
    est = Est(hidden=5, max_iter=50, random_state=0, **DIVERGE)
    with pytest.raises(NonFiniteError, match=MESSAGE) as info:
        est.fit(X, y)
    assert isinstance(info.value, ValueError)
    # A first fit that diverges leaves nothing half-fitted behind.
    with pytest.raises(NotFittedError):
        est.predict(X)


@by_backend
def test_squared_error_at_huge_lr_saturates_but_stays_finite(Est):
    # The example (squared_error, relu, lr=1e4): the sigmoid output
    # saturates and its squared-error gradient vanishes before any weight
    # overflows, so the fit ends with finite (useless) weights, not NaN.
    X, y = make_moons(n_samples=120, noise=0.2, random_state=0)
    est = Est(hidden=5, max_iter=30, random_state=0, lr=1e4, activation="relu")
    est.set_params(loss="squared_error")
    try:
        _quiet(est.fit, X, y)
    except NonFiniteError:
        return  # also acceptable: the clear error
    _assert_finite_model(est)


@by_backend
def test_divergent_fresh_fit_leaves_the_old_model_intact(Est):
    est = _good(Est)
    before = copy.deepcopy(est)
    X, y = _data()
    est.set_params(max_iter=50, **DIVERGE)
    with pytest.raises(NonFiniteError, match=MESSAGE):
        est.fit(X, y)
    _assert_same_model(est, before)
    _assert_finite_model(est)


@by_backend
def test_divergent_warm_start_keeps_the_last_finite_epoch(Est):
    X, y = _data()
    start = _good(Est)
    est = copy.deepcopy(start).set_params(warm_start=True, max_iter=50, **DIVERGE)
    with pytest.raises(NonFiniteError, match=MESSAGE):
        est.fit(X, y)
    finished = est.n_iter_  # the epochs of this fit that it keeps
    assert len(est.loss_curve_) == len(start.loss_curve_) + finished
    assert finished >= 1, "diverged in the first epoch: the test proves nothing"
    _assert_finite_model(est)
    # The same warm start stopped by max_iter just before the bad epoch.
    expected = copy.deepcopy(start).set_params(
        warm_start=True, max_iter=finished, **DIVERGE
    )
    _quiet(expected.fit, X, y)
    _assert_same_model(est, expected)


@by_backend
def test_divergent_partial_fit_keeps_the_last_finite_weights(Est):
    X, y = _data()
    est = _good(Est).set_params(**DIVERGE)
    finished_calls = 0
    while True:
        before = copy.deepcopy(est)
        try:
            est.partial_fit(X, y)
        except NonFiniteError as exc:
            assert "non-finite" in str(exc)
            break
        finished_calls += 1
        assert finished_calls < 50, "partial_fit never diverged"
    assert finished_calls >= 1, "diverged on the first call: the test proves nothing"
    _assert_same_model(est, before)
    _assert_finite_model(est)
    # The momentum must not carry the blow-up into the next call: with a
    # sane lr, training goes on and stays finite.
    est.set_params(lr=1e-5)
    for _ in range(3):
        est.partial_fit(X, y)
    _assert_finite_model(est)


# ------------------------------------------------------- KeyboardInterrupt

N_ROWS, BATCH = 100, 32  # four steps per epoch
STEPS = -(-N_ROWS // BATCH)


def _interrupt_data():
    X, y = make_moons(n_samples=N_ROWS, noise=0.2, random_state=1)
    return X, y


@by_backend
@pytest.mark.parametrize("finished_epochs, step_in_epoch", [(3, 2), (1, 1), (2, 4)])
def test_keyboard_interrupt_keeps_the_last_finished_epoch(
    Est, monkeypatch, finished_epochs, step_in_epoch
):
    X, y = _interrupt_data()
    params = dict(hidden=4, batch_size=BATCH, max_iter=50, random_state=0)
    calls = interrupt_on_call(monkeypatch, Est, finished_epochs * STEPS + step_in_epoch)
    est = Est(**params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert est.fit(X, y) is est
    monkeypatch.undo()
    assert calls["n"] == finished_epochs * STEPS + step_in_epoch
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert any("interrupted" in m for m in messages), messages
    assert not any(w.category is ConvergenceWarning for w in caught)

    expected = _quiet(Est(**{**params, "max_iter": finished_epochs}).fit, X, y)
    assert est.n_iter_ == finished_epochs
    assert len(est.loss_curve_) == finished_epochs
    _assert_same_model(est, expected)


@by_backend
def test_keyboard_interrupt_before_any_epoch_leaves_the_estimator_as_it_was(
    Est, monkeypatch
):
    # Nothing was trained yet: the interrupt propagates, and a previously
    # fitted model is neither lost nor replaced by random initial weights.
    X, y = _interrupt_data()
    fresh = Est(hidden=4, max_iter=50, random_state=0)
    interrupt_on_call(monkeypatch, Est, 2)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    monkeypatch.undo()
    assert not hasattr(fresh, "classes_")

    fitted = _quiet(Est(hidden=4, max_iter=5, random_state=0).fit, X, y)
    before = copy.deepcopy(fitted)
    interrupt_on_call(monkeypatch, Est, 2)
    with pytest.raises(KeyboardInterrupt):
        fitted.set_params(random_state=1).fit(X, y)
    monkeypatch.undo()
    _assert_same_model(fitted, before)


@by_backend
def test_keyboard_interrupt_restarts_the_momentum(Est, monkeypatch):
    X, y = _interrupt_data()
    est = _quiet(Est(hidden=4, batch_size=BATCH, max_iter=3, random_state=0).fit, X, y)
    interrupt_on_call(monkeypatch, Est, 3)
    with pytest.warns(UserWarning, match="interrupted"):
        est.partial_fit(X, y)
    monkeypatch.undo()
    assert not est._optimizer.velocity.any()


@by_backend
def test_keyboard_interrupt_in_partial_fit_keeps_the_previous_weights(Est, monkeypatch):
    X, y = _interrupt_data()
    est = _quiet(Est(hidden=4, batch_size=BATCH, max_iter=3, random_state=0).fit, X, y)
    before = copy.deepcopy(est)
    interrupt_on_call(monkeypatch, Est, 3)
    with pytest.warns(UserWarning, match="interrupted"):
        est.partial_fit(X, y)
    monkeypatch.undo()
    assert est.n_iter_ == 0  # the call finished no epoch
    est.n_iter_ = before.n_iter_
    _assert_same_model(est, before)
