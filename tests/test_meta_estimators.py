"""Both backends inside scikit-learn's meta-estimators and model selection."""

import copy
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_blobs, make_moons
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_validate,
    learning_curve,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
by_backend = pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden=6, max_iter=100, random_state=0)


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def blobs3():
    X, y = make_blobs(n_samples=150, centers=3, cluster_std=1.5, random_state=0)
    return StandardScaler().fit_transform(X), y


def _assert_proba(proba, n_classes):
    assert proba.shape[1] == n_classes
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1)


@by_backend
def test_cross_validate_matches_a_hand_written_loop(Est, moons):
    X, y = moons
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(
        Est(**FAST),
        X,
        y,
        cv=cv,
        scoring=["accuracy", "neg_log_loss"],
        return_estimator=True,
        return_train_score=True,
    )
    for i, (train, test) in enumerate(cv.split(X, y)):
        est = Est(**FAST).fit(X[train], y[train])
        assert result["test_accuracy"][i] == est.score(X[test], y[test])
        assert_array_equal(result["estimator"][i].coefs_[0], est.coefs_[0])
    assert result["test_accuracy"].mean() > 0.75
    assert np.isfinite(result["test_neg_log_loss"]).all()


@by_backend
def test_calibrated_classifier_cv(Est, blobs3):
    X, y = blobs3
    for method in ("sigmoid", "isotonic"):
        cal = CalibratedClassifierCV(Est(**FAST), method=method, cv=3).fit(X, y)
        assert len(cal.calibrated_classifiers_) == 3
        assert_array_equal(cal.classes_, [0, 1, 2])
        _assert_proba(cal.predict_proba(X), 3)
        assert cal.score(X, y) > 0.8


@by_backend
def test_frozen_estimator_is_never_refitted(Est, moons):
    X, y = moons
    fitted = Est(**FAST).fit(X, y)
    before = copy.deepcopy(fitted)
    frozen = FrozenEstimator(fitted)
    frozen.fit(X[:50], 1 - y[:50])  # a fit that would change any live model
    assert_array_equal(frozen.predict_proba(X), before.predict_proba(X))
    # Calibrating a prefit model through FrozenEstimator leaves it untouched.
    cal = CalibratedClassifierCV(frozen, method="sigmoid").fit(X[:100], y[:100])
    _assert_proba(cal.predict_proba(X), 2)
    for a, b in zip(fitted.coefs_, before.coefs_, strict=True):
        assert_array_equal(a, b)
    assert fitted.n_iter_ == before.n_iter_


@by_backend
def test_soft_voting_averages_the_members_probabilities(Est, moons):
    X, y = moons
    members = [
        ("a", Est(**FAST)),
        ("b", Est(**{**FAST, "hidden": (4, 4), "random_state": 1})),
        ("lr", LogisticRegression()),
    ]
    vote = VotingClassifier(members, voting="soft").fit(X, y)
    expected = np.mean([m.predict_proba(X) for m in vote.estimators_], axis=0)
    assert_allclose(vote.predict_proba(X), expected)
    _assert_proba(vote.predict_proba(X), 2)
    assert vote.score(X, y) > 0.75


def test_stacking_both_backends(moons):
    X, y = moons
    stack = StackingClassifier(
        [("numpy", NumpyMLPClassifier(**FAST)), ("torch", TorchMLPClassifier(**FAST))],
        final_estimator=LogisticRegression(),
        cv=3,
    ).fit(X, y)
    assert stack.stack_method_ == ["predict_proba", "predict_proba"]
    # Same hyperparameters and seed: the two backends are one model, so
    # their stacked features coincide.
    features = stack.transform(X)
    assert features.shape == (len(X), 2)
    assert_allclose(features[:, 0], features[:, 1], atol=1e-9)
    _assert_proba(stack.predict_proba(X), 2)
    assert stack.score(X, y) > 0.75


@by_backend
def test_one_vs_rest(Est, blobs3):
    X, y = blobs3
    ovr = OneVsRestClassifier(Est(**FAST)).fit(X, y)
    assert len(ovr.estimators_) == 3
    for k, member in enumerate(ovr.estimators_):
        assert member.n_outputs_ == 1  # each is a binary network
        assert_array_equal(member.classes_, [0, 1])
        assert member.score(X, y == k) > 0.8
    _assert_proba(ovr.predict_proba(X), 3)
    assert ovr.score(X, y) > 0.8


