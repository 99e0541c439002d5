"""Seeing inside a network: its gradient, its layers and its training.

* :func:`check_gradients` holds a network's analytic gradient against
  central finite differences, on your own data and network;
* :func:`layer_outputs` gives the activation of every layer;
* :class:`HiddenUnitsDisplay` maps each hidden unit's activation over a
  2-feature input plane;
* :class:`TrainingSnapshots` (a callback of scikit-learn's callback API)
  and :func:`record_training` keep the model as it stood at chosen epochs,
  which :class:`TrainingEvolutionDisplay` draws as small multiples or an
  animation;
* :func:`lr_range_test` runs the learning-rate range test (Smith, 2017),
  and :class:`LearningRateFinderDisplay` plots it.

Everything works on both backends, and on a
:class:`~sklearn.pipeline.Pipeline` whose last step is a network: the
earlier steps transform the inputs first. Nothing here changes the
estimator it is given. matplotlib is imported only when a display draws.
"""

import copy
import math
import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch, check_random_state

from ._base import CALLBACKS_AVAILABLE, BaseMLPClassifier, _Batches
from ._functions import ACTIVATIONS, OUT_ACTIVATIONS
from .plotting import _check_matplotlib_support as _check_matplotlib

__all__ = [
    "HiddenUnitsDisplay",
    "LearningRateFinderDisplay",
    "TrainingEvolutionDisplay",
    "TrainingSnapshots",
    "check_gradients",
    "layer_outputs",
    "lr_range_test",
    "record_training",
]


# ---------------------------------------------------------------- helpers
def _split(estimator):
    """(earlier pipeline steps or None, the network) of ``estimator``."""
    steps = getattr(estimator, "steps", None)
    network = steps[-1][1] if steps else estimator
    if not isinstance(network, BaseMLPClassifier):
        raise TypeError(
            "Expected a NumpyMLPClassifier or TorchMLPClassifier, or a Pipeline "
            f"ending in one; got {type(network).__name__}."
        )
    return (estimator[:-1] if steps and len(steps) > 1 else None), network


def _is_fitted(network):
    return hasattr(network, "_params")


def _network_inputs(estimator, X, y=None):
    """The network and ``X`` as it reaches the network: through the earlier
    pipeline steps (fitted here, on a clone, if the pipeline is not)."""
    earlier, network = _split(estimator)
    if earlier is not None:
        if _is_fitted(network):
            X = earlier.transform(X)
        else:
            X = clone(earlier).fit_transform(X, y)
    return network, X


def _fresh_start(network, X, y, sample_weight):
    """A copy of an unfitted ``network`` at the weights ``fit`` would start
    from, and the data validated and encoded as ``fit`` does."""
    net = clone(network)
    net._validate_params()
    X, y, Y, sample_weight = net._training_data(X, y, sample_weight, None, False, False)
    net._rng = check_random_state(net.random_state)
    net._initialize(net._hidden_layers(), X.shape[1], X.dtype)
    return net, X, Y, sample_weight


def _plane(X, grid_resolution, eps):
    """A grid over the range of the two columns of ``X``, ``eps`` beyond."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"The input plane needs X with exactly 2 features, got shape {X.shape}."
            " Pick two columns, or project the data to 2-D first."
        )
    lo, hi = X.min(axis=0) - eps, X.max(axis=0) + eps
    xx0, xx1 = np.meshgrid(
        np.linspace(lo[0], hi[0], grid_resolution),
        np.linspace(lo[1], hi[1], grid_resolution),
    )
    return xx0, xx1, np.c_[xx0.ravel(), xx1.ravel()]


def _as_inputs(estimator, points):
    """Grid points as ``estimator`` was fitted: a DataFrame with its feature
    names if it was fitted on one (so that no names warning is given)."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        return points
    import pandas as pd

    return pd.DataFrame(points, columns=names)


def _grid_axes(ax, n_panels, n_cols, panel_size=2.4):
    """``n_panels`` axes: new ones in a grid, or those in ``ax`` (an array
    of at least ``n_panels`` Axes, or one Axes whose space is divided)."""
    import matplotlib.pyplot as plt

    n_cols = min(n_panels, n_cols or 4)
    n_rows = math.ceil(n_panels / n_cols)
    if ax is None:
        fig, axes = plt.subplots(
            n_rows,
            n_cols,
            figsize=(panel_size * n_cols + 0.6, panel_size * n_rows),
            layout="constrained",
            squeeze=False,
        )
    elif hasattr(ax, "get_subplotspec") and not np.iterable(ax):
        fig, spec = ax.figure, ax.get_subplotspec()
        ax.remove()
        grid = spec.subgridspec(n_rows, n_cols)
        axes = np.array(
            [
                [fig.add_subplot(grid[r, c]) for c in range(n_cols)]
                for r in range(n_rows)
            ]
        )
    else:
        axes = np.asarray(ax, dtype=object)
        if axes.size < n_panels:
            raise ValueError(
                f"ax has {axes.size} axes but {n_panels} panels are to be drawn; "
                "pass at least as many axes, or ax=None."
            )
        fig = axes.flat[0].figure
        return fig, axes.ravel()[:n_panels], axes.ravel()[n_panels:]
    flat = axes.ravel()
    return fig, flat[:n_panels], flat[n_panels:]


