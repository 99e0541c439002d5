"""TorchMLPClassifier: the same estimator on PyTorch autograd, CPU or GPU.

torch is imported inside the methods that need it, so constructing, cloning
and ``get_params`` work without it.
"""

import contextlib
import math

import numpy as np
import scipy.sparse as sp

from ._base import BaseMLPClassifier, _warn_caller, fill_doc
from ._optim import SGD, apply_step, needs_scaled_gradient


def _import_torch():
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "TorchMLPClassifier needs PyTorch, which is not installed. Install "
            "it with `pip install 'sklearn-mlplab[torch]'`, or a CPU-only build "
            "with `pip install torch --index-url "
            "https://download.pytorch.org/whl/cpu`."
        ) from exc
    return torch


_ACTIVATIONS = {"logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def _activation(torch, name, inplace=False):
    """torch's function for ``name``; in place for inference only (autograd
    needs the inputs kept)."""
    op = _ACTIVATIONS[name]
    return getattr(torch.Tensor, op + "_") if inplace else getattr(torch, op)


def _per_sample_loss(torch, name, z, Y, out_activation):
    """Per-sample loss from logits where torch has no fused loss for it: log
    loss on a softmax output, and squared error. (Log loss on a logistic
    output always goes through ``_summed_loss``'s fused call.)"""
    F = torch.nn.functional
    if name == "log_loss":
        losses = -Y * F.log_softmax(z, dim=1)
    else:
        p = torch.sigmoid(z) if out_activation == "logistic" else F.softmax(z, dim=1)
        losses = 0.5 * (p - Y) ** 2
    return losses.sum(dim=1)


def _summed_loss(torch, name, z, Y, sw, out_activation):
    """The batch's per-sample losses summed, weighted by ``sw`` if given.

    Summed rather than averaged: the mean's division goes into the seed of
    the backward pass, which saves two kernels a step. torch's fused losses
    are used where they apply, for the fewest graph nodes.
    """
    F = torch.nn.functional
    if name == "log_loss" and out_activation == "logistic":
        weight = None if sw is None else sw[:, None]
        return F.binary_cross_entropy_with_logits(z, Y, weight=weight, reduction="sum")
    if name == "log_loss" and sw is None:
        return F.cross_entropy(z, Y, reduction="sum")
    losses = _per_sample_loss(torch, name, z, Y, out_activation)
    return losses.sum() if sw is None else losses @ sw


# Up to this many values, training data gets a column of ones (see below).
_AUGMENT_VALUES = 1 << 20


class _TorchContext:
    """One fit's tensors: data on the device, flat weights and their views.

    The weights are leaf views of one flat tensor ``w``. Their ``.grad``
    are views of SGD's velocity ``v`` (or, for Nesterov's rule, Adam and
    L-BFGS, of a gradient buffer), so autograd accumulates the scaled
    gradient straight into the flat vector that the update rule reads: no
    gradient is copied. ``optimizer`` is the estimator's, its state on the
    device (sharing memory with the numpy state on the CPU).
    """

    def __init__(self, est, torch, device, X, Y, sample_weight):
        self.torch = torch
        self.device = device
        self.sparse = sp.issparse(X)
        # On the CPU the flat tensors share memory with the numpy vectors,
        # so the estimator's state is always current and nothing is copied.
        self.w = _to_tensor(torch, est._params, device)
        shared = self.w.data_ptr() == est._params.ctypes.data
        self.w_numpy = est._params if shared else None
        self.grad = torch.zeros_like(self.w)
        self.optimizer = None
        if est._optimizer is not None:
            self.optimizer = est._optimizer.on(lambda a: _to_tensor(torch, a, device))
        self.into_velocity = isinstance(
            self.optimizer, SGD
        ) and not needs_scaled_gradient(est.momentum_type)
        self.v = self.optimizer.velocity if self.into_velocity else None
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
        self.order = None
        # Autograd on for the whole fit (fit may be called under no_grad);
        # _close puts the caller's mode back. Last, so that nothing here can
        # fail after it.
        self.grad_mode = torch.is_grad_enabled()
        torch.set_grad_enabled(True)

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
        if self.order is not None:
            # Gathered batch by batch: no shuffled copy of the data.
            rows = self.order[start:stop]
            X = self.X_orig.index_select(0, rows)
            Y = self.Y_orig.index_select(0, rows)
            sw = None if self.sw_orig is None else self.sw_orig.index_select(0, rows)
            return X, Y, sw
        X = self.X[start:stop]
        if self.sparse:
            X = self.torch.from_numpy(X.toarray()).to(self.device)
        sw = None if self.sw is None else self.sw[start:stop]
        return X, self.Y[start:stop], sw


@contextlib.contextmanager
def _torch_threads(torch, threads):
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _to_tensor(torch, a, device):
    if device.type == "cpu" and a.flags.writeable and a.flags.c_contiguous:
        return torch.from_numpy(a)
    return torch.tensor(np.ascontiguousarray(a), device=device)


@fill_doc
class TorchMLPClassifier(BaseMLPClassifier):
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
        )
        self.device = device

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
        if device.type == "cuda" and not torch.cuda.is_available():
            if for_training:
                raise ValueError(
                    f"device={self.device!r} but CUDA is not available here; "
                    "use device='cpu' or device='auto'."
                )
            _warn_caller(
                f"device={self.device!r} is not available here; predicting on the CPU.",
                UserWarning,
            )
            return torch.device("cpu")
        return device

    @contextlib.contextmanager
    def _single_thread(self):
        torch = _import_torch()
        threads = torch.get_num_threads()
        if threads == 1 or self._resolve_device(torch).type != "cpu":
            yield
            return
        # The setting is per calling thread in torch's OpenMP build: restore it.
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(threads)

    def _prediction_threads(self):
        torch = _import_torch()
        try:
            on_cpu = torch.device(self.device).type == "cpu"
        except (RuntimeError, TypeError):  # "auto", or invalid: said elsewhere
            on_cpu = False
        threads = torch.get_num_threads()
        if not on_cpu or threads <= 1:
            return 1, None, None
        # As many chunks at once as torch has threads, each worker on one.
        # Setting a worker's count also sets torch's default for new threads:
        # the context puts it back.
        return threads, lambda: torch.set_num_threads(1), _torch_threads(torch, threads)

    def _setup(self, X, Y, sample_weight, batch_size):
        torch = _import_torch()
        device = self._resolve_device(torch)
        return _TorchContext(self, torch, device, X, Y, sample_weight)

    def _permute(self, ctx, perm):
        torch = ctx.torch
        index = torch.from_numpy(perm).to(ctx.device)
        if not ctx.sparse:
            ctx.order = index
            return
        ctx.X = ctx.X_orig[perm]
        ctx.Y = ctx.Y_orig.index_select(0, index)
        if ctx.sw_orig is not None:
            ctx.sw = ctx.sw_orig.index_select(0, index)

    def _forward(self, torch, X, coefs, intercepts, first=None, inplace=False):
        """The logits. With ``first``, the first layer's ``[W_1; b_1]`` block,
        ``X`` ends with a column of ones and ``coefs[0]`` is not used;
        ``inplace`` (no autograd) applies the activations in place."""
        activation = _activation(torch, self.activation, inplace)
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

    def _summed_batch_loss(self, ctx, X, Y, sw, weight_sum):
        """The batch's loss times weight_sum, as the base adds them up."""
        torch = ctx.torch
        z = self._forward(torch, X, ctx.coefs, ctx.intercepts, ctx.first)
        loss = _summed_loss(torch, self.loss, z, Y, sw, self.out_activation_)
        if self.alpha:
            coefs = ctx.coefs
            if ctx.first is not None:
                coefs = [ctx.first[:-1], *coefs[1:]]
            penalty = sum((W * W).sum() for W in coefs)
            loss = loss + (0.5 * self.alpha * weight_sum) * penalty
        return loss

    def _step(self, ctx, start, stop, weight_sum):
        X, Y, sw = ctx.batch(start, stop)
        optimizer = ctx.optimizer
        optimizer.lr = self._optimizer.lr  # which the schedule sets
        if ctx.into_velocity:
            ctx.v *= self.momentum
        else:
            ctx.grad.zero_()
        loss = self._summed_batch_loss(ctx, X, Y, sw, weight_sum)
        # Adds s * gradient into the velocity (or the zeroed buffer).
        ctx.torch.autograd.backward(
            loss, ctx.seed(weight_sum, optimizer.gradient_scale)
        )
        if ctx.into_velocity:
            apply_step(self.momentum_type, ctx.w, ctx.v, ctx.grad, self.momentum)
        else:
            optimizer.update_scaled(ctx.w, ctx.grad)
        # Detached: an epoch's losses must not hold on to their graphs.
        return loss.detach()

    def _loss_gradient(self, ctx, weight_sum):
        X, Y, sw = ctx.batch(0, ctx.n)
        ctx.grad.zero_()
        loss = self._summed_batch_loss(ctx, X, Y, sw, weight_sum)
        ctx.torch.autograd.backward(loss, ctx.seed(weight_sum, 1.0))
        return loss.item() / weight_sum, ctx.grad.cpu().numpy().astype(np.float64)

    def _sum_losses(self, ctx, losses):
        # Added up on the device as the steps run: one read per epoch, and
        # no list of an epoch's loss tensors.
        total = next(losses, None)
        if total is None:
            return 0.0
        second = next(losses, None)
        if second is not None:
            total = total + second  # a new tensor, then added to in place
            for loss in losses:
                total += loss
        return total.item()

    # Once per epoch: where the weights share memory with self._params (the
    # CPU), numpy does these in a fraction of a torch call's overhead.
    def _save_weights(self, ctx, out):
        w = ctx.w if ctx.w_numpy is None else ctx.w_numpy
        if out is None:
            return w.clone() if ctx.w_numpy is None else w.copy()
        out[...] = w
        return out

    def _load_weights(self, ctx, weights):
        if ctx.w_numpy is None:
            if isinstance(weights, np.ndarray):  # from L-BFGS
                weights = ctx.torch.from_numpy(weights)
            ctx.w.copy_(weights)
        else:
            ctx.w_numpy[...] = weights

    def _weights_finite(self, ctx):
        if ctx.w_numpy is not None:
            return math.isfinite(np.add.reduce(ctx.w_numpy))
        # One read of the sum: cheaper than torch.isfinite's four kernels.
        return math.isfinite(ctx.w.sum().item())

    def _close(self, ctx):
        ctx.torch.set_grad_enabled(ctx.grad_mode)

    def _finish(self, ctx):
        if ctx.w_numpy is None:
            self._params[...] = ctx.w.cpu().numpy()
        if ctx.optimizer is not None:
            self._optimizer.load_state(ctx.optimizer, lambda t: t.cpu().numpy())

    def _forward_logits(self, X):
        torch = _import_torch()
        device = self._resolve_device(torch, for_training=False)
        w = _to_tensor(torch, self._params, device)
        coefs, intercepts = self._unpack(w)
        if sp.issparse(X):
            # Densify a few rows at a time: a wide sparse X would not fit.
            rows = max(1, (1 << 20) // X.shape[1])
            return np.concatenate(
                [
                    self._forward_logits(X[i : i + rows].toarray())
                    for i in range(0, X.shape[0], rows)
                ]
            )
        with torch.inference_mode():
            X = _to_tensor(torch, X, device)
            z = self._forward(torch, X, coefs, intercepts, inplace=True)
        return z.cpu().numpy()
