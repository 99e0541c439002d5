"""Adam, L-BFGS and the learning-rate schedules, on both backends.

Adam and the schedules are held against the same training written out by
hand (``_hand_training.hand_fit``, Adam in Kingma & Ba's epsilon-hat form);
L-BFGS against the optimality it claims: a zero gradient, measured by
finite differences of the objective written out in the test.
"""

import pickle
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
from scipy.special import expit
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_mlplab import NumpyMLPClassifier
from sklearn_mlplab._base import _ADDED_PARAMS
from sklearn_mlplab._optim import SGD, Adam

EPOCHS = 5
BATCH = 8
ADAM = dict(solver="adam", lr=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-6)
# Stuck early and often on _data(): the adaptive rate is divided many times.
STUCK_ADAPTIVE = dict(
    max_iter=300, n_iter_no_change=2, tol=1e-2, lr=0.5, lr_schedule="adaptive"
)


def _data(n=40):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] - 0.5 * X[:, 2] ** 2 > -0.2).astype(int)
    return X, y


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def _params(**kwargs):
    base = dict(
        hidden=3,
        batch_size=BATCH,
        max_iter=EPOCHS,
        n_iter_no_change=1000,
        random_state=0,
    )
    return {**base, **kwargs}


def _hand(X, y, lr, orders=None, **kwargs):
    rng = np.random.RandomState(0)
    coefs, intercepts = xavier_initial_weights(rng, [3, 3, 1])
    if orders is None:
        orders = shuffled_orders(rng, len(y), EPOCHS)
    return hand_fit(coefs, intercepts, X, y, orders, BATCH, lr, 0.0, **kwargs)