def _scatter(ax, X, y, scatter_kwargs):
    if X is None:
        return None
    from matplotlib.colors import ListedColormap

    kwargs = {"s": 12, "edgecolors": "k", "linewidths": 0.5}
    if y is not None:
        # Two classes in white and black, which no map colour hides.
        _, codes = np.unique(y, return_inverse=True)
        two = ListedColormap(["white", "black"])
        kwargs.update(c=codes, cmap=two if codes.max() < 2 else "tab10")
    else:
        kwargs.update(c="white")
    kwargs.update(scatter_kwargs or {})
    X = np.asarray(X, dtype=float)
    return ax.scatter(X[:, 0], X[:, 1], **kwargs)


# ------------------------------------------------------- gradient checking
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
    network, X = _network_inputs(estimator, X, y)
    if _is_fitted(network):
        net = copy.deepcopy(network)
        net._validate_params()
        # As partial_fit validates: y may hold some of the classes only.
        # (partial_fit refuses class_weight="balanced", which fit's path takes.)
        incremental = not isinstance(net.class_weight, str)
        X, _, Y, sample_weight = net._training_data(
            X, y, sample_weight, None, incremental, True
        )
    else:
        net, X, Y, sample_weight = _fresh_start(network, X, y, sample_weight)
    net._params = net._params.astype(np.float64)
    net._optimizer = None  # no update: the engine only evaluates
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    if sample_weight is not None:
        sample_weight = sample_weight.astype(np.float64)
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


# ---------------------------------------------------------- layer outputs
def layer_outputs(estimator, X):
    """The activation of every layer of a fitted network.

    Parameters
    ----------
    estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
        A fitted network, or a fitted pipeline ending in one (the earlier
        steps transform ``X`` first).

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs.

    Returns
    -------
    outputs : list of ndarray
        ``n_layers_`` arrays: the inputs as the network gets them
        (validated, in its dtype; dense), each hidden layer's activation
        ``f(a W + b)``, and the output layer's -- the probabilities, one
        column per output unit (a single column, the positive class's, for
        binary targets).

    Examples
    --------
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import layer_outputs
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = NumpyMLPClassifier(3, max_iter=20, random_state=0).fit(X, y)
    >>> [a.shape for a in layer_outputs(model, X[:5])]
    [(5, 2), (5, 3), (5, 1)]
    """
    network, X = _network_inputs(estimator, X)
    a = network._validate_predict_input(X)
    if hasattr(a, "toarray"):
        a = a.toarray()
    f = ACTIVATIONS[network.activation]
    outputs = [a]
    coefs, intercepts = network.coefs_, network.intercepts_
    for W, b in zip(coefs[:-1], intercepts[:-1], strict=True):
        outputs.append(f(outputs[-1] @ W + b))
    z = outputs[-1] @ coefs[-1] + intercepts[-1]
    outputs.append(OUT_ACTIVATIONS[network.out_activation_](z))
    return outputs


