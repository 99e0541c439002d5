"""Prediction in chunks, in parallel threads, equals one pass over all rows."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import _base, _numpy_fast, _numpy_mlp


def test_chunked_parallel_prediction_equals_one_pass(Estimator, monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(203, 4))
    y = np.arange(203) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Estimator(hidden=(6, 5), max_iter=3, random_state=0).fit(X, y)
    whole = est.predict_proba(X)
    calls = []
    original = type(est)._prediction_threads

    def spy(self):
        calls.append(original(self))
        return calls[-1]

    monkeypatch.setattr(type(est), "_prediction_threads", spy)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 16)  # 13 chunks
    # Two threads wherever the backend would use them, however many cores.
    monkeypatch.setattr(_numpy_fast, "blas_threads", lambda: 2)
    chunked = est.predict_proba(X)
    assert calls, "the chunks did not go through _prediction_threads"
    assert_allclose(chunked, whole, rtol=1e-12, atol=1e-15)
    assert_array_equal(est.predict(X), whole.argmax(axis=1))


def test_blas_thread_count_is_the_largest_of_the_loaded_libraries():
    from threadpoolctl import threadpool_info

    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert _numpy_fast.blas_threads() == max(counts, default=1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_prediction_with_fresh_buffers_equals_the_cached_buffers(
    monkeypatch, dtype
):
    # Chunks too big for the per-thread buffers get buffers of their own,
    # of the model's dtype as the cached ones are.
    rng = np.random.RandomState(1)
    X = rng.normal(size=(50, 3)).astype(dtype)
    y = np.arange(50) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = _numpy_mlp.NumpyMLPClassifier(hidden=(7, 4), max_iter=2, random_state=0)
        est.fit(X, y)
    cached = est.predict_proba(X)
    monkeypatch.setattr(_numpy_fast, "_PREDICT_CHUNK_VALUES", 8)
    fresh = est.predict_proba(X)
    assert_array_equal(fresh, cached)
