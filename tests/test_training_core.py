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
from _hand_training import (
    hand_fit,
    interrupt_on_call,
    shuffled_orders,
    xavier_initial_weights,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from sklearn_mlplab._base import NonFiniteError

# Overflow is what the divergence tests provoke; numpy reports it on the way.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


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
    # n_iter_ counts this fit's finished epochs; t_ and the curve all of them.
    assert len(est.loss_curve_) == len(start.loss_curve_) + est.n_iter_
    assert est.t_ == len(est.loss_curve_) * X.shape[0]


# ------------------------------------------------------ stopping-rule details
def test_without_early_stopping_there_are_no_validation_attributes(Estimator):
    X, y = _data()
    est = _quiet(Estimator(hidden=3, max_iter=3, random_state=0).fit, X, y)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.best_loss_ == min(est.loss_curve_)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_with_tol_zero_a_tie_with_the_best_is_no_failure(Estimator, early_stopping):
    # lr=1e-30 in full batches leaves every loss and every score where it
    # started: ties only.
    X, y = _data()
    est = Estimator(
        hidden=3,
        batch_size=len(y),
        lr=1e-30,
        tol=0.0,
        n_iter_no_change=1,
        max_iter=6,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    scores = est.validation_scores_ if early_stopping else est.loss_curve_
    assert len(set(scores)) == 1, "the scores moved: the test proves nothing"
    assert est.n_iter_ == 6


def test_validation_score_is_weighted_by_sample_weight(Estimator):
    # A warm start draws the split from a generator fresh from random_state.
    X, y = _data()
    sw = np.random.RandomState(3).uniform(0.1, 5.0, size=len(y))
    est = _quiet(Estimator(hidden=3, lr=0.1, max_iter=2, random_state=0).fit, X, y)
    est.set_params(warm_start=True, early_stopping=True, max_iter=1)
    _quiet(est.fit, X, y, sample_weight=sw)
    _, X_val, _, y_val, _, sw_val = train_test_split(
        X,
        y,
        sw,
        test_size=est.validation_fraction,
        stratify=y,
        random_state=np.random.RandomState(0),
    )
    pred = est.predict(X_val)
    weighted = accuracy_score(y_val, pred, sample_weight=sw_val)
    assert weighted != accuracy_score(y_val, pred), "the weights change nothing"
    assert est.validation_scores_ == [weighted]


def test_a_fit_stopped_by_the_rule_does_not_warn(Estimator):
    X, y = _data()
    est = Estimator(
        hidden=4, lr=0.5, tol=1e-2, n_iter_no_change=2, max_iter=100, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_iter_ < 100


def test_max_iter_warning_text(Estimator):
    X, y = _data()
    est = Estimator(hidden=3, max_iter=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    [w] = [w for w in caught if w.category is ConvergenceWarning]
    assert str(w.message) == (
        "Maximum iterations (2) reached and the optimization hasn't converged yet."
    )
    # It points at the line that called fit, not into the package.
    assert w.filename == __file__


def test_warnings_point_at_the_scikit_learn_code_that_called_fit(Estimator):
    """Called by a Pipeline, the warning points at the Pipeline's call."""
    import sklearn.pipeline
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data()
    pipe = make_pipeline(StandardScaler(), Estimator(hidden=3, max_iter=2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe.fit(X, y)
    [w] = [w for w in caught if w.category is ConvergenceWarning]
    assert w.filename == sklearn.pipeline.__file__


# --------------------------------------------------------------- shuffling
def _order_data(n=40):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] - 0.5 * X[:, 2] ** 2 > -0.2).astype(int)
    return X, y


def test_two_batches_are_shuffled_and_one_batch_draws_nothing(Estimator):
    # One full-batch epoch leaves the generator alone: the next, in two
    # batches, steps through the first permutation drawn after the weights.
    X, y = _order_data()
    est = Estimator(hidden=3, lr=0.3, momentum=0.0, batch_size=40, random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    est.set_params(batch_size=20)
    est.partial_fit(X, y)
    rng = np.random.RandomState(0)
    coefs, intercepts = xavier_initial_weights(rng, [3, 3, 1])
    coefs, intercepts, first = hand_fit(
        coefs, intercepts, X, y, [np.arange(40)], 40, 0.3, 0.0
    )
    orders = shuffled_orders(rng, 40, 1)
    coefs, intercepts, second = hand_fit(coefs, intercepts, X, y, orders, 20, 0.3, 0.0)
    assert_allclose(est.loss_curve_, first + second, rtol=1e-10)
    for got, want in zip(est.coefs_ + est.intercepts_, coefs + intercepts, strict=True):
        assert_allclose(got, want, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------ divergence rollback
def _big_data(seed=0, scale=1e3):
    X, y = make_moons(n_samples=120, noise=0.2, random_state=seed)
    return X * scale, y


def _sane_start(Estimator, X, y):
    est = Estimator(hidden=5, activation="relu", lr=1e-5, max_iter=5, random_state=0)
    return _quiet(est.fit, X, y)


def _warm(start, **params):
    return copy.deepcopy(start).set_params(warm_start=True, **params)


def _assert_kept_the_last_finite_epoch(start, est, X, y, **params):
    """``est`` diverged from ``start``: it holds the newest epoch whose weights
    still predict ``X``, with its bookkeeping; one epoch more diverges."""
    finished = est.n_iter_  # the epochs of this fit that it keeps
    assert finished >= 1, "diverged in the first epoch: the test proves nothing"
    assert np.isfinite(est.predict_proba(X)).all()
    assert len(est.loss_curve_) == len(start.loss_curve_) + finished
    params = {**params, "n_iter_no_change": 1000}
    ref = _quiet(_warm(start, **{**params, "max_iter": finished}).fit, X, y)
    assert ref.loss_curve_ == est.loss_curve_
    assert ref.t_ == est.t_
    if not params.get("early_stopping"):
        for a, b in zip(
            est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
        ):
            assert_array_equal(a, b)
    with pytest.raises(NonFiniteError):
        _quiet(_warm(start, **{**params, "max_iter": finished + 1}).fit, X, y)


@pytest.mark.parametrize(
    "scale, lr",
    [(1e2, 1e4), (1e3, 1e2)],  # the weights overflow; the outputs overflow first
)
def test_divergent_warm_start_keeps_the_last_epoch_that_still_predicts(
    Estimator, scale, lr
):
    X, y = _big_data(scale=scale)
    start = _sane_start(Estimator, X, y)
    est = _warm(start, max_iter=60, lr=lr)
    with pytest.raises(NonFiniteError, match="Training diverged"):
        _quiet(est.fit, X, y)
    _assert_kept_the_last_finite_epoch(start, est, X, y, lr=lr)


def test_validation_outputs_overflowing_roll_back_one_epoch(Estimator):
    # Here the weights stay finite while the validation outputs overflow.
    X, y = _big_data(seed=1, scale=1e2)
    start = _sane_start(Estimator, X, y)
    params = dict(lr=1e2, early_stopping=True)
    est = _warm(start, max_iter=60, **params)
    with pytest.raises(NonFiniteError, match="Training diverged"):
        _quiet(est.fit, X, y)
    _assert_kept_the_last_finite_epoch(start, est, X, y, **params)


def test_a_run_stopped_by_the_rule_on_overflowing_weights_still_diverges(Estimator):
    # The loss grows every epoch, so the rule stops the run in the very epoch
    # after which the outputs overflow: that epoch is rolled back all the same.
    X, y = _big_data()
    start = _sane_start(Estimator, X, y)
    est = _warm(start, max_iter=60, lr=1e2, tol=0.0, n_iter_no_change=9)
    with pytest.raises(NonFiniteError, match="Training diverged"):
        _quiet(est.fit, X, y)
    assert est.n_iter_ == 10
    _assert_kept_the_last_finite_epoch(start, est, X, y, lr=1e2)


def test_a_failed_fresh_fit_keeps_the_callers_random_state_object(Estimator):
    X, y = _big_data()
    rs = np.random.RandomState(0)
    est = Estimator(hidden=5, activation="relu", lr=1e4, max_iter=50, random_state=rs)
    with pytest.raises(NonFiniteError):
        est.fit(X, y)
    assert est.get_params()["random_state"] is rs


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_failed_continued_fit_keeps_the_callers_objects_and_the_model(
    Estimator, method
):
    """A warm start or partial_fit that fails puts the model back as it was,
    and the parameters stay the caller's own objects, not copies."""
    X, y = _data()
    rs = np.random.RandomState(0)
    est = _quiet(Estimator(hidden=3, max_iter=3, random_state=rs).fit, X, y)
    est.set_params(warm_start=True)
    before = [a.copy() for a in est.coefs_ + est.intercepts_]
    curve = list(est.loss_curve_)
    with pytest.raises(ValueError, match="features"):
        getattr(est, method)(X[:, :1], y)
    assert est.get_params()["random_state"] is rs
    assert est.loss_curve_ == curve
    for a, b in zip(est.coefs_ + est.intercepts_, before, strict=True):
        assert_array_equal(a, b)
    # The restored weights are still the model's own: training goes on.
    _quiet(getattr(est, method), X, y)
    assert len(est.loss_curve_) > len(curve)


# -------------------------------------------------------- KeyboardInterrupt
def test_interrupt_warning_and_the_momentum_after_it(Estimator, monkeypatch):
    # 100 rows in batches of 32: four steps an epoch; stop in the third epoch.
    X, y = make_moons(n_samples=100, noise=0.2, random_state=1)
    params = dict(hidden=4, batch_size=32, shuffle=False, random_state=0)
    interrupt_on_call(monkeypatch, Estimator, 2 * 4 + 2)
    est = Estimator(max_iter=50, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
        except KeyboardInterrupt:
            pytest.fail("an interrupt after finished epochs must not propagate")
    monkeypatch.undo()
    [w] = [w for w in caught if w.category is UserWarning]
    assert str(w.message) == (
        "Training interrupted by the user; keeping the weights of the last "
        "finished epoch."
    )
    assert w.filename == __file__
    assert est.n_iter_ == 2
    # Training goes on from the kept weights with the momentum at rest, as a
    # warm start (which restarts it) does.
    est.partial_fit(X, y)
    ref = _quiet(Estimator(max_iter=2, **params).fit, X, y)
    _quiet(ref.set_params(warm_start=True, max_iter=1).fit, X, y)
    assert est.loss_curve_ == ref.loss_curve_
    for a, b in zip(
        est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
    ):
        assert_array_equal(a, b)
