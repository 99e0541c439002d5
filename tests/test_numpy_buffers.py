"""The numpy backend's speed devices keep their contracts: the fit's
workspace (buffers of the model's dtype, the epoch permuted in place into
C-ordered copies made once, steps that allocate nothing the size of the
data or of a weight matrix), each thread's prediction buffers (reused,
replaced when the model's dtype or the rows outgrow them, never grown past
a chunk's worth of values), and the BLAS thread count where no BLAS library
is found."""

import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier, _base, _numpy_fast
from sklearn_mlplab._numpy_mlp import NumpyEngine


def _data(n=40, n_features=3, n_classes=3, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features)).astype(dtype)
    return X, np.arange(n) % n_classes


def _fit(X, y, sample_weight=None, **params):
    params = {"hidden": (6, 5), "max_iter": 2, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NumpyMLPClassifier(**params).fit(X, y, sample_weight=sample_weight)


def _record_workspaces(monkeypatch):
    seen = []
    init = NumpyEngine.__init__

    def spy(self, *args):
        init(self, *args)
        seen.append(self.ws)

    monkeypatch.setattr(NumpyEngine, "__init__", spy)
    return seen


def _in_new_thread(fn):
    # A thread of its own: fresh prediction buffers, whatever ran before.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


# --- the fit's workspace -----------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_workspace_buffers_have_the_model_dtype(monkeypatch, dtype):
    seen = _record_workspaces(monkeypatch)
    X, y = _data(dtype=dtype)
    est = _fit(X, y, batch_size=8)
    assert est.coefs_[0].dtype == dtype
    (ws,) = seen
    buffers = [*ws.acts, *ws.deltas, ws.ones, ws.grad, ws.X_buf, ws.Y_buf]
    assert [b.dtype for b in buffers] == [np.dtype(dtype)] * len(buffers)


def test_a_shuffled_epoch_is_permuted_into_c_ordered_buffers_made_once(
    monkeypatch,
):
    seen = _record_workspaces(monkeypatch)
    permuted = []
    permute = NumpyEngine.order

    def spy(self, perm):
        permute(self, perm)
        ws = self.ws
        assert ws.X is ws.X_buf and ws.Y is ws.Y_buf and ws.sw is ws.sw_buf
        assert_array_equal(ws.X, ws.X_orig[perm])
        assert_array_equal(ws.Y, ws.Y_orig[perm])
        assert_array_equal(ws.sw, ws.sw_orig[perm])
        permuted.append((ws.X_buf, ws.Y_buf, ws.sw_buf))

    monkeypatch.setattr(NumpyEngine, "order", spy)
    X, y = _data()
    X = np.asfortranarray(X)
    w = np.linspace(0.5, 2.0, len(y))
    _fit(X, y, sample_weight=w, batch_size=8, max_iter=3)
    (ws,) = seen
    assert ws.X_orig.flags.f_contiguous  # the layout the test is about
    assert ws.X_buf.flags.c_contiguous
    assert len(permuted) == 3
    assert all(
        all(a is b for a, b in zip(bufs, permuted[0], strict=True)) for bufs in permuted
    )


@pytest.mark.parametrize(
    "params", [{"batch_size": 40}, {"batch_size": None}, {"shuffle": False}]
)
def test_a_fit_that_never_permutes_keeps_no_copy_of_the_data(monkeypatch, params):
    seen = _record_workspaces(monkeypatch)
    X, y = _data()
    _fit(X, y, **{"batch_size": 8, **params})
    (ws,) = seen
    assert ws.X_buf is None
    assert ws.X is ws.X_orig


def _peak_allocation(fn, *args):
    """What ``fn(*args)`` returns, and the most memory it held at once."""
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_permuting_an_epoch_allocates_no_copy_of_the_data(monkeypatch):
    # np.take with mode="raise" would buffer its whole output.
    peaks = []
    permute = NumpyEngine.order

    def spy(self, perm):
        _, peak = _peak_allocation(permute, self, perm)
        peaks.append((peak, self.ws.sw_orig.nbytes))

    monkeypatch.setattr(NumpyEngine, "order", spy)
    X, y = _data(n=2000, n_features=20)
    _fit(X, y, sample_weight=np.linspace(0.5, 2.0, 2000), batch_size=500)
    assert len(peaks) == 2
    assert all(peak < smallest / 4 for peak, smallest in peaks)


def test_a_dense_gradient_step_allocates_nothing_the_size_of_a_weight_matrix(
    monkeypatch,
):
    # The products write into the workspace; only the loss's temporaries,
    # a batch wide, are new.
    peaks = []
    step = NumpyEngine.step

    def spy(self, start, stop, weight_sum):
        loss, peak = _peak_allocation(step, self, start, stop, weight_sum)
        peaks.append(peak)
        return loss

    monkeypatch.setattr(NumpyEngine, "step", spy)
    X, y = _data(n=64, n_features=300)
    est = _fit(X, y, hidden=(64,), batch_size=8, max_iter=1)
    assert len(peaks) == 8
    assert max(peaks) < est.coefs_[0].nbytes / 4


# --- each thread's prediction buffers ------------------------------------------
def test_prediction_reuses_the_thread_buffers_while_they_are_large_enough():
    X, y = _data(n=60, dtype=np.float32)
    est = _fit(X, y)

    def run():
        est.predict_proba(X)
        first = _numpy_fast._chunk_buffers.acts
        assert first is not None
        assert [a.dtype for a in first] == [np.dtype(np.float32)] * len(first)
        for rows in (X, X[:7], X):
            est.predict_proba(rows)
            assert all(
                a is b
                for a, b in zip(_numpy_fast._chunk_buffers.acts, first, strict=True)
            )

    _in_new_thread(run)


def test_models_of_two_dtypes_predicting_in_turn_on_one_thread_keep_their_precision():
    X64, y = _data(n=200, n_features=20, seed=3)
    est64 = _fit(X64, y, hidden=(16,))
    X32 = X64.astype(np.float32)
    est32 = _fit(X32, y, hidden=(16,))
    alone64 = _in_new_thread(lambda: est64.predict_proba(X64))
    alone32 = _in_new_thread(lambda: est32.predict_proba(X32))

    def in_turn():
        return [
            est64.predict_proba(X64),
            est32.predict_proba(X32),
            est64.predict_proba(X64),
        ]

    first64, then32, again64 = _in_new_thread(in_turn)
    assert_array_equal(first64, alone64)
    assert_array_equal(then32, alone32)
    assert_array_equal(again64, alone64)


def test_a_wide_layer_predicting_few_rows_then_more_rows():
    # The rows, not the layer widths, decide when the buffers are too small.
    X, y = _data(n=40)
    est = _fit(X, y, hidden=(64,))
    alone = _in_new_thread(lambda: est.predict_proba(X))

    def few_then_more():
        est.predict_proba(X[:3])
        return est.predict_proba(X)

    assert_array_equal(_in_new_thread(few_then_more), alone)


def test_a_chunk_in_the_thread_buffers_allocates_only_its_logits():
    # Only its logits and numpy's fixed-size ufunc buffer (64 KiB, for the
    # broadcast bias) are new, nothing a hidden layer wide.
    X, y = _data(n=4000, n_features=10)
    est = _fit(X, y, hidden=(64,))

    def run():
        first = est._forward_logits(X)
        again, peak = _peak_allocation(est._forward_logits, X)
        assert_array_equal(again, first)
        return peak

    peak = _in_new_thread(run)
    hidden_activations = X.shape[0] * 64 * X.itemsize
    assert peak < hidden_activations / 8


def test_a_full_chunk_runs_in_the_thread_buffers(monkeypatch):
    # Chunks hold _PREDICT_CHUNK_VALUES // width rows: with a width that
    # divides it, a full chunk has exactly that many values.
    monkeypatch.setattr(_base, "_PREDICT_CHUNK_VALUES", 256)
    monkeypatch.setattr(_numpy_fast, "_PREDICT_CHUNK_VALUES", 256)
    X, y = _data(n=40)
    est = _fit(X, y, hidden=(64,))
    widths = [64, est.n_outputs_]

    def run():
        proba = est.predict_proba(X[:4])
        acts = getattr(_numpy_fast._chunk_buffers, "acts", None)
        return proba, None if acts is None else [a.shape for a in acts]

    proba, shapes = _in_new_thread(run)
    assert shapes == [(4, k) for k in widths]
    assert_array_equal(proba, est.predict_proba(X)[:4])


def test_a_chunk_too_big_for_the_thread_buffers_leaves_them_alone(monkeypatch):
    # As for a layer so wide that one row passes _PREDICT_CHUNK_VALUES
    # values: the chunk gets buffers for the call, the thread keeps none.
    X, y = _data(n=40)
    est = _fit(X, y, hidden=(64,))
    expected = est.predict_proba(X)
    monkeypatch.setattr(_numpy_fast, "_PREDICT_CHUNK_VALUES", 32)

    def run():
        proba = est.predict_proba(X)
        return proba, getattr(_numpy_fast._chunk_buffers, "acts", None)

    proba, acts = _in_new_thread(run)
    assert acts is None
    assert_array_equal(proba, expected)


# --- BLAS threads --------------------------------------------------------------
def test_prediction_runs_on_one_thread_where_no_blas_library_is_found(monkeypatch):
    X, y = _data(n=100)
    est = _fit(X, y)
    whole = est.predict_proba(X)
    monkeypatch.setattr(
        _numpy_fast, "_blas_controller", lambda: SimpleNamespace(lib_controllers=[])
    )
    assert _numpy_fast.blas_threads() == 1
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 16)  # 7 chunks
    assert_array_equal(est.predict_proba(X), whole)
