"""Mini-batches visit the rows in the documented order, weights and all.

``shuffle=False`` steps through the rows as given; ``shuffle=True`` draws a
permutation per epoch from the generator seeded by ``random_state`` (after
the initial weights), and each row keeps its own sample weight wherever the
permutation puts it. Each fit is held against the same training written out
by hand (``_hand_training.hand_fit``), on both backends.
"""

import warnings

import numpy as np
import pytest
from _hand_training import hand_fit, shuffled_orders, xavier_initial_weights
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

EPOCHS = 4
BATCH = 8
PARAMS = dict(
    hidden=3,
    lr=0.3,
    momentum=0.9,
    batch_size=BATCH,
    max_iter=EPOCHS,
    n_iter_no_change=1000,
    random_state=0,
)


def _data(n=40):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] - 0.5 * X[:, 2] ** 2 > -0.2).astype(int)
    return X, y


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def _assert_same_training(est, ref):
    ref_coefs, ref_intercepts, ref_losses = ref
    assert_allclose(est.loss_curve_, ref_losses, rtol=1e-10)
    for got, want in zip(
        est.coefs_ + est.intercepts_, ref_coefs + ref_intercepts, strict=True
    ):
        assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_shuffle_false_fit_equals_a_hand_fit_batch_by_batch(Estimator):
    X, y = _data()
    est = _fit(Estimator(**PARAMS, shuffle=False), X, y)
    coefs, intercepts = xavier_initial_weights(np.random.RandomState(0), [3, 3, 1])
    orders = [np.arange(len(y))] * EPOCHS
    ref = hand_fit(coefs, intercepts, X, y, orders, BATCH, 0.3, 0.9)
    _assert_same_training(est, ref)


def test_shuffle_false_fits_on_reordered_rows_differ(Estimator):
    X, y = _data()
    reverse = np.arange(len(y))[::-1]
    a = _fit(Estimator(**PARAMS, shuffle=False), X, y)
    b = _fit(Estimator(**PARAMS, shuffle=False), X[reverse], y[reverse])
    assert not np.allclose(a._params, b._params, rtol=1e-3, atol=1e-6)
    # ... and the second is the hand fit on the reversed order of the rows.
    coefs, intercepts = xavier_initial_weights(np.random.RandomState(0), [3, 3, 1])
    ref = hand_fit(coefs, intercepts, X, y, [reverse] * EPOCHS, BATCH, 0.3, 0.9)
    _assert_same_training(b, ref)


def test_shuffled_fit_equals_a_hand_fit_in_the_documented_orders(Estimator):
    X, y = _data()
    est = _fit(Estimator(**PARAMS), X, y)
    rng = np.random.RandomState(0)
    coefs, intercepts = xavier_initial_weights(rng, [3, 3, 1])
    orders = shuffled_orders(rng, len(y), EPOCHS)
    ref = hand_fit(coefs, intercepts, X, y, orders, BATCH, 0.3, 0.9)
    _assert_same_training(est, ref)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("kind", ["real", "integer"])
def test_mini_batch_sample_weight_applies_row_by_row(Estimator, shuffle, kind):
    # Each batch's loss is its rows' losses weighted one by one and divided
    # by that batch's own weight sum; batches of weight 0 are skipped.
    X, y = _data(n=42)  # a short last batch too
    rng = np.random.RandomState(2)
    if kind == "real":
        sw = rng.uniform(0.1, 3.0, size=len(y))
        sw[:BATCH] = 0.0  # a whole batch of weight 0 while unshuffled
    else:
        sw = rng.randint(0, 4, size=len(y)).astype(float)
    est = _fit(Estimator(**PARAMS, shuffle=shuffle), X, y, sample_weight=sw)
    rng = np.random.RandomState(0)
    coefs, intercepts = xavier_initial_weights(rng, [3, 3, 1])
    if shuffle:
        orders = shuffled_orders(rng, len(y), EPOCHS)
    else:
        orders = [np.arange(len(y))] * EPOCHS
    ref = hand_fit(coefs, intercepts, X, y, orders, BATCH, 0.3, 0.9, sample_weight=sw)
    _assert_same_training(est, ref)


def test_integer_sample_weight_equals_repeated_rows_one_row_per_batch(Estimator):
    # A row of weight k in a batch of its own takes the step that k copies
    # of the row take in a batch of their own.
    X, y = _data(n=12)
    sw = np.full(len(y), 3.0)
    params = {**PARAMS, "momentum": 0.0, "batch_size": 3}
    repeated = _fit(
        Estimator(**params, shuffle=False), np.repeat(X, 3, 0), np.repeat(y, 3)
    )
    weighted = _fit(
        Estimator(**{**params, "batch_size": 1}, shuffle=False), X, y, sample_weight=sw
    )
    assert_allclose(weighted._params, repeated._params, rtol=1e-10, atol=1e-12)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)