# ------------------------------------------------------------ hidden units
_RANGES = {"logistic": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class HiddenUnitsDisplay:
    """Each hidden unit's activation over a 2-feature input plane.

    One small panel per unit of a hidden layer, coloured by the unit's
    activation at each point of the plane, with the data drawn on top: the
    pictures TensorFlow Playground draws, for your own network. Build it
    with :meth:`from_estimator`.

    Parameters
    ----------
    xx0, xx1 : ndarray of shape (grid_resolution, grid_resolution)
        The plane's grid, as :func:`numpy.meshgrid` gives it.

    activations : ndarray of shape (n_units, grid_resolution, grid_resolution)
        Each unit's activation at the grid's points.

    layer : int, default=0
        Which hidden layer (0 is the first), for the titles.

    activation : str, default=None
        The layer's activation function: ``"logistic"`` and ``"tanh"`` are
        coloured over their whole range, others over the values drawn.

    X, y : array-like, default=None
        Points to draw over the maps, and their labels.

    xlabel, ylabel : str, default=None
        Axis labels of the panels.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per unit.

    surfaces_ : list of matplotlib QuadMesh
        The activation maps.

    scatters_ : list of matplotlib PathCollection or None
        The data points of each panel.

    colorbar_ : matplotlib Colorbar
        The shared colour scale.

    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import HiddenUnitsDisplay
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = NumpyMLPClassifier(3, max_iter=50, random_state=0).fit(X, y)
    >>> display = HiddenUnitsDisplay.from_estimator(model, X, y, grid_resolution=30)
    >>> len(display.axes_)
    3
    """

    def __init__(
        self,
        xx0,
        xx1,
        activations,
        *,
        layer=0,
        activation=None,
        X=None,
        y=None,
        xlabel=None,
        ylabel=None,
    ):
        self.xx0, self.xx1 = xx0, xx1
        self.activations = activations
        self.layer = layer
        self.activation = activation
        self.X, self.y = X, y
        self.xlabel, self.ylabel = xlabel, ylabel

    def plot(
        self, ax=None, *, n_cols=None, cmap="RdBu_r", scatter_kwargs=None, **kwargs
    ):
        """Draw the maps.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            None makes a new figure; one Axes is divided into the panels; an
            array gives one Axes per unit.

        n_cols : int, default=None
            Panels per row (at most 4 by default).

        cmap : str or Colormap, default="RdBu_r"
            Colour map of the activations.

        scatter_kwargs : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.scatter` for the data.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.pcolormesh`.

        Returns
        -------
        display : HiddenUnitsDisplay
        """
        _check_matplotlib("HiddenUnitsDisplay.plot")
        n_units = len(self.activations)
        fig, axes, spare = _grid_axes(ax, n_units, n_cols)
        vmin, vmax = _RANGES.get(
            self.activation,
            (float(np.min(self.activations)), float(np.max(self.activations))),
        )
        style = {"cmap": cmap, "vmin": vmin, "vmax": vmax, "shading": "auto"}
        style.update(kwargs)
        self.surfaces_, self.scatters_ = [], []
        for unit, (panel, values) in enumerate(
            zip(axes, self.activations, strict=True)
        ):
            self.surfaces_.append(panel.pcolormesh(self.xx0, self.xx1, values, **style))
            self.scatters_.append(_scatter(panel, self.X, self.y, scatter_kwargs))
            panel.set_title(f"layer {self.layer + 1}, unit {unit + 1}", fontsize=9)
            panel.set_xlabel(self.xlabel or "")
            panel.set_ylabel(self.ylabel or "")
            panel.tick_params(labelsize=7)
        for panel in spare:
            panel.set_axis_off()
        self.colorbar_ = fig.colorbar(
            self.surfaces_[0], ax=list(axes), shrink=0.8, label="activation"
        )
        self.axes_, self.figure_ = np.asarray(axes, dtype=object), fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        layer=0,
        grid_resolution=100,
        eps=0.5,
        ax=None,
        n_cols=None,
        cmap="RdBu_r",
        scatter_kwargs=None,
        **kwargs,
    ):
        """Map the hidden units of a fitted network trained on 2 features.

        Parameters
        ----------
        estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
            Fitted, on 2 input features (before any pipeline steps).

        X : array-like of shape (n_samples, 2)
            Data: sets the plane's extent and is drawn over the maps.

        y : array-like of shape (n_samples,), default=None
            Labels of ``X``, for the points' colours.

        layer : int, default=0
            Which hidden layer to map (0 is the first).

        grid_resolution : int, default=100
            Grid points along each axis.

        eps : float, default=0.5
            How far the plane extends beyond the data.

        ax, n_cols, cmap, scatter_kwargs, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : HiddenUnitsDisplay
        """
        _check_matplotlib("HiddenUnitsDisplay.from_estimator")
        _, network = _split(estimator)
        n_hidden = len(network.coefs_) - 1 if _is_fitted(network) else None
        if n_hidden is not None and not (
            isinstance(layer, numbers.Integral) and 0 <= layer < n_hidden
        ):
            raise ValueError(
                f"layer must be an int in [0, {n_hidden - 1}] (the network has "
                f"{n_hidden} hidden layer(s)), got {layer!r}."
            )
        xx0, xx1, points = _plane(X, grid_resolution, eps)
        values = layer_outputs(estimator, _as_inputs(estimator, points))[layer + 1]
        names = getattr(estimator, "feature_names_in_", None)
        display = cls(
            xx0,
            xx1,
            values.T.reshape(-1, *xx0.shape),
            layer=layer,
            activation=network.activation,
            X=X,
            y=y,
            xlabel=None if names is None else str(names[0]),
            ylabel=None if names is None else str(names[1]),
        )
        return display.plot(
            ax=ax, n_cols=n_cols, cmap=cmap, scatter_kwargs=scatter_kwargs, **kwargs
        )


