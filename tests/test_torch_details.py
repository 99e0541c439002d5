"""The torch backend's details: prediction threads, the backward fallback,
state copied to a device, warnings."""

import sys
import threading
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import TorchMLPClassifier, _base, _torch_mlp

torch = pytest.importorskip("torch")


def _fit(X, y, **params):
    base = dict(hidden=5, max_iter=5, random_state=0, batch_size=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return TorchMLPClassifier(**{**base, **params}).fit(X, y)


def _data(n=60, n_classes=2):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    if n_classes == 3:
        y = y + (X[:, 2] > 0.5)
    return X, y


@pytest.fixture
def torch_threads():
    """Sets torch's thread count for the test, and puts the caller's back."""
    before = torch.get_num_threads()
    yield torch.set_num_threads
    torch.set_num_threads(before)


def _spy_chunks(monkeypatch):
    """Records, for each prediction chunk, whether it ran on the calling
    thread and on how many torch threads."""
    calls = []
    original = TorchMLPClassifier._forward_logits
    caller = threading.get_ident()

    def spy(self, X):
        calls.append((threading.get_ident() == caller, torch.get_num_threads()))
        return original(self, X)

    monkeypatch.setattr(TorchMLPClassifier, "_forward_logits", spy)
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", 16)
    return calls


def test_cpu_prediction_runs_chunks_in_workers_on_one_torch_thread_each(
    torch_threads, monkeypatch
):
    """With several torch threads, the chunks run in parallel worker threads,
    each on one torch thread; the caller's thread count is put back."""
    X, y = _data(100)
    est = _fit(X, y)
    whole = est.predict_proba(X)
    torch_threads(2)
    calls = _spy_chunks(monkeypatch)
    chunked = est.predict_proba(X)
    assert torch.get_num_threads() == 2
    assert len(calls) == 7
    assert calls == [(False, 1)] * 7
    assert_allclose(chunked, whole, rtol=1e-12, atol=1e-15)


def test_prediction_on_one_torch_thread_runs_the_chunks_in_order(
    torch_threads, monkeypatch
):
    """With torch on one thread, the chunks run one after the other on the
    calling thread, and give what one pass gives."""
    X, y = _data(100)
    est = _fit(X, y)
    whole = est.predict_proba(X)
    torch_threads(1)
    calls = _spy_chunks(monkeypatch)
    chunked = est.predict_proba(X)
    assert torch.get_num_threads() == 1
    assert calls == [(True, 1)] * 7
    assert_allclose(chunked, whole, rtol=1e-12, atol=1e-15)


def test_model_for_a_missing_gpu_predicts_its_chunks_on_the_calling_thread(
    torch_threads, monkeypatch
):
    """A CUDA model predicting on the CPU for want of CUDA runs its chunks
    one after the other on the calling thread, with torch's threads."""
    X, y = _data(100)
    est = _fit(X, y)
    whole = est.predict_proba(X)
    est.set_params(device="cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    torch_threads(2)
    calls = _spy_chunks(monkeypatch)
    with pytest.warns(UserWarning, match="predicting on the CPU"):
        chunked = est.predict_proba(X)
    assert torch.get_num_threads() == 2
    assert calls == [(True, 2)] * 7
    assert_allclose(chunked, whole, rtol=1e-12, atol=1e-15)


def _copy_to_device(monkeypatch):
    # On the CPU the tensors share the numpy state; on a GPU they are
    # copies. Force the copies.
    monkeypatch.setattr(
        _torch_mlp,
        "_to_tensor",
        lambda torch, a, device: torch.tensor(np.array(a), device=device),
    )


def test_copied_state_restores_the_best_validation_weights(monkeypatch):
    """Early stopping on a device (weights copied, not shared) ends on the
    best epoch's weights, as with shared memory."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    params = dict(
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=2,
        max_iter=30,
        lr=4.0,
    )
    shared = _fit(X, y, **params)
    assert shared.validation_scores_[-1] < shared.best_validation_score_
    _copy_to_device(monkeypatch)
    copied = _fit(X, y, **params)
    assert copied.n_iter_ == shared.n_iter_
    assert_array_equal(copied._params, shared._params)
    assert_array_equal(copied.validation_scores_, shared.validation_scores_)


@pytest.mark.parametrize(
    "loss, weighted",
    [("log_loss", True), ("squared_error", False), ("squared_error", True)],
)
def test_multiclass_fit_warns_of_nothing(loss, weighted):
    """Fitting three classes (softmax outputs) raises no warning of torch's
    (such as an implicit-dimension one), with or without sample weights."""
    X, y = _data(n_classes=3)
    sw = np.linspace(0.5, 2.0, X.shape[0]) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = TorchMLPClassifier(hidden=4, loss=loss, max_iter=3, random_state=0)
        est.fit(X, y, sample_weight=sw)
    assert est.out_activation_ == "softmax"


def test_read_only_and_strided_inputs_train_and_predict_like_a_copy():
    """Read-only, reversed and Fortran-ordered arrays are copied for torch
    where they cannot be shared: the same model, the same outputs, and no
    warning."""
    X, y = _data(40)
    read_only = X.copy()
    read_only.setflags(write=False)
    reference = _fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = TorchMLPClassifier(hidden=5, max_iter=5, random_state=0, batch_size=16)
        est.fit(read_only, y)
        assert_array_equal(est._params, reference._params)
        expected = est.predict_proba(X)
        assert_array_equal(est.predict_proba(read_only), expected)
        assert_array_equal(est.predict_proba(X[::-1]), expected[::-1])
        assert_array_equal(est.predict_proba(np.asfortranarray(X)), expected)
        reversed_fit = est.fit(X[::-1], y[::-1])
    assert_array_equal(reversed_fit._params, _fit(X[::-1].copy(), y[::-1])._params)


def test_missing_torch_error_says_how_to_install_it(monkeypatch):
    """Without torch, the error names the extra to install and the CPU-only
    wheel index."""
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails
    with pytest.raises(ImportError) as info:
        _torch_mlp._import_torch()
    assert str(info.value) == (
        "TorchMLPClassifier needs PyTorch, which is not installed. Install it "
        "with `pip install 'sklearn-mlplab[torch]'`, or a CPU-only build with "
        "`pip install torch --index-url https://download.pytorch.org/whl/cpu`."
    )
    assert isinstance(info.value.__cause__, ImportError)


def test_bad_device_error_lists_the_accepted_devices():
    """An unknown device is refused with the list of what is accepted."""
    with pytest.raises(ValueError) as info:
        TorchMLPClassifier(device="tpu-please").fit([[0.0], [1.0]], [0, 1])
    assert str(info.value) == (
        "device must be 'cpu', 'cuda', 'cuda:N', 'auto' or a torch.device, "
        "got 'tpu-please'."
    )


def test_training_on_missing_cuda_says_what_to_use_instead(monkeypatch):
    """Training on CUDA where there is none is refused, naming the devices
    that work."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError) as info:
        TorchMLPClassifier(device="cuda:0").fit([[0.0], [1.0]], [0, 1])
    assert str(info.value) == (
        "device='cuda:0' but CUDA is not available here; use one of the devices "
        "available here, ['cpu'], or device='auto'."
    )


def test_prediction_on_missing_cuda_says_it_predicts_on_the_cpu(monkeypatch):
    """A CUDA model predicting where CUDA is missing says, in a UserWarning,
    that it predicts on the CPU."""
    X, y = _data(20)
    est = _fit(X, y).set_params(device="cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.predict_proba(X)
    assert [str(w.message) for w in caught] == [
        "device='cuda' is not available here; predicting on the CPU."
    ]
    assert caught[0].category is UserWarning


@pytest.mark.parametrize("available, expected", [(True, "cuda"), (False, "cpu")])
def test_auto_device_is_cuda_where_available_else_the_cpu(
    monkeypatch, available, expected
):
    """device='auto' means CUDA where torch sees it, else the CPU."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    assert TorchMLPClassifier(device="auto")._resolve_device(torch) == torch.device(
        expected
    )


def test_sparse_input_of_more_rows_than_a_dense_block_predicts_every_row():
    """Sparse input is densified a block of about 2**20 values at a time;
    with more rows than one block holds, every row is still predicted."""
    pytest.importorskip("torch")
    import scipy.sparse as sp

    X = sp.random(1500, 1024, density=0.01, format="csr", random_state=0)
    y = np.arange(1500) % 2
    est = TorchMLPClassifier(hidden=2, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[:100], y[:100])
    proba = est.predict_proba(X)
    assert proba.shape == (1500, 2)
    np.testing.assert_allclose(proba, est.predict_proba(X.toarray()), rtol=1e-12)
