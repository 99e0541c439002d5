"""The report's figures: a result in, a matplotlib Figure out.

A figure never computes a statistic; it draws what the experiment measured,
through the package's Display classes and scikit-learn's
``DecisionBoundaryDisplay``. Every figure is at most 11 inches wide, so it
is shown at its own size (100 dpi) on the report's page and its text stays
readable. Smoke runs are stamped as such on the figure.
"""

import numpy as np

_STYLES = ("-", "--", ":", "-.")
_MARKERS = "o^sDvP*"
# The report's page is 1100 px wide and figures are saved at 100 dpi.
PAGE_WIDTH = 11.0


def _plt():
    import matplotlib.pyplot as plt

    return plt


def stamp_smoke(fig):
    """Mark a figure of a smoke run so it cannot be mistaken for a finding."""
    fig.text(
        0.5,
        0.5,
        "SMOKE RUN (--quick)\nnot for conclusions",
        ha="center",
        va="center",
        rotation=20,
        fontsize=34,
        color="red",
        alpha=0.25,
        transform=fig.transFigure,
        zorder=10,
    )
    return fig


def _finish(fig, smoke):
    return stamp_smoke(fig) if smoke else fig


def _plain_log_ticks(ax):
    """Decimal tick labels on a log axis: 0.6, not 6×10⁻¹."""
    from matplotlib.ticker import FuncFormatter

    label = FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(label)
    ax.yaxis.set_minor_formatter(label)


def _scatter_classes(ax, X, y, classes, over_regions=False):
    """One marker per class; over coloured regions, white faces and black
    edges so that no class disappears into a region of its own colour."""
    for k, (label, marker) in enumerate(zip(classes, _MARKERS, strict=False)):
        mask = y == label
        face = ("white" if k == 0 else "black") if len(classes) == 2 else "white"
        ax.scatter(
            *X[mask].T,
            s=16,
            marker=marker,
            color=face if over_regions else f"C{k}",
            edgecolor="k",
            linewidth=0.6 if over_regions else 0.3,
            alpha=0.9,
            label=f"class {label}",
        )


def _features_figure(described, zscored):
    """More than two features: their spread (raw) or their distributions
    (z-scored), one per feature."""
    plt = _plt()
    names = list(described.feature_names)
    many = len(names) > 12
    width = min(PAGE_WIDTH, max(6.0, 0.32 * len(names) + 3))
    fig, ax = plt.subplots(figsize=(width, 4.6), layout="constrained")
    if zscored:
        ax.boxplot(described.Z_train, tick_labels=names)
        ax.set_ylabel("value (z-score)")
        ax.set_title("training features, z-scored")
    else:
        # Raw values on one axis would hide every small feature: show each
        # feature's standard deviation on a log scale instead.
        ax.bar(names, described.std, color="C0")
        ax.set_yscale("log")
        _plain_log_ticks(ax)
        ax.set_ylabel("standard deviation (log scale)")
        ax.set_title("training features, raw: the spread of each")
    ax.set_xlabel("feature")
    ax.tick_params(axis="x", rotation=90 if many else 45, labelsize=8 if many else 10)
    return fig


def data_figure(described, zscored=False, smoke=False):
    """The train and test rows on the features' own axes.

    With more than two features, one bar or box per feature instead.
    """
    if len(described.feature_names) != 2:
        return _finish(_features_figure(described, zscored), smoke)
    plt = _plt()
    X_train = described.Z_train if zscored else described.X_train
    X_test = described.Z_test if zscored else described.X_test
    unit = " (z-score)" if zscored else ""
    what = "z-scored" if zscored else "raw"
    # Natural axes, shared by the two panels: the features' scales are read
    # off the tick labels, not squeezed onto one unit.
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(PAGE_WIDTH, 4.3),
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    for ax, X, y, name in (
        (axes[0], X_train, described.y_train, "training set"),
        (axes[1], X_test, described.y_test, "test set"),
    ):
        _scatter_classes(ax, X, y, described.classes)
        ax.set_title(f"{name}, {what}")
        ax.set_xlabel(described.feature_names[0] + unit)
    axes[0].set_ylabel(described.feature_names[1] + unit)
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=len(described.classes),
    )
    return _finish(fig, smoke)


def loss_figure(losses, smoke=False):
    """Training loss of each loss function, from the same initial weights."""
    from ..plotting import LossCurveDisplay

    names = {"log_loss": "cross-entropy (log_loss)", "squared_error": "squared error"}
    display = LossCurveDisplay(
        loss_curves=[run.curve for run in losses.runs.values()],
        labels=[names.get(k, k) for k in losses.runs],
    )
    _, ax = _plt().subplots(figsize=(7, 4.3), layout="constrained")
    display.plot(ax=ax, log_scale=True, title="Training loss, same initial weights")
    _plain_log_ticks(ax)
    ax.set_ylabel("training loss (log scale)")
    return _finish(display.figure_, smoke)