def _assert_same_training(est, ref):
    ref_coefs, ref_intercepts, ref_losses = ref
    assert_allclose(est.loss_curve_, ref_losses, rtol=1e-10)
    for got, want in zip(
        est.coefs_ + est.intercepts_, ref_coefs + ref_intercepts, strict=True
    ):
        assert_allclose(got, want, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ Adam
def test_adam_fit_equals_adam_written_out(Estimator):
    X, y = _data()
    est = _fit(Estimator(**_params(**ADAM)), X, y)
    ref = _hand(X, y, 0.05, adam=(0.8, 0.99, 1e-6))
    _assert_same_training(est, ref)


def test_adam_with_sample_weight_equals_adam_written_out(Estimator):
    X, y = _data(n=42)
    sw = np.random.RandomState(3).uniform(0.1, 3.0, size=len(y))
    est = _fit(Estimator(**_params(**ADAM, shuffle=False)), X, y, sample_weight=sw)
    orders = [np.arange(len(y))] * EPOCHS
    ref = _hand(X, y, 0.05, orders=orders, adam=(0.8, 0.99, 1e-6), sample_weight=sw)
    _assert_same_training(est, ref)


def test_adam_partial_fit_calls_carry_its_moments_and_step_count(Estimator):
    # n partial_fit calls are one fit of n epochs: the moments and t carry on.
    X, y = _data()
    whole = _fit(Estimator(**_params(**ADAM)), X, y)
    part = Estimator(**_params(**ADAM))
    for _ in range(EPOCHS):
        part.partial_fit(X, y, classes=[0, 1])
    assert part._optimizer.t == whole._optimizer.t == EPOCHS * 5
    assert_allclose(part._params, whole._params, rtol=1e-12, atol=1e-14)
    assert_allclose(part._optimizer.s, whole._optimizer.s, rtol=1e-12, atol=1e-300)


def test_adam_warm_start_restarts_its_moments(Estimator):
    # A warm start is a fresh Adam (t = 0, zero moments) from the old weights.
    X, y = _data()
    est = _fit(Estimator(**_params(**ADAM, warm_start=True, shuffle=False)), X, y)
    start = [a.copy() for a in est.coefs_], [a.copy() for a in est.intercepts_]
    _fit(est, X, y)
    orders = [np.arange(len(y))] * EPOCHS
    ref = hand_fit(*start, X, y, orders, BATCH, 0.05, 0.0, adam=(0.8, 0.99, 1e-6))
    for got, want in zip(est.coefs_ + est.intercepts_, ref[0] + ref[1], strict=True):
        assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert est._optimizer.t == EPOCHS * 5


def test_adam_object_matches_scikit_learn_adam():
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer

    rng = np.random.RandomState(0)
    w = rng.normal(size=6)
    ours = Adam(w, 0.01, 0.9, 0.999, 1e-8)
    params = [w.copy()]
    sk = AdamOptimizer(params, learning_rate_init=0.01)
    for _ in range(5):
        g = rng.normal(size=6)
        ours.update(w, g.copy())
        sk.update_params(params, [g])
        assert_allclose(w, params[0], rtol=1e-13)


def test_optimizer_state_travels_through_on_and_load_state():
    w = np.arange(4.0)
    opt = Adam(w, 0.1, 0.9, 0.999, 1e-8)
    twin = opt.on(lambda a: a.copy())  # state held elsewhere
    twin.update(w, np.ones(4))
    assert opt.t == 0 and not opt.m.any()
    opt.lr = 0.5  # the schedule's: not taken back from the twin
    opt.load_state(twin, np.asarray)
    assert opt.t == 1 and opt.lr == 0.5
    assert_array_equal(opt.m, twin.m)
    assert_array_equal(opt.s, twin.s)
    sgd = SGD(w, 0.1, 0.9, "classic")
    sgd_twin = sgd.on(lambda a: a + 1.0)
    sgd.load_state(sgd_twin, np.asarray)
    assert_array_equal(sgd.velocity, np.ones(4))


# ------------------------------------------------------------- schedules
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_invscaling_lowers_lr_as_its_formula_says(Estimator, solver):
    # Epoch e starts after t = e * n rows: lr_e = lr / (t + 1) ** power_t.
    X, y = _data()
    kwargs = dict(solver=solver, lr=0.8, lr_schedule="invscaling", power_t=0.3)
    if solver == "sgd":
        kwargs["momentum"] = 0.0
    est = _fit(Estimator(**_params(**kwargs)), X, y)
    lrs = [0.8 / (e * len(y) + 1) ** 0.3 for e in range(EPOCHS)]
    adam = (0.9, 0.999, 1e-8) if solver == "adam" else None
    ref = _hand(X, y, 0.8, lrs=lrs, adam=adam)
    _assert_same_training(est, ref)
    assert est._optimizer.lr == pytest.approx(lrs[-1], rel=1e-15)


def test_constant_schedule_ignores_power_t(Estimator):
    X, y = _data()
    a = _fit(Estimator(**_params(power_t=0.9)), X, y)
    b = _fit(Estimator(**_params(power_t=0.1)), X, y)
    assert_array_equal(a._params, b._params)


def test_adaptive_divides_lr_by_five_where_constant_would_stop(Estimator):
    X, y = _data()
    common = {k: v for k, v in STUCK_ADAPTIVE.items() if k != "lr_schedule"}
    constant = _fit(Estimator(**_params(**common)), X, y)
    adaptive = Estimator(**_params(**common, lr_schedule="adaptive"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it converges
        adaptive.fit(X, y)
    # Identical up to the epoch where the constant schedule stopped ...
    n = constant.n_iter_
    assert_array_equal(adaptive.loss_curve_[:n], constant.loss_curve_)
    # ... then it kept going at lr / 5, lr / 25, ... until lr <= 1e-6.
    assert adaptive.n_iter_ > n
    divisions = round(np.log(0.5 / adaptive._optimizer.lr) / np.log(5))
    assert adaptive._optimizer.lr == pytest.approx(0.5 / 5**divisions, rel=1e-12)
    assert adaptive._optimizer.lr <= 1e-6 < adaptive._optimizer.lr * 5
    # Each division gets n_iter_no_change + 1 epochs without improvement.
    assert adaptive.n_iter_ >= n + divisions * 3


def test_adaptive_lr_carries_over_partial_fit_and_restarts_with_fit(Estimator):
    X, y = _data()
    est = _fit(
        Estimator(
            **_params(
                **STUCK_ADAPTIVE,
                warm_start=True,
            )
        ),
        X,
        y,
    )
    lowered = est._optimizer.lr
    assert lowered < 0.5
    est.partial_fit(X, y)
    assert est._optimizer.lr == lowered
    _fit(est, X, y)  # a warm start restarts the optimizer at lr
    assert est._optimizer.lr < 0.5  # ... and lowered it again
    est.set_params(max_iter=1)
    _fit(est, X, y)
    assert est._optimizer.lr == 0.5


# ---------------------------------------------------------------- L-BFGS
def _objective(est, X, y, sw, w):
    """The training objective at flat weights w, written out (one hidden
    layer, sigmoid units and output): weighted mean log loss + penalty."""
    (W1, W2), (b1, b2) = est._unpack(w)
    z = (expit(X @ W1 + b1) @ W2 + b2)[:, 0]
    per_row = np.logaddexp(0.0, z) - y * z
    return per_row @ sw / sw.sum() + 0.5 * est.alpha * (
        (W1 * W1).sum() + (W2 * W2).sum()
    )


def _rng_after_init(units):
    rng = np.random.RandomState(0)
    xavier_initial_weights(rng, units)
    return rng


def test_lbfgs_ends_where_the_objective_gradient_is_zero(Estimator):
    X, y = _data(n=60)
    sw = np.random.RandomState(4).uniform(0.5, 2.0, size=len(y))
    est = Estimator(
        hidden=3, solver="lbfgs", alpha=0.05, tol=1e-9, max_iter=500, random_state=0
    )
    est.fit(X, y, sample_weight=sw)
    w = est._params.copy()
    assert est.loss_curve_[-1] == pytest.approx(_objective(est, X, y, sw, w), rel=1e-10)
    eps = 1e-6
    grad = np.array(
        [
            (
                _objective(est, X, y, sw, w + eps * e)
                - _objective(est, X, y, sw, w - eps * e)
            )
            / (2 * eps)
            for e in np.eye(len(w))
        ]
    )
    assert np.abs(grad).max() < 1e-5  # scipy also stops on a stalled loss
    # ... and it did descend: from the initial weights' objective.
    fresh = clone(est).set_params(max_iter=1)
    _fit(fresh, X, y, sample_weight=sw)
    assert est.loss_curve_[-1] < fresh.loss_curve_[0]
    assert np.all(np.diff(est.loss_curve_) <= 1e-12)  # a descent method


def test_lbfgs_integer_weights_equal_repeated_rows(Estimator):
    X, y = _data()
    sw = np.random.RandomState(2).randint(1, 4, size=len(y))
    kw = dict(hidden=3, solver="lbfgs", alpha=0.01, max_iter=30, random_state=0)
    weighted = _fit(Estimator(**kw), X, y, sample_weight=sw.astype(float))
    repeated = _fit(Estimator(**kw), np.repeat(X, sw, axis=0), np.repeat(y, sw))
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-8)
    assert_allclose(weighted._params, repeated._params, rtol=1e-6, atol=1e-8)


def test_lbfgs_counts_iterations_and_warns_at_max_iter(Estimator):
    X, y = _data()
    est = Estimator(hidden=3, solver="lbfgs", max_iter=7, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(7\)"):
        est.fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 7
    assert est.t_ == 7 * len(y)


def test_lbfgs_max_fun_bounds_the_loss_evaluations(Estimator, monkeypatch):
    X, y = _data()
    calls = []
    original = Estimator._engine.loss_gradient

    def counting(self, *args):
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(Estimator._engine, "loss_gradient", counting)
    est = Estimator(hidden=3, solver="lbfgs", max_fun=10, max_iter=1000, random_state=0)
    with pytest.warns(ConvergenceWarning, match="L-BFGS stopped"):
        est.fit(X, y)
    assert 10 <= len(calls) <= 12 and est.n_iter_ < 10


def test_lbfgs_has_no_partial_fit(Estimator):
    est = Estimator(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="no attribute 'partial_fit'") as info:
        est.partial_fit  # noqa: B018
    # scikit-learn's message, caused by the one that names the cure.
    assert str(info.value.__cause__) == (
        "partial_fit is not available with solver='lbfgs', which needs all the "
        "data at once; use fit, or solver='sgd' or 'adam'."
    )
    assert hasattr(Estimator(solver="adam"), "partial_fit")


def test_lbfgs_warm_start_continues_from_the_fitted_weights(Estimator):
    X, y = _data()
    kw = dict(hidden=3, solver="lbfgs", alpha=0.01, random_state=0)
    once = _fit(Estimator(**kw, max_iter=40), X, y)
    twice = _fit(Estimator(**kw, max_iter=20, warm_start=True), X, y)
    first, first_len = twice.loss_curve_[-1], len(twice.loss_curve_)
    _fit(twice, X, y)
    # It carried on from where it stopped (a converged second call is short).
    assert len(twice.loss_curve_) == first_len + twice.n_iter_
    assert twice.n_iter_ >= 1
    assert twice.loss_curve_[-1] < first
    # Not the same path as 40 iterations at once (L-BFGS restarts its memory),
    # but the same neighbourhood of the objective.
    assert twice.loss_curve_[-1] == pytest.approx(once.loss_curve_[-1], rel=0.05)


def test_lbfgs_early_stopping_keeps_the_best_validation_iterate(Estimator):
    X, y = _data(n=120)
    est = Estimator(
        hidden=8,
        solver="lbfgs",
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=500,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopping is not failing
        est.fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(est.loss_curve_) < 500
    assert est.best_validation_score_ == max(scores)
    # It stopped n_iter_no_change + 1 iterations after the last improvement,
    # holding the weights of the best one: the documented split (drawn after
    # the initial weights) scores them at the best score.
    best = int(np.argmax(scores))
    assert len(scores) - 1 - best == 4
    rng = np.random.RandomState(0)
    xavier_initial_weights(rng, [3, 8, 1])
    _, X_val, _, y_val = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=rng
    )
    assert est.score(X_val, y_val) == est.best_validation_score_
    # L-BFGS is deterministic: the best iterate is a plain fit of as many
    # iterations on the training part.
    X_train, _, y_train, _ = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=_rng_after_init([3, 8, 1])
    )
    plain = _fit(
        Estimator(hidden=8, solver="lbfgs", max_iter=best + 1, random_state=0),
        X_train,
        y_train,
    )
    assert_allclose(est._params, plain._params, rtol=1e-10, atol=1e-12)


def test_lbfgs_interrupt_keeps_the_last_finished_iteration(Estimator, monkeypatch):
    X, y = _data()
    Est = Estimator._engine
    original = Est.loss_gradient
    calls = {"n": 0}

    def interrupting(self, *args):
        calls["n"] += 1
        if calls["n"] == 8:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(Est, "loss_gradient", interrupting)
    est = Estimator(hidden=3, solver="lbfgs", random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X, y)
    assert 0 < est.n_iter_ < 8
    # The kept weights are the last finished iteration's, whose loss it was.
    w = est._params
    assert est.loss_curve_[-1] == pytest.approx(
        _objective(est, X, y, np.ones(len(y)), w), rel=1e-12
    )


# ----------------------------------------------- every solver, the plumbing
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_failed_fit_leaves_the_model_as_it_was(Estimator, solver):
    X, y = _data()
    est = _fit(
        Estimator(hidden=3, solver=solver, lr=0.01, max_iter=5, random_state=0), X, y
    )
    before = pickle.dumps(est)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.fit(np.full_like(X, np.nan), y)
    assert pickle.dumps(est) == before


def _as_pickled_by_0_1_0(est):
    """``est``'s state as 0.1.0 pickled it: SGD's velocity, and none of the
    parameters added since (the flat layout is the current one)."""
    state = dict(est.__getstate__())
    state["_velocity"] = state.pop("_optimizer").velocity
    for name in _ADDED_PARAMS:
        del state[name]
    return state


def test_old_pickles_get_an_sgd_optimizer_from_their_velocity():
    X, y = _data()
    est = _fit(NumpyMLPClassifier(**_params(momentum=0.9)), X, y)
    state = _as_pickled_by_0_1_0(est)
    velocity = state["_velocity"]
    old = NumpyMLPClassifier.__new__(NumpyMLPClassifier)
    old.__setstate__(state)
    assert old.solver == "sgd" and old.lr_schedule == "constant"
    assert isinstance(old._optimizer, SGD)
    assert_array_equal(old._optimizer.velocity, velocity)
    old.partial_fit(X, y)
    est.partial_fit(X, y)
    assert_array_equal(old._params, est._params)


def test_changing_solver_between_partial_fit_calls_starts_the_new_rule(Estimator):
    X, y = _data()
    est = Estimator(**_params())
    est.partial_fit(X, y, classes=[0, 1])
    assert isinstance(est._optimizer, SGD)
    est.set_params(**ADAM)
    est.partial_fit(X, y)
    assert isinstance(est._optimizer, Adam) and est._optimizer.t == 5


def test_interrupted_adam_restarts_its_state(Estimator, monkeypatch):
    X, y = _data()
    interrupt_on_call(monkeypatch, type(Estimator()), 12)
    est = Estimator(**_params(**ADAM))
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X, y)
    assert est.n_iter_ == 2
    assert est._optimizer.t == 0 and not est._optimizer.m.any()


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_early_stopping_scores_each_epoch_and_keeps_the_best(Estimator, solver):
    # Full batch, so nothing is shuffled: epoch k of the early-stopping fit
    # is a plain fit of k epochs on the documented training part.
    X, y = _data(n=120)
    kwargs = dict(hidden=6, solver=solver, batch_size=None, random_state=0)
    kwargs["lr"] = 0.05 if solver == "adam" else 2.0
    est = Estimator(**kwargs, early_stopping=True, n_iter_no_change=3, max_iter=300)
    _fit(est, X, y)
    rng = np.random.RandomState(0)
    xavier_initial_weights(rng, [3, 6, 1])
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=rng
    )
    assert est.n_iter_ < 300 and len(est.validation_scores_) == est.n_iter_
    for k in (1, est.n_iter_ // 2, est.n_iter_):
        plain = _fit(Estimator(**kwargs, max_iter=k, tol=0.0), X_train, y_train)
        assert plain.score(X_val, y_val) == est.validation_scores_[k - 1]
    best = int(np.argmax(est.validation_scores_)) + 1
    at_best = _fit(Estimator(**kwargs, max_iter=best, tol=0.0), X_train, y_train)
    assert_allclose(est._params, at_best._params, rtol=1e-12, atol=1e-15)


def _max_gradient(est, X, y, sw):
    w, eps = est._params.copy(), 1e-6
    return max(
        abs(
            _objective(est, X, y, sw, w + eps * e)
            - _objective(est, X, y, sw, w - eps * e)
        )
        / (2 * eps)
        for e in np.eye(len(w))
    )


def test_lbfgs_tol_is_its_gradient_tolerance(Estimator):
    X, y = _data(n=60)
    sw = np.ones(len(y))
    kw = dict(hidden=3, solver="lbfgs", alpha=0.05, max_iter=500, random_state=0)
    loose = Estimator(**kw, tol=0.02).fit(X, y)
    tight = Estimator(**kw, tol=1e-9).fit(X, y)
    assert loose.n_iter_ < tight.n_iter_
    assert 1e-3 < _max_gradient(loose, X, y, sw) <= 0.02
    assert _max_gradient(tight, X, y, sw) < 1e-5


def test_lbfgs_warm_start_from_a_stationary_point_runs_no_iteration(Estimator):
    X, y = _data(n=60)
    kw = dict(hidden=3, solver="lbfgs", alpha=0.05, max_iter=500, random_state=0)
    est = Estimator(**kw, tol=1e-9, warm_start=True).fit(X, y)
    before = est._params.copy(), list(est.loss_curve_)
    est.set_params(tol=1.0)  # the gradient is already far below it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.fit(X, y)
    assert_array_equal(est._params, before[0])
    assert est.loss_curve_ == before[1] and est.n_iter_ == 0


def test_lbfgs_result_with_non_finite_outputs_keeps_the_starting_model(
    Estimator, monkeypatch
):
    from sklearn_mlplab._base import NonFiniteError
    from sklearn_mlplab._classifier import BaseMLPClassifier

    X, y = _data()
    kw = dict(hidden=3, solver="lbfgs", alpha=0.01, max_iter=5, random_state=0)
    est = _fit(Estimator(**kw, warm_start=True), X, y)
    before = est._params.copy(), list(est.loss_curve_), est.n_iter_, est.t_
    monkeypatch.setattr(BaseMLPClassifier, "_finite_outputs", lambda self, X: False)
    with pytest.raises(NonFiniteError, match="diverged"):
        _fit(est, X, y)
    assert_array_equal(est._params, before[0])
    assert (list(est.loss_curve_), est.n_iter_, est.t_) == before[1:]
    assert est._optimizer is None


def _interrupt_loss_gradient(monkeypatch, Estimator, call):
    Engine = Estimator._engine
    original = Engine.loss_gradient
    calls = {"n": 0}

    def interrupting(self, *args):
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(Engine, "loss_gradient", interrupting)


def test_lbfgs_interrupted_before_an_iteration_leaves_no_model(Estimator, monkeypatch):
    X, y = _data()
    _interrupt_loss_gradient(monkeypatch, Estimator, 1)
    est = Estimator(hidden=3, solver="lbfgs", random_state=0)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert not hasattr(est, "coefs_") and not hasattr(est, "loss_curve_")


def test_lbfgs_warm_start_interrupted_at_once_keeps_the_fitted_model(
    Estimator, monkeypatch
):
    X, y = _data()
    est = _fit(
        Estimator(
            hidden=3, solver="lbfgs", max_iter=5, random_state=0, warm_start=True
        ),
        X,
        y,
    )
    before = est._params.copy(), list(est.loss_curve_)
    _interrupt_loss_gradient(monkeypatch, Estimator, 1)
    with pytest.warns(UserWarning) as record:
        est.fit(X, y)
    assert [str(w.message) for w in record] == [
        "Training interrupted by the user; keeping the weights of the last "
        "finished iteration."
    ]
    assert_array_equal(est._params, before[0])
    assert est.loss_curve_ == before[1]


def test_adaptive_lr_survives_an_interrupted_partial_fit(Estimator, monkeypatch):
    X, y = _data()
    est = _fit(
        Estimator(
            **_params(
                **STUCK_ADAPTIVE,
            )
        ),
        X,
        y,
    )
    lowered = est._optimizer.lr
    assert lowered < 0.5
    interrupt_on_call(monkeypatch, Estimator, 3)
    with pytest.warns(UserWarning, match="interrupted"):
        est.partial_fit(X, y)
    # A fresh optimizer state, at the rate the schedule had reached.
    assert not est._optimizer.velocity.any()
    assert est._optimizer.lr == lowered


def test_old_pickles_train_on_with_the_adaptive_schedule_from_their_lr():
    X, y = _data()
    est = _fit(NumpyMLPClassifier(**_params(lr=0.3)), X, y)
    state = _as_pickled_by_0_1_0(est)
    old = NumpyMLPClassifier.__new__(NumpyMLPClassifier)
    old.__setstate__(state)
    old.set_params(lr_schedule="adaptive")
    est.set_params(lr_schedule="adaptive")
    old.partial_fit(X, y)
    est.partial_fit(X, y)
    assert old._optimizer.lr == est._optimizer.lr == 0.3
    assert_array_equal(old._params, est._params)


def test_adaptive_stops_like_constant_once_lr_is_at_its_floor(Estimator):
    # At lr <= 1e-6 the adaptive schedule no longer divides: it stops.
    X, y = _data()
    common = dict(max_iter=300, n_iter_no_change=2, tol=1e-2, lr=1e-6)
    constant = _fit(Estimator(**_params(**common)), X, y)
    adaptive = _fit(Estimator(**_params(**common, lr_schedule="adaptive")), X, y)
    assert adaptive.n_iter_ == constant.n_iter_ < 300
    assert adaptive._optimizer.lr == 1e-6


def test_adaptive_says_when_it_lowers_lr(Estimator, capsys):
    X, y = _data()
    est = Estimator(
        **_params(
            **STUCK_ADAPTIVE,
            verbose=True,
        )
    )
    _fit(est, X, y)
    out = capsys.readouterr().out
    assert "Setting learning rate to 0.100000\n" in out
    assert "Setting learning rate to 0.020000\n" in out


def test_lbfgs_warm_start_warns_by_its_own_iterations(Estimator, monkeypatch):
    # The message names what stopped this call: max_iter counts its own
    # iterations, not the model's n_iter_ from earlier calls.
    X, y = _data()
    kw = dict(hidden=3, solver="lbfgs", random_state=0, warm_start=True)
    est = _fit(Estimator(**kw, max_iter=20), X, y)
    assert est.n_iter_ == 20
    est.set_params(max_iter=1000, max_fun=5)
    with pytest.warns(ConvergenceWarning, match=r"L-BFGS stopped \(") as record:
        est.fit(X, y)
    assert "Maximum iterations" not in str(record[0].message)


def test_warm_early_stopping_fit_that_diverges_keeps_the_last_good_epoch(
    Estimator, monkeypatch
):
    # Epoch 3's outputs overflow after its loss was taken: a continued fit
    # keeps epoch 2's weights (the last that gave finite outputs), not the
    # best epoch's (epoch 1 here).
    from sklearn_mlplab._base import NonFiniteError, NonFiniteOutputError

    X, y = _data(n=80)
    est = _fit(
        Estimator(**_params(early_stopping=True, warm_start=True, max_iter=3)), X, y
    )
    Est = type(est)
    original = Est._score_validation
    seen, outputs = [], []

    def score(self, val):
        seen.append(self._params.copy())
        if len(seen) == 3:
            raise NonFiniteOutputError("outputs overflow")
        if not outputs:
            outputs.append(original(self, val))
        return outputs[0]  # epoch 2 gets epoch 1's score: no improvement

    monkeypatch.setattr(Est, "_score_validation", score)
    with pytest.raises(NonFiniteError, match="diverged"):
        est.fit(X, y)
    assert len(seen) == 3
    assert_array_equal(est._params, seen[1])  # epoch 2's weights
    assert not np.array_equal(seen[0], seen[1])
