"""What the inspection tools share: the network inside a pipeline, its
inputs, a fresh start as ``fit`` makes it, and the grid of panels."""

import math

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from .._base import BaseMLP


def _split(estimator):
    """(earlier pipeline steps or None, the network) of ``estimator``."""
    steps = getattr(estimator, "steps", None)
    network = steps[-1][1] if steps else estimator
    if not isinstance(network, BaseMLP):
        raise TypeError(
            "Expected one of sklearn-mlplab's networks (NumpyMLPClassifier, "
            "TorchMLPClassifier, NumpyMLPRegressor, TorchMLPRegressor), or a "
            f"Pipeline ending in one; got {type(network).__name__}."
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
    if y is not None and type_of_target(y) in ("continuous", "continuous-multioutput"):
        # A regressor's targets: their value, on the maps' colour scale.
        y = np.asarray(y, dtype=float)
        kwargs.update(c=y if y.ndim == 1 else y[:, 0], cmap="viridis")
    elif y is not None:
        # Two classes in white and black, which no map colour hides.
        _, codes = np.unique(y, return_inverse=True)
        two = ListedColormap(["white", "black"])
        kwargs.update(c=codes, cmap=two if codes.max() < 2 else "tab10")
    else:
        kwargs.update(c="white")
    kwargs.update(scatter_kwargs or {})
    X = np.asarray(X, dtype=float)
    return ax.scatter(X[:, 0], X[:, 1], **kwargs)