def boundary_figure(accuracy, described, smoke=False):
    """The numpy network's decision boundary over the train and test rows.

    None unless the data has two features.
    """
    if len(described.feature_names) != 2:
        return None
    import pandas as pd
    from sklearn.inspection import DecisionBoundaryDisplay

    plt = _plt()
    classes = described.classes
    binary = len(classes) == 2
    names = list(described.feature_names)
    X_all = pd.DataFrame(
        np.vstack([described.X_train, described.X_test]), columns=names
    )
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(PAGE_WIDTH, 4.6),
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    style = (
        {"cmap": "RdBu_r", "levels": np.linspace(0, 1, 11)}
        if binary
        else {"multiclass_colors": [f"C{i}" for i in range(len(classes))]}
    )
    for ax, X, y, name in (
        (axes[0], described.X_train, described.y_train, "training set"),
        (axes[1], described.X_test, described.y_test, "test set"),
    ):
        display = DecisionBoundaryDisplay.from_estimator(
            accuracy.model,
            X_all,
            response_method="predict_proba" if binary else "predict",
            plot_method="contourf",
            grid_resolution=200,
            alpha=0.7,
            ax=ax,
            xlabel=names[0],
            ylabel=names[1],
            **style,
        )
        _scatter_classes(ax, X, y, classes, over_regions=True)
        ax.set_title(name)
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=len(classes),
    )
    if binary:
        fig.colorbar(display.surface_, ax=axes, label=f"P(class {classes[1]})")
    return _finish(fig, smoke)


def _momentum_row(axes, momentum, log):
    from ..plotting import LossCurveDisplay

    for ax, kind in zip(axes, momentum.kinds, strict=True):
        display = LossCurveDisplay(
            loss_curves=[momentum.curves[kind, b] for b in momentum.betas]
        ).plot(ax=ax, log_scale=log)
        for line, beta, style in zip(
            display.lines_, momentum.betas, _STYLES * 2, strict=False
        ):
            line.set(label=f"β = {beta}", linestyle=style, linewidth=1.5)
        ax.axhline(momentum.target, color="grey", linewidth=0.8, linestyle=":")
        # Log epochs: a constant-factor speed-up is a sideways shift.
        ax.set_xscale("log")
        ax.set_xlabel("epoch (log scale)")
        ax.set_ylabel("")
        if log:
            _plain_log_ticks(ax)
    return display.lines_


def momentum_figure(momentum, smoke=False):
    """Loss curves of each momentum rule, one column per rule, rows sharing
    one y axis: the whole range above, the first part of the fall below."""
    plt = _plt()
    n = len(momentum.kinds)
    fig, axes = plt.subplots(
        2,
        n,
        figsize=(PAGE_WIDTH, 7.2),
        sharex=True,
        sharey="row",
        layout="constrained",
        squeeze=False,
    )
    lines = _momentum_row(axes[0], momentum, log=True)
    _momentum_row(axes[1], momentum, log=False)
    for ax, kind in zip(axes[0], momentum.kinds, strict=True):
        ax.set_title(f"{kind} momentum, lr = {momentum.lr}")
    axes[0][0].set_ylabel("training loss (log scale)")
    # Below: zoomed on the runs at β ≤ 0.9, which the fastest run's fall
    # squeezes into a line above.
    kept = [
        momentum.curves[k, b]
        for k in momentum.kinds
        for b in momentum.betas
        if b <= 0.9
    ]
    low, high = min(c.min() for c in kept), max(c.max() for c in kept)
    pad = 0.05 * (high - low or high)
    axes[1][0].set_ylim(low - pad, high + pad)
    axes[1][0].set_ylabel("training loss, runs at β ≤ 0.9")
    fig.legend(handles=lines, loc="outside lower center", ncols=len(momentum.betas))
    return _finish(fig, smoke)


