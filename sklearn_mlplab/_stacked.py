"""Many networks trained as one: the stacked training of BatchedGridSearchCV.

Networks that differ only in ``hidden``, ``lr``, ``momentum``, ``alpha``
and ``random_state`` -- and in their training rows, one cross-validation
fold each -- train side by side in one stack. Member ``m``'s weights are
row ``m`` of a matrix ``theta`` of shape (members, parameters), laid out
layer by layer as each network's ``[W_l; b_l]`` block padded to the widest
member, so that every product is one stacked ``matmul`` over the members.

* **Hidden sizes.** A padded unit's activation is masked to 0, so its
  outgoing weights get no gradient, and its incoming weights get none
  either because its outgoing weights are 0: padding stays exactly zero
  and changes nothing.
* **Rows.** Each member has its own rows (its fold), padded to the longest
  with weight 0, and its own order: the permutation its own generator
  draws each epoch, as its own fit draws it.
* **A step** is the one of :meth:`BaseMLP._run_epoch`: the
  weighted mean loss of the batch plus the penalty, its gradient, and SGD's
  update with the member's ``lr`` and ``momentum``. A member whose epoch
  has fewer batches than the stack's sits the extra steps out.
* **Stopping.** Each member keeps its own loss curve and no-improvement
  count and stops when its own rule says so, or when it diverges; the stack
  then drops it, so a finished member costs no more arithmetic.

Everything else -- validation, labels, the initial weights (drawn by each
network's ``_initialize`` exactly as ``fit`` draws them), the fitted
attributes and the end-of-fit warnings -- is the estimator's own code; the
stack only replaces the epochs in between. A backend is one small class
that says how to compute the members' batch objectives and their gradient:
:class:`NumpyStack` by stacked backpropagation (``backprop`` with a member
axis in front), :class:`TorchStack` by autograd, on any device.
"""

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._functions import ACTIVATIONS, DERIVATIVES, LOSSES, OUT_ACTIVATIONS
from ._optim import gradient_scale

# What the members of one stack may differ in; every other parameter of
# the network must be equal within a stack.
STACKABLE = ("hidden", "lr", "momentum", "alpha", "random_state")


def why_not_stacked(est, X):
    """Why ``est`` (validated, with training data ``X``) cannot join a
    stack, or None if it can."""
    reasons = {
        "solver != 'sgd'": est.solver != "sgd",
        "lr_schedule != 'constant'": est.lr_schedule != "constant",
        "early_stopping": est.early_stopping,
        "class_weight": est.class_weight is not None,
        "multilabel targets": est._multilabel,
        "sparse X": hasattr(X, "toarray"),
        "verbose": bool(est.verbose),
    }
    return next((reason for reason, applies in reasons.items() if applies), None)


def stack_key(est, X, pad):
    """Members with equal keys can train in one stack; with ``pad`` False,
    only members of the same hidden sizes."""
    params = est.get_params(deep=False)
    differ = STACKABLE if pad else tuple(k for k in STACKABLE if k != "hidden")
    shared = tuple((k, repr(v)) for k, v in sorted(params.items()) if k not in differ)
    depth = len(est._layer_units)
    return (type(est), shared, depth, X.dtype.str, X.shape[1], est.n_outputs_)


class Member:
    """One network of a stack: the estimator (validated, at its initial
    weights), its training rows ``X`` and 0/1 targets ``Y``. After training,
    ``error`` holds the exception its own fit would have raised, if any."""

    def __init__(self, est, X, Y):
        self.est, self.X, self.Y = est, X, Y
        est._start_curves(None, incremental=False, continuing=False)
        self.n = X.shape[0]
        self.batch = est._resolve_batch_size(self.n)
        self.n_batches = math.ceil(self.n / self.batch)
        self.error = None


def member_bytes(member, widths):
    """About how much memory a member takes in a stack: its rows, a batch's
    activations and deltas, and its weights, velocity and gradient."""
    itemsize = member.X.dtype.itemsize
    width = int(sum(widths))
    params = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:], strict=True))
    rows = member.n * (member.X.shape[1] + member.Y.shape[1])
    return itemsize * (rows + 3 * member.batch * width + 4 * params)


