"""The numpy backend's fast path: the same backprop as ``_numpy_mlp.backprop``,
with the devices that make it fast.

Measured on the shapes of ``benchmarks/bench.py`` on two cores, this path
trains case (b) (float32, (64, 64) relu, batch 256) in half the time of
the plain function and case (a) (the lab, full batch) in three quarters:
the difference between meeting and missing the targets of 0.5x
scikit-learn's ``MLPClassifier`` in both. What it does differently:

* every buffer the hot loop writes is allocated once per fit
  (:class:`Workspace`), and the matrix products write into them;
* the gradient comes out multiplied by the optimizer's ``gradient_scale``,
  which saves the update a pass;
* relu's derivative is a product with a mask, with an exact retry when a
  blow-up makes that product meet ``inf * 0``;
* column sums are products with a vector of ones (BLAS);
* small fits run BLAS on one thread (:func:`one_blas_thread`), and
  prediction runs one thread per chunk with per-thread buffers.

``tests/test_backprop.py`` holds :func:`loss_grad` equal to the plain
function on every activation, loss, output and dtype.
"""

import contextlib
import math
import threading

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from ._base import _PREDICT_CHUNK_VALUES
from ._functions import (
    ACTIVATIONS,
    DERIVATIVES,
    FAST_DERIVATIVES,
    LOSSES,
    OUT_ACTIVATIONS,
)

_chunk_buffers = threading.local()
_blas_lock = threading.Lock()
_blas_state = {"users": 0, "limiter": None, "controller": None}


def _blas_controller():
    if _blas_state["controller"] is None:
        # Scanning the loaded libraries costs milliseconds: do it once.
        _blas_state["controller"] = ThreadpoolController().select(user_api="blas")
    return _blas_state["controller"]


def blas_threads():
    """The largest thread count of the loaded BLAS libraries."""
    libs = _blas_controller().lib_controllers
    return max((lib.num_threads for lib in libs), default=1)


