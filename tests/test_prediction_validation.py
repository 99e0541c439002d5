"""Prediction input, its errors, its chunks and threads; the finiteness check.

Bad values in ``X`` get scikit-learn's messages, naming the estimator and the
model's dtype; outputs too large to be finite get an error that says so and
what to do. Prediction runs in chunks that bound the activations' memory, on
the threads the backend asks for. The check that trained weights give finite
outputs agrees with a forward pass, is silent, and skips that pass where a
cheap bound settles it.
"""

import contextlib
import re
import threading
import time
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier, _base
from sklearn_mlplab._base import NonFiniteOutputError
from sklearn_mlplab._engine import Engine
from sklearn_mlplab._numpy_mlp import NumpyEngine

# Overflow is what several tests provoke; numpy reports it on the way.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def _fitted(Est, n=40, n_features=2, classes=2, **params):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, n_features))
    y = np.arange(n) % classes
    params = {"hidden": 3, "max_iter": 2, "random_state": 0, **params}
    return _quiet(Est(**params).fit, X, y), X


def _fitted_float32(Est, **params):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2)).astype(np.float32)
    y = np.arange(40) % 2
    params = {"hidden": 3, "max_iter": 2, "random_state": 0, **params}
    est = _quiet(Est(**params).fit, X, y)
    assert est.coefs_[0].dtype == np.float32
    return est, X


