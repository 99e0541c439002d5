"""TrainingSnapshots, record_training and TrainingEvolutionDisplay: the
model as it stood at chosen epochs."""

import copy
import math

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.utils import Bunch

from .._base import CALLBACKS_AVAILABLE
from ..plotting import _check_matplotlib_support as _check_matplotlib
from ._common import (
    _as_inputs,
    _grid_axes,
    _plane,
    _scatter,
    _split,
)


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
    two classes, the predicted class's index for more, a regressor's
    prediction (of its first target)."""
    if is_regressor(model):
        predicted = model.predict(points)
        return predicted if predicted.ndim == 1 else predicted[:, 0]
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
        Whether ``responses`` are probabilities (else class indices, or a
        regressor's predictions).

    regression : bool, default=False
        Whether ``responses`` are a regressor's predictions, drawn on a
        continuous colour scale shared by the epochs.

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
        self,
        xx0,
        xx1,
        responses,
        epochs,
        loss_curve,
        *,
        binary=True,
        regression=False,
        X=None,
        y=None,
    ):
        self.xx0, self.xx1 = xx0, xx1
        self.responses = responses
        self.epochs = list(epochs)
        self.loss_curve = loss_curve
        self.binary = binary and not regression
        self.regression = regression
        self.X, self.y = X, y

    def _style(self, kwargs):
        if self.regression:
            values = np.asarray(self.responses)
            style = {"cmap": "viridis", "vmin": values.min(), "vmax": values.max()}
        elif self.binary:
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
        regression = is_regressor(fitted)
        binary = not regression and len(fitted.classes_) == 2 and not fitted._multilabel
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
            regression=regression,
            X=X,
            y=y,
        )
        return display.plot(
            ax=ax, n_cols=n_cols, scatter_kwargs=scatter_kwargs, **kwargs
        )