# ------------------------------------------------------ training evolution
class TrainingSnapshots:
    """A callback that keeps the model as it stood at chosen epochs.

    Set it on a network with ``set_callbacks`` (scikit-learn >= 1.9's
    callback API, :mod:`sklearn.callback`) and fit: after each chosen epoch
    (L-BFGS iteration) it keeps a ready-to-predict copy of the network with
    that epoch's weights. Epoch 0 is the starting weights. Each fit starts
    the record afresh. :func:`record_training` does all of this for you.

    Parameters
    ----------
    epochs : iterable of int, default=None
        The epochs to keep, counted from the start of the fit (0 is the
        weights before the first epoch). None keeps every epoch.

    Attributes
    ----------
    epochs_ : list of int
        The epochs kept, in order.

    estimators_ : list of estimators
        The network after each of ``epochs_``: its weights then, and its
        ``loss_curve_`` up to then.

    losses_ : list of float
        The training loss of each of ``epochs_`` (the mean over its batches;
        NaN for epoch 0).

    Examples
    --------
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import TrainingSnapshots
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> snapshots = TrainingSnapshots(epochs=[0, 5, 20])
    >>> model = NumpyMLPClassifier(3, max_iter=20, random_state=0)
    >>> model = model.set_callbacks(snapshots).fit(X, y)
    >>> snapshots.epochs_
    [0, 5, 20]
    """

    def __init__(self, epochs=None):
        self.epochs = epochs

    def _wanted(self, epoch):
        return self._keep is None or epoch in self._keep

    def setup(self, estimator, context):
        """Start a fresh record (called as the fit begins).

        Parameters
        ----------
        estimator : estimator
            The network being fitted.

        context : sklearn.callback.CallbackContext
            The fit's root task.
        """
        if self.epochs is None:
            self._keep = None
        else:
            self._keep = {int(e) for e in self.epochs}
            if any(e < 0 for e in self._keep):
                raise ValueError(
                    f"epochs must be non-negative ints, got {sorted(self._keep)}."
                )
        self.epochs_, self.estimators_, self.losses_ = [], [], []

    def teardown(self, estimator, context):
        """Nothing to release (called as the fit ends).

        Parameters
        ----------
        estimator : estimator
            The fitted network.

        context : sklearn.callback.CallbackContext
            The fit's root task.
        """

    def _keep_model(self, epoch, model, loss):
        model = copy.copy(model)
        model.loss_curve_ = list(model.loss_curve_)
        model.n_iter_ = epoch
        self.epochs_.append(epoch)
        self.estimators_.append(model)
        self.losses_.append(loss)

    def on_fit_task_begin(self, estimator, context):
        """Keep epoch 0: before the first epoch, ``_params`` are the weights
        the fit starts from, on every device.

        Parameters
        ----------
        estimator : estimator
            The network being fitted.

        context : sklearn.callback.CallbackContext
            The task beginning: an epoch, or the whole fit.
        """
        if context.task_name == "epoch" and context.task_id == 0 and self._wanted(0):
            start = copy.copy(estimator)
            start._params = estimator._params.copy()
            start.loss_curve_ = []
            self._keep_model(0, start, math.nan)

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        """Keep the model after a chosen epoch.

        Parameters
        ----------
        estimator : estimator
            The network being fitted.

        context : sklearn.callback.CallbackContext
            The task ending: an epoch, or the whole fit.

        fitted_estimator : estimator, default=None
            A copy of the network with the weights at the end of the task.

        Returns
        -------
        stop : bool
            Always False: recording never stops training.
        """
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        epoch = context.task_id + 1
        if self._wanted(epoch):
            self._keep_model(epoch, fitted_estimator, float(estimator.loss_curve_[-1]))
        return False


def _callbacks_needed(what):
    if not CALLBACKS_AVAILABLE:
        raise ImportError(
            f"{what} records training through scikit-learn's callback API "
            "(sklearn.callback), which needs scikit-learn >= 1.9; upgrade with "
            "pip install 'scikit-learn>=1.9'."
        )


def _default_epochs(max_iter, n=6):
    """0 and about ``n - 1`` epochs spread evenly on a log scale to max_iter."""
    spread = np.unique(np.round(np.geomspace(1, max_iter, n - 1)).astype(int))
    return [0, *spread.tolist()]


def record_training(estimator, X, y, *, epochs=None, sample_weight=None):
    """Fit a copy of ``estimator``, keeping the model at chosen epochs.

    Parameters
    ----------
    estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
        The model to train; it is cloned, not changed.

    X, y : array-like
        Training data, as ``fit`` takes it.

    epochs : iterable of int, default=None
        Epochs to keep (0 is the starting weights). None keeps 0 and five
        epochs spread on a log scale up to ``max_iter``.

    sample_weight : array-like of shape (n_samples,), default=None
        Passed to ``fit``.

    Returns
    -------
    history : Bunch
        ``epochs`` (the epochs kept: those requested that the fit reached),
        ``estimators`` (a fitted model per epoch: a pipeline if a pipeline
        was given, sharing its fitted earlier steps), ``losses`` (each
        epoch's training loss) and ``fitted`` (the fitted copy, whose
        ``loss_curve_`` is the whole run).

    Examples
    --------
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import record_training
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = NumpyMLPClassifier(3, max_iter=30, random_state=0)
    >>> history = record_training(model, X, y, epochs=[0, 10, 30])
    >>> history.epochs, len(history.estimators), history.fitted.n_iter_
    ([0, 10, 30], 3, 30)
    """
    _callbacks_needed("record_training")
    earlier, network = _split(estimator)
    model = clone(estimator)
    net = model.steps[-1][1] if earlier is not None else model
    if epochs is None:
        epochs = _default_epochs(network.max_iter)
    snapshots = TrainingSnapshots(epochs=epochs)
    net.set_callbacks(snapshots)
    fit_params = {}
    if sample_weight is not None:
        key = (
            "sample_weight"
            if earlier is None
            else f"{model.steps[-1][0]}__sample_weight"
        )
        fit_params[key] = sample_weight
    model.fit(X, y, **fit_params)
    models = snapshots.estimators_
    if earlier is not None:
        head = model.steps[:-1]
        name = model.steps[-1][0]
        models = [type(model)([*head, (name, m)]) for m in models]
    return Bunch(
        epochs=list(snapshots.epochs_),
        estimators=models,
        losses=list(snapshots.losses_),
        fitted=model,
    )


