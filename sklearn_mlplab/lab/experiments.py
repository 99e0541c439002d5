"""The lab's experiments: each trains, measures and returns a frozen result.

An experiment never plots, prints or writes prose. Each takes the data, the
config and a seed, and calls ``progress(epochs)`` as training runs finish so
that the command can show how far it is; ``<name>_epochs(config, ...)``
says how many epochs it will train in all.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from . import stats
from .config import make_network


def _no_progress(epochs):
    """Progress callback that ignores the report."""


def _fit(model, data):
    return model.fit(data.X_train, data.y_train)


# --------------------------------------------------------------------- data
@dataclass(frozen=True)
class DataResult:
    """What the data looks like, raw and z-scored."""

    feature_names: tuple
    classes: tuple
    class_counts: tuple
    n_train: int
    n_test: int
    mean: tuple
    std: tuple
    min: tuple
    max: tuple
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    Z_train: np.ndarray
    Z_test: np.ndarray


def describe_data(data):
    """Shape, per-feature statistics and the z-scored copy of the data."""
    from sklearn.preprocessing import StandardScaler

    X_train = np.asarray(data.X_train, dtype=float)
    X_test = np.asarray(data.X_test, dtype=float)
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    classes, counts = np.unique(y_train, return_counts=True)
    scaler = StandardScaler().fit(X_train)
    return DataResult(
        feature_names=tuple(data.feature_names),
        classes=tuple(classes.tolist()),
        class_counts=tuple(int(c) for c in counts),
        n_train=len(y_train),
        n_test=len(y_test),
        mean=tuple(X_train.mean(axis=0)),
        std=tuple(X_train.std(axis=0)),
        min=tuple(X_train.min(axis=0)),
        max=tuple(X_train.max(axis=0)),
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        Z_train=scaler.transform(X_train),
        Z_test=scaler.transform(X_test),
    )


# ------------------------------------------------------------------- losses
@dataclass(frozen=True)
class LossRun:
    """One network trained with one loss."""

    loss: str
    curve: np.ndarray
    train_accuracy: float
    test_accuracy: float


@dataclass(frozen=True)
class LossResult:
    """Cross-entropy against squared error from the same initial weights.

    ``first_outputs`` is the range of the probability of the second class
    after one epoch of squared-error training (binary data only), which
    bounds the factor p (1 - p) that squared error puts on the gradient.
    """

    runs: dict
    epochs: int
    n_train: int
    n_test: int
    binary: bool
    first_outputs: tuple | None
    model: object


LOSSES = ("log_loss", "squared_error")


def loss_epochs(config):
    """Epochs :func:`compare_losses` trains: one run per loss and a probe."""
    return len(LOSSES) * config.epochs + 1


def compare_losses(data, config, seed, progress=_no_progress):
    """Train the lab's network once per loss, from the same weights."""
    runs, models = {}, {}
    for loss in LOSSES:
        model = models[loss] = _fit(make_network(config, seed=seed, loss=loss), data)
        progress(config.epochs)
        runs[loss] = LossRun(
            loss,
            np.asarray(model[-1].loss_curve_),
            model.score(data.X_train, data.y_train),
            model.score(data.X_test, data.y_test),
        )
    binary = len(np.unique(data.y_train)) == 2
    first_outputs = None
    if binary:
        first = _fit(
            make_network(config, seed=seed, loss="squared_error", max_iter=1), data
        )
        p = first.predict_proba(data.X_train)[:, 1]
        first_outputs = (float(p.min()), float(p.max()))
    progress(1)
    return LossResult(
        runs=runs,
        epochs=config.epochs,
        n_train=len(data.y_train),
        n_test=len(data.y_test),
        binary=binary,
        first_outputs=first_outputs,
        model=models["log_loss"],
    )


# ----------------------------------------------------------------- accuracy
@dataclass(frozen=True)
class Score:
    """Train and test accuracy of one model, with the test interval."""

    name: str
    train_accuracy: float
    test_accuracy: float
    test_interval: tuple


@dataclass(frozen=True)
class AccuracyResult:
    """The lab's network on each backend beside a linear baseline.

    ``backend_gap`` is the largest difference between the backends' test
    probabilities (None with one backend); ``model`` is the numpy network.
    """

    networks: tuple
    linear: Score
    shape: str
    n_train: int
    n_test: int
    backend_gap: float | None
    backends: tuple
    model: object