def _lr_finder_panel(ax, search, finder):
    """The range test beside the grid: the grid's lrs as ticks, its pick bold."""
    from ..inspection import LearningRateFinderDisplay

    LearningRateFinderDisplay.from_result(finder, ax=ax)
    for lr in search.lr_values:
        picked = lr == search.pick[1]
        ax.axvline(
            lr,
            color="k",
            linewidth=1.6 if picked else 0.6,
            linestyle="-" if picked else ":",
        )
    ax.set_title("learning-rate range test; grid lrs dotted, pick solid", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")


def search_figure(search, smoke=False, lr_finder=None):
    """The grid's heat map above its loss curves, one panel per hidden size;
    beside the heat map, the learning-rate range test if given.

    Colour and line style both mark the learning rate, so curves that lie on
    top of each other can still be told apart.
    """
    from ..plotting import GridSearchDisplay, LossCurveDisplay

    plt = _plt()
    fig = plt.figure(figsize=(PAGE_WIDTH, 8.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(1, 1.1))
    if lr_finder is None:
        side, middle, _ = top.subplots(1, 3, width_ratios=(1, 2.2, 1))
        side.axis("off")
        _.axis("off")
    else:
        middle, right = top.subplots(1, 2, width_ratios=(1.2, 1))
        _lr_finder_panel(right, search, lr_finder)
    GridSearchDisplay(
        scores=search.mean,
        hidden_values=list(search.hidden_values),
        lr_values=list(search.lr_values),
    ).plot(ax=middle)
    axes = bottom.subplots(
        1, len(search.hidden_values), sharex=True, sharey=True, squeeze=False
    )[0]
    for ax, hidden in zip(axes, search.hidden_values, strict=True):
        drawn = [
            (lr, search.curves.get((hidden, lr)))
            for lr in search.lr_values
            if search.curves.get((hidden, lr)) is not None
        ]
        display = LossCurveDisplay(loss_curves=[c for _, c in drawn]).plot(
            ax=ax, log_scale=True, title=f"hidden = {hidden}"
        )
        for line, (lr, _c) in zip(display.lines_, drawn, strict=True):
            k = search.lr_values.index(lr)
            line.set(
                color=f"C{k}",
                linestyle=_STYLES[k % 4],
                linewidth=1.6,
                label=f"lr = {lr}",
            )
        _plain_log_ticks(ax)
        ax.set_ylabel("training loss (log scale)" if ax is axes[0] else "")
    handles = [
        plt.Line2D([], [], color=f"C{k}", linestyle=_STYLES[k % 4], label=f"lr = {lr}")
        for k, lr in enumerate(search.lr_values)
    ]
    bottom.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    fig.suptitle(f"{search.backend} backend")
    return _finish(fig, smoke)


def _label_panels(axes, names):
    for ax in axes:
        ax.set_xlabel(names[0], fontsize=8)
        ax.set_ylabel(names[1], fontsize=8)


def hidden_units_figure(inside, described, smoke=False):
    """Each hidden unit's activation over the input plane, training rows on
    top. None unless the data has two features."""
    if len(described.feature_names) != 2:
        return None
    from ..inspection import HiddenUnitsDisplay

    units = inside.model[-1].coefs_[0].shape[1]
    display = HiddenUnitsDisplay.from_estimator(
        inside.model,
        described.X_train,
        described.y_train,
        grid_resolution=120,
        n_cols=min(units, 4),
        eps=0.05 * float(np.ptp(described.X_train, axis=0).min()),
        scatter_kwargs={"s": 9},
    )
    _label_panels(display.axes_, described.feature_names)
    display.figure_.set_size_inches(min(PAGE_WIDTH, 3.4 * min(units, 4) + 1), 3.4)
    return _finish(display.figure_, smoke)


def _history(inside):
    from sklearn.utils import Bunch

    return Bunch(
        epochs=list(inside.epochs),
        estimators=list(inside.snapshots),
        losses=list(inside.snapshot_losses),
        fitted=inside.model,
    )


def evolution_figure(inside, described, smoke=False):
    """The boundary at the recorded epochs and the loss curve, as small
    multiples. None unless the data has two features."""
    if len(described.feature_names) != 2:
        return None
    from ..inspection import TrainingEvolutionDisplay

    display = TrainingEvolutionDisplay.from_history(
        _history(inside),
        described.X_train,
        described.y_train,
        grid_resolution=100,
        eps=0.05 * float(np.ptp(described.X_train, axis=0).min()),
        scatter_kwargs={"s": 7},
    )
    for ax, accuracy in zip(display.axes_, inside.snapshot_accuracy, strict=False):
        ax.set_title(f"{ax.get_title()}: training accuracy {accuracy:.3f}", fontsize=8)
    _label_panels(display.axes_[:-1], described.feature_names)
    rows = -(-len(display.axes_) // 4)
    display.figure_.set_size_inches(PAGE_WIDTH, 2.7 * rows)
    return _finish(display.figure_, smoke)


def evolution_animation(inside, described, path):
    """The boundary over the epochs as a GIF at ``path``; False if the data
    has not two features (nothing is written)."""
    if len(described.feature_names) != 2:
        return False
    from ..inspection import TrainingEvolutionDisplay

    plt = _plt()
    display = TrainingEvolutionDisplay.from_history(
        _history(inside),
        described.X_train,
        described.y_train,
        grid_resolution=80,
        eps=0.05 * float(np.ptp(described.X_train, axis=0).min()),
    )
    plt.close(display.figure_)
    display.animate(path, interval=700, scatter_kwargs={"s": 9})
    plt.close(display.animation_figure_)
    return True
