"""A ``GridSearchCV`` that says how far it has got.

:class:`SteppedGridSearchCV` evaluates its grid a few candidates at a time
through ``BaseSearchCV``'s own extension point, ``_run_search``, and calls
``on_candidates(n)`` in the calling process after each group. Its
``cv_results_`` are those of one ``GridSearchCV`` over the same grid.
"""

from numbers import Integral

from joblib import effective_n_jobs
from sklearn.model_selection import GridSearchCV, ParameterGrid, check_cv
from sklearn.utils._param_validation import Interval


class SteppedGridSearchCV(GridSearchCV):
    """``GridSearchCV`` reporting progress after each group of candidates.

    Parameters
    ----------
    on_candidates : callable, default=None
        Called with the number of candidates just evaluated (each over every
        fold).
    group_size : int, default=None
        Candidates per group; None fills the parallel workers (at least one
        candidate, about ``n_jobs / n_folds``).

    Other parameters are those of :class:`~sklearn.model_selection.GridSearchCV`.
    """

    _parameter_constraints = {
        **GridSearchCV._parameter_constraints,
        "on_candidates": [callable, None],
        "group_size": [Interval(Integral, 1, None, closed="left"), None],
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
        error_score="raise",
        return_train_score=False,
        on_candidates=None,
        group_size=None,
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
        self.on_candidates = on_candidates
        self.group_size = group_size

    def _run_search(self, evaluate_candidates):
        candidates = list(ParameterGrid(self.param_grid))
        size = self.group_size
        if size is None:
            n_folds = check_cv(self.cv).get_n_splits()
            size = max(1, -(-effective_n_jobs(self.n_jobs) // n_folds))
        for start in range(0, len(candidates), size):
            group = candidates[start : start + size]
            evaluate_candidates(group)
            if self.on_candidates is not None:
                self.on_candidates(len(group))
