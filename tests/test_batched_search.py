"""BatchedGridSearchCV and fit_stacked against GridSearchCV and plain fits:
the same initial weights, shuffles, epochs, stopping and scores."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_blobs, make_moons
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier, _stacked
from sklearn_mlplab.model_selection import BatchedGridSearchCV, fit_stacked

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
BACKENDS = [NumpyMLPClassifier, TorchMLPClassifier]


def _data(kind):
    if kind == "binary":
        X, y = make_moons(n_samples=97, noise=0.3, random_state=0)
    else:
        X, y = make_blobs(n_samples=97, centers=3, cluster_std=2.0, random_state=0)
    return X * [3.0, 0.5] + 1, y


def _both(estimator, grid, X, y, **kwargs):
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    batched = BatchedGridSearchCV(estimator, grid, cv=cv, **kwargs).fit(X, y)
    plain = GridSearchCV(estimator, grid, cv=cv, **kwargs).fit(X, y)
    return batched, plain


def _assert_same_results(batched, plain):
    a, b = batched.cv_results_, plain.cv_results_
    scores = [k for k in b if "_test_" in k or "_train_" in k]
    assert scores and set(scores) <= set(a)
    for key in scores:
        if key.startswith("rank"):
            assert list(a[key]) == list(b[key]), key
        else:
            assert_allclose(a[key], b[key], rtol=0, atol=1e-9, err_msg=key)
    assert a["params"] == b["params"]
    assert batched.best_params_ == plain.best_params_
    assert batched.best_index_ == plain.best_index_
    assert batched.n_splits_ == plain.n_splits_
    assert batched.multimetric_ == plain.multimetric_


CASES = [
    # batch_size, tol and patience: full batch and mini-batch, with the
    # stopping rule stopping some candidates early.
    (None, 0.0, 1000),
    (None, 1e-3, 3),
    (16, 1e-3, 3),
]


@pytest.mark.parametrize("Estimator", BACKENDS)
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("batch_size, tol, patience", CASES)
def test_batched_search_finds_what_grid_search_finds(
    Estimator, kind, batch_size, tol, patience
):
    X, y = _data(kind)
    net = Estimator(
        batch_size=batch_size,
        tol=tol,
        n_iter_no_change=patience,
        max_iter=60,
        random_state=0,
    )
    pipe = Pipeline([("scale", StandardScaler()), ("net", net)])
    grid = {
        "net__hidden": [2, 5],
        "net__lr": [0.5, 0.05],
        "net__momentum": [0.0, 0.9],
        "net__alpha": [0.0, 1e-2],
    }
    batched, plain = _both(pipe, grid, X, y, return_train_score=True)
    _assert_same_results(batched, plain)
    assert batched.n_stacked_ == 16 * 4
    assert_allclose(
        batched.best_estimator_.predict_proba(X), plain.best_estimator_.predict_proba(X)
    )


def _fitted_state(est):
    state = {k: v for k, v in vars(est).items() if not k.startswith("_skl")}
    state["velocity"] = est._optimizer.velocity
    del state["_optimizer"], state["_rng"]
    return state


def _assert_same_fit(a, b):
    sa, sb = _fitted_state(a), _fitted_state(b)
    assert sa.keys() == sb.keys()
    for key in sa:
        if isinstance(sa[key], np.ndarray):
            assert_allclose(sa[key], sb[key], rtol=1e-9, atol=1e-12, err_msg=key)
        elif key == "loss_curve_":
            assert_allclose(sa[key], sb[key], rtol=1e-10, err_msg=key)
        elif isinstance(sa[key], float):
            assert sa[key] == pytest.approx(sb[key], rel=1e-10), key
        else:
            assert sa[key] == sb[key], key
    # The generator has drawn the same shuffles.
    assert a._rng.randint(1 << 30) == b._rng.randint(1 << 30)


@pytest.mark.parametrize("Estimator", BACKENDS)
@pytest.mark.parametrize("momentum_type", ["dampened", "classic", "nesterov"])
def test_a_stacked_fit_is_the_networks_own_fit(Estimator, momentum_type):
    X, y = _data("multiclass")
    X = StandardScaler().fit_transform(X)
    nets = [
        Estimator(
            hidden=h,
            lr=lr,
            momentum=0.8,
            momentum_type=momentum_type,
            batch_size=20,
            tol=5e-3,
            n_iter_no_change=2,
            max_iter=40,
            random_state=seed,
        )
        for h, lr, seed in [(3, 0.3, 0), (3, 0.03, 1), (4, 0.1, 2), ((4, 2), 0.2, 3)]
    ]
    alone = [pickle.loads(pickle.dumps(n)).fit(X, y) for n in nets]
    stacked = fit_stacked(nets, X, y)
    assert stacked == nets
    assert len({n.n_iter_ for n in alone}) > 1  # they stop at different epochs
    for a, b in zip(stacked, alone, strict=True):
        _assert_same_fit(a, b)


def test_padding_hidden_units_changes_nothing(monkeypatch):
    # The numpy stack groups by hidden size; with padding, a stack of
    # several sizes gives each network its own fit all the same.
    monkeypatch.setattr(_stacked.NumpyStack, "pads", True)
    X, y = _data("binary")
    X = StandardScaler().fit_transform(X)
    nets = [
        NumpyMLPClassifier(h, lr=0.5, activation=act, max_iter=30, random_state=h)
        for h, act in [(1, "tanh"), (4, "tanh"), (7, "tanh")]
    ]
    alone = [pickle.loads(pickle.dumps(n)).fit(X, y) for n in nets]
    groups = []
    real = _stacked.train_stack
    monkeypatch.setattr(
        _stacked, "train_stack", lambda m, b: groups.append(len(m)) or real(m, b)
    )
    for a, b in zip(fit_stacked(nets, X, y), alone, strict=True):
        _assert_same_fit(a, b)
    assert groups == [3]


def test_memory_budget_splits_a_group_into_stacks(monkeypatch):
    X, y = _data("binary")
    calls = []
    real = _stacked.train_stack
    monkeypatch.setattr(
        _stacked, "train_stack", lambda m, b: calls.append(len(m)) or real(m, b)
    )
    net = Pipeline(
        [
            ("s", StandardScaler()),
            ("n", TorchMLPClassifier(max_iter=20, random_state=0)),
        ]
    )
    grid = {"n__lr": [0.5, 0.1, 0.05]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    one = BatchedGridSearchCV(net, grid, cv=cv).fit(X, y)
    assert calls == [9]
    calls.clear()
    split = BatchedGridSearchCV(net, grid, cv=cv, memory_budget=1).fit(X, y)
    assert calls == [1] * 9
    assert_allclose(
        one.cv_results_["mean_test_score"], split.cv_results_["mean_test_score"]
    )


def test_what_cannot_be_stacked_is_fitted_alone_with_the_same_results():
    X, y = _data("binary")
    pipe = Pipeline(
        [
            ("s", StandardScaler()),
            ("n", NumpyMLPClassifier(max_iter=30, random_state=0)),
        ]
    )
    grid = {"n__solver": ["sgd", "adam"], "n__early_stopping": [False, True]}
    batched, plain = _both(pipe, grid, X, y)
    _assert_same_results(batched, plain)
    assert batched.n_stacked_ == 4  # sgd without early stopping, on 4 folds
    # Fit parameters, or an estimator that is not one of the networks: the
    # whole search is GridSearchCV's.
    sw = np.linspace(0.5, 1.5, len(y))
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    weighted = BatchedGridSearchCV(pipe, {"n__lr": [0.5]}, cv=cv)
    weighted.fit(X, y, n__sample_weight=sw)
    reference = GridSearchCV(pipe, {"n__lr": [0.5]}, cv=cv).fit(
        X, y, n__sample_weight=sw
    )
    _assert_same_results(weighted, reference)
    assert weighted.n_stacked_ == 0
    linear = BatchedGridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv).fit(
        X, y
    )
    assert linear.n_stacked_ == 0 and linear.best_params_ in ({"C": 0.1}, {"C": 1.0})


def test_grid_of_pipeline_steps_and_multimetric_scoring():
    X, y = _data("binary")
    pipe = Pipeline(
        [
            ("s", StandardScaler()),
            ("n", TorchMLPClassifier(max_iter=25, random_state=0)),
        ]
    )
    grid = {"s__with_std": [True, False], "n__hidden": [2, 4]}
    batched, plain = _both(
        pipe, grid, X, y, scoring=["accuracy", "neg_log_loss"], refit="neg_log_loss"
    )
    _assert_same_results(batched, plain)
    assert batched.n_stacked_ == 16
    assert batched.best_score_ == pytest.approx(plain.best_score_, abs=1e-12)
    assert set(batched.scorer_) == {"accuracy", "neg_log_loss"}


@pytest.mark.parametrize("Estimator", BACKENDS)
def test_diverging_candidates_get_the_error_score(Estimator):
    X, y = _data("binary")
    X = StandardScaler().fit_transform(X)
    grid = {"lr": [0.5, 1e6], "momentum_type": ["classic"], "momentum": [0.99]}
    net = Estimator(activation="identity", max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.warns(FitFailedWarning, match="4 fits failed out of a total of 8"):
            batched = BatchedGridSearchCV(net, grid, cv=4).fit(X, y)
        plain = GridSearchCV(net, grid, cv=4).fit(X, y)
    _assert_same_results(batched, plain)
    assert np.isnan(batched.cv_results_["mean_test_score"][1])
    with pytest.raises(ValueError, match="diverged|non-finite|overflow"):
        BatchedGridSearchCV(net, grid, cv=4, error_score="raise").fit(X, y)


def test_stacked_fits_warn_as_their_own_fits_do():
    X, y = _data("binary")
    nets = [NumpyMLPClassifier(3, max_iter=5, random_state=0)]
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(5\)"):
        fit_stacked(nets, X * 100, y)


def test_batched_search_checks_its_own_parameters():
    X, y = _data("binary")
    with pytest.raises(ValueError, match="memory_budget"):
        BatchedGridSearchCV(NumpyMLPClassifier(), {"lr": [0.1]}, memory_budget=0).fit(
            X, y
        )
    assert "memory_budget" in BatchedGridSearchCV(NumpyMLPClassifier(), {}).get_params()


def test_stacks_trained_in_threads_give_the_same_results():
    X, y = _data("multiclass")
    pipe = Pipeline(
        [
            ("s", StandardScaler()),
            ("n", NumpyMLPClassifier(max_iter=15, random_state=0)),
        ]
    )
    grid = {"n__hidden": [2, 3, 4], "n__lr": [0.3, 0.03]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    one = BatchedGridSearchCV(pipe, grid, cv=cv, n_jobs=1).fit(X, y)
    two = BatchedGridSearchCV(pipe, grid, cv=cv, n_jobs=2).fit(X, y)
    _assert_same_results(two, one)


def test_a_candidate_fitted_alone_that_fails_reports_its_own_error():
    X, y = _data("binary")
    X = StandardScaler().fit_transform(X)
    # early_stopping: not stacked. classic momentum 0.99 at lr=1e6 diverges.
    net = NumpyMLPClassifier(
        early_stopping=True,
        activation="identity",
        momentum_type="classic",
        momentum=0.99,
        max_iter=30,
    )
    grid = {"lr": [0.01, 1e6], "random_state": [0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.warns(FitFailedWarning) as caught:
            search = BatchedGridSearchCV(net, grid, cv=3).fit(X, y)
        (message,) = [str(w.message) for w in caught if w.category is FitFailedWarning]
        assert "Traceback (most recent call last):\n  File" in message
        assert "NonFiniteError: Training diverged" in message
        assert search.n_stacked_ == 0  # every fit alone
        times = search.cv_results_["mean_fit_time"]
        assert (times > 0).all() and (times < 60).all()
        assert np.isnan(search.cv_results_["mean_test_score"][1])
        from sklearn_mlplab._base import NonFiniteError

        with pytest.raises(NonFiniteError):
            BatchedGridSearchCV(net, grid, cv=3, error_score="raise").fit(X, y)


def test_fit_stacked_trains_n_jobs_stacks_at_once(monkeypatch):
    import threading

    X, y = _data("binary")
    X = StandardScaler().fit_transform(X)
    threads = set()
    real = _stacked.train_stack

    def recording(members, backend):
        threads.add(threading.get_ident())
        return real(members, backend)

    monkeypatch.setattr(_stacked, "train_stack", recording)
    nets = [NumpyMLPClassifier(h, max_iter=300, random_state=0) for h in (2, 3, 4, 5)]
    fit_stacked(nets, X, y, n_jobs=2)  # four hidden sizes: four stacks
    assert len(threads) == 2
    threads.clear()
    fit_stacked([pickle.loads(pickle.dumps(n)) for n in nets], X, y)
    assert threads == {threading.get_ident()}


def test_a_padded_stack_drops_members_as_they_stop(monkeypatch):
    monkeypatch.setattr(_stacked.NumpyStack, "pads", True)
    X, y = _data("multiclass")
    X = StandardScaler().fit_transform(X)
    nets = [
        NumpyMLPClassifier(
            h, lr=lr, tol=5e-3, n_iter_no_change=2, max_iter=60, random_state=h
        )
        for h, lr in [(2, 0.02), (5, 0.5), (8, 0.05), (3, 0.3)]
    ]
    alone = [pickle.loads(pickle.dumps(n)).fit(X, y) for n in nets]
    assert len({n.n_iter_ for n in alone}) > 2
    for a, b in zip(fit_stacked(nets, X, y), alone, strict=True):
        _assert_same_fit(a, b)


@pytest.mark.parametrize("Estimator", BACKENDS)
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_stacked_squared_error_and_float32_fits_are_their_own(Estimator, kind):
    X, y = _data(kind)
    X = StandardScaler().fit_transform(X)
    for dtype, rtol in [(np.float64, 1e-9), (np.float32, 2e-4)]:
        nets = [
            Estimator(h, loss="squared_error", lr=lr, max_iter=25, random_state=h)
            for h, lr in [(3, 0.5), (3, 0.1), (5, 0.3)]
        ]
        Xd = X.astype(dtype)
        alone = [pickle.loads(pickle.dumps(n)).fit(Xd, y) for n in nets]
        for a, b in zip(fit_stacked(nets, Xd, y), alone, strict=True):
            assert a._params.dtype == b._params.dtype == dtype
            assert_allclose(a._params, b._params, rtol=rtol, atol=rtol * 1e-2)
            assert_allclose(a.loss_curve_, b.loss_curve_, rtol=rtol)


@pytest.mark.parametrize("backend", [_stacked.NumpyStack, _stacked.TorchStack])
def test_finite_rows_looks_at_each_member_alone(backend):
    Estimator = (
        TorchMLPClassifier if backend is _stacked.TorchStack else NumpyMLPClassifier
    )
    net = Estimator(2, max_iter=1).fit([[0.0], [1.0]], [0, 1])
    layout = _stacked._Layout(
        [_stacked.Member(net, np.zeros((2, 1)), np.zeros((2, 1)))]
    )
    stack = backend(net, layout, np.float64)
    theta = stack.asarray(np.array([[1.0, 2.0], [np.inf, 0.0], [3.0, np.nan]]))
    assert list(stack.finite_rows(theta)) == [True, False, False]


def test_fit_stacked_returns_the_error_of_a_fit_that_failed():
    from sklearn_mlplab._base import NonFiniteError

    X, y = _data("binary")
    X = StandardScaler().fit_transform(X)
    good = NumpyMLPClassifier(3, max_iter=5, random_state=0)
    bad = NumpyMLPClassifier(
        3,
        lr=1e6,
        momentum=0.99,
        momentum_type="classic",
        activation="identity",
        max_iter=40,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first, second = fit_stacked([good, bad], X, y)
    assert first is good and hasattr(good, "_params")
    assert isinstance(second, NonFiniteError)


def test_a_callable_scoring_runs_the_search_as_grid_search_cv():
    from sklearn.metrics import accuracy_score, make_scorer

    X, y = _data("binary")
    net = NumpyMLPClassifier(max_iter=10, random_state=0)
    grid = {"lr": [0.5, 0.1]}
    scorer = make_scorer(accuracy_score)
    batched = BatchedGridSearchCV(net, grid, cv=3, scoring=scorer).fit(X, y)
    plain = GridSearchCV(net, grid, cv=3, scoring=scorer).fit(X, y)
    assert batched.n_stacked_ == 0
    _assert_same_results(batched, plain)
