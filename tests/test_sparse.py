"""Sparse input (CSR, CSC) trains the same model as the dense array."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
by_backend = pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
FORMATS = pytest.mark.parametrize("fmt", ["csr", "csc"])


def _sparse_data(n_classes=3, dtype=np.float64):
    """Mostly-zero features that still carry the class."""
    rng = np.random.RandomState(0)
    n, d = 150, 12
    X = rng.normal(size=(n, d)) * (rng.uniform(size=(n, d)) < 0.25)
    y = rng.randint(n_classes, size=n)
    X[np.arange(n), y] += 2.0  # the class's own column lights up
    return X.astype(dtype), y


def _fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def _assert_same_model(a, b, rtol):
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert_allclose(wa, wb, rtol=rtol, atol=rtol)
    assert a.n_iter_ == b.n_iter_
    assert_allclose(a.loss_curve_, b.loss_curve_, rtol=rtol)


@by_backend
@FORMATS
@pytest.mark.parametrize("n_classes", [2, 3])
def test_sparse_fit_equals_dense_fit(Est, fmt, n_classes):
    X, y = _sparse_data(n_classes)
    params = dict(hidden=(6, 4), batch_size=20, max_iter=15, random_state=0)
    dense = _fit(Est(**params), X, y)
    sparse = _fit(Est(**params), sp.csr_matrix(X).asformat(fmt), y)
    _assert_same_model(sparse, dense, rtol=1e-10)
    # Predicting from sparse or dense input gives the same answer.
    assert_allclose(sparse.predict_proba(sp.csc_matrix(X)), dense.predict_proba(X))
    assert_array_equal(sparse.predict(sp.csr_matrix(X)), dense.predict(X))
    assert sparse.score(sp.csr_matrix(X), y) == dense.score(X, y)


@by_backend
@FORMATS
def test_sparse_float32_stays_float32_and_equals_dense(Est, fmt):
    X, y = _sparse_data(2, np.float32)
    params = dict(hidden=5, batch_size=32, max_iter=10, random_state=0)
    dense = _fit(Est(**params), X, y)
    sparse = _fit(Est(**params), sp.csr_matrix(X).asformat(fmt), y)
    assert sparse.coefs_[0].dtype == np.float32
    assert sparse.predict_proba(sp.csr_matrix(X)).dtype == np.float32
    _assert_same_model(sparse, dense, rtol=1e-4)


@by_backend
@FORMATS
def test_sparse_with_sample_weight_and_early_stopping(Est, fmt):
    X, y = _sparse_data(3)
    sw = np.random.RandomState(1).uniform(0.2, 2.0, size=len(y))
    params = dict(
        hidden=5, batch_size=16, max_iter=12, early_stopping=True, random_state=0
    )
    dense = _fit(Est(**params), X, y, sample_weight=sw)
    sparse = _fit(Est(**params), sp.csr_matrix(X).asformat(fmt), y, sample_weight=sw)
    _assert_same_model(sparse, dense, rtol=1e-10)
    assert sparse.validation_scores_ == dense.validation_scores_


@by_backend
@FORMATS
def test_sparse_partial_fit_and_warm_start_equal_dense(Est, fmt):
    X, y = _sparse_data(2)
    Xs = sp.csr_matrix(X).asformat(fmt)
    params = dict(hidden=4, batch_size=25, random_state=0)
    dense, sparse = Est(**params), Est(**params)
    for _ in range(3):
        dense.partial_fit(X, y, classes=[0, 1])
        sparse.partial_fit(Xs, y, classes=[0, 1])
    _assert_same_model(sparse, dense, rtol=1e-10)
    dense.set_params(warm_start=True, max_iter=4)
    sparse.set_params(warm_start=True, max_iter=4)
    _fit(dense, X, y)
    _fit(sparse, Xs, y)
    _assert_same_model(sparse, dense, rtol=1e-10)


def test_sparse_model_matches_across_backends():
    # The two backends treat sparse input differently (numpy multiplies the
    # sparse matrix, torch densifies each batch); both land on one model.
    X, y = _sparse_data(3)
    Xs = sp.csr_matrix(X)
    params = dict(hidden=5, batch_size=20, max_iter=10, random_state=0)
    a = _fit(NumpyMLPClassifier(**params), Xs, y)
    b = _fit(TorchMLPClassifier(**params), Xs, y)
    _assert_same_model(a, b, rtol=1e-9)
