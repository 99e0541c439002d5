"""lr_range_test and LearningRateFinderDisplay: the learning-rate range
test (Smith, 2017)."""

import math
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch

from .._base import _Batches
from ..plotting import _check_matplotlib_support as _check_matplotlib
from ._common import (
    _fresh_start,
    _network_inputs,
    _split,
)


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