def _response(model, points):
    """What the evolution maps show: the positive class's probability for
    two classes, the predicted class's index otherwise."""
    proba = model.predict_proba(points)
    if proba.shape[1] == 2 and not getattr(_split(model)[1], "_multilabel", False):
        return proba[:, 1]
    return proba.argmax(axis=1).astype(float)


class TrainingEvolutionDisplay:
    """The decision boundary at chosen epochs, and the loss curve, as small
    multiples (or an animation).

    Build it with :meth:`from_estimator`, which trains a copy of the model
    and keeps it at the chosen epochs (:func:`record_training`).

    Parameters
    ----------
    xx0, xx1 : ndarray of shape (grid_resolution, grid_resolution)
        The input plane's grid.

    responses : ndarray of shape (n_epochs, grid_resolution, grid_resolution)
        At each kept epoch, the positive class's probability (two classes)
        or the predicted class's index (more), over the grid.

    epochs : list of int
        The kept epochs.

    loss_curve : array-like
        The training loss of every epoch of the run.

    binary : bool, default=True
        Whether ``responses`` are probabilities (else class indices).

    X, y : array-like, default=None
        Points to draw over the maps, and their labels.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per kept epoch, then the loss panel.

    surfaces_ : list of matplotlib QuadMesh
        The maps, one per epoch.

    contours_ : list of matplotlib QuadContourSet or None
        The 0.5 contour of each map (two classes).

    loss_line_ : matplotlib Line2D
        The loss curve.

    markers_ : matplotlib PathCollection
        The kept epochs on the loss curve.

    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import TrainingEvolutionDisplay
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = NumpyMLPClassifier(3, lr=0.5, max_iter=60, random_state=0)
    >>> display = TrainingEvolutionDisplay.from_estimator(
    ...     model, X, y, epochs=[0, 10, 60], grid_resolution=30
    ... )
    >>> len(display.axes_)  # three epochs and the loss
    4
    """

    def __init__(
        self, xx0, xx1, responses, epochs, loss_curve, *, binary=True, X=None, y=None
    ):
        self.xx0, self.xx1 = xx0, xx1
        self.responses = responses
        self.epochs = list(epochs)
        self.loss_curve = loss_curve
        self.binary = binary
        self.X, self.y = X, y

    def _style(self, kwargs):
        if self.binary:
            style = {"cmap": "RdBu_r", "vmin": 0.0, "vmax": 1.0}
        else:
            style = {"cmap": "tab10", "vmin": 0, "vmax": 9}
        style.update(shading="auto", alpha=0.8)
        style.update(kwargs)
        return style

    def _draw_map(self, panel, i, style, scatter_kwargs):
        surface = panel.pcolormesh(self.xx0, self.xx1, self.responses[i], **style)
        contour = None
        values = self.responses[i]
        if self.binary and values.min() < 0.5 < values.max():
            contour = panel.contour(
                self.xx0, self.xx1, values, levels=[0.5], colors="k", linewidths=1
            )
        _scatter(panel, self.X, self.y, scatter_kwargs)
        panel.set_title(f"epoch {self.epochs[i]}", fontsize=9)
        panel.tick_params(labelsize=7)
        return surface, contour

    def _draw_loss(self, panel):
        epochs = np.arange(1, len(self.loss_curve) + 1)
        (line,) = panel.plot(epochs, self.loss_curve, color="C0")
        kept = [e for e in self.epochs if 1 <= e <= len(self.loss_curve)]
        markers = panel.scatter(
            kept, [self.loss_curve[e - 1] for e in kept], color="C3", zorder=3
        )
        panel.set_xlabel("epoch")
        panel.set_ylabel("training loss")
        panel.set_title("loss", fontsize=9)
        return line, markers

    def plot(self, ax=None, *, n_cols=None, scatter_kwargs=None, **kwargs):
        """Draw a map per kept epoch and the loss curve.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            None makes a new figure; one Axes is divided into the panels; an
            array gives the panels (one per epoch, then the loss).

        n_cols : int, default=None
            Panels per row (at most 4 by default).

        scatter_kwargs : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.scatter` for the data.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.pcolormesh`.

        Returns
        -------
        display : TrainingEvolutionDisplay
        """
        _check_matplotlib("TrainingEvolutionDisplay.plot")
        n = len(self.epochs)
        fig, axes, spare = _grid_axes(ax, n + 1, n_cols)
        style = self._style(kwargs)
        self.surfaces_, self.contours_ = [], []
        for i in range(n):
            surface, contour = self._draw_map(axes[i], i, style, scatter_kwargs)
            self.surfaces_.append(surface)
            self.contours_.append(contour)
        self.loss_line_, self.markers_ = self._draw_loss(axes[n])
        for panel in spare:
            panel.set_axis_off()
        self.axes_, self.figure_ = np.asarray(axes, dtype=object), fig
        return self

    def animate(self, path=None, *, interval=600, scatter_kwargs=None, **kwargs):
        """The maps as an animation, one frame per kept epoch, beside the
        loss curve with the frame's epoch marked.

        Parameters
        ----------
        path : str or path-like, default=None
            Where to save it: a ``.gif`` (written with Pillow) or ``.html``
            (a self-contained JavaScript player). None only returns it.

        interval : int, default=600
            Milliseconds per frame.

        scatter_kwargs : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.scatter`.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.pcolormesh`.

        Returns
        -------
        animation : matplotlib.animation.FuncAnimation
            Its figure is kept as ``animation_figure_``.
        """
        _check_matplotlib("TrainingEvolutionDisplay.animate")
        import matplotlib.pyplot as plt
        from matplotlib.animation import FuncAnimation, HTMLWriter, PillowWriter

        fps = 1000 / interval
        writers = {
            "gif": lambda: PillowWriter(fps=fps),
            # The frames inside the page: one file to hand out.
            "html": lambda: HTMLWriter(fps=fps, embed_frames=True),
        }
        suffix = None if path is None else str(path).rsplit(".", 1)[-1].lower()
        if path is not None and suffix not in writers:
            raise ValueError(f"path must end in .gif or .html, got {str(path)!r}.")
        fig, (panel, loss_ax) = plt.subplots(
            1, 2, figsize=(8, 3.6), layout="constrained"
        )
        style = self._style(kwargs)
        self._draw_loss(loss_ax)
        cursor = loss_ax.axvline(self.epochs[0], color="C3", linestyle=":")

        def frame(i):
            panel.clear()
            self._draw_map(panel, i, style, scatter_kwargs)
            cursor.set_xdata([max(self.epochs[i], 1)] * 2)
            return ()

        animation = FuncAnimation(
            fig, frame, frames=len(self.epochs), interval=interval, blit=False
        )
        self.animation_figure_ = fig
        if path is not None:
            animation.save(path, writer=writers[suffix]())
        return animation

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        epochs=None,
        sample_weight=None,
        grid_resolution=100,
        eps=0.5,
        ax=None,
        n_cols=None,
        scatter_kwargs=None,
        **kwargs,
    ):
        """Train a copy of ``estimator`` on 2-feature data and draw the
        boundary at chosen epochs.

        Parameters
        ----------
        estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
            The model to train; it is cloned, not changed.

        X : array-like of shape (n_samples, 2)
            Training data (2 features), also drawn over the maps.

        y : array-like of shape (n_samples,)
            Labels.

        epochs : iterable of int, default=None
            As in :func:`record_training`.

        sample_weight : array-like of shape (n_samples,), default=None
            Passed to ``fit``.

        grid_resolution : int, default=100
            Grid points along each axis.

        eps : float, default=0.5
            How far the plane extends beyond the data.

        ax, n_cols, scatter_kwargs, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : TrainingEvolutionDisplay
        """
        _check_matplotlib("TrainingEvolutionDisplay.from_estimator")
        _plane(X, 2, eps)  # 2 features, before training
        history = record_training(
            estimator, X, y, epochs=epochs, sample_weight=sample_weight
        )
        return cls.from_history(
            history,
            X,
            y,
            grid_resolution=grid_resolution,
            eps=eps,
            ax=ax,
            n_cols=n_cols,
            scatter_kwargs=scatter_kwargs,
            **kwargs,
        )

    @classmethod
    def from_history(
        cls,
        history,
        X,
        y=None,
        *,
        grid_resolution=100,
        eps=0.5,
        ax=None,
        n_cols=None,
        scatter_kwargs=None,
        **kwargs,
    ):
        """Draw a recorded run: what :func:`record_training` returned.

        Parameters
        ----------
        history : Bunch
            From :func:`record_training`.

        X : array-like of shape (n_samples, 2)
            Sets the plane's extent and is drawn over the maps.

        y : array-like of shape (n_samples,), default=None
            Labels of ``X``.

        grid_resolution, eps, ax, n_cols, scatter_kwargs, **kwargs
            As in :meth:`from_estimator`.

        Returns
        -------
        display : TrainingEvolutionDisplay
        """
        _check_matplotlib("TrainingEvolutionDisplay.from_history")
        xx0, xx1, points = _plane(X, grid_resolution, eps)
        fitted = _split(history.fitted)[1]
        binary = len(fitted.classes_) == 2 and not fitted._multilabel
        responses = np.array(
            [
                _response(m, _as_inputs(m, points)).reshape(xx0.shape)
                for m in history.estimators
            ]
        )
        display = cls(
            xx0,
            xx1,
            responses,
            history.epochs,
            list(fitted.loss_curve_),
            binary=binary,
            X=X,
            y=y,
        )
        return display.plot(
            ax=ax, n_cols=n_cols, scatter_kwargs=scatter_kwargs, **kwargs
        )


