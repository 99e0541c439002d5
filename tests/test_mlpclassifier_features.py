"""What MLPClassifier's users ask for: multilabel targets, the identity
activation, class weights, validation loss and ``scoring``, scikit-learn's
callback API, warnings instead of silent failures, and scikit-learn's
semantics where code is ported (``n_iter_``, ``partial_fit``, names)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import (
    make_classification,
    make_moons,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import MultiOutputClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier, _base
from sklearn_mlplab.exceptions import (
    LossIncreasedWarning,
    NoBetterThanChanceWarning,
    TrainingFailureWarning,
    UnscaledFeaturesWarning,
)
from sklearn_mlplab.plotting import LossCurveDisplay

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
quiet = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _multilabel():
    X, Y = make_multilabel_classification(
        n_samples=300, n_features=6, n_classes=4, random_state=0
    )
    return StandardScaler().fit_transform(X), Y


def _moons(n=200):
    X, y = make_moons(n_samples=n, noise=0.2, random_state=0)
    return X, y


# --------------------------------------------------------------- multilabel
@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_multilabel_outputs_follow_scikit_learn(Estimator):
    X, Y = _multilabel()
    est = Estimator(hidden=8, lr=0.5, max_iter=100, random_state=0).fit(X, Y)
    mlp = MLPClassifier(hidden_layer_sizes=8, max_iter=5, random_state=0).fit(X, Y)
    assert_array_equal(est.classes_, mlp.classes_)  # 0 .. n_labels - 1
    assert est.n_outputs_ == 4 and est.out_activation_ == "logistic"
    pred, proba = est.predict(X), est.predict_proba(X)
    assert pred.shape == proba.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    # One independent sigmoid per label: rows need not sum to 1.
    assert not np.allclose(proba.sum(axis=1), 1)
    assert_array_equal(pred, (proba > 0.5).astype(int))
    assert_allclose(est.predict_log_proba(X), np.log(proba), rtol=1e-6)
    assert est.score(X, Y) > 0.5  # subset accuracy, as ClassifierMixin's


@quiet
def test_multilabel_matches_the_per_label_wrappers_in_form_and_quality():
    X, Y = _multilabel()
    params = dict(hidden=8, lr=0.5, max_iter=200, random_state=0)
    joint = NumpyMLPClassifier(**params).fit(X, Y)
    for Wrapper in (OneVsRestClassifier, MultiOutputClassifier):
        wrapped = Wrapper(NumpyMLPClassifier(**params)).fit(X, Y)
        assert joint.predict(X).shape == wrapped.predict(X).shape
        ours = (joint.predict(X) == Y).mean()
        theirs = (wrapped.predict(X) == Y).mean()
        # One network with shared hidden units against one per label.
        assert abs(ours - theirs) < 0.05, (Wrapper.__name__, ours, theirs)
    ovr = OneVsRestClassifier(NumpyMLPClassifier(**params)).fit(X, Y)
    assert joint.predict_proba(X).shape == ovr.predict_proba(X).shape


@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_multilabel_early_stopping_warm_start_and_partial_fit(Estimator):
    X, Y = _multilabel()
    est = Estimator(hidden=6, lr=0.5, early_stopping=True, random_state=0).fit(X, Y)
    assert len(est.validation_scores_) == est.n_iter_ > 0
    with pytest.raises(ValueError, match="multilabel indicator matrix"):
        est.set_params(warm_start=True).fit(X, Y.argmax(axis=1))
    inc = Estimator(hidden=6, random_state=0).partial_fit(X, Y)  # no classes=
    inc.partial_fit(X, Y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"^classes=\[0, 1\] does not match the 4 col"):
        Estimator().partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(ValueError, match="y has 3 labels, but the fitted model has 4"):
        inc.partial_fit(X[:, :6], Y[:, :3])


def test_multiclass_multioutput_targets_are_refused_with_the_wrapper_named():
    X, _ = _moons(30)
    y = np.column_stack([np.arange(30) % 3, np.arange(30) % 2])
    with pytest.raises(ValueError, match="MultiOutputClassifier"):
        NumpyMLPClassifier().fit(X, y)


@quiet
def test_multilabel_float32_trains_in_float32_on_both_backends():
    X, Y = _multilabel()
    X = X.astype(np.float32)
    params = dict(hidden=5, lr=0.5, max_iter=5, random_state=0)
    ours = NumpyMLPClassifier(**params).fit(X, Y)
    twin = TorchMLPClassifier(**params).fit(X, Y)
    assert ours._params.dtype == twin._params.dtype == np.float32
    assert_allclose(twin._params, ours._params, rtol=1e-4, atol=1e-5)


@quiet
def test_multilabel_loss_is_the_sum_of_the_labels_binary_losses():
    X, Y = _multilabel()
    est = NumpyMLPClassifier(hidden=5, lr=0.5, max_iter=3, random_state=0).fit(X, Y)
    z = est._logits(X)
    expected = sum(log_loss(Y[:, k], expit(z[:, k])) for k in range(Y.shape[1]))
    assert_allclose(est._mean_loss(z, Y.astype(float), None), expected, rtol=1e-10)


# ---------------------------------------------------------------- identity
@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_identity_activation_makes_the_network_linear(Estimator):
    X, y = _moons()
    est = Estimator(hidden=(4, 3), activation="identity", lr=0.1, max_iter=20)
    est.set_params(random_state=0).fit(X, y)
    (W1, W2, W3), (b1, b2, b3) = est.coefs_, est.intercepts_
    W, b = W1 @ W2 @ W3, (b1 @ W2 + b2) @ W3 + b3
    assert_allclose(est.predict_proba(X)[:, 1], expit(X @ W + b)[:, 0], rtol=1e-10)


# ------------------------------------------------------------- class_weight
@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("batch_size", [None, 16])
def test_balanced_class_weight_equals_the_balanced_sample_weight(Estimator, batch_size):
    X, y = make_classification(
        n_samples=120, n_features=4, weights=[0.8, 0.2], random_state=0
    )
    params = dict(hidden=4, lr=0.3, max_iter=15, batch_size=batch_size, random_state=0)
    balanced = Estimator(class_weight="balanced", **params).fit(X, y)
    weighted = Estimator(**params).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y)
    )
    assert_allclose(balanced._params, weighted._params, rtol=1e-12, atol=1e-14)
    assert_allclose(balanced.loss_curve_, weighted.loss_curve_, rtol=1e-12)
    plain = Estimator(**params).fit(X, y)
    assert not np.allclose(plain._params, balanced._params)


@quiet
def test_class_weight_dict_multiplies_sample_weight():
    X, y = _moons(100)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=100)
    params = dict(hidden=4, lr=0.3, max_iter=10, random_state=0)
    ours = NumpyMLPClassifier(class_weight={0: 3.0}, **params).fit(
        X, y, sample_weight=sw
    )
    by_hand = NumpyMLPClassifier(**params).fit(
        X, y, sample_weight=sw * np.where(y == 0, 3.0, 1.0)
    )
    assert_allclose(ours._params, by_hand._params, rtol=1e-12)
    # partial_fit takes a dict (the same for every call), not "balanced".
    inc = NumpyMLPClassifier(class_weight={0: 3.0}, **params)
    inc.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        NumpyMLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="multilabel"):
        NumpyMLPClassifier(class_weight="balanced").fit(*_multilabel())


# ------------------------------------------------- validation loss, scoring
class _RecordingScorer:
    """A scorer that also computes the validation log loss with
    scikit-learn's function, at every call."""

    def __init__(self):
        self.losses = []

    def __call__(self, est, X, y):
        self.losses.append(log_loss(y, est.predict_proba(X), labels=est.classes_))
        return est.score(X, y)


