"""The whole study: every experiment, in order, into one :class:`Study`.

The order is the lab's: data, loss functions, accuracy of both backends,
momentum, and the hidden x lr search on each backend; then a look inside
the network (its gradient checked, its training recorded, the learning-rate
range test).
"""

import time
import warnings
from dataclasses import dataclass

from . import experiments
from .config import BACKENDS


@dataclass(frozen=True)
class Study:
    """Every result of one run of the lab, and how it was run.

    Made by :func:`run_study`; :func:`write_report` turns it into the report.

    Parameters
    ----------
    config : LabConfig
        The settings of the run.
    data : LabData
        The train and test sets.
    seed : int
        Random state of every network and of the CV splits.
    backends : tuple of str
        The backends trained.
    described : DataResult
        What the data looks like, raw and z-scored.
    losses : LossResult
        Cross-entropy against squared error.
    accuracy : AccuracyResult
        The network on each backend beside a linear baseline.
    momentum : MomentumResult
        The momentum sweep.
    searches : tuple of SearchResult
        The hidden x lr search, one per backend.
    inside : InsideResult
        The gradient checks, the recorded training and the learning-rate
        range test.
    batched : bool
        Whether the searches ran stacked (``BatchedGridSearchCV``).
    n_jobs : int
        Parallel jobs of the searches.
    seconds : float
        Wall-clock time of the run.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from sklearn_mlplab.lab import QUICK, load_bundled, run_study
    >>> tiny = replace(QUICK, epochs=20, momentum_epochs=20, search_epochs=10)
    >>> study = run_study(load_bundled(), tiny, backends=("numpy",))
    >>> study.losses.epochs, study.accuracy.shape, study.searches[0].cv
    (20, '2-3-1', 3)
    """

    config: object
    data: object
    seed: int
    backends: tuple
    described: experiments.DataResult
    losses: experiments.LossResult
    accuracy: experiments.AccuracyResult
    momentum: experiments.MomentumResult
    searches: tuple
    inside: experiments.InsideResult
    batched: bool
    n_jobs: int
    seconds: float


def available_backends():
    """The backends that can run here: numpy always, torch when it imports."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return BACKENDS[:1]
    return BACKENDS


def planned_epochs(config, backends):
    """Every epoch :func:`run_study` will train, for an honest progress bar.

    Parameters
    ----------
    config : LabConfig
        The settings.
    backends : tuple of str
        The backends to train.

    Returns
    -------
    epochs : int
        The sum that ``progress`` of :func:`run_study` will reach.

    Examples
    --------
    >>> from sklearn_mlplab.lab import FULL, QUICK, planned_epochs
    >>> planned_epochs(QUICK, ("numpy",)) < planned_epochs(FULL, ("numpy",))
    True
    """
    return (
        experiments.loss_epochs(config)
        + experiments.accuracy_epochs(config, backends)
        + experiments.momentum_epochs(config)
        + len(backends) * experiments.search_epochs(config)
        + experiments.inside_epochs(config)
    )


def run_study(
    data, config, seed=0, *, backends=None, n_jobs=1, progress=None, batched=True
):
    """Run every experiment of the lab on ``data``.

    Parameters
    ----------
    data : LabData
        The train and test sets.
    config : LabConfig
        The settings.
    seed : int, default=0
        Random state of every network and of the CV splits.
    backends : tuple of str, default=None
        Backends to train; None uses every one that imports.
    n_jobs : int, default=1
        Parallel jobs of the searches.
    progress : callable, default=None
        Called with a number of epochs each time training runs finish; the
        total is :func:`planned_epochs`.
    batched : bool, default=True
        Run the searches as :class:`~sklearn_mlplab.model_selection.BatchedGridSearchCV`
        (the same results, the fits stacked); False runs ``GridSearchCV``
        over ``n_jobs``, as on a Dask cluster.

    Returns
    -------
    study : Study
        Every result, frozen.

    See Also
    --------
    write_report : The report of a study.

    Examples
    --------
    A study far shorter than even ``QUICK``, on one backend:

    >>> from dataclasses import replace
    >>> from sklearn_mlplab.lab import QUICK, load_bundled, run_study
    >>> tiny = replace(QUICK, epochs=20, momentum_epochs=20, search_epochs=10)
    >>> study = run_study(load_bundled(), tiny, seed=1, backends=("numpy",))
    >>> study.seed, study.backends, len(study.losses.runs["log_loss"].curve)
    (1, ('numpy',), 20)
    """
    from sklearn.exceptions import ConvergenceWarning

    backends = tuple(backends or available_backends())
    progress = progress or experiments._no_progress
    start = time.perf_counter()
    with warnings.catch_warnings():
        # The runs are of fixed length: not stopping early is intended.
        warnings.simplefilter("ignore", ConvergenceWarning)
        described = experiments.describe_data(data)
        losses = experiments.compare_losses(data, config, seed, progress)
        accuracy = experiments.measure_accuracy(
            data, config, seed, losses.model, backends, progress
        )
        momentum = experiments.sweep_momentum(data, config, seed, progress)
        searches = tuple(
            experiments.search_grid(data, config, seed, b, n_jobs, progress, batched)
            for b in backends
        )
        inside = experiments.look_inside(data, config, seed, backends, progress)
    return Study(
        config=config,
        data=data,
        seed=seed,
        backends=backends,
        described=described,
        losses=losses,
        accuracy=accuracy,
        momentum=momentum,
        searches=searches,
        inside=inside,
        batched=batched,
        n_jobs=n_jobs,
        seconds=time.perf_counter() - start,
    )