# -------------------------------------------------- learning-rate finder
def lr_range_test(
    estimator,
    X,
    y,
    *,
    sample_weight=None,
    start_lr=1e-4,
    end_lr=10.0,
    n_steps=100,
    smoothing=0.9,
    diverge_threshold=4.0,
):
    """The learning-rate range test (Smith, 2017), as numbers.

    A fresh copy of the model (its initial weights, as ``fit`` draws them)
    trains for ``n_steps`` optimizer steps, one per batch (per epoch in
    full-batch training), the learning rate growing exponentially from
    ``start_lr`` to ``end_lr``. Each step's batch loss (taken before its
    update) is smoothed by a bias-corrected exponential moving average, and
    the run stops once the smoothed loss exceeds ``diverge_threshold``
    times its minimum. The suggested lr is the one at the smoothed loss's
    minimum, divided by 10.

    Parameters
    ----------
    estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
        The model (solver ``"sgd"`` or ``"adam"``); it is cloned, not changed.

    X, y : array-like
        Training data.

    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    start_lr, end_lr : float, default=1e-4, 10.0
        The range of learning rates, swept on a log scale.

    n_steps : int, default=100
        Optimizer steps (batches) in the run.

    smoothing : float, default=0.9
        Weight of the past in the moving average, in [0, 1).

    diverge_threshold : float, default=4.0
        Stop once the smoothed loss exceeds this many times its minimum.

    Returns
    -------
    result : Bunch
        ``lrs``, ``losses`` (smoothed) and ``raw_losses``, one per step
        taken; ``suggested_lr``; ``diverged`` (whether the run stopped on
        divergence: if not, the loss was still falling at ``end_lr`` and
        the suggestion is only a lower bound) and ``rule``.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import lr_range_test
    >>> X, y = load_lab(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), NumpyMLPClassifier(3, random_state=0))
    >>> result = lr_range_test(model, X, y, n_steps=50)
    >>> len(result.lrs), result.rule
    (50, 'minimum / 10')
    """
    if not 0 < start_lr < end_lr:
        raise ValueError(
            f"Need 0 < start_lr < end_lr, got start_lr={start_lr!r}, end_lr={end_lr!r}."
        )
    if not (isinstance(n_steps, numbers.Integral) and n_steps >= 2):
        raise ValueError(f"n_steps must be an int >= 2, got {n_steps!r}.")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}.")
    if not diverge_threshold > 1:
        raise ValueError(f"diverge_threshold must be > 1, got {diverge_threshold!r}.")
    network, X = _network_inputs(clone(estimator), X, y)
    if network.solver == "lbfgs":
        raise ValueError(
            "The learning-rate finder needs a solver with a learning rate; "
            "solver='lbfgs' has none. Use solver='sgd' or 'adam'."
        )
    net, X, Y, sample_weight = _fresh_start(network, X, y, sample_weight)
    lrs, raw, smooth, diverged = _range_run(
        net,
        X,
        Y,
        sample_weight,
        start_lr,
        end_lr,
        n_steps,
        smoothing,
        diverge_threshold,
    )
    finite = np.where(np.isfinite(smooth), smooth, np.inf)
    return Bunch(
        lrs=lrs,
        losses=smooth,
        raw_losses=raw,
        suggested_lr=float(lrs[int(np.argmin(finite))] / 10),
        diverged=diverged,
        rule="minimum / 10",
    )