class _Layout:
    """Where each layer's padded ``[W; b]`` block lies in a row of theta."""

    def __init__(self, members):
        self.units = np.array([m.est._layer_units for m in members])
        self.widths = [int(w) for w in self.units.max(axis=0)]
        self.blocks, offset = [], 0
        for fan_in, fan_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            self.blocks.append((offset, fan_in, fan_out))
            offset += (fan_in + 1) * fan_out
        self.size = offset

    def views(self, theta):
        """Per-layer views of a stack of rows: coefs (M, fan_in, fan_out) and
        intercepts (M, fan_out), for numpy arrays and torch tensors alike."""
        M = theta.shape[0]
        coefs, intercepts = [], []
        for offset, fan_in, fan_out in self.blocks:
            block = theta[:, offset : offset + (fan_in + 1) * fan_out]
            block = block.reshape(M, fan_in + 1, fan_out)
            coefs.append(block[:, :fan_in])
            intercepts.append(block[:, fan_in])
        return coefs, intercepts

    def pack(self, members, dtype):
        """Each member's weights, zero-padded, as one row of a new matrix."""
        theta = np.zeros((len(members), self.size), dtype=dtype)
        coefs, intercepts = self.views(theta)
        for m, member in enumerate(members):
            own = member.est.coefs_ + member.est.intercepts_
            for view, a in zip(coefs + intercepts, own, strict=True):
                view[(m, *(slice(0, k) for k in a.shape))] = a
        return theta

    def unpack(self, row, est):
        """A member's flat parameter vector (in ``est``'s layout) from its
        row of the stack."""
        coefs, intercepts = self.views(row[None])
        flat = np.empty_like(est._params)
        own = est._unpack(flat)
        for view, a in zip(coefs + intercepts, own[0] + own[1], strict=True):
            a[...] = view[(0, *(slice(0, k) for k in a.shape))]
        return flat

    def masks(self, dtype):
        """For each hidden layer (M, 1, width): 1 for a member's own units,
        0 for its padding; None for a layer that no member pads."""
        masks = []
        for l, width in enumerate(self.widths[1:-1]):  # noqa: E741
            own = self.units[:, l + 1][:, None]
            masks.append(
                None
                if (own == width).all()
                else (np.arange(width) < own).astype(dtype)[:, None, :]
            )
        return masks


class NumpyStack:
    """Stacked backpropagation in numpy: ``_numpy_mlp.backprop`` with a
    member axis in front of every array."""

    # numpy's stacked arithmetic is bound by memory, not by calls: padding
    # costs as much as it computes, and arrays that outgrow the cache run
    # slower. On the lab grid (benchmarks/bench.py, two cores) stacks of one
    # hidden size and at most ~2 MiB took 1.7 s, one padded stack of all
    # 60 fits 3.5 s.
    pads = False
    preferred_bytes = 2 * 2**20

    where = staticmethod(np.where)

    def __init__(self, est, layout, dtype):
        self.layout, self.dtype = layout, dtype
        self.masks = layout.masks(dtype)
        self.activation, self.loss, self.out = (
            est.activation,
            est.loss,
            est.out_activation_,
        )

    def asarray(self, a):
        return np.asarray(a)

    def numpy(self, a):
        return a

    def _ones(self, M, B, dtype):
        ones = getattr(self, "_ones_buffer", None)
        if ones is None or ones.shape[0] < M or ones.shape[2] < B:
            ones = self._ones_buffer = np.ones((M, 1, B), dtype=dtype)
        return ones[:M, :, :B]

    def keep(self, kept):
        """Keep only the members ``kept`` (a boolean mask) in the stack."""
        self.masks = [None if m is None else m[kept] for m in self.masks]

    def finite_rows(self, theta):
        return np.isfinite(theta).all(axis=1)

    def objective_gradient(self, theta, X, Y, s, alpha):
        """Each member's batch objective (M,) and its gradient (M, P).

        ``s`` (M, B) weighs each row by its member's batch weight sum (0 for
        padding); ``alpha`` (M, 1) holds the members' penalties.
        """
        f = _FAST_ACTIVATIONS.get(self.activation, ACTIVATIONS[self.activation])
        f_prime = DERIVATIVES[self.activation]
        coefs, intercepts = self.layout.views(theta)
        penalized = bool(alpha.any())
        # Forward, keeping every layer's activation, padded units at 0.
        a = [X]
        for W, b, mask in zip(coefs[:-1], intercepts[:-1], self.masks, strict=True):
            z = np.matmul(a[-1], W)
            z += b[:, None, :]
            f(z)
            if mask is not None:
                z *= mask
            a.append(z)
        z = np.matmul(a[-1], coefs[-1])
        z += intercepts[-1][:, None, :]
        M, B, K = z.shape
        z2, Y2 = z.reshape(M * B, K), Y.reshape(M * B, K)
        per_sample, dloss_dz = LOSSES[self.loss](
            z2, OUT_ACTIVATIONS[self.out](z2), Y2, self.out
        )
        objective = (per_sample.reshape(M, B) * s).sum(axis=1)
        if penalized:
            penalty = sum((W * W).sum(axis=(1, 2)) for W in coefs)
            objective += alpha[:, 0] / 2 * penalty

        # The output delta, then one layer at a time back to the input.
        delta = dloss_dz.reshape(M, B, K)
        delta *= s[:, :, None]
        grad = np.empty_like(theta)
        coef_grads, intercept_grads = self.layout.views(grad)
        for l in range(len(coefs) - 1, -1, -1):  # noqa: E741 - the textbook's l
            np.matmul(a[l].transpose(0, 2, 1), delta, out=coef_grads[l])
            if penalized:
                coef_grads[l] += alpha[:, :, None] * coefs[l]
            # A column sum as a product with ones: 10x numpy's reduction over
            # the middle axis.
            np.matmul(
                self._ones(M, B, delta.dtype), delta, out=intercept_grads[l][:, None, :]
            )
            if l > 0:
                delta = np.matmul(delta, coefs[l].transpose(0, 2, 1))
                f_prime(a[l], delta)
        return objective, grad