# ------------------------------------------------------------ bad values
def test_nan_in_a_later_chunk_names_the_estimator_and_the_cure(Estimator, monkeypatch):
    est, X = _fitted(Estimator)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 8)
    X = X.copy()
    X[30, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN") as info:
        est.predict(X)
    message = str(info.value)
    assert f"{Estimator.__name__} does not accept missing values" in message
    assert "imputer" in message


@pytest.mark.parametrize("value", [np.inf, 1e300], ids=["inf", "too-large"])
def test_a_float32_model_names_its_dtype_for_infinite_or_too_large_input(
    Estimator, value
):
    # X is checked in the model's dtype: an infinity and a float64 value
    # beyond float32's range get the same message.
    est, X = _fitted_float32(Estimator)
    X = X.astype(np.float64)
    X[3, 0] = value
    with pytest.raises(
        ValueError,
        match=r"Input X contains infinity or a value too large for "
        r"dtype\('float32'\)",
    ):
        est.predict_proba(X)


def test_integer_input_is_read_as_float64_also_by_a_float32_model(Estimator):
    # As scikit-learn converts integers: to float64 first, then to the
    # model's dtype. Above 2**53 a direct cast to float32 rounds differently.
    # relu is unbounded: the inputs' last bits show in the outputs.
    est, _ = _fitted_float32(Estimator, activation="relu")
    k = np.arange(54, 63)
    column = (2**k + 2 ** (k - 24) + 1).astype(np.int64)
    X_int = np.column_stack([column, column[::-1]])
    via_float64 = est.predict_log_proba(X_int.astype(np.float64))
    assert np.isfinite(via_float64).all()
    assert_array_equal(est.predict_log_proba(X_int), via_float64)


def test_outputs_too_large_to_be_finite_say_so_and_what_to_do(Estimator):
    est, _ = _fitted(Estimator, activation="relu")
    est.coefs_[0][...] = 1e200
    X = np.full((3, 2), 1e200)  # finite input, infinite hidden units
    with pytest.raises(NonFiniteOutputError) as info:
        est.predict_proba(X)
    assert isinstance(info.value, ValueError)
    # The whole message: what is wrong, then what to do.
    assert re.fullmatch(
        r"The network's outputs are not finite for this input: .*too large\. "
        r"Scale it as the training data was scaled\.",
        str(info.value),
    ), str(info.value)


# ----------------------------------------------------- chunks and threads
class _Recorder:
    """Wraps ``_forward_logits``: the rows and the thread of every chunk."""

    def __init__(self, monkeypatch, Est, delay=0.0):
        self.rows, self.threads = [], []
        original = Est._forward_logits
        recorder = self

        def forward(est, X):
            recorder.rows.append(X.shape[0])
            recorder.threads.append(threading.get_ident())
            if delay:
                time.sleep(delay)
            return original(est, X)

        monkeypatch.setattr(Est, "_forward_logits", forward)


@pytest.mark.parametrize(
    "hidden, limit, rows",
    [((12, 5), 60, 5), ((5, 12), 60, 5), ((12,), 8, 1)],
    ids=["widest-first", "widest-last", "one-row-too-wide"],
)
def test_chunks_keep_the_widest_activations_within_the_limit(
    Estimator, monkeypatch, hidden, limit, rows
):
    # As many rows per chunk as the widest layer allows, at least one.
    est, _ = _fitted(Estimator, hidden=hidden, classes=3)
    X = np.random.RandomState(1).normal(size=(23, 2))
    whole = est.predict_proba(X)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK_VALUES", limit)
    recorder = _Recorder(monkeypatch, type(est))
    chunked = est.predict_proba(X)
    assert recorder.rows == [rows] * (23 // rows) + ([23 % rows] if 23 % rows else [])
    np.testing.assert_allclose(chunked, whole, rtol=1e-6)


def test_wide_layers_predict_in_whole_row_chunks(Estimator):
    # The default limit divided by a width that does not divide it.
    est, X = _fitted(Estimator, hidden=(50, 9), classes=3)
    proba = est.predict_proba(X)
    assert proba.shape == (40, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


class _Threads:
    """A ``_prediction_threads`` answer that records its use."""

    def __init__(self, threads):
        self.threads = threads
        self.calls = 0
        self.initialized = []
        self.events = []

    def initializer(self):
        self.initialized.append(threading.get_ident())

    @contextlib.contextmanager
    def context(self):
        self.events.append("enter")
        yield
        self.events.append("exit")

    def __call__(self, est):
        self.calls += 1
        return self.threads, self.initializer, self.context()


def _with_threads(monkeypatch, Est, threads):
    answer = _Threads(threads)
    monkeypatch.setattr(Est, "_prediction_threads", lambda est: answer(est))
    return answer


def test_a_single_chunk_runs_in_the_calling_thread(Estimator, monkeypatch):
    est, X = _fitted(Estimator)
    answer = _with_threads(monkeypatch, type(est), 2)
    recorder = _Recorder(monkeypatch, type(est))
    est.predict_proba(X)
    assert recorder.threads == [threading.get_ident()]
    assert answer.calls == 0


@pytest.mark.parametrize("n_chunks", [2, 13])
def test_chunks_run_on_the_threads_the_backend_asks_for(
    Estimator, monkeypatch, n_chunks
):
    # Exactly that many workers, each set up by the initializer, inside the
    # context; the result equals one pass.
    est, X = _fitted(Estimator, n=8 * n_chunks)
    whole = est.predict_proba(X)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 8)
    answer = _with_threads(monkeypatch, type(est), 2)
    recorder = _Recorder(monkeypatch, type(est), delay=0.005)
    chunked = est.predict_proba(X)
    assert answer.calls == 1
    assert len(recorder.rows) == n_chunks
    workers = set(recorder.threads)
    assert threading.get_ident() not in workers
    assert 1 <= len(answer.initialized) <= 2
    assert workers <= set(answer.initialized)
    assert answer.events == ["enter", "exit"]
    np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-15)


def test_the_default_runs_the_chunks_one_after_the_other(monkeypatch):
    # A backend that does not say how to parallelise gets no threads.
    class SequentialEngine(NumpyEngine):
        prediction_threads = Engine.__dict__["prediction_threads"]

    class Sequential(NumpyMLPClassifier):
        _engine = SequentialEngine

    est, X = _fitted(Sequential)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 8)
    recorder = _Recorder(monkeypatch, Sequential)
    est.predict_proba(X)
    assert len(recorder.threads) == 5
    assert set(recorder.threads) == {threading.get_ident()}


