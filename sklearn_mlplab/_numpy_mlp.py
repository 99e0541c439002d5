"""NumpyMLPClassifier: forward pass and backpropagation written out in numpy.

:func:`backprop` is the textbook algorithm, for reading: forward, the output
delta, one line per layer on the way back. Training runs the same algorithm
through ``_numpy_fast.py``, which adds buffers and thread control and is
tested equal to :func:`backprop` (``tests/test_backprop.py``); L-BFGS runs
:func:`backprop` itself.
"""

import math

import numpy as np

from . import _numpy_fast as fast
from ._base import BaseMLPClassifier, fill_doc
from ._functions import ACTIVATIONS, DERIVATIVES, LOSSES, OUT_ACTIVATIONS


def backprop(
    X, Y, sample_weight, coefs, intercepts, *, activation, loss, out_activation, alpha
):
    """The objective on one batch and its gradient, by backpropagation.

    With a_0 = X, z_l = a_(l-1) W_l + b_l and a_l = f(z_l) for the hidden
    layers, the logits z_L, and the weights s_i / S of the rows:

    * delta_L = (s_i / S) * dloss/dz_L, row by row;
    * dJ/dW_l = a_(l-1)^T delta_l + alpha W_l and dJ/db_l = sum of delta_l's rows;
    * delta_(l-1) = (delta_l W_l^T) * f'(z_(l-1)), f' written with a_(l-1).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The batch.
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 targets: one column for two classes, one-hot otherwise.
    sample_weight : ndarray of shape (n_samples,) or None
        Weight of each row; None weighs them equally.
    coefs, intercepts : list of ndarray
        The weight matrix and the bias vector of each layer.
    activation : {"logistic", "tanh", "relu"}
        Hidden-layer activation.
    loss : {"log_loss", "squared_error"}
        Per-sample loss.
    out_activation : {"logistic", "softmax"}
        Output function.
    alpha : float
        L2 penalty ``alpha / 2 * sum(W ** 2)`` on the weight matrices.

    Returns
    -------
    objective : float
        Weighted mean loss plus the penalty.
    coef_grads, intercept_grads : list of ndarray
        Its gradient, shaped like ``coefs`` and ``intercepts``.
    """
    f, f_prime = ACTIVATIONS[activation], DERIVATIVES[activation]
    # Forward, keeping every layer's activation.
    a = [X]
    for W, b in zip(coefs[:-1], intercepts[:-1], strict=True):
        a.append(f(a[-1] @ W + b))
    z = a[-1] @ coefs[-1] + intercepts[-1]
    per_sample, dloss_dz = LOSSES[loss](
        z, OUT_ACTIVATIONS[out_activation](z), Y, out_activation
    )
    s = np.ones(len(z), z.dtype) if sample_weight is None else sample_weight
    s = s / s.sum()
    objective = per_sample @ s + alpha / 2 * sum(np.vdot(W, W) for W in coefs)

    # The output delta, then one layer at a time back to the input.
    delta = dloss_dz * s[:, None]
    coef_grads, intercept_grads = [None] * len(coefs), [None] * len(coefs)
    for l in range(len(coefs) - 1, -1, -1):  # noqa: E741 - the textbook's l
        coef_grads[l] = a[l].T @ delta + alpha * coefs[l]
        intercept_grads[l] = delta.sum(axis=0)
        if l > 0:
            delta = delta @ coefs[l].T
            f_prime(a[l], delta)  # delta *= f'(z_(l-1)), in place
    return float(objective), coef_grads, intercept_grads


@fill_doc
class NumpyMLPClassifier(BaseMLPClassifier):
    """Multi-layer perceptron classifier with hand-written backpropagation.

    The lab's network in plain numpy: Xavier-normal weights, a sigmoid (or
    tanh, relu) hidden layer, a sigmoid output for two classes and a softmax
    for more, cross-entropy or squared-error loss, and mini-batch gradient
    descent with the lab's dampened momentum (or classic, Nesterov), Adam,
    or L-BFGS. The backpropagation is :func:`backprop` in this module.

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
        return fast.one_blas_thread()

    def _setup(self, X, Y, sample_weight, batch_size):
        return fast.Workspace(self, X, Y, sample_weight, batch_size)

    def _prediction_threads(self):
        # As many chunks at once as BLAS has threads, each on a single one.
        threads = fast.blas_threads()
        return threads, None, fast.one_blas_thread() if threads > 1 else None

    def _permute(self, ws, perm):
        ws.permute(perm)

    def _step(self, ws, start, stop, weight_sum):
        sw = None if ws.sw is None else ws.sw[start:stop]
        X, Y = ws.X[start:stop], ws.Y[start:stop]
        # s * gradient comes out of backprop: one pass fewer in the update.
        optimizer = self._optimizer
        loss = fast.loss_grad(ws, X, Y, sw, weight_sum, optimizer.gradient_scale)
        optimizer.update_scaled(self._params, ws.grad)
        return loss * weight_sum

    def _loss_gradient(self, ws, weight_sum):
        coefs, intercepts = self._unpack(self._params)
        loss, coef_grads, intercept_grads = backprop(
            ws.X_orig,
            ws.Y_orig,
            ws.sw_orig,
            coefs,
            intercepts,
            activation=self.activation,
            loss=self.loss,
            out_activation=self.out_activation_,
            alpha=self.alpha,
        )
        grad = np.empty(self._params.shape, dtype=np.float64)
        grad_coefs, grad_intercepts = self._unpack(grad)
        views, grads = grad_coefs + grad_intercepts, coef_grads + intercept_grads
        for view, g in zip(views, grads, strict=True):
            view[...] = g
        return loss, grad

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
        return fast.forward_logits(X, coefs, intercepts, self.activation)