class TorchStack:
    """The members' objectives on torch, on the estimators' device; the
    gradient by autograd."""

    # torch's calls cost more than their arithmetic at these sizes: the
    # fewer, larger stacks the better (one padded stack of the lab grid:
    # 1.8 s; stacks of one hidden size: 2.0 s; 0.5 MiB stacks: 5.9 s).
    pads = True
    preferred_bytes = None

    def __init__(self, est, layout, dtype):
        from ._torch_mlp import _activation, _import_torch

        self.torch = torch = _import_torch(est)
        self.device = est._resolve_device(torch)
        self.layout = layout
        self.masks = [
            None if m is None else self.asarray(m) for m in layout.masks(dtype)
        ]
        self.activation = _activation(torch, est.activation)
        self.loss, self.out = est.loss, est.out_activation_

    def asarray(self, a):
        return self.torch.as_tensor(np.asarray(a), device=self.device)

    def numpy(self, t):
        return t.detach().cpu().numpy()

    def where(self, condition, a, b):
        return self.torch.where(condition, a, b)

    def keep(self, kept):
        kept = self.asarray(kept)
        self.masks = [None if m is None else m[kept] for m in self.masks]

    def finite_rows(self, theta):
        return self.numpy(self.torch.isfinite(theta).all(dim=1))

    def _per_sample(self, z, Y):
        from ._torch_mlp import _per_sample_loss

        if self.loss == "log_loss" and self.out == "logistic":
            F = self.torch.nn.functional
            return F.binary_cross_entropy_with_logits(z, Y, reduction="none").sum(dim=1)
        return _per_sample_loss(self.torch, self.loss, z, Y, self.out)

    def objective_gradient(self, theta, X, Y, s, alpha):
        """As :meth:`NumpyStack.objective_gradient`, by autograd."""
        torch = self.torch
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_()
            coefs, intercepts = self.layout.views(leaf)
            a = X
            for W, b, mask in zip(coefs[:-1], intercepts[:-1], self.masks, strict=True):
                a = self.activation(torch.baddbmm(b[:, None, :], a, W))
                if mask is not None:
                    a = a * mask
            z = torch.baddbmm(intercepts[-1][:, None, :], a, coefs[-1])
            M, B, K = z.shape
            per_sample = self._per_sample(z.reshape(M * B, K), Y.reshape(M * B, K))
            objective = (per_sample.reshape(M, B) * s).sum(dim=1)
            if bool(alpha.any()):
                penalty = sum((W * W).sum(dim=(1, 2)) for W in coefs)
                objective = objective + alpha[:, 0] / 2 * penalty
            objective.sum().backward()  # the members' gradients do not mix
        return objective.detach(), leaf.grad