def _range_run(net, X, Y, sample_weight, start_lr, end_lr, n_steps, beta, diverge):
    """The range test's run from ``net``'s initial weights: the lrs used, the
    raw and the smoothed batch losses, and whether it stopped on divergence."""
    net._configure_optimizer()
    n = X.shape[0]
    batch_size = net._resolve_batch_size(n)
    batches = _Batches(n, batch_size, sample_weight)
    growth = (end_lr / start_lr) ** (1 / (n_steps - 1))
    lrs, raw, smooth = [], [], []
    average, best = 0.0, math.inf
    # The run is meant to end in divergence: numpy's overflow warnings on
    # the way are expected, and the result says that it diverged.
    with (
        np.errstate(over="ignore", invalid="ignore"),
        net._engine(net, X, Y, sample_weight, batch_size) as engine,
    ):
        while len(lrs) < n_steps:
            if net.shuffle and batches.count > 1:
                perm = net._rng.permutation(n)
                engine.order(perm)
                batches.reorder(perm)
            for (start, stop), weight in zip(
                batches.bounds, batches.weights, strict=True
            ):
                if weight <= 0 or len(lrs) == n_steps:
                    continue
                net._optimizer.lr = start_lr * growth ** len(lrs)
                loss = float(engine.step(start, stop, weight)) / weight
                lrs.append(net._optimizer.lr)
                raw.append(loss)
                average = beta * average + (1 - beta) * loss
                smooth.append(average / (1 - beta ** len(lrs)))
                if not math.isfinite(smooth[-1]) or smooth[-1] > diverge * best:
                    return np.array(lrs), np.array(raw), np.array(smooth), True
                best = min(best, smooth[-1])
    return np.array(lrs), np.array(raw), np.array(smooth), False


