"""Plots in scikit-learn's Display convention.

Each display is built with a ``from_*`` class method (or directly from the
numbers) and drawn with :meth:`plot`, which stores the matplotlib artists as
attributes: ``ax_``, ``figure_`` and the lines or cells drawn. matplotlib is
imported inside :meth:`plot`, so importing this module does not import it.
Decision boundaries are scikit-learn's
:class:`~sklearn.inspection.DecisionBoundaryDisplay`.
"""

import warnings
from itertools import cycle

import numpy as np
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

_LINESTYLES = ("-", "--", ":", "-.")


def _check_matplotlib_support(caller):
    """Raise an ImportError naming ``caller`` and the cure if matplotlib is
    missing (scikit-learn's check of the same name is private)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib, which is not installed. Install it "
            "with pip install matplotlib, or pip install 'sklearn-mlplab[plot]'."
        ) from exc


def _final_estimator(estimator):
    """The last step of a pipeline, or the estimator itself."""
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _default_labels(estimators):
    """Label each estimator by its class and the parameters that differ."""
    names = [type(e).__name__ for e in estimators]
    if len(estimators) == 1:
        return names
    params = [e.get_params(deep=False) for e in estimators]
    common = set.intersection(*(set(p) for p in params))
    keys = [
        k
        for k in sorted(common)
        if any(repr(p[k]) != repr(params[0][k]) for p in params)
    ]
    labels = []
    for i, (name, p) in enumerate(zip(names, params, strict=False)):
        parts = [name] if len(set(names)) > 1 else []
        parts += [f"{k}={p[k]!r}" for k in keys]
        labels.append(", ".join(parts) or f"{name} {i}")
    return labels


def _check_axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    return ax


class LossCurveDisplay:
    """Training loss per epoch of one or several fitted networks.

    Build it with :meth:`from_estimator`; the constructor takes the numbers
    themselves.

    Parameters
    ----------
    loss_curves : list of array-like
        One training-loss curve per network, a value per epoch.

    labels : list of str, default=None
        Legend label of each curve. None draws no legend.

    validation_scores : list of (array-like or None), default=None
        Validation score per epoch of each network (``early_stopping``),
        drawn dashed on a second y axis; None where a network has none.

    validation_loss_curves : list of (array-like or None), default=None
        Validation loss per epoch of each network (``early_stopping``),
        drawn dotted on the loss axes; None where a network has none.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The loss curves.

    validation_lines_ : list of matplotlib Line2D
        The validation-score curves, if any.

    validation_loss_lines_ : list of matplotlib Line2D
        The validation-loss curves, if any.

    ax_ : matplotlib Axes
        Axes with the loss curves.

    ax_validation_ : matplotlib Axes or None
        Second y axis with the validation scores, if any.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    GridSearchDisplay : Scores and loss curves of a hidden x lr grid search.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_mlplab import LossCurveDisplay, NumpyMLPClassifier
    >>> X, y = make_moons(n_samples=100, random_state=0)
    >>> nets = [
    ...     NumpyMLPClassifier(lr=lr, max_iter=30, random_state=0).fit(X, y)
    ...     for lr in (0.5, 0.05)
    ... ]
    >>> display = LossCurveDisplay.from_estimator(nets, log_scale=True)
    >>> [line.get_label() for line in display.lines_]
    ['lr=0.5', 'lr=0.05']
    """

    def __init__(
        self,
        *,
        loss_curves,
        labels=None,
        validation_scores=None,
        validation_loss_curves=None,
    ):
        self.loss_curves = loss_curves
        self.labels = labels
        self.validation_scores = validation_scores
        self.validation_loss_curves = validation_loss_curves

    def plot(self, ax=None, *, log_scale=False, title=None, **kwargs):
        """Draw the curves.

        The loss curves are drawn against the epoch, from 1. Validation
        losses are drawn dotted on the same axes, and validation scores
        dashed on a second y axis, each in the colour of its network's loss
        curve; both end at its last epoch (a warm-started fit's validation
        covers its last fit only).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure of matplotlib's default
            size with constrained layout.

        log_scale : bool, default=False
            Logarithmic loss axis.

        title : str, default=None
            Title of the axes.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every loss curve
            (``linewidth``, ``alpha``, ...).

        Returns
        -------
        display : LossCurveDisplay
            The display, with the drawn artists stored.
        """
        _check_matplotlib_support("LossCurveDisplay.plot")
        labels = self.labels or [None] * len(self.loss_curves)
        if len(labels) != len(self.loss_curves):
            raise ValueError(
                f"labels has {len(labels)} entries for {len(self.loss_curves)} "
                "loss curves."
            )
        scores = self._per_curve(self.validation_scores, "validation_scores")
        val_losses = self._per_curve(
            self.validation_loss_curves, "validation_loss_curves"
        )
        ax = _check_axes(ax)
        self.lines_ = []
        for curve, label in zip(self.loss_curves, labels, strict=False):
            curve = np.asarray(curve, dtype=float)
            (line,) = ax.plot(
                np.arange(1, len(curve) + 1), curve, **{"label": label, **kwargs}
            )
            self.lines_.append(line)
        self.validation_loss_lines_ = self._companions(
            ax, val_losses, labels, ":", "validation loss"
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss" if self.validation_loss_lines_ else "training loss")
        if log_scale:
            ax.set_yscale("log")
        if title is not None:
            ax.set_title(title)

        self.validation_lines_ = []
        self.ax_validation_ = None
        if any(s is not None for s in scores):
            self.ax_validation_ = ax.twinx()
            self.validation_lines_ = self._companions(
                self.ax_validation_, scores, labels, "--", "validation"
            )
            self.ax_validation_.set_ylabel("validation score")
        if self.labels:
            handles = self.lines_ + self.validation_loss_lines_ + self.validation_lines_
            ax.legend(handles=handles, labels=[h.get_label() for h in handles])
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _companions(self, ax, values, labels, linestyle, suffix):
        """Draw each network's validation curve (None: none) on ``ax``, in
        the colour of its loss curve, ending at its last epoch."""
        lines = []
        for v, line, label in zip(values, self.lines_, labels, strict=True):
            if v is None:
                continue
            (vline,) = ax.plot(
                self._epochs(v, line),
                v,
                linestyle=linestyle,
                color=line.get_color(),
                label=None if label is None else f"{label} ({suffix})",
            )
            lines.append(vline)
        return lines

    def _per_curve(self, values, name):
        values = values or [None] * len(self.loss_curves)
        if len(values) != len(self.loss_curves):
            raise ValueError(
                f"{name} has {len(values)} entries for {len(self.loss_curves)} "
                "loss curves; give one per curve, None where a network has none."
            )
        return values

    @staticmethod
    def _epochs(values, line):
        """The epochs of a validation curve: the last ones of its network's."""
        last = len(line.get_xdata())
        return np.arange(last - len(values) + 1, last + 1)

    @classmethod
    def from_estimator(
        cls, estimator, *, labels=None, log_scale=False, ax=None, title=None, **kwargs
    ):
        """Plot the loss curves of fitted networks.

        Parameters
        ----------
        estimator : estimator or list of estimators
            Fitted networks (or pipelines ending in one) with a
            ``loss_curve_`` attribute.

        labels : list of str, default=None
            Legend label of each network. None labels them by the parameters
            that differ between them (or by class name for a single one).

        log_scale : bool, default=False
            Logarithmic loss axis.

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        title : str, default=None
            Title of the axes.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every loss curve.

        Returns
        -------
        display : LossCurveDisplay
            The drawn display.
        """
        _check_matplotlib_support("LossCurveDisplay.from_estimator")
        estimators = estimator if isinstance(estimator, list | tuple) else [estimator]
        finals = [_final_estimator(e) for e in estimators]
        for e in finals:
            if not hasattr(e, "loss_curve_"):
                raise ValueError(
                    f"{type(e).__name__} has no loss_curve_: pass fitted networks."
                )
        if labels is None:
            labels = _default_labels(finals)
        display = cls(
            loss_curves=[e.loss_curve_ for e in finals],
            labels=list(labels),
            validation_scores=[getattr(e, "validation_scores_", None) for e in finals],
            validation_loss_curves=[
                getattr(e, "validation_loss_curve_", None) for e in finals
            ],
        )
        return display.plot(ax=ax, log_scale=log_scale, title=title, **kwargs)


