"""What only the torch backend has: optional import, devices, pickling."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import TorchMLPClassifier

torch = pytest.importorskip("torch")


def test_package_imports_and_clones_with_torch_hidden(run_without_torch):
    result = run_without_torch(
        """
        import sklearn_mlplab
        from sklearn.base import clone
        est = clone(sklearn_mlplab.TorchMLPClassifier(hidden=6, lr=0.5))
        assert est.get_params()["hidden"] == 6
        print(repr(est))
        assert "torch" not in sys.modules
        assert "matplotlib" not in sys.modules
        try:
            est.fit([[0.0, 1.0], [1.0, 0.0]], [0, 1])
        except ImportError as exc:
            print("ImportError:", exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "TorchMLPClassifier(hidden=6, lr=0.5)" in result.stdout
    assert "ImportError: TorchMLPClassifier needs PyTorch" in result.stdout
    assert "pip install" in result.stdout


def test_importing_the_package_does_not_import_torch():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, sklearn_mlplab; "
            "print('torch' in sys.modules, 'matplotlib' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "False"]


def test_pipeline_with_float64_data_and_string_labels():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2)) * [1.0, 50.0] + [0.0, 200.0]
    y = np.where(X[:, 0] * 50 + (X[:, 1] - 200) > 0, "red", "blue")
    pipe = make_pipeline(StandardScaler(), TorchMLPClassifier(hidden=6, lr=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    pred = pipe.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= {"red", "blue"}
    assert pipe.score(X, y) > 0.9


def test_auto_device_resolves_to_an_available_device():
    est = TorchMLPClassifier(device="auto")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert est._resolve_device(torch).type == expected


@pytest.mark.parametrize("device", ["tpu-please", 3.5])
def test_bad_device_is_a_clear_error(device):
    with pytest.raises(ValueError, match="device must be"):
        TorchMLPClassifier(device=device).fit([[0.0], [1.0]], [0, 1])


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="CUDA is not available"):
        TorchMLPClassifier(device="cuda").fit([[0.0], [1.0]], [0, 1])


def test_fitted_state_holds_no_torch_objects():
    est = TorchMLPClassifier(max_iter=2).fit([[0.0], [1.0], [2.0]], [0, 1, 1])
    assert not any(isinstance(v, torch.Tensor) for v in vars(est).values())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_trained_on_cuda_predicts_on_cpu_after_pickling():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 5)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    gpu = TorchMLPClassifier(hidden=(16,), device="cuda", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gpu.fit(X, y)
    on_gpu = gpu.predict_proba(X)
    cpu = pickle.loads(pickle.dumps(gpu))
    cpu.set_params(device="cpu")
    assert_allclose(cpu.predict_proba(X), on_gpu, atol=1e-5)
    # The same run on the CPU agrees with the GPU one to float32 accuracy.
    ref = TorchMLPClassifier(hidden=(16,), device="cpu", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    assert_allclose(ref.predict_proba(X), on_gpu, atol=1e-3)


def test_cuda_device_model_predicts_on_cpu_where_cuda_is_missing(monkeypatch):
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    est = TorchMLPClassifier(max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, [0, 0, 1, 1])
    expected = est.predict_proba(X)
    moved = pickle.loads(pickle.dumps(est.set_params(device="cuda")))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="predicting on the CPU") as record:
        assert_allclose(moved.predict_proba(X), expected)
    # The warning points at the caller's line, not into the package.
    assert {w.filename for w in record} == {__file__}


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("grad_mode", [True, False])
def test_fit_leaves_the_callers_grad_mode_and_ignores_it(grad_mode, early_stopping):
    torch = pytest.importorskip("torch")
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    params = dict(hidden=4, max_iter=5, random_state=0, early_stopping=early_stopping)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with torch.set_grad_enabled(grad_mode):
            est = TorchMLPClassifier(**params).fit(X, y)
            assert torch.is_grad_enabled() is grad_mode
            # A failed fit puts the mode back too.
            with pytest.raises(ValueError, match="diverged"):
                TorchMLPClassifier(lr=1e300, max_iter=5).fit(X * 1e300, y)
            assert torch.is_grad_enabled() is grad_mode
        reference = TorchMLPClassifier(**params).fit(X, y)
    assert_allclose(est.coefs_[0], reference.coefs_[0], rtol=0, atol=0)
    assert_allclose(est.loss_curve_, reference.loss_curve_, rtol=0, atol=0)


def _small_fit(**params):
    X = np.random.RandomState(1).normal(size=(60, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    base = dict(hidden=5, max_iter=15, random_state=0, batch_size=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return TorchMLPClassifier(**{**base, **params}).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        dict(momentum_type="dampened"),
        dict(momentum_type="nesterov"),
        dict(solver="adam", lr=0.01, lr_schedule="invscaling"),
        dict(solver="lbfgs"),
    ],
    ids=["dampened", "nesterov", "adam-invscaling", "lbfgs"],
)
def test_state_copied_to_the_device_trains_like_shared_memory(monkeypatch, params):
    # On the CPU the tensors share the numpy state; on a GPU they are copies
    # written back at the end. Force the copies here and compare.
    torch = pytest.importorskip("torch")
    from sklearn_mlplab import _torch_mlp

    shared = _small_fit(**params, alpha=0.01)
    monkeypatch.setattr(
        _torch_mlp,
        "_to_tensor",
        lambda torch, a, device: torch.tensor(np.array(a), device=device),
    )
    copied = _small_fit(**params, alpha=0.01)
    # With shared memory the optimizer steps numpy views of the tensors,
    # with copies it steps the tensors: the same formula, rounded alike but
    # for torch's and numpy's powers (Adam's square root), a unit in the last
    # place.
    tol = dict(rtol=1e-14, atol=1e-16)
    assert_allclose(copied._params, shared._params, **tol)
    if shared._optimizer is None:
        assert copied._optimizer is None
    else:
        state = vars(shared._optimizer)
        assert state.keys() == vars(copied._optimizer).keys()
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                assert_allclose(getattr(copied._optimizer, name), value, **tol)
            else:
                assert getattr(copied._optimizer, name) == value
            assert isinstance(getattr(copied._optimizer, name), type(value))
    assert_allclose(copied.loss_curve_, shared.loss_curve_, **tol)
    assert torch.is_grad_enabled()
