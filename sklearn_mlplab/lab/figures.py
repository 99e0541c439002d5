"""The report's figures: a result in, a matplotlib Figure out.

A figure never computes a statistic; it draws what the experiment measured,
through the package's Display classes and scikit-learn's
``DecisionBoundaryDisplay``. Smoke runs are stamped as such on the figure.
"""

import numpy as np

_STYLES = ("-", "--", ":", "-.")
_MARKERS = "o^sDvP*"


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


def _scatter_classes(ax, X, y, classes):
    for k, (label, marker) in enumerate(zip(classes, _MARKERS, strict=False)):
        mask = y == label
        ax.scatter(
            *X[mask].T,
            s=14,
            marker=marker,
            color=f"C{k}",
            edgecolor="k",
            linewidth=0.3,
            alpha=0.8,
            label=f"class {label}",
        )


def data_figure(described, zscored=False, smoke=False):
    """The train and test rows on the features' own axes.

    With more than two features, a box plot of each feature instead.
    """
    plt = _plt()
    X_train = described.Z_train if zscored else described.X_train
    X_test = described.Z_test if zscored else described.X_test
    unit = " (z-score)" if zscored else ""
    what = "z-scored" if zscored else "raw"
    if X_train.shape[1] != 2:
        fig, ax = plt.subplots(
            figsize=(max(6, 0.6 * X_train.shape[1] + 3), 4.5), layout="constrained"
        )
        ax.boxplot(X_train, tick_labels=list(described.feature_names))
        ax.set_xlabel("feature")
        ax.set_ylabel("value" + unit)
        ax.set_title(f"training features, {what}")
        ax.tick_params(axis="x", rotation=45)
        return _finish(fig, smoke)
    # Natural axes, shared by the two panels: the features' scales are read
    # off the tick labels, not squeezed onto one unit.
    fig, axes = plt.subplots(
        1, 2, figsize=(11, 4.3), sharex=True, sharey=True, layout="constrained"
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
        1, 2, figsize=(12, 4.8), sharex=True, sharey=True, layout="constrained"
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
        _scatter_classes(ax, X, y, classes)
        ax.set_title(name)
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=len(classes),
    )
    if binary:
        fig.colorbar(display.surface_, ax=axes, label=f"P(class {classes[1]})")
    return _finish(fig, smoke)


def momentum_figure(momentum, smoke=False):
    """Loss curves of each momentum rule, one panel per rule, on one y axis."""
    from ..plotting import LossCurveDisplay

    plt = _plt()
    fig, axes = plt.subplots(
        1,
        len(momentum.kinds),
        figsize=(5 * len(momentum.kinds), 4.5),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, kind in zip(axes[0], momentum.kinds, strict=True):
        display = LossCurveDisplay(
            loss_curves=[momentum.curves[kind, b] for b in momentum.betas]
        ).plot(ax=ax, log_scale=True, title=f"{kind} momentum, lr = {momentum.lr}")
        for line, beta, style in zip(
            display.lines_, momentum.betas, _STYLES * 2, strict=False
        ):
            line.set_label(f"β = {beta}")
            line.set_linestyle(style)
        ax.axhline(momentum.target, color="grey", linewidth=0.8, linestyle=":")
        # Log epochs: a constant-factor speed-up is a sideways shift.
        ax.set_xscale("log")
        ax.set_xlabel("epoch (log scale)")
        ax.set_ylabel("training loss (log scale)" if ax is axes[0][0] else "")
    fig.legend(
        handles=display.lines_, loc="outside lower center", ncols=len(momentum.betas)
    )
    return _finish(fig, smoke)


def search_figure(search, smoke=False):
    """The grid's heat map beside its loss curves, one panel per hidden size.

    Colour and line style both mark the learning rate, so curves that lie on
    top of each other can still be told apart.
    """
    from ..plotting import GridSearchDisplay, LossCurveDisplay

    plt = _plt()
    fig = plt.figure(figsize=(15, 4.6), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=(1, 2.3))
    GridSearchDisplay(
        scores=search.mean,
        hidden_values=list(search.hidden_values),
        lr_values=list(search.lr_values),
    ).plot(ax=left.subplots())
    axes = right.subplots(
        1, len(search.hidden_values), sharex=True, sharey=True, squeeze=False
    )[0]
    for ax, hidden in zip(axes, search.hidden_values, strict=True):
        pairs = [(lr, search.curves.get((hidden, lr))) for lr in search.lr_values]
        drawn = [(lr, c) for lr, c in pairs if c is not None]
        display = LossCurveDisplay(loss_curves=[c for _, c in drawn]).plot(
            ax=ax, log_scale=True, title=f"hidden = {hidden}"
        )
        for line, (lr, _) in zip(display.lines_, drawn, strict=True):
            k = search.lr_values.index(lr)
            line.set(
                color=f"C{k}",
                linestyle=_STYLES[k % 4],
                linewidth=1.6,
                label=f"lr = {lr}",
            )
        ax.set_ylabel("training loss (log scale)" if ax is axes[0] else "")
    handles = [
        plt.Line2D([], [], color=f"C{k}", linestyle=_STYLES[k % 4], label=f"lr = {lr}")
        for k, lr in enumerate(search.lr_values)
    ]
    right.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    fig.suptitle(f"{search.backend} backend")
    return _finish(fig, smoke)
