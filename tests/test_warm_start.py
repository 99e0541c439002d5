"""A warm-started fit restarts the optimiser as documented, on both backends.

It starts from the previous fit's weights, with the velocity at zero and the
shuffling generator fresh from ``random_state``: so it equals a training
started by hand from those weights under exactly those rules.
"""

import warnings

import numpy as np
import pytest
from _hand_training import hand_fit, shuffled_orders
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

EPOCHS = 4


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 > 0.3).astype(int)
    return X, y


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


@pytest.mark.parametrize("momentum_type", ["dampened", "classic", "nesterov"])
@pytest.mark.parametrize("hidden", [3, (4, 3)])
def test_warm_start_fit_equals_a_hand_started_fit_from_its_weights(
    Estimator, momentum_type, hidden
):
    X, y = _data()
    params = dict(
        hidden=hidden,
        lr=0.3,
        momentum=0.9,
        momentum_type=momentum_type,
        batch_size=8,
        max_iter=EPOCHS,
        n_iter_no_change=1000,
        random_state=0,
        warm_start=True,
    )
    est = _fit(Estimator(**params), X, y)
    coefs = [W.copy() for W in est.coefs_]
    intercepts = [b.copy() for b in est.intercepts_]
    # The first fit leaves momentum behind: forgetting to restart it matters.
    assert np.abs(est._optimizer.velocity).max() > 1e-3

    _fit(est, X, y)

    # The reference: zero velocity, and the rows shuffled by a generator
    # fresh from random_state (no weights are drawn this time).
    orders = shuffled_orders(np.random.RandomState(0), len(y), EPOCHS)
    ref_coefs, ref_intercepts, ref_losses = hand_fit(
        coefs, intercepts, X, y, orders, 8, 0.3, 0.9, momentum_type
    )
    assert est.n_iter_ == EPOCHS and len(est.loss_curve_) == 2 * EPOCHS
    assert_allclose(est.loss_curve_[EPOCHS:], ref_losses, rtol=1e-10)
    for got, want in zip(
        est.coefs_ + est.intercepts_, ref_coefs + ref_intercepts, strict=True
    ):
        assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_two_warm_starts_from_the_same_weights_train_alike(Estimator):
    # The optimiser state is a function of the weights alone: a warm fit from
    # W is the same whatever run led to W.
    X, y = _data()
    params = dict(batch_size=8, max_iter=3, random_state=0, warm_start=True)
    a = _fit(Estimator(**params), X, y)
    b = _fit(Estimator(**params, lr=0.01), X, y)  # another path to its weights
    b._params[...] = a._params
    b.set_params(lr=a.lr)
    _fit(a, X, y)
    _fit(b, X, y)
    assert_allclose(a._params, b._params, rtol=1e-12, atol=1e-14)
    assert_allclose(a.loss_curve_[3:], b.loss_curve_[3:], rtol=1e-12)
