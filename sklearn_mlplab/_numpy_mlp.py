"""NumpyMLPClassifier: forward pass and backpropagation written out in numpy."""

import contextlib
import math
import threading

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from ._base import _PREDICT_CHUNK_VALUES, BaseMLPClassifier, fill_doc
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


def _blas_threads():
    """The largest thread count of the loaded BLAS libraries."""
    libs = _blas_controller().lib_controllers
    return max((lib.num_threads for lib in libs), default=1)


@contextlib.contextmanager
def _one_blas_thread():
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


class _Workspace:
    """One fit's data in epoch order, plus every buffer the hot loop writes.

    Allocated once per fit, so a gradient step allocates only the small
    temporaries of the loss.
    """

    def __init__(self, est, X, Y, sample_weight, batch_size):
        self.X_orig, self.Y_orig, self.sw_orig = X, Y, sample_weight
        self.X, self.Y, self.sw = X, Y, sample_weight
        self.sparse = sp.issparse(X)
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


@fill_doc
class NumpyMLPClassifier(BaseMLPClassifier):
    """Multi-layer perceptron classifier with hand-written backpropagation.

    The lab's network in plain numpy: Xavier-normal weights, a sigmoid (or
    tanh, relu) hidden layer, a sigmoid output for two classes and a softmax
    for more, cross-entropy or squared-error loss, and mini-batch gradient
    descent with the lab's dampened momentum (or classic, Nesterov).
    Everything the training loop does is readable in this module and
    ``_functions.py``.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    TorchMLPClassifier : The same estimator on PyTorch, step for step.
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer perceptron.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import NumpyMLPClassifier
    >>> X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     NumpyMLPClassifier(hidden=6, activation="tanh", random_state=0),
    ... )
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba([[0.0, 1.0], [1.0, -0.5]]).round(2)
    array([[1., 0.],
           [0., 1.]])
    """

    def _single_thread(self):
        return _one_blas_thread()

    def _setup(self, X, Y, sample_weight, batch_size):
        return _Workspace(self, X, Y, sample_weight, batch_size)

    def _prediction_threads(self):
        # As many chunks at once as BLAS has threads, each on a single one.
        threads = _blas_threads()
        return threads, None, _one_blas_thread() if threads > 1 else None

    def _permute(self, ws, perm):
        if ws.X_buf is None:
            ws.X = ws.X_orig[perm]
            ws.Y = ws.Y_orig[perm]
            ws.sw = None if ws.sw_orig is None else ws.sw_orig[perm]
            return
        # mode="clip" (perm is in range anyway): the default "raise" makes
        # take buffer its whole output, which is 4x slower.
        np.take(ws.X_orig, perm, axis=0, out=ws.X_buf, mode="clip")
        np.take(ws.Y_orig, perm, axis=0, out=ws.Y_buf, mode="clip")
        ws.X, ws.Y = ws.X_buf, ws.Y_buf
        if ws.sw_orig is not None:
            np.take(ws.sw_orig, perm, out=ws.sw_buf, mode="clip")
            ws.sw = ws.sw_buf

    def _step(self, ws, start, stop, weight_sum):
        sw = None if ws.sw is None else ws.sw[start:stop]
        X, Y = ws.X[start:stop], ws.Y[start:stop]
        # s * gradient comes out of backprop: one pass fewer in the update.
        optimizer = self._optimizer
        loss = self._loss_grad(ws, X, Y, sw, weight_sum, optimizer.gradient_scale)
        optimizer.update_scaled(self._params, ws.grad)
        return loss * weight_sum

    def _loss_gradient(self, ws, weight_sum):
        loss = self._loss_grad(ws, ws.X_orig, ws.Y_orig, ws.sw_orig, weight_sum)
        return loss, ws.grad.astype(np.float64)

    def _forward(self, X, coefs, intercepts, acts, sparse=None):
        """Forward pass into the buffers ``acts``; returns the logits."""
        last = len(coefs) - 1
        activation = ACTIVATIONS[self.activation]
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

    def _loss_grad(self, ws, X, Y, sw, weight_sum, scale=1.0, exact=False):
        """Batch loss; its gradient times ``scale`` is left in ``ws.grad``.

        The loss is the weighted mean of the per-sample losses, divided by
        ``weight_sum``, plus ``alpha / 2 * sum(W ** 2)``; ``ws.grad`` has the
        flat layout of the parameters. ``exact`` forces the slower
        activation derivatives that stay exact past a blow-up.
        """
        m = X.shape[0]
        acts = ws.acts if m == ws.acts[0].shape[0] else [a[:m] for a in ws.acts]
        z = self._forward(X, ws.coefs, ws.intercepts, acts, ws.sparse)
        p = OUT_ACTIVATIONS[self.out_activation_](z)
        per_sample, delta = LOSSES[self.loss](z, p, Y, self.out_activation_)
        if sw is None:
            loss = np.add.reduce(per_sample) / weight_sum
            delta *= scale / weight_sum
        else:
            loss = per_sample @ sw / weight_sum
            # sw / weight_sum first: a tiny weight_sum would overflow scale /
            # weight_sum in float32.
            delta *= (sw / weight_sum * scale)[:, None]
        if self.alpha:
            loss += 0.5 * self.alpha * sum(np.vdot(W, W) for W in ws.coefs)

        derivative = (DERIVATIVES if exact else FAST_DERIVATIVES)[self.activation]
        for i in range(len(ws.coefs) - 1, -1, -1):
            a_prev = X if i == 0 else acts[i - 1]
            if i == 0 and ws.sparse:
                ws.grad_coefs[i][...] = (a_prev.T @ delta).reshape(
                    ws.grad_coefs[i].shape
                )
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
        if self.alpha:
            for W, grad_W in zip(ws.coefs, ws.grad_coefs, strict=True):
                grad_W += (self.alpha * scale) * W
        if derivative is not DERIVATIVES[self.activation] and not math.isfinite(
            np.add.reduce(ws.grad)
        ):
            # A non-finite delta may have met the fast derivative's inf * 0.
            return self._loss_grad(ws, X, Y, sw, weight_sum, scale, exact=True)
        return float(loss)

    def _save_weights(self, ws, out):
        if out is None:
            return self._params.copy()
        np.copyto(out, self._params)
        return out

    def _load_weights(self, ws, weights):
        np.copyto(self._params, weights)

    def _weights_finite(self, ws):
        return math.isfinite(np.add.reduce(self._params))

    def _finish(self, ws):
        pass  # the weights already live in self._params

    def _forward_logits(self, X):
        coefs, intercepts = self._unpack(self._params)
        m, dtype, widths = X.shape[0], self._params.dtype, self._layer_units[1:]
        if m * max(widths) > _PREDICT_CHUNK_VALUES:
            acts = [np.empty((m, k), dtype=dtype) for k in widths]
            return self._forward(X, coefs, intercepts, acts)
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
        return self._forward(X, coefs, intercepts, acts).copy()
