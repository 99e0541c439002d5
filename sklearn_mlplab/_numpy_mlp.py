"""NumpyMLPClassifier and NumpyMLPRegressor: forward pass and
backpropagation written out in numpy.

:func:`backprop` is the textbook algorithm, for reading: forward, the output
delta, one line per layer on the way back. Training runs the same algorithm
through ``_numpy_fast.py``, which adds buffers and thread control and is
tested equal to :func:`backprop` (``tests/test_backprop.py``); L-BFGS runs
:func:`backprop` itself.
"""

import contextlib

import numpy as np

from . import _numpy_fast as fast
from ._base import fill_doc
from ._classifier import BaseMLPClassifier
from ._engine import Engine
from ._functions import ACTIVATIONS, DERIVATIVES, LOSSES, OUT_ACTIVATIONS
from ._regressor import BaseMLPRegressor


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
        Targets: for a classifier 0/1, one column for two classes and
        one-hot otherwise; for a regressor the target values.
    sample_weight : ndarray of shape (n_samples,) or None
        Weight of each row; None weighs them equally.
    coefs, intercepts : list of ndarray
        The weight matrix and the bias vector of each layer.
    activation : {"identity", "logistic", "tanh", "relu"}
        Hidden-layer activation.
    loss : {"log_loss", "squared_error", "poisson"}
        Per-sample loss.
    out_activation : {"identity", "logistic", "softmax", "exp"}
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


class NumpyEngine(Engine):
    """One fit in numpy: the fast path's buffers, stepped by the optimizer.

    The weights are ``est._params`` itself, updated in place.
    """

    def __init__(self, est, X, Y, sample_weight, batch_size, one_thread=False):
        self.est = est
        self.ws = fast.Workspace(est, X, Y, sample_weight, batch_size)
        self._threads = (
            fast.one_blas_thread() if one_thread else contextlib.nullcontext()
        )

    def __enter__(self):
        self._threads.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._threads.__exit__(*exc_info)

    def order(self, perm):
        self.ws.permute(perm)

    def step(self, start, stop, weight_sum):
        ws, optimizer = self.ws, self.est._optimizer
        sw = None if ws.sw is None else ws.sw[start:stop]
        X, Y = ws.X[start:stop], ws.Y[start:stop]
        # s * gradient comes out of backprop: one pass fewer in the update.
        loss = fast.loss_grad(ws, X, Y, sw, weight_sum, optimizer.gradient_scale)
        optimizer.update_scaled(self.est._params, ws.grad)
        return loss * weight_sum

    def loss_gradient(self, weight_sum):
        est, ws = self.est, self.ws
        coefs, intercepts = est._unpack(est._params)
        loss, coef_grads, intercept_grads = backprop(
            ws.X_orig,
            ws.Y_orig,
            ws.sw_orig,
            coefs,
            intercepts,
            activation=est.activation,
            loss=est.loss,
            out_activation=est.out_activation_,
            alpha=est.alpha,
        )
        return loss, est._pack(coef_grads, intercept_grads, np.float64)

    def get_weights(self):
        return self.est._params

    def set_weights(self, weights):
        np.copyto(self.est._params, weights)

    @classmethod
    def forward_logits(cls, est, X):
        coefs, intercepts = est._unpack(est._params)
        return fast.forward_logits(X, coefs, intercepts, est.activation)

    @classmethod
    def prediction_threads(cls, est):
        # As many chunks at once as BLAS has threads, each on a single one.
        threads = fast.blas_threads()
        return threads, None, fast.one_blas_thread() if threads > 1 else None


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

    _engine = NumpyEngine


@fill_doc
class NumpyMLPRegressor(BaseMLPRegressor):
    """Multi-layer perceptron regressor with hand-written backpropagation.

    The classifier's network and training with a regression output: one
    identity unit per target and squared error (or ``exp`` units and the
    Poisson loss), trained by the same :func:`backprop`, optimizers,
    stopping rules and fast path as :class:`NumpyMLPClassifier`.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    TorchMLPRegressor : The same estimator on PyTorch, step for step.
    NumpyMLPClassifier : The classifier on the same network.
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import NumpyMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-3, 3, size=(200, 1))
    >>> y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=200)
    >>> reg = make_pipeline(
    ...     StandardScaler(),
    ...     NumpyMLPRegressor(hidden=10, activation="tanh", solver="lbfgs",
    ...                       random_state=0),
    ... )
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    >>> abs(reg.predict([[1.5]]) - np.sin(1.5)) < 0.1
    array([ True])
    """

    _engine = NumpyEngine
