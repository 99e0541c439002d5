"""BatchedGridSearchCV: a whole grid of networks trained at once.

For networks as small as the lab's, a fit is thousands of tiny steps, each
paying the fixed cost of its calls: tens of microseconds, more than its
arithmetic for torch, about as much for numpy. :class:`BatchedGridSearchCV`
pays those costs once for many fits: it trains the candidates of a group on
every fold side by side as one stacked network (``_stacked.py``), then
scores each one exactly as ``GridSearchCV`` does, with the same
``cv_results_``.
"""

import time
import traceback
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from numbers import Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid, check_cv
from sklearn.utils import _safe_indexing, check_random_state, indexable
from sklearn.utils._param_validation import Interval

from . import _stacked
from ._classifier import BaseMLPClassifier

__all__ = ["BatchedGridSearchCV", "fit_stacked"]

# A stack larger than this is split (see BatchedGridSearchCV's memory_budget).
DEFAULT_MEMORY_BUDGET = 512 * 2**20


def _network(model):
    """The network of ``model`` (a network or a pipeline ending in one), or
    None."""
    steps = getattr(model, "steps", None)
    net = steps[-1][1] if steps else model
    return net if isinstance(net, BaseMLPClassifier) else None


def _backend(net):
    from ._torch_mlp import TorchMLPClassifier

    return (
        _stacked.TorchStack
        if isinstance(net, TorchMLPClassifier)
        else _stacked.NumpyStack
    )


class _Fit:
    """One model to fit on some rows: a candidate on a fold, or a network of
    :func:`fit_stacked`. After :func:`_fit_all`, ``model`` is fitted unless
    ``error`` (the formatted exception) says why not."""

    def __init__(self, model, X, y):
        self.model, self.X, self.y = model, X, y
        self.member, self.error, self.exception, self.seconds = None, None, None, 0.0

    def prepare(self, transformed):
        """Fit the pipeline's earlier steps (once per distinct set of them
        and rows, through ``transformed``) and validate the network's data
        as its ``fit`` does; return the stack member, or None to fit it on
        its own."""
        start = time.perf_counter()
        net = _network(self.model)
        try:
            Xt = (
                self.X if net is self.model else transformed(self.model, self.X, self.y)
            )
            net._validate_params()
            hidden = net._hidden_layers()
            Xv, _, Y, _ = net._training_data(Xt, self.y, None, None, False, False)
            if _stacked.why_not_stacked(net, Xv) is not None:
                return None  # fit_alone's fit starts afresh
            net._rng = check_random_state(net.random_state)
            net._initialize(hidden, Xv.shape[1], Xv.dtype)
            self.member = _stacked.Member(net, Xv, Y)
        except Exception as exc:  # noqa: BLE001 - reported as fit errors are
            self._failed(exc)
        finally:
            self.seconds += time.perf_counter() - start
        return self.member

    def _failed(self, exc):
        self.exception = exc
        self.error = "".join(traceback.format_exception(exc))

    def fit_alone(self):
        start = time.perf_counter()
        try:
            self.model.fit(self.X, self.y)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
        self.seconds += time.perf_counter() - start


def _transformer_cache():
    """Fit each distinct set of earlier pipeline steps on each set of rows
    once: candidates that differ only in the network share the fitted
    steps and their output."""
    cache = {}

    def transformed(pipeline, X, y):
        head = pipeline[:-1]
        key = (id(X), repr(head.get_params(deep=True)))
        if key not in cache:
            cache[key] = (head.fit_transform(X, y), list(head.steps))
        Xt, steps = cache[key]
        pipeline.steps[:-1] = steps
        return Xt

    return transformed


def _chunks(fits, budget):
    """``fits`` in stacks of at most ``budget`` bytes (at least one each)."""
    widths = np.max([f.member.est._layer_units for f in fits], axis=0)
    size = max(_stacked.member_bytes(f.member, widths) for f in fits)
    per_stack = max(1, int(budget // size))
    for i in range(0, len(fits), per_stack):
        yield fits[i : i + per_stack]


def _train(chunk, backend):
    """Train one stack; each member is charged an equal share of its time."""
    start = time.perf_counter()
    _stacked.train_stack([fit.member for fit in chunk], backend)
    share = (time.perf_counter() - start) / len(chunk)
    for fit in chunk:
        fit.seconds += share
        if fit.member.error is not None:
            fit._failed(fit.member.error)


def _fit_all(fits, memory_budget, n_jobs=None):
    """Fit every :class:`_Fit`: stacked where their networks can share a
    stack, one by one otherwise; ``n_jobs`` stacks at a time, in threads
    (numpy and torch release the GIL in their kernels)."""
    transformed = _transformer_cache()
    groups = defaultdict(list)
    alone = []
    for fit in fits:
        member = fit.prepare(transformed)
        if member is not None:
            pad = _backend(member.est).pads
            groups[_stacked.stack_key(member.est, member.X, pad)].append(fit)
        elif fit.error is None:
            alone.append(fit)
    stacks = []
    for group in groups.values():
        backend = _backend(group[0].member.est)
        budget = min(memory_budget, backend.preferred_bytes or memory_budget)
        stacks += [(chunk, backend) for chunk in _chunks(group, budget)]
    threads = min(effective_n_jobs(n_jobs), len(stacks))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda job: _train(*job), stacks))
    else:
        for chunk, backend in stacks:
            _train(chunk, backend)
    for fit in alone:
        fit.fit_alone()


