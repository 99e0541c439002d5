"""check_gradients: the analytic gradient against finite differences."""

import copy
import numbers
import warnings

import numpy as np
from sklearn.utils import Bunch

from ._common import (
    _fresh_start,
    _is_fitted,
    _network_inputs,
)


def check_gradients(estimator, X, y, *, sample_weight=None, eps=1e-6):
    """Compare a network's analytic gradient with finite differences.

    The training objective (the weighted mean loss plus the L2 penalty) is
    differentiated by the estimator's own backend -- hand-written
    backpropagation for numpy, autograd for torch -- and by central finite
    differences, ``(J(w + eps e_j) - J(w - eps e_j)) / (2 eps)`` for every
    weight and bias, in float64. A fitted network is checked at its current
    weights; an unfitted one at the weights ``fit`` would start from.

    Each layer's relative error is ``||g_a - g_n|| / max(||g_a||, ||g_n||)``
    over the layer's weights and bias; a correct gradient gives about 1e-9,
    a wrong derivative 1e-2 or more.

    Parameters
    ----------
    estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
        The network (or a pipeline ending in one). It is not changed.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data. Every row is used: the check costs two objective evaluations
        per parameter.

    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Targets, as ``fit`` takes them.

    sample_weight : array-like of shape (n_samples,), default=None
        Row weights (``class_weight`` is applied too, as in ``fit``).

    eps : float, default=1e-6
        Finite-difference step.

    Returns
    -------
    result : Bunch
        ``max_relative_error`` (float, the largest layer error),
        ``relative_errors`` (ndarray, one per layer), ``analytic`` and
        ``numerical`` (the two gradients as flat vectors, each layer's
        weight matrix row by row, then its bias), ``objective`` (the
        objective at the checked weights), ``eps``, and ``kinks``: how many
        hidden relu pre-activations lie so near relu's kink at 0 that a step
        of ``eps`` may cross it, where finite differences are not the
        derivative (a warning says so when there are any).

    Examples
    --------
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import check_gradients
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> result = check_gradients(NumpyMLPClassifier(3, random_state=0), X[:50], y[:50])
    >>> bool(result.max_relative_error < 1e-6)
    True
    """
    if not (isinstance(eps, numbers.Real) and 0 < eps < 1):
        raise ValueError(f"eps must be a number in (0, 1), got {eps!r}.")
    net, X, Y, sample_weight = _float64_copy(estimator, X, y, sample_weight)
    theta = net._params.copy()
    objective, analytic, numerical = _both_gradients(net, X, Y, sample_weight, eps)
    kinks = _relu_kinks(net, theta, X, eps)
    if kinks:
        warnings.warn(
            f"{kinks} relu pre-activation(s) lie within a step of eps of the "
            "kink at 0, where a finite difference straddles two slopes and is not "
            "the derivative: large errors in the layers before them need not "
            "mean a wrong gradient. Check again at other weights, e.g. after a "
            "few epochs of training.",
            UserWarning,
            stacklevel=2,
        )
    errors = np.array(
        [
            _relative_error(a, n)
            for a, n in zip(
                net._unpack_blocks(analytic), net._unpack_blocks(numerical), strict=True
            )
        ]
    )
    return Bunch(
        max_relative_error=float(errors.max()),
        relative_errors=errors,
        analytic=analytic,
        numerical=numerical,
        objective=float(objective),
        eps=eps,
        kinks=kinks,
    )


def _float64_copy(estimator, X, y, sample_weight):
    """The network as a float64 copy that takes no steps (at its weights, or
    at the weights ``fit`` would start from), and the data as ``fit``
    validates and encodes it."""
    network, X = _network_inputs(estimator, X, y)
    if _is_fitted(network):
        net = copy.deepcopy(network)
        net._validate_params()
        # As partial_fit validates: y may hold some of the classes only.
        # (partial_fit refuses class_weight="balanced", which fit's path takes.)
        incremental = not isinstance(getattr(net, "class_weight", None), str)
        X, _, Y, sample_weight = net._training_data(
            X, y, sample_weight, None, incremental, True
        )
    else:
        net, X, Y, sample_weight = _fresh_start(network, X, y, sample_weight)
    net._params = net._params.astype(np.float64)
    net._optimizer = None  # no update: the engine only evaluates
    if sample_weight is not None:
        sample_weight = sample_weight.astype(np.float64)
    return net, X.astype(np.float64), Y.astype(np.float64), sample_weight


def _both_gradients(net, X, Y, sample_weight, eps):
    """The objective at ``net``'s weights, its gradient by the backend, and
    the gradient by central differences, one parameter at a time."""
    weight_sum = float(X.shape[0] if sample_weight is None else sample_weight.sum())
    theta = net._params.copy()
    with net._engine(net, X, Y, sample_weight, X.shape[0]) as engine:

        def objective_and_gradient(w):
            engine.set_weights(w)
            return engine.loss_gradient(weight_sum)

        objective, analytic = objective_and_gradient(theta)
        analytic = np.array(analytic, dtype=np.float64)
        numerical = np.empty_like(theta)
        for j in range(theta.size):
            step = np.zeros_like(theta)
            step[j] = eps
            up, _ = objective_and_gradient(theta + step)
            down, _ = objective_and_gradient(theta - step)
            numerical[j] = (up - down) / (2 * eps)
    return objective, analytic, numerical


def _relu_kinks(net, theta, X, eps):
    """How many hidden relu pre-activations a step of ``eps`` in one
    parameter could push across 0: those within 100 eps times their
    inputs' largest |value| (at least 1)."""
    if net.activation != "relu":
        return 0
    coefs, intercepts = net._unpack(theta)
    a, kinks = X, 0
    for W, b in zip(coefs[:-1], intercepts[:-1], strict=True):
        z = np.asarray(a @ W) + b
        reach = 100 * eps * max(1.0, float(abs(a).max()))
        kinks += int(np.count_nonzero(np.abs(z) < reach))
        a = np.maximum(z, 0)
    return kinks


def _relative_error(a, n):
    scale = max(np.linalg.norm(a), np.linalg.norm(n))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)