@by_backend
def test_learning_curve(Est, moons):
    X, y = moons
    sizes, train, test = learning_curve(
        Est(**FAST),
        X,
        y,
        train_sizes=[0.2, 0.5, 1.0],
        cv=3,
        shuffle=True,
        random_state=0,
    )
    assert_array_equal(sizes, [26, 66, 133])
    assert train.shape == test.shape == (3, 3)
    assert np.isfinite(test).all()
    assert test[-1].mean() > 0.75


@by_backend
def test_permutation_importance_finds_the_informative_features(Est, blobs3):
    X, y = blobs3
    noise = np.random.RandomState(0).normal(size=(len(X), 2))
    X = np.c_[X, noise]
    est = Est(**FAST).fit(X, y)
    result = permutation_importance(est, X, y, n_repeats=5, random_state=0)
    informative, useless = result.importances_mean[:2], result.importances_mean[2:]
    assert informative.min() > 0.1
    assert informative.min() > 5 * max(useless.max(), 0.01)


# ---------------------------------------------------------- metadata routing
def _routing_data():
    X, y = make_moons(n_samples=120, noise=0.25, random_state=0)
    # Zero weight on most of class 1 in one corner: a weighted fit sees a
    # different problem, and full-batch training makes zero weights the same
    # as dropping those rows.
    sw = np.ones(len(y))
    sw[(y == 1) & (X[:, 0] > 1)] = 0.0
    return X, y, sw


def _pipe(Est, **params):
    clf = Est(batch_size=None, max_iter=60, lr=0.5, random_state=0, **params)
    return Pipeline(
        [
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            (
                "clf",
                clf.set_fit_request(sample_weight=True).set_score_request(
                    sample_weight=True
                ),
            ),
        ]
    )


@by_backend
def test_sample_weight_is_routed_through_a_pipeline(Est):
    X, y, sw = _routing_data()
    assert (sw == 0).sum() > 5
    with sklearn.config_context(enable_metadata_routing=True):
        weighted = _pipe(Est).fit(X, y, sample_weight=sw)
        unweighted = _pipe(Est).fit(X, y)
    Xs = StandardScaler().fit_transform(X)
    by_hand = Est(batch_size=None, max_iter=60, lr=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        by_hand.fit(Xs, y, sample_weight=sw)
    clf = weighted.named_steps["clf"]
    for a, b in zip(clf.coefs_, by_hand.coefs_, strict=True):
        assert_allclose(a, b, rtol=1e-12)
    # Zero weight means "not there" in full-batch training.
    keep = sw > 0
    dropped = clone(by_hand).fit(Xs[keep], y[keep])
    assert_allclose(clf.coefs_[0], dropped.coefs_[0], rtol=1e-7, atol=1e-10)
    # And the weights matter.
    assert not np.allclose(clf.coefs_[0], unweighted.named_steps["clf"].coefs_[0])


@by_backend
def test_sample_weight_is_routed_through_grid_search(Est):
    X, y, sw = _routing_data()
    cv = KFold(3, shuffle=True, random_state=0)
    grid = {"clf__hidden": [2, 5]}
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(_pipe(Est), grid, cv=cv).fit(X, y, sample_weight=sw)
        plain = GridSearchCV(_pipe(Est), grid, cv=cv).fit(X, y)
    # Each split's model was trained, and scored, with that split's share of
    # the weights.
    for i, hidden in enumerate(grid["clf__hidden"]):
        for k, (train, test) in enumerate(cv.split(X)):
            with sklearn.config_context(enable_metadata_routing=True):
                pipe = _pipe(Est, hidden=hidden).fit(
                    X[train], y[train], sample_weight=sw[train]
                )
            score = search.cv_results_[f"split{k}_test_score"][i]
            assert score == pipe.score(X[test], y[test], sample_weight=sw[test])
            assert score != pipe.score(X[test], y[test])
    # The refit best model saw all the weights.
    best = search.best_params_["clf__hidden"]
    with sklearn.config_context(enable_metadata_routing=True):
        expected = _pipe(Est, hidden=best).fit(X, y, sample_weight=sw)
    assert_allclose(
        search.best_estimator_.predict_proba(X), expected.predict_proba(X), rtol=1e-12
    )
    # And they matter: the unweighted search scores differently.
    assert not np.allclose(
        search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    ) or not np.allclose(
        search.best_estimator_.predict_proba(X), plain.best_estimator_.predict_proba(X)
    )


@by_backend
def test_unrequested_sample_weight_is_refused_under_routing(Est):
    # Routing is strict: a weight nobody asked for is an error, not silently
    # dropped, so the tests above do prove the request is honoured.
    X, y, sw = _routing_data()
    pipe = Pipeline([("scale", StandardScaler()), ("clf", Est(**FAST))])
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(ValueError, match="sample_weight"):
            pipe.fit(X, y, sample_weight=sw)