class LearningRateFinderDisplay:
    """The learning-rate range test (Smith, 2017): loss against lr.

    :meth:`from_estimator` trains a fresh copy of the model for one short
    run in which the learning rate grows exponentially, one step per batch
    (per epoch in full-batch training), from ``start_lr`` to ``end_lr``,
    stopping early once the loss diverges. Loss falls while lr is too small
    to matter, falls fastest in a useful range and blows up once lr is too
    large. The suggested lr is the one at the smoothed loss's minimum,
    divided by 10: safely below where training starts to diverge.

    Parameters
    ----------
    lrs : ndarray
        The learning rate of each step.

    losses : ndarray
        The batch loss at each step, smoothed (bias-corrected exponential
        moving average).

    suggested_lr : float
        The suggestion.

    raw_losses : ndarray, default=None
        The batch losses before smoothing, drawn faintly.

    diverged : bool, default=True
        Whether the run ended because the loss diverged. If not, the loss
        was still falling at the largest lr tried: the suggestion is then
        only a lower bound, and the plot says so.

    rule : str, default="minimum / 10"
        How the suggestion was made, for the legend.

    estimator_name : str, default=None
        For the title.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The smoothed loss.

    raw_line_ : matplotlib Line2D or None
        The raw loss.

    suggestion_line_ : matplotlib Line2D
        The vertical line at the suggested lr.

    ax_ : matplotlib Axes

    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.inspection import LearningRateFinderDisplay
    >>> X, y = load_lab(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), NumpyMLPClassifier(3, random_state=0))
    >>> display = LearningRateFinderDisplay.from_estimator(model, X, y, n_steps=60)
    >>> len(display.lrs), display.ax_.get_xscale()
    (60, 'log')
    """

    def __init__(
        self,
        lrs,
        losses,
        suggested_lr,
        *,
        raw_losses=None,
        diverged=True,
        rule="minimum / 10",
        estimator_name=None,
    ):
        self.lrs, self.losses = lrs, losses
        self.suggested_lr = suggested_lr
        self.raw_losses = raw_losses
        self.diverged = diverged
        self.rule = rule
        self.estimator_name = estimator_name

    def plot(self, ax=None, **kwargs):
        """Draw loss against lr on a log axis, the suggestion marked.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for the smoothed loss.

        Returns
        -------
        display : LearningRateFinderDisplay
        """
        _check_matplotlib("LearningRateFinderDisplay.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        self.raw_line_ = None
        if self.raw_losses is not None:
            (self.raw_line_,) = ax.plot(
                self.lrs, self.raw_losses, color="0.7", lw=0.8, label="batch loss"
            )
        style = {"color": "C0", "label": "smoothed loss"}
        style.update(kwargs)
        (self.line_,) = ax.plot(self.lrs, self.losses, **style)
        label = f"suggested lr = {self.suggested_lr:.3g} ({self.rule})"
        if not self.diverged:
            label += "\nno divergence up to the largest lr: a lower bound"
        self.suggestion_line_ = ax.axvline(
            self.suggested_lr, color="C3", linestyle="--", label=label
        )
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("training loss")
        finite = np.asarray(self.losses)[np.isfinite(self.losses)]
        if finite.size:
            # From the lowest loss to a little above the first: the blow-up
            # at the end would otherwise flatten the part that matters.
            low = finite.min()
            high = min(finite.max(), max(finite[0], low) * 1.25)
            pad = 0.05 * ((high - low) or abs(high) or 1.0)
            ax.set_ylim(low - pad, high + pad)
        ax.legend(fontsize=8)
        if self.estimator_name:
            ax.set_title(f"Learning-rate range test: {self.estimator_name}")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_result(cls, result, *, estimator_name=None, ax=None, **kwargs):
        """Plot what :func:`lr_range_test` returned.

        Parameters
        ----------
        result : Bunch
            From :func:`lr_range_test`.

        estimator_name : str, default=None
            For the title.

        ax : matplotlib Axes, default=None
            Axes to draw on.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LearningRateFinderDisplay
        """
        _check_matplotlib("LearningRateFinderDisplay.from_result")
        display = cls(
            result.lrs,
            result.losses,
            result.suggested_lr,
            raw_losses=result.raw_losses,
            diverged=result.diverged,
            rule=result.rule,
            estimator_name=estimator_name,
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        sample_weight=None,
        start_lr=1e-4,
        end_lr=10.0,
        n_steps=100,
        smoothing=0.9,
        diverge_threshold=4.0,
        ax=None,
        **kwargs,
    ):
        """Run the range test on a fresh copy of ``estimator`` and plot it.

        Parameters
        ----------
        estimator : NumpyMLPClassifier, TorchMLPClassifier or Pipeline
            The model (solver ``"sgd"`` or ``"adam"``); it is cloned and
            trained from its initial weights, and left unchanged.

        X, y : array-like
            Training data.

        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        start_lr, end_lr : float, default=1e-4, 10.0
            The range of learning rates, swept on a log scale.

        n_steps : int, default=100
            Optimizer steps (batches) in the run.

        smoothing : float, default=0.9
            Weight of the past in the losses' moving average, in [0, 1).

        diverge_threshold : float, default=4.0
            Stop once the smoothed loss exceeds this many times its minimum.

        ax : matplotlib Axes, default=None
            Axes to draw on.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LearningRateFinderDisplay
        """
        _check_matplotlib("LearningRateFinderDisplay.from_estimator")
        result = lr_range_test(
            estimator,
            X,
            y,
            sample_weight=sample_weight,
            start_lr=start_lr,
            end_lr=end_lr,
            n_steps=n_steps,
            smoothing=smoothing,
            diverge_threshold=diverge_threshold,
        )
        name = type(_split(estimator)[1]).__name__
        return cls.from_result(result, estimator_name=name, ax=ax, **kwargs)
