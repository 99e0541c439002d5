"""Behaviour of the shared base class, on both backends."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier
from sklearn_mlplab._base import _ADDED_PARAMS

FAST = dict(max_iter=30, random_state=0)


def _quiet_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def test_xavier_normal_initialisation_and_zero_biases(Estimator):
    # The weights are the first draws of RandomState(random_state), normal
    # with std sqrt(2 / (fan_in + fan_out)), layer after layer; biases are 0.
    X = np.random.RandomState(0).normal(size=(20, 5))
    y = np.arange(20) % 2
    est = Estimator(hidden=(4, 3), max_iter=1, lr=1e-12, momentum=0, random_state=7)
    _quiet_fit(est, X, y)
    rng = np.random.RandomState(7)
    shapes = [(5, 4), (4, 3), (3, 1)]
    for W, (fan_in, fan_out) in zip(est.coefs_, shapes, strict=True):
        expected = rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), (fan_in, fan_out))
        assert_allclose(W, expected, rtol=1e-9, atol=1e-9)
    for b in est.intercepts_:
        assert_allclose(b, 0, atol=1e-9)


def test_initial_weights_come_only_from_random_state(Estimator, moons):
    X, y = moons
    a = Estimator(max_iter=1, random_state=3)
    b = Estimator(max_iter=1, random_state=3)
    np.random.seed(0)  # noqa: NPY002 (the global seed must not matter)
    _quiet_fit(a, X, y)
    np.random.seed(1)  # noqa: NPY002 (the global seed must not matter)
    _quiet_fit(b, X, y)
    assert_array_equal(a._params, b._params)
    c = _quiet_fit(Estimator(max_iter=1, random_state=4), X, y)
    assert not np.allclose(a._params, c._params)


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_binary_and_multiclass_probabilities(Estimator, moons, blobs3, loss):
    for X, y, n_outputs in [(*moons, 1), (*blobs3, 3)]:
        est = _quiet_fit(Estimator(loss=loss, **FAST), X, y)
        proba = est.predict_proba(X)
        assert est.n_outputs_ == n_outputs
        assert proba.shape == (len(X), len(np.unique(y)))
        assert_allclose(proba.sum(axis=1), 1.0)
        assert_allclose(np.exp(est.predict_log_proba(X)), proba, rtol=1e-9)
        assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
        assert est.score(X, y) > 0.8


def test_float32_input_stays_float32(Estimator, moons):
    X, y = moons
    est = _quiet_fit(Estimator(**FAST), X.astype(np.float32), y)
    assert est._params.dtype == np.float32
    assert all(W.dtype == np.float32 for W in est.coefs_)
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
    est64 = _quiet_fit(Estimator(**FAST), X, y)
    assert est64._params.dtype == np.float64
    assert est64.predict_proba(X).dtype == np.float64


def test_sample_weight_equals_repeated_rows_in_full_batch(Estimator, blobs3):
    X, y = blobs3
    w = np.random.RandomState(0).randint(0, 4, size=len(y))
    params = dict(batch_size=None, max_iter=50, random_state=0)
    weighted = _quiet_fit(Estimator(**params), X, y, sample_weight=w)
    repeated = _quiet_fit(Estimator(**params), np.repeat(X, w, 0), np.repeat(y, w))
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)
    assert_allclose(weighted._params, repeated._params, rtol=1e-9, atol=1e-12)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-9)


def test_sample_weight_changes_the_model(Estimator, moons):
    X, y = moons
    w = np.where(y == 1, 5.0, 1.0)
    plain = _quiet_fit(Estimator(**FAST), X, y)
    weighted = _quiet_fit(Estimator(**FAST), X, y, sample_weight=w)
    assert weighted.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_partial_fit_matches_fit(Estimator, moons):
    X, y = moons
    params = dict(batch_size=16, shuffle=True, random_state=0, momentum=0.9)
    full = Estimator(max_iter=100, n_iter_no_change=1000, **params)
    _quiet_fit(full, X, y)
    inc = Estimator(**params)
    for _ in range(100):
        inc.partial_fit(X, y, classes=[0, 1])
    assert len(inc.loss_curve_) == full.n_iter_ == 100
    assert inc.n_iter_ == 1  # the last call's epochs, as in scikit-learn
    assert inc.t_ == full.t_ == 100 * len(X)
    assert_allclose(inc.loss_curve_, full.loss_curve_, rtol=1e-12)
    assert_allclose(inc._params, full._params, rtol=1e-12, atol=1e-14)


def test_partial_fit_needs_classes_on_first_call(Estimator, moons):
    X, y = moons
    with pytest.raises(ValueError, match="classes must be passed"):
        Estimator().partial_fit(X, y)
    est = Estimator(random_state=0).partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    assert_array_equal(est.classes_, [0, 1])
    with pytest.raises(ValueError, match="not in classes_"):
        est.partial_fit(X, y + 5)


def test_warm_start_continues_from_the_fitted_weights(Estimator, moons):
    X, y = moons
    est = _quiet_fit(Estimator(max_iter=5, warm_start=True, random_state=0), X, y)
    first = est._params.copy()
    _quiet_fit(est, X, y)
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 10
    cold = _quiet_fit(Estimator(max_iter=5, random_state=0), X, y)
    assert_array_equal(cold._params, first)
    assert not np.allclose(est._params, first)
    with pytest.raises(ValueError, match="same classes"):
        est.fit(X, np.where(y == 1, 2, y))
    est.set_params(hidden=7)
    with pytest.raises(ValueError, match="warm_start=False"):
        est.fit(X, y)


def test_tol_stops_training_and_max_iter_warns(Estimator, moons):
    X, y = moons
    est = Estimator(max_iter=1000, tol=1e-2, n_iter_no_change=3, random_state=0)
    est.fit(X, y)
    assert est.n_iter_ < 1000
    assert est.best_loss_ == min(est.loss_curve_)
    # With a huge tol no epoch after the first improves: training stops once
    # more than n_iter_no_change epochs have failed, as in scikit-learn.
    huge_tol = Estimator(max_iter=1000, tol=1e6, n_iter_no_change=3, random_state=0)
    assert huge_tol.fit(X, y).n_iter_ == 3 + 2
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        Estimator(max_iter=2).fit(X, y)


def test_early_stopping_restores_the_best_weights(Estimator, moons):
    X, y = moons
    params = dict(early_stopping=True, lr=0.05, n_iter_no_change=5, random_state=0)
    est = _quiet_fit(Estimator(max_iter=300, **params), X, y)
    assert est.best_loss_ is None
    assert est.best_validation_score_ == max(est.validation_scores_)
    best_epoch = int(np.argmax(est.validation_scores_)) + 1
    assert best_epoch < est.n_iter_
    # The same run cut at the best epoch ends on the weights that were kept.
    cut = _quiet_fit(Estimator(max_iter=best_epoch, **params), X, y)
    assert_allclose(est._params, cut._params, rtol=1e-12)


def test_verbose_prints_one_line_per_epoch(Estimator, moons, capsys):
    X, y = moons
    _quiet_fit(Estimator(max_iter=3, verbose=True, random_state=0), X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        f"Iteration {i}" for i in (1, 2, 3)
    ]
    assert all(", loss = " in line for line in lines)


def test_huge_learning_rate_never_gives_nan_probabilities(Estimator, moons):
    # lr = 50 saturates the sigmoid: the log loss from logits stays finite.
    X, y = moons
    est = _quiet_fit(Estimator(lr=50.0, max_iter=20, random_state=0), X, y)
    assert np.isfinite(est.loss_curve_).all()
    assert np.isfinite(est.predict_proba(X)).all()


def test_pickle_and_joblib_round_trips(Estimator, blobs3, tmp_path):
    X, y = blobs3
    est = _quiet_fit(Estimator(**FAST), X, y)
    expected = est.predict_proba(X)
    assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X), expected)
    joblib.dump(est, tmp_path / "model.joblib")
    assert_array_equal(
        joblib.load(tmp_path / "model.joblib").predict_proba(X), expected
    )


def test_string_labels_and_feature_names(Estimator, moons):
    pd = pytest.importorskip("pandas")
    X, y = moons
    frame = pd.DataFrame(X, columns=["width", "height"])
    labels = np.array(["no", "yes"])[y]
    est = _quiet_fit(Estimator(**FAST), frame, labels)
    assert_array_equal(est.feature_names_in_, ["width", "height"])
    assert set(est.predict(frame)) <= {"no", "yes"}
    assert est.score(frame, labels) > 0.8


def test_clone_gives_an_unfitted_copy_with_the_same_params(Estimator, moons):
    est = _quiet_fit(Estimator(hidden=(5, 4), lr=0.2, **FAST), *moons)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "classes_")


def test_coefs_are_views_of_one_flat_vector():
    est = _quiet_fit(NumpyMLPClassifier(hidden=(5, 4), **FAST), *_moons_small())
    for W in est.coefs_ + est.intercepts_:
        assert np.shares_memory(W, est._params)
    assert [W.shape for W in est.coefs_] == [(2, 5), (5, 4), (4, 1)]


def _moons_small():
    from sklearn.datasets import make_moons

    return make_moons(n_samples=60, noise=0.2, random_state=1)


def test_partial_fit_rejects_changed_classes(Estimator, moons):
    X, y = moons
    est = Estimator(random_state=0).partial_fit(X, y, classes=[0, 1])
    est.partial_fit(X, y, classes=[1, 0])  # the same set, in any order
    with pytest.raises(ValueError, match="not the same as on the first call"):
        est.partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_after_an_early_stopping_fit(Estimator, moons):
    X, y = moons
    est = _quiet_fit(Estimator(early_stopping=True, max_iter=20, random_state=0), X, y)
    n = len(est.loss_curve_)
    with pytest.raises(ValueError, match="does not support early_stopping"):
        est.partial_fit(X, y)
    assert len(est.loss_curve_) == n  # the refused call changed nothing
    est.set_params(early_stopping=False).partial_fit(X, y)
    assert len(est.loss_curve_) == n + 1 and est.n_iter_ == 1
    assert np.isfinite(est.best_loss_)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_an_error_mid_training_restores_a_continued_run_exactly(
    Estimator, moons, monkeypatch, how
):
    X, y = moons
    est = _quiet_fit(Estimator(max_iter=3, warm_start=True, random_state=0), X, y)
    est.partial_fit(X, y)  # a non-zero velocity and an advanced generator
    before = pickle.loads(pickle.dumps(est))
    calls = {"n": 0}
    original = type(est)._engine.step

    def failing_step(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise MemoryError("out of memory")
        return original(self, *args)

    monkeypatch.setattr(type(est)._engine, "step", failing_step)
    with pytest.raises(MemoryError):
        if how == "partial_fit":
            est.partial_fit(X, y)
        else:
            est.fit(X, y)
    monkeypatch.undo()
    assert_array_equal(est._params, before._params)
    assert_array_equal(est._optimizer.velocity, before._optimizer.velocity)
    assert est.loss_curve_ == before.loss_curve_ and est.n_iter_ == before.n_iter_
    assert_array_equal(est._rng.get_state()[1], before._rng.get_state()[1])


def test_early_stopping_with_zero_weight_on_one_side_is_a_clear_error(Estimator):
    X = np.random.RandomState(0).normal(size=(40, 2))
    y = np.arange(40) % 2
    w = np.zeros(40)
    w[:2] = 1.0
    for seed in range(20):
        est = Estimator(early_stopping=True, validation_fraction=0.5, random_state=seed)
        try:
            _quiet_fit(est, X, y, sample_weight=w)
        except ValueError as exc:
            assert "zero total sample_weight" in str(exc)
            return
    pytest.fail("no split put all the weight on one side")


def test_predict_agrees_with_predict_proba_on_near_ties(Estimator, moons):
    X, y = moons
    X32 = X.astype(np.float32)
    est = _quiet_fit(Estimator(**FAST), X32, y)
    # A logit so small that the float32 sigmoid rounds it to exactly 0.5.
    est._params[:] = 0
    est._params[-1] = np.float32(1e-9)
    proba = est.predict_proba(X32[:3])
    assert_array_equal(proba, 0.5)
    assert_array_equal(est.predict(X32[:3]), est.classes_[proba.argmax(axis=1)])


def test_divergence_with_early_stopping_names_the_cure(Estimator, moons):
    X, y = moons
    for seed in range(8):
        est = Estimator(
            activation="relu", lr=1e4, early_stopping=True, random_state=seed
        )
        with pytest.raises(ValueError, match="Training diverged.*Lower lr"):
            _quiet_fit(est, X * 1e3, y)


def test_read_only_input_trains_and_predicts_without_warnings(Estimator):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = (X[:, 0] > 0).astype(int)
    X.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Estimator(max_iter=3, random_state=0).fit(X, y)
        est.predict_proba(X)
        est.partial_fit(X, y)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("factor", [1e-30, 1e4])
def test_scaling_every_sample_weight_leaves_the_model_unchanged(
    Estimator, dtype, rtol, factor
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(70, 3)).astype(dtype)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    sw = rng.uniform(0.5, 2.0, size=70).astype(dtype)
    params = dict(hidden=4, max_iter=10, batch_size=16, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = Estimator(**params).fit(X, y, sample_weight=sw)
        scaled = Estimator(**params).fit(X, y, sample_weight=sw * dtype(factor))
    assert_allclose(scaled._params, base._params, rtol=rtol, atol=rtol * 1e-2)
    assert_allclose(scaled.loss_curve_, base.loss_curve_, rtol=rtol)


def test_pickles_of_the_first_release_load_with_their_weights(Estimator):
    # sklearn-mlplab 0.1.0 laid the flat vector out as every weight matrix,
    # then every bias; such a pickle must still predict what it predicted.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Estimator(hidden=(5, 3), max_iter=5, random_state=0).fit(X, y)
    state = dict(est.__getstate__())  # a copy: it may be the live __dict__
    # As 0.1.0 pickled it: SGD's velocity, and none of the newer parameters.
    state["_velocity"] = state.pop("_optimizer").velocity
    for name in _ADDED_PARAMS:
        del state[name]
    for key in ("_params", "_velocity"):
        coefs, intercepts = est._unpack(state[key])
        state[key] = np.concatenate([a.ravel() for a in coefs + intercepts])
    del state["_layout"]
    old = Estimator.__new__(Estimator)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert_array_equal(old.predict_proba(X), est.predict_proba(X))
    assert_array_equal(old._optimizer.velocity, est._optimizer.velocity)
    pairs = zip(old.coefs_ + old.intercepts_, est.coefs_ + est.intercepts_, strict=True)
    for a, b in pairs:
        assert_array_equal(a, b)