def _sigmoid(z):
    """The logistic function in place, as 1 / (1 + exp(-z)): four vectorised
    passes, about 4x faster than scipy's expit on the stacks' arrays and
    equal to it to a few ulps (``tests/test_batched_search.py`` holds the
    stacked fits equal to the networks' own). exp overflows to inf for
    z < -709, where the result is the right 0."""
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


_FAST_ACTIVATIONS = {"logistic": _sigmoid}


def _sgd_step(backend, theta, velocity, grad, hyper, momentum_type, active):
    """SGD's update (``_optim.py``'s rules) for the members ``active``
    (M, 1); the others sit the step out."""
    lr, momentum = hyper["lr"], hyper["momentum"]
    scale = backend.where(active, gradient_scale(momentum_type, lr, momentum), 0.0)
    velocity *= backend.where(active, momentum, 1.0)
    grad *= scale  # s g, 0 for the members sitting out
    velocity += grad
    if momentum_type == "nesterov":
        theta -= grad + backend.where(active, momentum, 0.0) * velocity
    else:
        theta -= backend.where(active, velocity, 0.0)


class _Order:
    """Each member's rows, step by step: ``index`` (M, steps, B) into its
    own rows and ``weight`` (1 for a row, 0 for padding)."""

    def __init__(self, members):
        self.members = members
        self.steps = max(m.n_batches for m in members)
        self.width = max(m.batch for m in members)
        self.shuffled = [m.est.shuffle and m.n_batches > 1 for m in members]
        self.index = np.zeros((len(members), self.steps, self.width), dtype=np.int64)
        self.weight = np.zeros((len(members), self.steps, self.width))
        for k, m in enumerate(members):
            self._place(k, m, np.arange(m.n))

    def _place(self, k, m, order):
        size = m.n_batches * m.batch
        index, weight = np.zeros(size, dtype=np.int64), np.zeros(size)
        index[: m.n], weight[: m.n] = order, 1.0
        self.index[k, : m.n_batches, : m.batch] = index.reshape(m.n_batches, m.batch)
        self.weight[k, : m.n_batches, : m.batch] = weight.reshape(m.n_batches, m.batch)

    def shuffle(self, live):
        """Each living member's order for the next epoch, from its own
        generator, as its own fit draws it."""
        for k in live:
            if self.shuffled[k]:
                m = self.members[k]
                self._place(k, m, m.est._rng.permutation(m.n))


class _Record:
    """Each member's loss curve and stopping rule, as ``_train_epochs``
    keeps them."""

    def __init__(self, members):
        self.curves = [[] for _ in members]
        self.best = [np.inf] * len(members)
        self.count = [0] * len(members)
        self.converged = [False] * len(members)

    def epoch(self, members, live, losses, finite):
        """Record an epoch; whether each living member is done."""
        done = []
        for k, loss in zip(live, losses.tolist(), strict=True):
            est = members[k].est
            if not finite[len(done)]:
                members[k].error = est._diverged()
                done.append(True)
                continue
            self.curves[k].append(loss)
            # The loss-based rule of _update_no_improvement.
            self.count[k] = self.count[k] + 1 if loss > self.best[k] - est.tol else 0
            self.best[k] = min(self.best[k], loss)
            self.converged[k] = self.count[k] > est.n_iter_no_change
            done.append(self.converged[k])
        return np.array(done)


def _stack_arrays(members, layout, backend, dtype):
    """The members' rows and targets, zero-padded to the longest, their
    weights (one row each) and their lr, momentum and alpha, as the
    backend's arrays."""
    n_max = max(m.n for m in members)
    X = np.zeros((len(members), n_max, members[0].X.shape[1]), dtype=dtype)
    Y = np.zeros((len(members), n_max, members[0].Y.shape[1]), dtype=dtype)
    for k, m in enumerate(members):
        X[k, : m.n], Y[k, : m.n] = m.X, m.Y
    theta = backend.asarray(layout.pack(members, dtype))
    hyper = {
        name: backend.asarray(
            np.array([[getattr(m.est, name)] for m in members], dtype=dtype)
        )
        for name in ("lr", "momentum", "alpha")
    }
    return backend.asarray(X), backend.asarray(Y), theta, hyper