@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_validation_loss_curve_is_the_log_loss_of_the_held_out_rows(Estimator):
    X, y = _moons()
    scorer = _RecordingScorer()
    est = Estimator(hidden=5, early_stopping=True, scoring=scorer, random_state=0)
    est.fit(X, y)
    n = est.n_iter_
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == n > 1
    assert_allclose(est.validation_loss_curve_, scorer.losses, rtol=1e-7)


class _WeightedRecordingScorer:
    """The same with the held-out rows' sample weights, which it must get."""

    def __init__(self):
        self.losses, self.scores = [], []

    def __call__(self, est, X, y, sample_weight=None):
        assert sample_weight is not None and len(sample_weight) == len(y)
        proba = est.predict_proba(X)
        self.losses.append(
            log_loss(y, proba, labels=est.classes_, sample_weight=sample_weight)
        )
        self.scores.append(est.score(X, y, sample_weight=sample_weight))
        return self.scores[-1]


@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_validation_loss_and_scorer_are_weighted_by_sample_weight(Estimator):
    X, y = _moons()
    sw = np.random.RandomState(1).uniform(0.1, 5.0, size=len(y))
    scorer = _WeightedRecordingScorer()
    est = Estimator(hidden=5, early_stopping=True, scoring=scorer, random_state=0)
    est.fit(X, y, sample_weight=sw)
    assert est.n_iter_ > 1
    assert_allclose(est.validation_loss_curve_, scorer.losses, rtol=1e-7)
    assert est.validation_scores_ == scorer.scores
    unweighted = Estimator(hidden=5, early_stopping=True, random_state=0)
    unweighted.fit(X, y, sample_weight=sw)
    assert unweighted.validation_loss_curve_[0] == pytest.approx(scorer.losses[0])