# ------------------------------------------- finiteness of trained outputs
def _network(activation, W1, b1, W2, b2):
    """A two-input, two-hidden-unit binary network with the given weights."""
    X = np.array([[0.0, 1], [1, 0], [1, 1], [0, 0]])
    est = NumpyMLPClassifier(
        hidden=2, activation=activation, max_iter=1, random_state=0
    )
    _quiet(est.fit, X, [0, 1, 1, 0])
    for i, (W, b) in enumerate([(W1, b1), (W2, b2)]):
        est.coefs_[i][...] = W
        est.intercepts_[i][...] = b
    return est


def _forward_is_finite(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            est.predict_proba(X)
        except NonFiniteOutputError:
            return False
    return True


# activation, W1, b1, W2, b2, X
OVERFLOWING = {
    "negative-inputs": ("relu", [[-1e200, 0], [0, 0]], 0, [[1], [0]], 0, -1e200),
    "large-biases": ("relu", 0, [1e308, 0], [[1], [0]], 1e308, 1.0),
    "unit-sums": ("relu", [[1e308, 0], [1e308, 0]], 0, [[1e-10], [0]], 0, 1.0),
    "inf-minus-inf": ("relu", 1e308, 0, [[1], [-1]], 0, 1.0),
}
# Large enough weights that the bound cannot settle it: a forward pass does.
CANCELLING = ("relu", [[1e308, 0], [-1e308, 0]], 0, [[1], [0]], 0, 1.0)
# The bound settles these without a forward pass.
BOUNDED = {
    "per-unit-sums": ("relu", 0.5e308, 0, [[1e-300], [0]], 0, 1.0),
    "logistic-saturates": ("logistic", [[1e300, 0], [0, 0]], 0, 1e10, 0, 1.0),
    "tanh-saturates": ("tanh", [[1e300, 0], [0, 0]], 0, 1e10, 0, 1.0),
    "logistic-at-most-one": ("logistic", np.eye(2), 0, [[0.9e308], [0]], 0, 1.0),
    "tanh-at-most-one": ("tanh", np.eye(2), 0, [[0.9e308], [0]], 0, 1.0),
    "ordinary": ("relu", [[1, -2], [3, 0.5]], [0.1, 0], [[2], [-1]], 1, 5.0),
}


def _case(case):
    activation, W1, b1, W2, b2, x = case
    return _network(activation, W1, b1, W2, b2), np.full((1, 2), x)


def _spy_forward(monkeypatch):
    calls = []
    original = NumpyMLPClassifier._logits_validated

    def spy(est, X, check=True):
        calls.append(X.shape)
        return original(est, X, check=check)

    monkeypatch.setattr(NumpyMLPClassifier, "_logits_validated", spy)
    return calls


@pytest.mark.parametrize("case", OVERFLOWING, ids=str)
def test_weights_with_overflowing_outputs_are_found_silently(case):
    est, X = _case(OVERFLOWING[case])
    assert not _forward_is_finite(est, X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert est._finite_outputs(X) is False


def test_overflow_is_found_silently_also_when_chunks_run_in_threads(monkeypatch):
    """The caller's np.errstate holds in the worker threads too: checking
    weights on data of many chunks warns nothing."""
    est, X = _case(OVERFLOWING["inf-minus-inf"])
    X = np.repeat(X, 40, axis=0)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 8)
    answer = _with_threads(monkeypatch, NumpyMLPClassifier, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert est._finite_outputs(X) is False
        with np.errstate(over="ignore", invalid="ignore"):
            with pytest.raises(NonFiniteOutputError):
                est.predict_proba(X)
    assert answer.calls == 2 and len(answer.initialized) >= 1


def test_large_weights_with_finite_outputs_pass_after_a_forward_pass(monkeypatch):
    est, X = _case(CANCELLING)
    assert _forward_is_finite(est, X)
    calls = _spy_forward(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert est._finite_outputs(X) is True
    assert calls == [X.shape]


@pytest.mark.parametrize("case", BOUNDED, ids=str)
def test_the_bound_settles_bounded_outputs_without_a_forward_pass(monkeypatch, case):
    est, X = _case(BOUNDED[case])
    assert _forward_is_finite(est, X)
    calls = _spy_forward(monkeypatch)
    assert est._finite_outputs(X) is True
    assert calls == []