def _run_epoch(backend, order, live, batches, X, Y, theta, velocity, hyper):
    """One epoch of every living member; the sum of their batch objectives
    times the batch weights. ``batches`` keeps an unshuffled run's batches."""
    first = order.members[0]
    dtype = first.X.dtype  # numpy's, for the backend's arrays alike
    epoch = backend.asarray(np.zeros(len(live), dtype=dtype))
    for j in range(order.steps):
        batch = batches.get(j) or _batch(backend, order, live, j, X, Y, dtype)
        if not any(order.shuffled):
            batches[j] = batch
        Xb, Yb, s, sums, active = batch
        objective, grad = backend.objective_gradient(theta, Xb, Yb, s, hyper["alpha"])
        epoch += objective * sums
        _sgd_step(
            backend, theta, velocity, grad, hyper, first.est.momentum_type, active
        )
    return epoch


def train_stack(members, backend_class):
    """Train ``members`` side by side; write each one's fitted state into
    its estimator, or the error its fit would raise into ``member.error``."""
    first = members[0].est
    layout = _Layout(members)
    dtype = members[0].X.dtype
    backend = backend_class(first, layout, dtype)
    X, Y, theta, hyper = _stack_arrays(members, layout, backend, dtype)
    velocity = theta * 0
    order, record = _Order(members), _Record(members)
    totals = np.array([m.n for m in members], dtype=float)
    live = np.arange(len(members))  # which member each row of the stack is
    batches = {}  # the batches of an unshuffled run, built once per stack
    for _ in range(first.max_iter):
        order.shuffle(live)
        epoch = _run_epoch(backend, order, live, batches, X, Y, theta, velocity, hyper)
        losses = backend.numpy(epoch) / totals[live]
        finite = np.isfinite(losses) & backend.finite_rows(theta)
        done = record.epoch(members, live, losses, finite)
        if done.any():
            _finish(members, live[done], theta, velocity, done, layout, record, backend)
            kept = ~done
            kept_t = backend.asarray(kept)
            theta, velocity, X, Y = (
                theta[kept_t],
                velocity[kept_t],
                X[kept_t],
                Y[kept_t],
            )
            hyper = {k: v[kept_t] for k, v in hyper.items()}
            backend.keep(kept)
            live = live[kept]
            batches.clear()
            if not live.size:
                return
    _finish(
        members,
        live,
        theta,
        velocity,
        np.ones(len(live), bool),
        layout,
        record,
        backend,
    )


def _batch(backend, order, live, j, X, Y, dtype):
    """Step ``j`` of the living members: their rows, targets, row weights
    over the batch weight sums, the sums, and who has a batch at all."""
    weight = order.weight[live, j]
    sums = weight.sum(axis=1)
    s = (weight / np.maximum(sums, 1e-300)[:, None]).astype(dtype)
    rows = backend.asarray(order.index[live, j])
    at = backend.asarray(np.arange(len(live))[:, None])
    return (
        X[at, rows],
        Y[at, rows],
        backend.asarray(s),
        backend.asarray(sums.astype(dtype)),
        backend.asarray((sums > 0)[:, None]),
    )


def _finish(members, which, theta, velocity, rows, layout, record, backend):
    """Install the final state of the members ``which`` (the stack's rows
    ``rows``) into their estimators, as their own fits end."""
    theta, velocity = backend.numpy(theta)[rows], backend.numpy(velocity)[rows]
    for k, index in enumerate(which):
        member, est = members[index], members[index].est
        if member.error is not None:
            continue
        est._params = layout.unpack(theta[k], est)
        est._optimizer.velocity = layout.unpack(velocity[k], est)
        est.n_iter_ = len(record.curves[index])
        est.t_ = est.n_iter_ * member.n
        est.loss_curve_ = record.curves[index]
        est.best_loss_ = record.best[index]
        est._no_improvement_count = record.count[index]
        if not np.isfinite(est._forward_logits(member.X)).all():
            # Finite weights whose outputs overflow: fit's last check.
            member.error = est._diverged()
            continue
        if not record.converged[index]:
            warnings.warn(
                f"Maximum iterations ({est.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        est._warn_if_learned_nothing(member.X, member.Y, None, 0)