@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_scoring_loss_stops_on_the_validation_loss(Estimator):
    X, y = _moons()
    est = Estimator(
        hidden=5, early_stopping=True, scoring="loss", tol=0, random_state=0
    ).fit(X, y)
    assert_allclose(est.validation_scores_, -np.asarray(est.validation_loss_curve_))
    best = int(np.argmax(est.validation_scores_))
    assert est.best_validation_score_ == est.validation_scores_[best]
    # Stopped after n_iter_no_change + 1 epochs no better than the best.
    assert est.n_iter_ - 1 - best == est.n_iter_no_change + 1


@quiet
def test_scoring_takes_scorer_names_and_refuses_unknown_ones():
    X, y = _moons()
    est = NumpyMLPClassifier(early_stopping=True, scoring="roc_auc", random_state=0)
    est.fit(X, y)
    assert all(0 <= s <= 1 for s in est.validation_scores_)
    acc = NumpyMLPClassifier(early_stopping=True, random_state=0).fit(X, y)
    assert est.validation_scores_ != acc.validation_scores_
    with pytest.raises(ValueError, match="not a valid scoring value"):
        NumpyMLPClassifier(early_stopping=True, scoring="acuracy").fit(X, y)


@quiet
def test_loss_curve_display_draws_training_and_validation_loss():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    X, y = _moons()
    nets = [
        NumpyMLPClassifier(lr=lr, early_stopping=True, random_state=0).fit(X, y)
        for lr in (1.0, 0.3)
    ]
    nets.append(NumpyMLPClassifier(max_iter=5, random_state=0).fit(X, y))
    display = LossCurveDisplay.from_estimator(nets)
    assert len(display.lines_) == 3
    assert len(display.validation_loss_lines_) == 2
    for line, net in zip(display.validation_loss_lines_, nets, strict=False):
        assert_allclose(line.get_ydata(), net.validation_loss_curve_)
        assert line.axes is display.ax_
    assert display.ax_.get_ylabel() == "loss"


# --------------------------------------------------------------- callbacks
needs_callbacks = pytest.mark.skipif(
    not _base.CALLBACKS_AVAILABLE, reason="this scikit-learn has no sklearn.callback"
)


class _Recorder:
    """A FitCallback that records its hooks, and can ask to stop."""

    def __init__(self, stop_after=None, predict=True):
        self.events, self.stop_after, self.predict = [], stop_after, predict

    def setup(self, estimator, context):
        self.events.append("setup")

    def teardown(self, estimator, context):
        self.events.append("teardown")

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, X=None):
        self.events.append(("end", context.task_name))
        if (
            self.predict
            and fitted_estimator is not None
            and context.task_name == "epoch"
        ):
            # The model as it stands after this epoch, ready to predict.
            self.events.append(("predicted", fitted_estimator.predict(X).shape))
        epochs = [e for e in self.events if e[0] == "predicted"]
        return self.stop_after is not None and len(epochs) >= self.stop_after