def _param_key(names, wanted):
    """The key of ``names`` that is ``wanted`` or ends in ``__wanted``."""
    matches = [k for k in names if k == wanted or k.endswith("__" + wanted)]
    if len(matches) != 1:
        raise ValueError(
            f"The search must vary exactly one parameter named {wanted!r} (or "
            f"'<step>__{wanted}'); its parameters are {sorted(names)}."
        )
    return matches[0]


def _unique(values):
    """Distinct values in order of first appearance."""
    out = []
    for v in values:
        if not any(repr(v) == repr(o) for o in out):
            out.append(v)
    return out


def _fit_curve(estimator, params, X, y):
    from ._base import NonFiniteError

    est = clone(estimator).set_params(**params)
    try:
        est.fit(X, y)
    except NonFiniteError:
        return None
    return list(_final_estimator(est).loss_curve_)


class GridSearchDisplay:
    """Mean cross-validated score of a hidden x lr grid, and its loss curves.

    A heat map with one cell per (hidden, lr) pair and, when loss curves are
    given, a second axes with the training loss of every pair, as in the
    lab's comparison of hidden sizes and learning rates. Build it with
    :meth:`from_search`; the constructor takes the numbers themselves.

    Parameters
    ----------
    scores : ndarray of shape (n_hidden, n_lr)
        Mean cross-validated score of each pair; NaN where the pair was not
        tried or failed.

    hidden_values : list
        The values of ``hidden``, one per row.

    lr_values : list
        The values of ``lr``, one per column.

    loss_curves : dict, default=None
        ``{(hidden, lr): loss_curve}``; a curve of None marks a run that
        diverged.

    score_name : str, default="mean CV accuracy"
        What the scores are, for the colour bar.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heat map.

    text_ : ndarray of shape (n_hidden, n_lr) of matplotlib Text
        The score written in each cell.

    colorbar_ : matplotlib Colorbar
        The heat map's colour bar.

    lines_ : dict
        ``{(hidden, lr): Line2D}``, the loss curves drawn.

    ax_ : matplotlib Axes
        Axes with the heat map.

    ax_curves_ : matplotlib Axes or None
        Axes with the loss curves, if any.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    LossCurveDisplay : Loss curves of fitted networks.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_moons
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_mlplab import GridSearchDisplay, NumpyMLPClassifier
    >>> X, y = make_moons(n_samples=60, random_state=0)
    >>> search = GridSearchCV(
    ...     NumpyMLPClassifier(max_iter=20, random_state=0),
    ...     {"hidden": [3, 6], "lr": [0.5, 0.1, 0.01]},
    ...     cv=2,
    ... ).fit(X, y)
    >>> display = GridSearchDisplay.from_search(search, X, y)
    >>> display.text_.shape, len(display.lines_)
    ((2, 3), 6)
    """

    def __init__(
        self,
        *,
        scores,
        hidden_values,
        lr_values,
        loss_curves=None,
        score_name="mean CV accuracy",
    ):
        self.scores = scores
        self.hidden_values = hidden_values
        self.lr_values = lr_values
        self.loss_curves = loss_curves
        self.score_name = score_name

    def plot(self, ax=None, *, ax_curves=None, cmap="viridis", log_scale=True):
        """Draw the heat map and, if there are loss curves, the curves.

        Each cell shows its score to three decimals, in black on cells above
        the middle of the range of scores and in white at or below it (a
        missing score reads "n/a", in black); the best score is in bold.
        Each loss curve takes its colour from its ``lr`` and its line style
        from its ``hidden`` (solid for a ``hidden`` outside the grid), and
        the legend has a column per ``hidden`` value.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes for the heat map. None makes a new figure with constrained
            layout: 13 x 5 inches with the heat map on the left and, 1.4
            times as wide, the loss curves on the right when there are any
            curves; 6 x 4.5 inches with the heat map alone when there are
            none.

        ax_curves : matplotlib Axes, default=None
            Axes for the loss curves when ``ax`` is given; None then draws
            only the heat map.

        cmap : str or Colormap, default="viridis"
            Colour map of the heat map.

        log_scale : bool, default=True
            Logarithmic loss axis for the curves.

        Returns
        -------
        display : GridSearchDisplay
            The display, with the drawn artists stored.
        """
        _check_matplotlib_support("GridSearchDisplay.plot")
        import matplotlib.pyplot as plt

        curves = self.loss_curves or {}
        if ax is None:
            if curves:
                fig, (ax, ax_curves) = plt.subplots(
                    1, 2, figsize=(13, 5), width_ratios=(1, 1.4), layout="constrained"
                )
            else:
                fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
        scores = np.asarray(self.scores, dtype=float)
        n_rows, n_cols = len(self.hidden_values), len(self.lr_values)
        if scores.shape != (n_rows, n_cols):
            raise ValueError(
                f"scores has shape {scores.shape}, expected ({n_rows}, {n_cols}) "
                "for the hidden and lr values."
            )
        self.im_ = ax.imshow(scores, cmap=cmap, aspect="auto")
        self.colorbar_ = ax.figure.colorbar(self.im_, ax=ax, label=self.score_name)
        finite = scores[np.isfinite(scores)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        best = np.nanargmax(scores) if finite.size else None
        self.text_ = np.empty((n_rows, n_cols), dtype=object)
        for i in range(n_rows):
            for j in range(n_cols):
                s = scores[i, j]
                self.text_[i, j] = ax.text(
                    j,
                    i,
                    "n/a" if np.isnan(s) else f"{s:.3f}",
                    ha="center",
                    va="center",
                    color="black" if np.isnan(s) or s > middle else "white",
                    fontweight="bold" if best == i * n_cols + j else "normal",
                )
        ax.set_xticks(range(n_cols), [str(v) for v in self.lr_values])
        ax.set_yticks(range(n_rows), [str(v) for v in self.hidden_values])
        ax.set_xlabel("lr")
        ax.set_ylabel("hidden")

        self.lines_ = {}
        self.ax_curves_ = None
        if curves and ax_curves is not None:
            colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
            color_of = dict(zip(map(repr, self.lr_values), cycle(colors)))
            style_of = dict(zip(map(repr, self.hidden_values), cycle(_LINESTYLES)))
            for (hidden, lr), curve in curves.items():
                if curve is None:
                    continue
                (line,) = ax_curves.plot(
                    np.arange(1, len(curve) + 1),
                    curve,
                    color=color_of.get(repr(lr)),
                    linestyle=style_of.get(repr(hidden), "-"),
                    label=f"hidden={hidden}, lr={lr}",
                )
                self.lines_[hidden, lr] = line
            if log_scale:
                ax_curves.set_yscale("log")
            ax_curves.set_xlabel("epoch")
            ax_curves.set_ylabel("training loss (full training set)")
            ax_curves.legend(fontsize="x-small", ncols=len(self.hidden_values))
            self.ax_curves_ = ax_curves
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_search(
        cls,
        search,
        X=None,
        y=None,
        *,
        hidden="hidden",
        lr="lr",
        loss_curves=None,
        n_jobs=None,
        ax=None,
        ax_curves=None,
        cmap="viridis",
        log_scale=True,
    ):
        """Plot a fitted hidden x lr search.

        ``GridSearchCV`` keeps the scores but not the networks, so the loss
        curves come either from ``loss_curves`` or from refitting a clone of
        ``search.estimator`` with each pair of values on ``X, y``.

        Parameters
        ----------
        search : GridSearchCV
            A fitted search whose ``cv_results_`` vary ``hidden`` and ``lr``
            (also as ``<step>__hidden`` in a pipeline) and nothing else.

        X : array-like of shape (n_samples, n_features), default=None
            Data to refit each pair on for its loss curve; None draws no
            curves unless ``loss_curves`` is given.

        y : array-like of shape (n_samples,), default=None
            Targets for ``X``.

        hidden, lr : str, default="hidden", "lr"
            Names of the two parameters, without any pipeline prefix.

        loss_curves : dict, default=None
            ``{(hidden, lr): loss_curve or fitted estimator}`` to draw instead
            of refitting.

        n_jobs : int, default=None
            Parallel jobs for the refits.

        ax, ax_curves, cmap, log_scale
            Passed to :meth:`plot`.

        Returns
        -------
        display : GridSearchDisplay
            The drawn display.
        """
        _check_matplotlib_support("GridSearchDisplay.from_search")
        results = search.cv_results_
        params = results["params"]
        names = set().union(*(p.keys() for p in params))
        hidden_key, lr_key = _param_key(names, hidden), _param_key(names, lr)
        others = names - {hidden_key, lr_key}
        for other in others:
            if len(_unique(p.get(other) for p in params)) > 1:
                raise ValueError(
                    f"The search also varies {other!r}; the display needs a search "
                    f"over {hidden!r} and {lr!r} only."
                )
        hidden_values = _unique(p[hidden_key] for p in params)
        lr_values = _unique(p[lr_key] for p in params)
        scores = np.full((len(hidden_values), len(lr_values)), np.nan)
        index_h = {repr(v): i for i, v in enumerate(hidden_values)}
        index_l = {repr(v): j for j, v in enumerate(lr_values)}
        for p, s in zip(params, results["mean_test_score"], strict=False):
            scores[index_h[repr(p[hidden_key])], index_l[repr(p[lr_key])]] = s

        if loss_curves is not None:
            curves = {
                key: getattr(_final_estimator(v), "loss_curve_", v)
                for key, v in loss_curves.items()
            }
        elif X is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = Parallel(n_jobs=n_jobs)(
                    delayed(_fit_curve)(search.estimator, p, X, y) for p in params
                )
            curves = {
                (p[hidden_key], p[lr_key]): c
                for p, c in zip(params, fitted, strict=False)
            }
        else:
            curves = None
        display = cls(
            scores=scores,
            hidden_values=hidden_values,
            lr_values=lr_values,
            loss_curves=curves,
        )
        return display.plot(ax=ax, ax_curves=ax_curves, cmap=cmap, log_scale=log_scale)
