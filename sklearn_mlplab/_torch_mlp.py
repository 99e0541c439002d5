"""TorchMLPClassifier and TorchMLPRegressor: the same estimators on
PyTorch autograd, CPU or GPU.

torch is imported inside the methods that need it, so constructing, cloning
and ``get_params`` work without it.
"""

import contextlib

import numpy as np
import scipy.sparse as sp

from ._base import _warn_caller, fill_doc
from ._classifier import BaseMLPClassifier
from ._engine import Engine
from ._optim import SGD, apply_step, needs_scaled_gradient
from ._regressor import BaseMLPRegressor


def _import_torch(est=None):
    try:
        import torch
    except ImportError as exc:
        name = "TorchMLPClassifier" if est is None else type(est).__name__
        raise ImportError(
            f"{name} needs PyTorch, which is not installed. Install "
            "it with `pip install 'sklearn-mlplab[torch]'`, or a CPU-only build "
            "with `pip install torch --index-url "
            "https://download.pytorch.org/whl/cpu`."
        ) from exc
    return torch


_ACTIVATIONS = {"logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def _identity(z):
    return z


def _activation(torch, name, inplace=False):
    """torch's function for ``name``; in place for inference only (autograd
    needs the inputs kept)."""
    if name == "identity":
        return _identity
    op = _ACTIVATIONS[name]
    return getattr(torch.Tensor, op + "_") if inplace else getattr(torch, op)


def _output(torch, z, out_activation):
    """The output layer's function of the logits ``z``."""
    if out_activation == "identity":
        return z
    if out_activation == "logistic":
        return torch.sigmoid(z)
    if out_activation == "exp":
        return torch.exp(z)
    return torch.nn.functional.softmax(z, dim=1)


def _per_sample_loss(torch, name, z, Y, out_activation):
    """Per-sample loss from logits where torch has no fused loss for it: log
    loss on a softmax output, squared error, and half the Poisson deviance
    on the log link (as ``_functions._poisson``). (Log loss on a logistic
    output always goes through ``_scaled_loss``'s fused call.)"""
    if name == "log_loss":
        losses = -Y * torch.nn.functional.log_softmax(z, dim=1)
    elif name == "poisson":
        losses = torch.special.xlogy(Y, Y) - Y * z - Y + torch.exp(z)
    else:
        losses = 0.5 * (_output(torch, z, out_activation) - Y) ** 2
    return losses.sum(dim=1)


def _scaled_loss(torch, name, z, Y, sw, out_activation, seed):
    """``seed`` times the batch's per-sample losses summed (weighted by
    ``sw`` if given).

    Summed rather than averaged: the mean's division goes into ``seed``.
    torch's fused losses are used where they apply, for the fewest graph
    nodes; the binary one takes ``seed`` as its weight, a graph node fewer.
    """
    F = torch.nn.functional
    if name == "log_loss" and out_activation == "logistic":
        weight = seed if sw is None else sw[:, None] * seed
        return F.binary_cross_entropy_with_logits(z, Y, weight=weight, reduction="sum")
    if name == "log_loss" and sw is None:
        return F.cross_entropy(z, Y, reduction="sum") * seed
    losses = _per_sample_loss(torch, name, z, Y, out_activation)
    return (losses.sum() if sw is None else losses @ sw) * seed


# Up to this many values, training data gets a column of ones (see below).
_AUGMENT_VALUES = 1 << 20


def _forward(torch, X, coefs, intercepts, activation, first=None):
    """The logits. ``activation`` is torch's function for the hidden layers.
    With ``first``, the first layer's ``[W_1; b_1]`` block, ``X`` ends with
    a column of ones and ``coefs[0]`` is not used."""
    z = X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        if i == 0 and first is not None:
            z = torch.mm(z, first)
        else:
            z = torch.addmm(b, z, W)
        if i < last:
            z = activation(z)
    return z


class TorchEngine(Engine):
    """One fit on torch: data on the device, flat weights and their views.

    The weights are leaf views of one flat tensor ``w``. Their ``.grad``
    are views of SGD's velocity ``v`` (or, for Nesterov's rule, Adam and
    L-BFGS, of a gradient buffer), so autograd accumulates the scaled
    gradient straight into the flat vector that the update rule reads: no
    gradient is copied. ``optimizer`` is the estimator's, its state on the
    device (sharing memory with the numpy state on the CPU).
    """

    def __init__(self, est, X, Y, sample_weight, batch_size, one_thread=False):
        torch = _import_torch(est)
        device = est._resolve_device(torch)
        self.est = est
        self.one_thread = (
            one_thread and device.type == "cpu" and torch.get_num_threads() > 1
        )
        self.torch = torch
        self.device = device
        self.sparse = sp.issparse(X)
        # On the CPU the flat tensors share memory with the numpy vectors,
        # so the estimator's state is always current and nothing is copied.
        self.w = _to_tensor(torch, est._params, device)
        grad = np.zeros_like(est._params)
        self.grad = _to_tensor(torch, grad, device)
        self.optimizer = est._optimizer
        if self.optimizer is not None:
            state = self.optimizer.on(lambda a: _to_tensor(torch, a, device))
        shared = _shares(self.w, est._params) and _shares(self.grad, grad)
        if self.optimizer is not None:
            shared = shared and all(
                _shares(getattr(state, k), getattr(self.optimizer, k))
                for k in self.optimizer._state
            )
        self.w_numpy = est._params if shared else None
        # The optimizer steps numpy views of the tensors where they share
        # memory (the CPU): a numpy call costs a fraction of a torch call on
        # a small network. Elsewhere it steps the tensors.
        if not shared and self.optimizer is not None:
            self.optimizer = state
        self.w_step = est._params if shared else self.w
        self.grad_step = grad if shared else self.grad
        self.into_velocity = isinstance(
            self.optimizer, SGD
        ) and not needs_scaled_gradient(est.momentum_type)
        self.v = state.velocity if self.into_velocity else None
        self.v_step = self.optimizer.velocity if self.into_velocity else None
        self.activation = _activation(torch, est.activation)
        self.seeds = {}
        # Small dense data gets a column of ones, so the first layer is one
        # product with its [W_1; b_1] block: a graph node and a gradient
        # fewer per step. (Large data would need a copy; there the products
        # dominate anyway.)
        self.augmented = (
            not sp.issparse(X) and X.shape[0] * (X.shape[1] + 1) <= _AUGMENT_VALUES
        )
        target = self.v if self.into_velocity else self.grad
        coefs, intercepts = est._unpack(self.w)
        grads = est._unpack(target)
        self.first = None
        if self.augmented:
            self.first = est._unpack_blocks(self.w)[0]
            self.first.requires_grad_().grad = est._unpack_blocks(target)[0]
            coefs[0] = intercepts[0] = None
        for leaf, grad in zip(coefs + intercepts, grads[0] + grads[1], strict=True):
            if leaf is not None:
                leaf.requires_grad_().grad = grad
        self.coefs, self.intercepts = coefs, intercepts
        if self.sparse:
            self.X_orig = X
        elif self.augmented:
            self.X_orig = torch.ones(
                (X.shape[0], X.shape[1] + 1), dtype=self.w.dtype, device=device
            )
            self.X_orig[:, :-1] = _to_tensor(torch, X, device)
        else:
            self.X_orig = _to_tensor(torch, X, device)
        self.Y_orig = _to_tensor(torch, Y, device)
        self.sw_orig = (
            None if sample_weight is None else _to_tensor(torch, sample_weight, device)
        )
        self.X, self.Y, self.sw = self.X_orig, self.Y_orig, self.sw_orig
        self.n = X.shape[0]
        # Dense rows are gathered batch by batch in epoch order: no shuffled
        # copy of X, so a fit's memory stays X plus a few batches.
        self.order_index = None

    def __enter__(self):
        # The thread count is per calling thread in torch's OpenMP build, and
        # autograd must be on for the whole fit (fit may be called under
        # no_grad): both are put back on exit.
        torch = self.torch
        self.grad_mode = torch.is_grad_enabled()
        self.threads = torch.get_num_threads()
        if self.one_thread:
            torch.set_num_threads(1)
        torch.set_grad_enabled(True)
        return self

    def __exit__(self, *exc_info):
        torch, est = self.torch, self.est
        try:
            if self.w_numpy is None:
                est._params[...] = self.w.cpu().numpy()
            if self.optimizer is not est._optimizer:
                est._optimizer.load_state(self.optimizer, lambda t: t.cpu().numpy())
        finally:
            torch.set_grad_enabled(self.grad_mode)
            if self.one_thread:
                torch.set_num_threads(self.threads)

    def seed(self, weight_sum, scale):
        """scale / weight_sum: backward() from a batch's summed loss with
        this seed adds scale times the gradient of its mean loss to each
        ``.grad``."""
        key = scale, weight_sum
        seed = self.seeds.get(key)
        if seed is None:
            if len(self.seeds) > 8:  # sample weights: a new sum every batch
                self.seeds.clear()
            seed = self.seeds[key] = self.torch.tensor(
                scale / weight_sum, dtype=self.w.dtype, device=self.device
            )
        return seed

    def batch(self, start, stop):
        if stop - start == self.n and not self.sparse:
            return self.X, self.Y, self.sw  # one full batch, in order
        if self.order_index is not None:
            # Gathered batch by batch: no shuffled copy of the data.
            rows = self.order_index[start:stop]
            X = self.X_orig.index_select(0, rows)
            Y = self.Y_orig.index_select(0, rows)
            sw = None if self.sw_orig is None else self.sw_orig.index_select(0, rows)
            return X, Y, sw
        X = self.X[start:stop]
        if self.sparse:
            X = self.torch.from_numpy(X.toarray()).to(self.device)
        sw = None if self.sw is None else self.sw[start:stop]
        return X, self.Y[start:stop], sw

    def order(self, perm):
        index = self.torch.from_numpy(perm).to(self.device)
        if not self.sparse:
            self.order_index = index
            return
        self.X = self.X_orig[perm]
        self.Y = self.Y_orig.index_select(0, index)
        if self.sw_orig is not None:
            self.sw = self.sw_orig.index_select(0, index)

    def _backward(self, X, Y, sw, weight_sum, scale):
        """Add ``scale`` times the gradient of the batch's mean objective into
        the leaves' ``.grad``; return ``scale / weight_sum`` times the
        batch's summed objective.

        backward() runs from that product with its implicit seed of 1: an
        explicit seed (``grad_tensors``) makes torch import its symbolic-shape
        machinery (``torch.fx``, sympy) on first use, 35 MiB of memory.
        """
        torch, est = self.torch, self.est
        seed = self.seed(weight_sum, scale)
        z = _forward(torch, X, self.coefs, self.intercepts, self.activation, self.first)
        loss = _scaled_loss(torch, est.loss, z, Y, sw, est.out_activation_, seed)
        if est.alpha:
            coefs = self.coefs
            if self.first is not None:
                coefs = [self.first[:-1], *coefs[1:]]
            penalty = sum((W * W).sum() for W in coefs)
            loss = loss + (0.5 * est.alpha * scale) * penalty
        torch.autograd.backward(loss)
        return loss.detach()

    def step(self, start, stop, weight_sum):
        X, Y, sw = self.batch(start, stop)
        est, optimizer = self.est, self.optimizer
        optimizer.lr = est._optimizer.lr  # which the schedule sets
        if self.into_velocity:
            self.v_step *= est.momentum
        else:
            self.grad_step[...] = 0
        scale = optimizer.gradient_scale
        # Adds s * gradient into the velocity (or the zeroed buffer).
        loss = self._backward(X, Y, sw, weight_sum, scale)
        if self.into_velocity:
            apply_step(
                est.momentum_type,
                self.w_step,
                self.v_step,
                self.grad_step,
                est.momentum,
            )
        else:
            optimizer.update_scaled(self.w_step, self.grad_step)
        # The batch's objective times weight_sum, as the base adds them up:
        # on the CPU read at once (a kernel fewer), elsewhere kept on the
        # device until the epoch's end.
        if self.w_numpy is not None:
            # In the weights' dtype, as a device would add them up.
            real = self.w_numpy.dtype.type
            return real(loss.item()) * real(weight_sum / scale)
        return loss * (weight_sum / scale)

    def loss_gradient(self, weight_sum):
        X, Y, sw = self.batch(0, self.n)
        self.grad_step[...] = 0
        loss = self._backward(X, Y, sw, weight_sum, 1.0)
        return loss.item(), self.grad.cpu().numpy().astype(np.float64)

    # Where the weights share memory with est._params (the CPU), numpy reads
    # and writes them in a fraction of a torch call's overhead.
    def get_weights(self):
        if self.w_numpy is not None:
            return self.w_numpy
        return self.w.cpu().numpy()

    def set_weights(self, weights):
        if self.w_numpy is not None:
            self.w_numpy[...] = weights
        else:
            self.w.copy_(self.torch.from_numpy(np.ascontiguousarray(weights)))

    @classmethod
    def forward_logits(cls, est, X):
        torch = _import_torch(est)
        device = est._resolve_device(torch, for_training=False)
        w = _to_tensor(torch, est._params, device)
        coefs, intercepts = est._unpack(w)
        if sp.issparse(X):
            # Densify a few rows at a time: a wide sparse X would not fit.
            rows = max(1, (1 << 20) // X.shape[1])
            return np.concatenate(
                [
                    cls.forward_logits(est, X[i : i + rows].toarray())
                    for i in range(0, X.shape[0], rows)
                ]
            )
        with torch.inference_mode():
            X = _to_tensor(torch, X, device)
            # No autograd: the activations may work in place.
            activation = _activation(torch, est.activation, inplace=True)
            z = _forward(torch, X, coefs, intercepts, activation)
        return z.cpu().numpy()

    @classmethod
    def prediction_threads(cls, est):
        torch = _import_torch(est)
        try:
            on_cpu = torch.device(est.device).type == "cpu"
        except (RuntimeError, TypeError):  # "auto", or invalid: said elsewhere
            on_cpu = False
        threads = torch.get_num_threads()
        if not on_cpu or threads <= 1:
            return 1, None, None
        # As many chunks at once as torch has threads, each worker on one.
        # Setting a worker's count also sets torch's default for new threads:
        # the context puts it back.
        return threads, lambda: torch.set_num_threads(1), _torch_threads(torch, threads)


@contextlib.contextmanager
def _torch_threads(torch, threads):
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _device_usable(torch, device):
    """Whether torch can put a tensor on ``device`` (not the CPU)."""
    if device.type == "meta":  # tensors without data: nothing to train
        return False
    if device.type == "cuda":
        if not torch.cuda.is_available():
            return False
        return device.index is None or device.index < torch.cuda.device_count()
    try:
        torch.zeros(1, device=device)
    except (RuntimeError, AssertionError, NotImplementedError):
        return False
    return True


def _available_devices(torch):
    """The devices this torch can use, as ``device=`` values."""
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += ["cuda"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


def _shares(tensor, array):
    return tensor.data_ptr() == array.ctypes.data


def _to_tensor(torch, a, device):
    if device.type == "cpu" and a.flags.writeable and a.flags.c_contiguous:
        return torch.from_numpy(a)
    return torch.tensor(np.ascontiguousarray(a), device=device)


class _OnDevice:
    """What both Torch estimators add: the ``device`` they compute on."""

    def _resolve_device(self, torch, for_training=True):
        device = self.device
        if isinstance(device, str) and device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(
                "device must be 'cpu', 'cuda', 'cuda:N', 'auto' or a "
                f"torch.device, got {self.device!r}."
            ) from None
        if device.type == "cpu" or _device_usable(torch, device):
            return device
        if for_training:
            why = "cannot be used by this torch build on this machine"
            if device.type == "cuda":
                why = (
                    "but CUDA is not available here"
                    if not torch.cuda.is_available()
                    else f"but there are {torch.cuda.device_count()} CUDA devices"
                )
            raise ValueError(
                f"device={self.device!r} {why}; use one of the devices available "
                f"here, {_available_devices(torch)}, or device='auto'."
            )
        _warn_caller(
            f"device={self.device!r} is not available here; predicting on the CPU.",
            UserWarning,
        )
        return torch.device("cpu")


@fill_doc
class TorchMLPClassifier(_OnDevice, BaseMLPClassifier):
    """Multi-layer perceptron classifier on PyTorch autograd, CPU or GPU.

    A twin of :class:`NumpyMLPClassifier`: same hyperparameters, same initial
    weights (drawn in numpy from ``random_state``), same batches and the same
    momentum rules, but the backward pass is PyTorch's autograd and the
    computation runs on ``device``. In float64 on the CPU the two agree to
    about 1e-12.

    Parameters
    ----------
    %(parameters)s

    device : str or torch.device, default="cpu"
        Where to train and predict: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, a
        ``torch.device``, or ``"auto"`` (CUDA when available, else the CPU).
        The fitted state is kept in numpy, so a model trained on a GPU
        pickles and loads on a machine without one.

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    NumpyMLPClassifier : The same estimator in plain numpy.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import TorchMLPClassifier
    >>> X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     TorchMLPClassifier(hidden=6, activation="tanh", random_state=0),
    ... )
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba([[0.0, 1.0], [1.0, -0.5]]).round(2)
    array([[1., 0.],
           [0., 1.]])
    """

    _parameter_constraints = {
        **BaseMLPClassifier._parameter_constraints,
        "device": "no_validation",  # checked when torch is imported
    }

    def __init__(
        self,
        hidden=3,
        *,
        activation="logistic",
        loss="log_loss",
        solver="sgd",
        lr=1.0,
        lr_schedule="constant",
        power_t=0.5,
        momentum=0.9,
        momentum_type="dampened",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        alpha=0.0,
        batch_size=32,
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        max_fun=15000,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        verbose=False,
        warm_start=False,
        class_weight=None,
        scoring="accuracy",
        device="cpu",
    ):
        super().__init__(
            hidden,
            activation=activation,
            loss=loss,
            solver=solver,
            lr=lr,
            lr_schedule=lr_schedule,
            power_t=power_t,
            momentum=momentum,
            momentum_type=momentum_type,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            alpha=alpha,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            shuffle=shuffle,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            scoring=scoring,
        )
        self.device = device

    _engine = TorchEngine


@fill_doc
class TorchMLPRegressor(_OnDevice, BaseMLPRegressor):
    """Multi-layer perceptron regressor on PyTorch autograd, CPU or GPU.

    A twin of :class:`NumpyMLPRegressor`, as :class:`TorchMLPClassifier` is
    of :class:`NumpyMLPClassifier`: the same initial weights, batches and
    update rules, with autograd's backward pass, on ``device``.

    Parameters
    ----------
    %(parameters)s

    device : str or torch.device, default="cpu"
        Where to train and predict: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, a
        ``torch.device``, or ``"auto"`` (CUDA when available, else the CPU).

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    NumpyMLPRegressor : The same estimator in plain numpy.
    TorchMLPClassifier : The classifier on the same network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import TorchMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-3, 3, size=(200, 1))
    >>> y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=200)
    >>> reg = make_pipeline(
    ...     StandardScaler(),
    ...     TorchMLPRegressor(hidden=10, activation="tanh", solver="lbfgs",
    ...                       random_state=0),
    ... )
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **BaseMLPRegressor._parameter_constraints,
        "device": "no_validation",  # checked when torch is imported
    }

    def __init__(
        self,
        hidden=3,
        *,
        activation="logistic",
        loss="squared_error",
        solver="sgd",
        lr=0.1,
        lr_schedule="constant",
        power_t=0.5,
        momentum=0.9,
        momentum_type="dampened",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        alpha=0.0,
        batch_size=32,
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        max_fun=15000,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        verbose=False,
        warm_start=False,
        scoring="r2",
        device="cpu",
    ):
        super().__init__(
            hidden,
            activation=activation,
            loss=loss,
            solver=solver,
            lr=lr,
            lr_schedule=lr_schedule,
            power_t=power_t,
            momentum=momentum,
            momentum_type=momentum_type,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            alpha=alpha,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            shuffle=shuffle,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            scoring=scoring,
        )
        self.device = device

    _engine = TorchEngine