@needs_callbacks
@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_each_epoch_is_a_callback_task_and_a_callback_can_stop(Estimator, solver):
    X, y = _moons()
    rec = _Recorder()
    est = Estimator(solver=solver, max_iter=7, random_state=0).set_callbacks(rec)
    est.fit(X, y)
    epochs = [e for e in rec.events if e[0] == "predicted"]
    assert epochs == [("predicted", y.shape)] * est.n_iter_
    assert est.n_iter_ == 7
    assert rec.events[0] == "setup" and rec.events[-1] == "teardown"
    assert rec.events[1] == ("begin", "fit") and rec.events[-2] == ("end", "fit")
    stopper = _Recorder(stop_after=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # not "max_iter reached"
        warnings.simplefilter("ignore", NoBetterThanChanceWarning)
        Estimator(solver=solver, random_state=0).set_callbacks(stopper).fit(X, y)
    assert len([e for e in stopper.events if e[0] == "predicted"]) == 3


@needs_callbacks
@quiet
def test_scoring_monitor_logs_one_entry_per_epoch():
    from sklearn.callback import ScoringMonitor

    X, y = _moons()
    monitor = ScoringMonitor(scoring="accuracy")
    est = NumpyMLPClassifier(max_iter=6, random_state=0).set_callbacks(monitor)
    est.fit(X, y)
    rows = monitor.get_logs().data
    epochs = [r for r in rows if r["task_name"] == "epoch"]
    assert len(epochs) == 6
    # The last epoch's score is the fitted model's.
    assert epochs[-1]["accuracy"] == est.score(X, y)


@needs_callbacks
@quiet
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_a_progress_bar_on_the_estimator_counts_its_epochs(capsys, solver):
    from sklearn.callback import ProgressBar

    X, y = _moons()
    est = NumpyMLPClassifier(max_iter=30, solver=solver, random_state=0)
    est.set_callbacks(ProgressBar()).fit(X, y)
    out = capsys.readouterr().out
    assert "NumpyMLPClassifier - fit" in out and "100%" in out


@needs_callbacks
@quiet
def test_callbacks_propagate_through_grid_search_and_pipeline(capsys):
    from sklearn.callback import ProgressBar, ScoringMonitor

    X, y = _moons()
    monitor = ScoringMonitor(scoring="accuracy")
    net = NumpyMLPClassifier(max_iter=4, random_state=0).set_callbacks(monitor)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), net),
        {"numpymlpclassifier__lr": [0.1, 1.0]},
        cv=2,
    )
    search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert len(rows) == (2 * 2 + 1) * 4  # candidates x folds + refit, 4 epochs each
    assert not hasattr(search.best_estimator_[-1], "_callback_fit_ctx")


@needs_callbacks
def test_a_failed_fit_tears_its_callbacks_down_and_keeps_them():
    X, y = _moons()
    rec = _Recorder(predict=False)
    est = NumpyMLPClassifier(lr=1e4, activation="relu", random_state=0)
    est.set_callbacks(rec)
    with pytest.raises(ValueError, match="diverged"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X * 1e3, y)
    assert rec.events[-1] == "teardown"
    assert est._skl_callbacks == [rec]


@quiet
def test_fits_work_without_the_callback_api(monkeypatch):
    monkeypatch.setattr(_base, "CALLBACKS_AVAILABLE", False)
    X, y = _moons()
    est = NumpyMLPClassifier(max_iter=5, random_state=0).fit(X, y)
    assert est.n_iter_ == 5 and not hasattr(est, "_callback_fit_ctx")


