"""layer_outputs and HiddenUnitsDisplay: what each layer computes."""

import numbers

import numpy as np

from .._functions import ACTIVATIONS, OUT_ACTIVATIONS
from ..plotting import _check_matplotlib_support as _check_matplotlib
from ._common import (
    _as_inputs,
    _grid_axes,
    _is_fitted,
    _network_inputs,
    _plane,
    _scatter,
    _split,
)


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