@contextlib.contextmanager
def one_blas_thread():
    """Run the block with BLAS on one thread, then restore its setting.

    BLAS thread counts are process-wide, so concurrent fits (a threading
    joblib backend) share one limit: the first to enter sets it, the last to
    leave restores the original.
    """
    with _blas_lock:
        if _blas_state["users"] == 0:
            _blas_state["limiter"] = _blas_controller().limit(limits=1, user_api="blas")
        _blas_state["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_state["users"] -= 1
            if _blas_state["users"] == 0:
                _blas_state["limiter"].restore_original_limits()
                _blas_state["limiter"] = None


class Workspace:
    """One fit's data in epoch order, plus every buffer the hot loop writes.

    Allocated once per fit, so a gradient step allocates only the small
    temporaries of the loss. ``coefs`` and ``intercepts`` are views of the
    estimator's flat parameters, ``grad_coefs`` and ``grad_intercepts`` of
    the flat gradient ``grad``.
    """

    def __init__(self, est, X, Y, sample_weight, batch_size):
        self.X_orig, self.Y_orig, self.sw_orig = X, Y, sample_weight
        self.X, self.Y, self.sw = X, Y, sample_weight
        self.sparse = sp.issparse(X)
        self.activation, self.loss = est.activation, est.loss
        self.out_activation, self.alpha = est.out_activation_, est.alpha
        dtype = est._params.dtype
        units = est._layer_units
        self.coefs, self.intercepts = est._unpack(est._params)
        self.grad = np.empty_like(est._params)
        self.grad_coefs, self.grad_intercepts = est._unpack(self.grad)
        # acts[i] holds layer i + 1's activation (the logits for the last).
        self.acts = [np.empty((batch_size, k), dtype=dtype) for k in units[1:]]
        self.deltas = [np.empty((batch_size, k), dtype=dtype) for k in units[1:-1]]
        self.ones = np.ones(batch_size, dtype=dtype)
        self.X_buf = None
        if not self.sparse and est.shuffle and batch_size < X.shape[0]:
            self.X_buf = np.empty_like(X, order="C")
            self.Y_buf = np.empty_like(Y)
            self.sw_buf = (
                None if sample_weight is None else np.empty_like(sample_weight)
            )

    def permute(self, perm):
        """Put the rows in the order ``perm`` for the next epoch."""
        if self.X_buf is None:
            self.X = self.X_orig[perm]
            self.Y = self.Y_orig[perm]
            self.sw = None if self.sw_orig is None else self.sw_orig[perm]
            return
        # mode="clip" (perm is in range anyway): the default "raise" makes
        # take buffer its whole output, which is 4x slower.
        np.take(self.X_orig, perm, axis=0, out=self.X_buf, mode="clip")
        np.take(self.Y_orig, perm, axis=0, out=self.Y_buf, mode="clip")
        self.X, self.Y = self.X_buf, self.Y_buf
        if self.sw_orig is not None:
            np.take(self.sw_orig, perm, out=self.sw_buf, mode="clip")
            self.sw = self.sw_buf


def forward(X, coefs, intercepts, acts, activation, sparse=None):
    """Forward pass into the buffers ``acts``; returns the logits."""
    last = len(coefs) - 1
    activation = ACTIVATIONS[activation]
    sparse = sp.issparse(X) if sparse is None else sparse
    a = X
    for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = acts[i]
        if i == 0 and sparse:
            z[...] = a @ W
        else:
            np.matmul(a, W, out=z)
        z += b
        if i < last:
            activation(z)
        a = z
    return a


def loss_grad(ws, X, Y, sw, weight_sum, scale=1.0, exact=False):
    """Batch loss; its gradient times ``scale`` is left in ``ws.grad``.

    The loss is the weighted mean of the per-sample losses, divided by
    ``weight_sum``, plus ``alpha / 2 * sum(W ** 2)``; ``ws.grad`` has the
    flat layout of the parameters. ``exact`` forces the slower
    activation derivatives that stay exact past a blow-up.
    """
    m = X.shape[0]
    acts = ws.acts if m == ws.acts[0].shape[0] else [a[:m] for a in ws.acts]
    z = forward(X, ws.coefs, ws.intercepts, acts, ws.activation, ws.sparse)
    p = OUT_ACTIVATIONS[ws.out_activation](z)
    per_sample, delta = LOSSES[ws.loss](z, p, Y, ws.out_activation)
    if sw is None:
        loss = np.add.reduce(per_sample) / weight_sum
        delta *= scale / weight_sum
    else:
        loss = per_sample @ sw / weight_sum
        # sw / weight_sum first: a tiny weight_sum would overflow scale /
        # weight_sum in float32.
        delta *= (sw / weight_sum * scale)[:, None]
    if ws.alpha:
        loss += 0.5 * ws.alpha * sum(np.vdot(W, W) for W in ws.coefs)

    derivative = (DERIVATIVES if exact else FAST_DERIVATIVES)[ws.activation]
    for i in range(len(ws.coefs) - 1, -1, -1):
        a_prev = X if i == 0 else acts[i - 1]
        if i == 0 and ws.sparse:
            ws.grad_coefs[i][...] = a_prev.T @ delta
        else:
            np.matmul(a_prev.T, delta, out=ws.grad_coefs[i])
        # Column sums as a product with ones: BLAS, 3-6x faster than
        # a reduction down the rows.
        np.matmul(ws.ones[:m], delta, out=ws.grad_intercepts[i])
        if i > 0:
            d = ws.deltas[i - 1][:m]
            np.matmul(delta, ws.coefs[i].T, out=d)
            derivative(a_prev, d)
            delta = d
    if ws.alpha:
        for W, grad_W in zip(ws.coefs, ws.grad_coefs, strict=True):
            grad_W += (ws.alpha * scale) * W
    if derivative is not DERIVATIVES[ws.activation] and not math.isfinite(
        np.add.reduce(ws.grad)
    ):
        # A non-finite delta may have met the fast derivative's inf * 0.
        return loss_grad(ws, X, Y, sw, weight_sum, scale, exact=True)
    return float(loss)


def forward_logits(X, coefs, intercepts, activation):
    """The logits of ``X``, a chunk of prediction rows, in reused buffers."""
    m, dtype = X.shape[0], coefs[0].dtype
    widths = [W.shape[1] for W in coefs]
    if m * max(widths) > _PREDICT_CHUNK_VALUES:
        acts = [np.empty((m, k), dtype=dtype) for k in widths]
        return forward(X, coefs, intercepts, acts, activation)
    # Prediction runs chunk after chunk: reuse this thread's cache-sized
    # buffers rather than fault in fresh pages for every chunk.
    acts = getattr(_chunk_buffers, "acts", None)
    if (
        acts is None
        or acts[0].dtype != dtype
        or acts[0].shape[0] < m
        or [a.shape[1] for a in acts] != widths
    ):
        acts = [np.empty((m, k), dtype=dtype) for k in widths]
        _chunk_buffers.acts = acts
    acts = [a[:m] for a in acts]
    return forward(X, coefs, intercepts, acts, activation).copy()