def accuracy_epochs(config, backends):
    """Epochs :func:`measure_accuracy` trains (the numpy net is reused)."""
    return config.epochs * (len(backends) - 1)


def _score(name, model, data):
    test = model.score(data.X_test, data.y_test)
    return Score(
        name,
        model.score(data.X_train, data.y_train),
        test,
        stats.wilson_interval(test, len(data.y_test)),
    )


def measure_accuracy(data, config, seed, numpy_model, backends, progress=_no_progress):
    """Accuracy of the network on each backend, and of logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    models = {"numpy": numpy_model}
    for backend in backends[1:]:
        models[backend] = _fit(make_network(config, backend, seed), data)
        progress(config.epochs)
    linear = _fit(make_pipeline(StandardScaler(), LogisticRegression()), data)
    gap = None
    if len(models) > 1:
        probas = [m.predict_proba(data.X_test) for m in models.values()]
        gap = float(max(np.abs(p - probas[0]).max() for p in probas[1:]))
    n_classes = len(np.unique(data.y_train))
    n_out = 1 if n_classes == 2 else n_classes
    return AccuracyResult(
        networks=tuple(_score(type(m[-1]).__name__, m, data) for m in models.values()),
        linear=_score("LogisticRegression", linear, data),
        shape=f"{len(data.feature_names)}-{config.hidden}-{n_out}",
        n_train=len(data.y_train),
        n_test=len(data.y_test),
        backend_gap=gap,
        backends=tuple(backends),
        model=numpy_model,
    )


# ----------------------------------------------------------------- momentum
@dataclass(frozen=True)
class MomentumResult:
    """Loss curves of every momentum rule and rate at the lab's small lr.

    The target is the loss plain gradient descent reaches half way through
    its run (epoch ``half``); ``reach[kind, beta]`` is the first epoch a run
    got there (None if never), and ``speedup`` is ``half / reach``.
    """

    kinds: tuple
    betas: tuple
    lr: float
    epochs: int
    curves: dict
    target: float
    half: int
    reach: dict
    speedup: dict
    rises: dict


def _momentum_runs(config):
    """The (rule, beta) pairs to train; beta = 0 is one plain-GD run for all."""
    plain = [(config.momentum_types[0], 0.0)] if 0.0 in config.betas else []
    return plain + [
        (kind, beta) for kind in config.momentum_types for beta in config.betas if beta
    ]


def momentum_epochs(config):
    """Epochs :func:`sweep_momentum` trains."""
    return len(_momentum_runs(config)) * config.momentum_epochs


def sweep_momentum(data, config, seed, progress=_no_progress):
    """Train at ``config.momentum_lr`` with each momentum rule and rate."""
    curves = {}
    for kind, beta in _momentum_runs(config):
        model = make_network(
            config,
            seed=seed,
            lr=config.momentum_lr,
            momentum=beta,
            momentum_type=kind,
            max_iter=config.momentum_epochs,
        )
        curves[kind, beta] = np.asarray(_fit(model, data)[-1].loss_curve_)
        progress(config.momentum_epochs)
    if 0.0 in config.betas:
        # Without momentum every rule is plain gradient descent.
        for kind in config.momentum_types:
            curves[kind, 0.0] = curves[config.momentum_types[0], 0.0]
    plain = curves[config.momentum_types[0], min(config.betas)]
    half = len(plain) // 2
    target = float(plain[half - 1])
    reach = {key: stats.epochs_to(c, target) for key, c in curves.items()}
    return MomentumResult(
        kinds=tuple(config.momentum_types),
        betas=tuple(config.betas),
        lr=config.momentum_lr,
        epochs=config.momentum_epochs,
        curves=curves,
        target=target,
        half=half,
        reach=reach,
        speedup={k: None if r is None else half / r for k, r in reach.items()},
        rises={key: stats.rises(c) for key, c in curves.items()},
    )


# ------------------------------------------------------------------- search
@dataclass(frozen=True)
class SearchResult:
    """One backend's hidden x lr grid search.

    ``mean`` and ``std`` are the mean and standard deviation over the folds
    of the CV accuracy, of shape (n_hidden, n_lr), NaN where a fit failed;
    ``pick`` is the (hidden, lr) pair the search chose; ``curves`` maps each
    pair to the training-loss curve of one fit on the whole training set
    (None where it diverged). ``fold_rows`` is the smallest validation fold.
    """

    backend: str
    hidden_values: tuple
    lr_values: tuple
    mean: np.ndarray
    std: np.ndarray
    pick: tuple
    test_accuracy: float
    n_test: int
    curves: dict
    epochs: int
    cv: int
    fold_rows: int

    def cell(self, hidden, lr):
        """Row and column of a pair in ``mean`` and ``std``."""
        return self.hidden_values.index(hidden), self.lr_values.index(lr)


def search_epochs(config):
    """Epochs :func:`search_grid` trains on one backend."""
    n = len(config.hidden_grid) * len(config.lr_grid)
    return (n * config.cv + 1 + n) * config.search_epochs


def _grid_table(search, hiddens, lrs, step):
    mean = np.full((len(hiddens), len(lrs)), np.nan)
    std = np.full_like(mean, np.nan)
    results = search.cv_results_
    for p, m, s in zip(
        results["params"],
        results["mean_test_score"],
        results["std_test_score"],
        strict=True,
    ):
        i, j = hiddens.index(p[f"{step}__hidden"]), lrs.index(p[f"{step}__lr"])
        mean[i, j], std[i, j] = m, s
    return mean, std


def _refit_curve(model, params, X, y):
    """The loss curve of ``model`` with ``params`` on ``X, y``; None if it
    diverged."""
    from sklearn.base import clone

    from .._base import NonFiniteError

    try:
        fitted = clone(model).set_params(**params).fit(X, y)
    except NonFiniteError:
        return None
    return np.asarray(fitted[-1].loss_curve_)


def _loss_curves(model, params, data, n_jobs, progress, epochs):
    from sklearn.utils.parallel import Parallel, delayed

    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_refit_curve)(model, p, data.X_train, data.y_train) for p in params
    )
    curves = []
    for curve in jobs:
        curves.append(curve)
        progress(epochs)
    return curves


def _stacked_loss_curves(model, params, data, n_jobs, progress, epochs):
    """The loss curves of :func:`_loss_curves`, the fits stacked."""
    from sklearn.base import clone

    from ..model_selection import fit_stacked

    models = [clone(model).set_params(**p) for p in params]
    fitted = fit_stacked(models, data.X_train, data.y_train, n_jobs=n_jobs)
    progress(epochs * len(params))
    return [
        None if isinstance(m, Exception) else np.asarray(m[-1].loss_curve_)
        for m in fitted
    ]


def _search(model, grid, cv, n_jobs, batched, progress, fit_epochs):
    """The grid search: stacked, or candidates a few at a time (on Dask,
    whose workers get one fit each)."""
    from ..model_selection import BatchedGridSearchCV
    from .search import SteppedGridSearchCV

    if batched:
        return BatchedGridSearchCV(
            model, grid, cv=cv, n_jobs=n_jobs, error_score=np.nan
        )
    return SteppedGridSearchCV(
        model,
        grid,
        cv=cv,
        n_jobs=n_jobs,
        error_score=np.nan,
        on_candidates=lambda n: progress(n * fit_epochs),
    )


def search_grid(
    data, config, seed, backend, n_jobs=1, progress=_no_progress, batched=True
):
    """The lab's hidden x lr grid search, and each pair's curve on the whole
    training set: :class:`BatchedGridSearchCV` and stacked fits if
    ``batched``, else ``GridSearchCV`` over ``n_jobs`` (the Dask path)."""
    from sklearn.model_selection import StratifiedKFold

    model = make_network(config, backend, seed, max_iter=config.search_epochs)
    step = model.steps[-1][0]
    hiddens, lrs = tuple(config.hidden_grid), tuple(config.lr_grid)
    cv = StratifiedKFold(config.cv, shuffle=True, random_state=seed)
    fit_epochs = config.cv * config.search_epochs
    grid = {f"{step}__hidden": list(hiddens), f"{step}__lr": list(lrs)}
    search = _search(model, grid, cv, n_jobs, batched, progress, fit_epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fits that diverged
        search.fit(data.X_train, data.y_train)
    if batched:
        progress(len(hiddens) * len(lrs) * fit_epochs)
    progress(config.search_epochs)  # the refit
    params = search.cv_results_["params"]
    if batched:
        curves = _stacked_loss_curves(
            model, params, data, n_jobs, progress, config.search_epochs
        )
    else:
        curves = _loss_curves(
            model, params, data, n_jobs, progress, config.search_epochs
        )
    mean, std = _grid_table(search, hiddens, lrs, step)
    best = search.best_params_
    return SearchResult(
        backend=backend,
        hidden_values=hiddens,
        lr_values=lrs,
        mean=mean,
        std=std,
        pick=(best[f"{step}__hidden"], best[f"{step}__lr"]),
        test_accuracy=search.score(data.X_test, data.y_test),
        n_test=len(data.y_test),
        curves={
            (p[f"{step}__hidden"], p[f"{step}__lr"]): c
            for p, c in zip(params, curves, strict=True)
        },
        epochs=config.search_epochs,
        cv=config.cv,
        fold_rows=min(len(test) for _, test in cv.split(data.X_train, data.y_train)),
    )


# ------------------------------------------------------- inside the network
# The learning-rate range test sweeps from here to there, one full-batch
# epoch per step, as many steps as a search fit has epochs.
LR_RANGE = (1e-3, 10.0)
GRADIENT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class GradientCheck:
    """Backpropagation against central finite differences, on one network."""

    backend: str
    weights: str  # "initial" or "trained"
    max_error: float
    layer_errors: tuple


@dataclass(frozen=True)
class InsideResult:
    """Inside the lab's network: its gradient checked, its training recorded
    and the learning-rate range test.

    ``gradients`` checks each backend at the initial weights and the numpy
    network at its trained ones. ``epochs``, ``snapshots`` (pipelines: the
    network as it stood after each of ``epochs``), ``snapshot_losses`` and
    ``snapshot_accuracy`` (training accuracy at each) record one training
    run of ``config.epochs``; ``loss_curve`` is its whole curve, ``model``
    the trained network. ``lr_finder`` is
    :func:`~sklearn_mlplab.inspection.lr_range_test`'s result on the
    search's network, swept over ``lr_range`` in ``lr_steps`` epochs.
    """

    gradients: tuple
    epochs: tuple
    snapshots: tuple
    snapshot_losses: tuple
    snapshot_accuracy: tuple
    loss_curve: np.ndarray
    model: object
    lr_finder: object
    lr_range: tuple
    lr_steps: int
    tolerance: float


def snapshot_epochs(epochs):
    """The epochs whose network the report draws: 0 and six on a log scale
    from a two-hundredth of the run to its end.

    >>> snapshot_epochs(2000)
    (0, 10, 29, 83, 240, 693, 2000)
    """
    spread = np.round(np.geomspace(max(epochs / 200, 1), epochs, 6)).astype(int)
    return (0, *np.unique(spread).tolist())


def inside_epochs(config):
    """Epochs :func:`look_inside` trains: a recorded run and the range test."""
    return config.epochs + config.search_epochs


def _gradient_checks(data, config, seed, model, backends):
    from ..inspection import check_gradients

    networks = [(b, "initial", make_network(config, b, seed)) for b in backends]
    networks.append(("numpy", "trained", model))
    checks = []
    for backend, weights, network in networks:
        result = check_gradients(network, data.X_train, data.y_train)
        checks.append(
            GradientCheck(
                backend,
                weights,
                result.max_relative_error,
                tuple(result.relative_errors.tolist()),
            )
        )
    return tuple(checks)


def look_inside(data, config, seed, backends, progress=_no_progress):
    """Check the network's gradient, record its training at a few epochs and
    run the learning-rate range test on the search's network."""
    from ..inspection import lr_range_test, record_training

    history = record_training(
        make_network(config, "numpy", seed),
        data.X_train,
        data.y_train,
        epochs=snapshot_epochs(config.epochs),
    )
    progress(config.epochs)
    finder = lr_range_test(
        make_network(config, "numpy", seed, max_iter=config.search_epochs),
        data.X_train,
        data.y_train,
        start_lr=LR_RANGE[0],
        end_lr=LR_RANGE[1],
        n_steps=max(config.search_epochs, 2),
    )
    progress(config.search_epochs)
    model = history.fitted
    return InsideResult(
        gradients=_gradient_checks(data, config, seed, model, backends),
        epochs=tuple(history.epochs),
        snapshots=tuple(history.estimators),
        snapshot_losses=tuple(history.losses),
        snapshot_accuracy=tuple(
            m.score(data.X_train, data.y_train) for m in history.estimators
        ),
        loss_curve=np.asarray(model[-1].loss_curve_),
        model=model,
        lr_finder=finder,
        lr_range=LR_RANGE,
        lr_steps=max(config.search_epochs, 2),
        tolerance=GRADIENT_TOLERANCE,
    )