# ---------------------------------------------------------- silent failures
def _unscaled():
    # Two informative features, one with std about 2, one about 77 on top
    # of a large offset: the example.
    rng = np.random.RandomState(0)
    X, y = make_classification(
        n_samples=300, n_features=2, n_redundant=0, n_informative=2, random_state=0
    )
    X = X * [2.0, 77.0] + [0.0, 500.0]
    return X + rng.normal(scale=0.01, size=X.shape), y


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_unscaled_data_that_trains_to_chance_says_so(Estimator):
    X, y = _unscaled()
    with pytest.warns(UnscaledFeaturesWarning, match="Put a StandardScaler first"):
        with pytest.warns(NoBetterThanChanceWarning, match="learned nothing") as got:
            est = Estimator(random_state=0).fit(X, y)
    assert est.score(X, y) <= 0.6
    assert all(issubclass(w.category, ConvergenceWarning) for w in got)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # filters added
        warnings.simplefilter("error", TrainingFailureWarning)  # later win
        warnings.simplefilter("error", UnscaledFeaturesWarning)
        fixed = make_pipeline(StandardScaler(), Estimator(random_state=0)).fit(X, y)
    assert fixed.score(X, y) > 0.85


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_loss_that_rises_says_so(Estimator):
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    est = Estimator(lr=100, momentum_type="classic", random_state=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        est.fit(X, y)
    rose = [w for w in got if w.category is LossIncreasedWarning]
    assert len(rose) == 1 and "Lower lr (now 100)" in str(rose[0].message)
    assert est.loss_curve_[-1] > est.loss_curve_[0]
    calm = Estimator(lr=1, momentum_type="classic", random_state=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        calm.fit(X, y)
    assert not [w for w in got if w.category is LossIncreasedWarning]


@pytest.mark.parametrize(
    "curve, rose",
    [
        ([1.0, 2.0], True),  # two epochs are enough
        ([1.0, 0.5, 2.0], True),  # the last epoch against the first
        ([1.0, 2.0, 2.0], True),
        ([1.0, 2.0, 0.9], False),
        ([1.0, 1.009], False),  # within 1% of the first
        ([1.0, 1.011], True),
        ([1e-6, 5e-4], False),  # within tol
        ([0.0, 2**-10], False),  # exactly tol: not above it
        ([2.0, 2.015], False),  # within 1% of the first, 2.0
        ([1.0, 10.0, 1.05], True),  # 1% of the first, not of the second
        ([3.0], False),
        ([], False),  # L-BFGS at a stationary point runs no iteration
    ],
)
def test_the_loss_rose_check_compares_the_last_epoch_with_the_first(curve, rose):
    X, y = _moons()
    est = NumpyMLPClassifier(hidden=6, activation="tanh", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    est.loss_curve_ = [7.0, *curve]  # an earlier fit's epoch, then this one's
    est.tol = 2**-10  # a power of two: the boundary case is exact
    Y = y[:, None].astype(float)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        est._warn_if_learned_nothing(X, Y, None, curve_start=1)
    messages = [str(w.message) for w in got if w.category is LossIncreasedWarning]
    assert len(messages) == rose
    if rose:
        assert messages[0].startswith(
            f"The training loss rose from {curve[0]:.4g} in the first epoch to "
            f"{curve[-1]:.4g} in the last"
        )
    assert not [w for w in got if w.category is NoBetterThanChanceWarning]


@quiet
def test_always_predicting_the_majority_says_class_weight():
    X, y = make_classification(
        n_samples=300, weights=[0.95, 0.05], flip_y=0, class_sep=0.1, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    est = NumpyMLPClassifier(hidden=2, lr=0.01, max_iter=3, random_state=0)
    with pytest.warns(NoBetterThanChanceWarning, match="class_weight='balanced'"):
        est.fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_good_fit_gives_no_failure_warning(Estimator):
    X, y = _moons()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", TrainingFailureWarning)
        warnings.simplefilter("error", UnscaledFeaturesWarning)
        est = Estimator(hidden=6, activation="tanh", random_state=0).fit(X, y)
    assert est.score(X, y) > 0.9


def test_the_scale_check_compares_largest_values_and_skips_empty_columns():
    X = np.column_stack([np.linspace(-1, 1, 50), np.zeros(50), np.linspace(0, 50, 50)])
    y = np.arange(50) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", UnscaledFeaturesWarning)
        NumpyMLPClassifier(max_iter=1).fit(X, y)  # 50x: no warning
        X[:, 2] *= 3  # 150x
        with pytest.raises(UnscaledFeaturesWarning, match=r"150 times.*feature 2"):
            NumpyMLPClassifier(max_iter=1).fit(X, y)


# ------------------------------------------------ scikit-learn's semantics
@quiet
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_n_iter_counts_the_last_fit_as_in_mlpclassifier(Estimator):
    X, y = _moons()
    ours = Estimator(max_iter=5, tol=0, random_state=0, warm_start=True).fit(X, y)
    theirs = MLPClassifier(max_iter=5, tol=0, random_state=0, warm_start=True).fit(X, y)
    ours.set_params(max_iter=3).fit(X, y)
    theirs.set_params(max_iter=3).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 3
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 8
    assert ours.t_ == theirs.t_ == 8 * len(X)
    ours.partial_fit(X, y)
    theirs.partial_fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 1
    assert ours.t_ == theirs.t_ == 9 * len(X)


def test_partial_fit_refuses_early_stopping_as_mlpclassifier_does():
    X, y = _moons()
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        NumpyMLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_mlpclassifier_parameter_names_point_to_ours(Estimator):
    name = Estimator.__name__
    with pytest.raises(
        TypeError, match=f"{name} got .* 'hidden_layer_sizes'.*Use hidden"
    ):
        Estimator(hidden_layer_sizes=(5,))
    with pytest.raises(TypeError, match=f"{name} got .*Use lr instead"):
        Estimator(learning_rate_init=0.1)
    with pytest.raises(
        TypeError, match=f"^{name} got an unexpected keyword argument 'x'.$"
    ):
        Estimator(x=1)
    with pytest.raises(ValueError, match="Use hidden instead of hidden_layer_sizes"):
        Estimator().set_params(hidden_layer_sizes=4)
    with pytest.raises(ValueError) as info:
        Estimator().set_params(hidden_layer_sizes=4, learning_rate_init=0.1)
    assert str(info.value).endswith(
        "]. Use hidden instead of hidden_layer_sizes. Use lr instead of "
        "learning_rate_init."
    )
    search = GridSearchCV(Estimator(), {"learning_rate_init": [0.1]}, cv=2)
    with pytest.raises(ValueError, match="Use lr instead"):
        search.fit(*_moons(20))


def test_a_device_torch_cannot_use_names_those_it_can():
    torch = pytest.importorskip("torch")
    if torch.backends.mps.is_available():
        pytest.skip("this machine has MPS")
    X, y = _moons(20)
    with pytest.raises(ValueError, match=r"device='mps' cannot be used.*\['cpu'"):
        TorchMLPClassifier(device="mps").fit(X, y)


@quiet
def test_a_sparse_indicator_matrix_trains_as_the_dense_one():
    import scipy.sparse as sp

    X, Y = _multilabel()
    params = dict(hidden=5, lr=0.5, max_iter=5, random_state=0)
    dense = NumpyMLPClassifier(**params).fit(X, Y)
    sparse = NumpyMLPClassifier(**params).fit(X, sp.csr_matrix(Y))
    assert_array_equal(sparse._params, dense._params)
    assert_array_equal(sparse.predict(X), dense.predict(X))


@pytest.mark.parametrize("rows, step", [(10000, 1), (50, 4)])
def test_the_learned_nothing_check_reads_every_kth_row(monkeypatch, rows, step):
    X, y = _moons()  # 200 rows: every row, or every 4th for a budget of 50
    monkeypatch.setattr(_base, "_CHECK_ROWS", rows)
    est = NumpyMLPClassifier(hidden=3, lr=1e-4, max_iter=2, random_state=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        est.fit(X, y)
    [message] = [str(w.message) for w in got if w.category is NoBetterThanChanceWarning]
    seen = log_loss(y[::step], est.predict_proba(X[::step]))
    other = log_loss(y[:: 5 - step], est.predict_proba(X[:: 5 - step]))
    assert f"{seen:.4g}" != f"{other:.4g}", "the rows read do not matter here"
    assert f"its training loss {seen:.4g} is not even 1% below" in message


@pytest.mark.parametrize("scale", [1.0, 1e-3])  # weights summing to less than 1
def test_the_learned_nothing_check_weighs_the_rows(monkeypatch, scale):
    X, y = _moons()
    # Class 1 weighs about 3 times class 0: a weighted prior near 0.75.
    noise = np.random.RandomState(0).uniform(0.5, 1.5, size=len(y))
    sw = scale * np.where(y == 1, 3.0, 1.0) * noise
    monkeypatch.setattr(_base, "_CHECK_ROWS", 50)  # every 4th row
    est = NumpyMLPClassifier(hidden=3, lr=1e-4, max_iter=2, random_state=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        est.fit(X, y, sample_weight=sw)
    [message] = [str(w.message) for w in got if w.category is NoBetterThanChanceWarning]
    proba = est.predict_proba(X[::4])
    seen = log_loss(y[::4], proba, sample_weight=sw[::4])
    assert f"{seen:.4g}" != f"{log_loss(y[::4], proba):.4g}", "weights do not matter"
    assert f"its training loss {seen:.4g} is not even 1% below" in message
    prior = np.average(y[::4], weights=sw[::4])
    constant = log_loss(y[::4], np.full(len(proba), prior), sample_weight=sw[::4])
    assert f"below the {constant:.4g} of predicting the class frequencies" in message
    assert abs(constant - np.log(2)) > 0.05  # the unweighted prior's


def test_the_learned_nothing_check_skips_rows_read_that_weigh_nothing(monkeypatch):
    X, y = _moons()
    sw = np.ones(len(y))
    sw[::4] = 0.0  # every row the check reads
    monkeypatch.setattr(_base, "_CHECK_ROWS", 50)
    est = NumpyMLPClassifier(hidden=3, lr=1e-4, max_iter=2, random_state=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        est.fit(X, y, sample_weight=sw)
    assert not [w for w in got if w.category is NoBetterThanChanceWarning]
