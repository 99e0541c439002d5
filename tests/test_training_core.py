"""The training loop's bookkeeping: the stopping rule, early stopping's
best-weight restore, verbose output, warnings and the divergence message.

The stopping rule is replayed by hand from the recorded ``loss_curve_`` or
``validation_scores_``: a score that fails to beat the best by ``tol`` counts
one, a better one resets the count, and training stops once the count
exceeds ``n_iter_no_change``.
"""

import copy
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab._base import NonFiniteError


def _data():
    X, y = make_moons(n_samples=80, noise=0.3, random_state=0)
    return X, y


def _replay(scores, tol, patience, higher_is_better):
    best = -np.inf if higher_is_better else np.inf
    count = 0
    for i, s in enumerate(scores):
        worse = s < best + tol if higher_is_better else s > best - tol
        count = count + 1 if worse else 0
        best = max(best, s) if higher_is_better else min(best, s)
        if count > patience:
            return i + 1, best
    return None, best


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def test_training_loss_stopping_rule_matches_its_replay(Estimator):
    X, y = _data()
    est = Estimator(
        hidden=4, lr=0.5, tol=1e-3, n_iter_no_change=3, max_iter=200, random_state=0
    )
    _quiet(est.fit, X, y)
    stop, best = _replay(est.loss_curve_, 1e-3, 3, higher_is_better=False)
    assert stop is not None, "never stopped early: the test proves nothing"
    assert est.n_iter_ == stop == len(est.loss_curve_)
    assert est.best_loss_ == best
    assert est.t_ == est.n_iter_ * X.shape[0]


def test_early_stopping_rule_and_best_weight_restore(Estimator):
    X, y = _data()
    params = dict(
        hidden=4,
        lr=0.5,
        tol=1e-2,
        n_iter_no_change=2,
        max_iter=100,
        early_stopping=True,
        validation_fraction=0.25,
        random_state=0,
    )
    est = _quiet(Estimator(**params).fit, X, y)
    stop, best = _replay(est.validation_scores_, 1e-2, 2, higher_is_better=True)
    assert stop is not None
    assert est.n_iter_ == stop == len(est.validation_scores_)
    assert est.best_validation_score_ == best
    assert est.best_loss_ is None
    # The kept weights are those of the first epoch with the best score.
    k = int(np.argmax(est.validation_scores_)) + 1
    assert k < est.n_iter_, "the best epoch was the last: the test proves nothing"
    ref = _quiet(Estimator(**{**params, "max_iter": k}).fit, X, y)
    for a, b in zip(
        est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
    ):
        assert_array_equal(a, b)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_verbose_reports_each_epoch_and_why_it_stopped(
    Estimator, early_stopping, capsys
):
    X, y = _data()
    est = Estimator(
        hidden=4,
        lr=0.5,
        tol=1e-2,
        n_iter_no_change=2,
        max_iter=100,
        early_stopping=early_stopping,
        random_state=0,
        verbose=True,
    )
    _quiet(est.fit, X, y)
    out = capsys.readouterr().out
    what = "Validation score" if early_stopping else "Training loss"
    assert (
        f"{what} did not improve more than tol=0.01 for 2 consecutive epochs. Stopping."
    ) in out
    if early_stopping:
        shown = [
            float(s) for s in re.findall(r"^Validation score: (\S+)$", out, flags=re.M)
        ]
        np.testing.assert_allclose(shown, est.validation_scores_, atol=1e-6)


def test_partial_fit_never_warns_about_convergence(Estimator):
    X, y = _data()
    est = Estimator(hidden=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.partial_fit(X, y, classes=[0, 1])
        est.partial_fit(X, y)


def test_divergence_message_names_the_failed_epoch(Estimator):
    X, y = make_moons(n_samples=120, noise=0.2, random_state=0)
    X = X * 1e3
    start = _quiet(
        Estimator(hidden=5, activation="relu", lr=1e-5, max_iter=5, random_state=0).fit,
        X,
        y,
    )
    est = copy.deepcopy(start).set_params(warm_start=True, max_iter=50, lr=1e4)
    with pytest.raises(NonFiniteError) as info:
        _quiet(est.fit, X, y)
    assert str(info.value) == (
        f"Training diverged in epoch {est.n_iter_ + 1}: the loss, the weights or "
        "the outputs became non-finite. Lower lr (now 10000.0) or scale the "
        "inputs (e.g. StandardScaler)."
    )
    assert est.t_ == est.n_iter_ * X.shape[0]
    assert len(est.loss_curve_) == est.n_iter_