def fit_stacked(models, X, y, *, memory_budget=DEFAULT_MEMORY_BUDGET, n_jobs=None):
    """Fit each model on ``X, y`` as its own ``fit`` would, stacked where
    they can share a stack.

    Parameters
    ----------
    models : list of estimators
        Networks or pipelines ending in one, unfitted; fitted in place.
        Those that cannot be stacked (see :class:`BatchedGridSearchCV`) are
        fitted one by one.

    X, y : array-like
        Training data.

    memory_budget : int, default=512 MiB
        The most memory one stack may take; larger groups are split.

    n_jobs : int, default=None
        How many stacks train at once, in threads; None is 1, -1 all cores.

    Returns
    -------
    models : list
        The same models, fitted, or the exception its fit raised in the
        place of each one that failed.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.model_selection import fit_stacked
    >>> X, y = load_lab(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> nets = [NumpyMLPClassifier(h, lr=0.5, random_state=0) for h in (3, 6)]
    >>> fitted = fit_stacked(nets, X, y)
    >>> [net.n_iter_ for net in fitted]
    [200, 200]
    """
    X, y = indexable(X, y)
    fits = [_Fit(model, X, y) for model in models]
    _fit_all(fits, memory_budget, n_jobs)
    return [f.exception if f.error is not None else f.model for f in fits]


class BatchedGridSearchCV(GridSearchCV):
    """Exhaustive search over a grid, the candidates trained as stacked
    networks.

    A drop-in for :class:`~sklearn.model_selection.GridSearchCV` when the
    estimator is a :class:`NumpyMLPClassifier` or
    :class:`TorchMLPClassifier`, or a :class:`~sklearn.pipeline.Pipeline`
    ending in one: the same parameters, the same fitted attributes
    (``cv_results_``, ``best_params_``, ``best_score_``,
    ``best_estimator_``, ``best_index_``, ``n_splits_``, ``refit_time_``,
    ``multimetric_``, ``scorer_``) and the same results. Each candidate on
    each fold is prepared as its own ``fit`` would prepare it (the
    pipeline's earlier steps fitted on the fold, the data validated, the
    initial weights drawn from its ``random_state``), then the candidates
    that can share a stack train together: those whose networks differ
    only in ``hidden``, ``lr``, ``momentum``, ``alpha`` and
    ``random_state``, with ``solver="sgd"``, ``lr_schedule="constant"``,
    no ``early_stopping`` or ``class_weight``, dense inputs and class
    labels. Each keeps its own shuffles and stopping rule. Everything else
    (other solvers, fit parameters such as ``sample_weight``, a callable
    ``scoring``, an estimator that is not one of these networks) is fitted
    one by one, as :class:`~sklearn.model_selection.GridSearchCV` would.
    The refit of the best candidate is an ordinary ``fit``.

    Parameters
    ----------
    estimator : estimator
        The network, or a pipeline ending in one.

    param_grid : dict or list of dicts
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`; a callable
        runs the search as ``GridSearchCV``.

    n_jobs : int, default=None
        How many stacks train at once, in threads of this process (a torch
        stack on the networks' ``device``); and, where the search falls
        back to ``GridSearchCV`` as a whole (see above), its ``n_jobs``.
        None means 1, -1 all cores.

    refit : bool, str or callable, default=True
        As in :class:`~sklearn.model_selection.GridSearchCV`; the refit is
        an ordinary ``fit``.

    cv : int, cross-validation generator or iterable, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    verbose : int, default=0
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    pre_dispatch : int or str, default="2*n_jobs"
        Used where the search runs as ``GridSearchCV``.

    error_score : "raise" or float, default=np.nan
        The score of a fit that fails (a diverged candidate, say), or
        "raise" to raise its error.

    return_train_score : bool, default=False
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    memory_budget : int, default=512 MiB
        The most memory, in bytes, that one stack may take (its rows, a
        batch's activations, its weights and optimizer state). A larger
        group of candidates is split into several stacks, trained one after
        another.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, \
scorer_, n_splits_, refit_time_, multimetric_
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    n_stacked_ : int
        How many of the ``n_candidates * n_splits_`` fits trained in a stack.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : One fit after another.
    fit_stacked : The stacked fits alone, without the search.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlplab import NumpyMLPClassifier, load_lab
    >>> from sklearn_mlplab.model_selection import BatchedGridSearchCV
    >>> X, y = load_lab(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), NumpyMLPClassifier(random_state=0))
    >>> grid = {"numpymlpclassifier__hidden": [3, 6],
    ...         "numpymlpclassifier__lr": [0.5, 0.1]}
    >>> search = BatchedGridSearchCV(model, grid, cv=3).fit(X, y)
    >>> search.n_stacked_, sorted(search.best_params_)
    (12, ['numpymlpclassifier__hidden', 'numpymlpclassifier__lr'])
    """

    _parameter_constraints = {
        **GridSearchCV._parameter_constraints,
        "memory_budget": [Interval(Real, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        memory_budget=DEFAULT_MEMORY_BUDGET,
    ):
        super().__init__(
            estimator,
            param_grid,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.memory_budget = memory_budget

    def _stackable_search(self, params):
        """Whether the search can stack: not with fit parameters, a callable
        ``scoring`` (its return type is known only once called) or
        callbacks on the search (``GridSearchCV`` drives those)."""
        return (
            _network(self.estimator) is not None
            and not params
            and not callable(self.scoring)
            and not getattr(self, "_skl_callbacks", None)
        )

    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Targets.

        **params : dict
            Parameters of the estimator's ``fit`` (``sample_weight``, ...)
            or the splitter; with any, the search runs as
            :class:`~sklearn.model_selection.GridSearchCV`.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._validate_params()
        if not self._stackable_search(params):
            self.n_stacked_ = 0
            return super().fit(X, y, **params)
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y))
        self.n_splits_ = len(splits)
        candidates = list(ParameterGrid(self.param_grid))
        if not candidates or not splits:
            raise ValueError(
                "No fits were performed: the grid has no candidates or the CV "
                "iterator no splits."
            )
        out = self._evaluate(candidates, splits, X, y, scorers)
        results = self._format_results(candidates, self.n_splits_, out)
        self.multimetric_ = isinstance(out[0]["test_scores"], dict)
        self._choose_and_refit(results, refit_metric, X, y)
        self.scorer_ = getattr(scorers, "_scorers", scorers)
        self.cv_results_ = results
        return self

    def _evaluate(self, candidates, splits, X, y, scorers):
        """Fit every candidate on every split; score each as GridSearchCV's
        ``_fit_and_score`` does. Candidate-major, as ``_format_results``
        reads them."""
        if self.verbose > 0:
            print(
                f"Fitting {len(splits)} folds for each of {len(candidates)} "
                f"candidates, totalling {len(candidates) * len(splits)} fits"
            )
        subsets = [
            (_safe_indexing(X, train), _safe_indexing(y, train), test)
            for train, test in splits
        ]
        fits = [
            _Fit(
                clone(self.estimator).set_params(**clone(params, safe=False)),
                X_train,
                y_train,
            )
            for params in candidates
            for X_train, y_train, _ in subsets
        ]
        _fit_all(fits, self.memory_budget, self.n_jobs)
        self.n_stacked_ = sum(f.member is not None for f in fits)
        out = []
        for i, fit in enumerate(fits):
            test = subsets[i % len(splits)][2]
            out.append(self._score(fit, X, y, test, scorers))
        self._report_failures(out)
        return out

    def _score(self, fit, X, y, test, scorers):
        X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
        result = {
            "fit_error": fit.error,
            "n_test_samples": len(test),
            "fit_time": fit.seconds,
        }
        start = time.perf_counter()
        if fit.error is not None:
            if self.error_score == "raise":
                raise fit.exception
            names = getattr(scorers, "_scorers", None)
            score = (
                {name: self.error_score for name in names}
                if names
                else self.error_score
            )
            result["test_scores"] = score
            if self.return_train_score:
                result["train_scores"] = score
        else:
            result["test_scores"] = scorers(fit.model, X_test, y_test)
            if self.return_train_score:
                result["train_scores"] = scorers(fit.model, fit.X, fit.y)
        result["score_time"] = time.perf_counter() - start
        return result

    def _report_failures(self, out):
        errors = [r["fit_error"] for r in out if r["fit_error"] is not None]
        if not errors:
            return
        if len(errors) == len(out):
            raise ValueError(
                f"All the {len(out)} fits failed. The first error was:\n{errors[0]}"
            )
        warnings.warn(
            f"{len(errors)} fits failed out of a total of {len(out)}; their score "
            f"is error_score={self.error_score!r}. The first error was:\n{errors[0]}",
            FitFailedWarning,
            stacklevel=3,
        )

    def _choose_and_refit(self, results, refit_metric, X, y):
        """best_index_, best_score_, best_params_ and the refit, as
        GridSearchCV chooses them."""
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, results
            )
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = results["params"][self.best_index_]
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            start = time.perf_counter()
            self.best_estimator_.fit(X, y)
            self.refit_time_ = time.perf_counter() - start
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_
