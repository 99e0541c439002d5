"""NumpyMLPRegressor and TorchMLPRegressor: the maths against independent
references, the two backends against each other, and the behaviour a
scikit-learn regressor owes its users.

The references: finite differences (the plain backprop and
``check_gradients``), the formulas written out, scikit-learn's own metrics
(``r2_score``, ``mean_poisson_deviance``), closed-form models a linear
network must reproduce (least squares, a Poisson GLM), and scikit-learn's
``MLPRegressor`` with the same settings.
"""

import copy
import importlib.util
import itertools
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_regressor
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import LinearRegression, PoissonRegressor
from sklearn.metrics import mean_poisson_deviance, r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_estimator

from sklearn_mlplab import (
    LossCurveDisplay,
    NumpyMLPClassifier,
    NumpyMLPRegressor,
    TorchMLPRegressor,
    _functions,
    _numpy_fast,
)
from sklearn_mlplab._base import NonFiniteError, NonFiniteOutputError
from sklearn_mlplab._classifier import BaseMLPClassifier
from sklearn_mlplab._numpy_mlp import backprop
from sklearn_mlplab._regressor import BaseMLPRegressor
from sklearn_mlplab.exceptions import NoBetterThanChanceWarning
from sklearn_mlplab.model_selection import BatchedGridSearchCV

pytest.importorskip("torch")

REGRESSORS = [NumpyMLPRegressor, TorchMLPRegressor]
by_backend = pytest.mark.parametrize("Est", REGRESSORS, ids=lambda c: c.__name__)
quiet = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=60, n_targets=1, positive=False, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    Y = np.column_stack(
        [np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2, X[:, 2] - X[:, 0] * X[:, 1]]
        + [rng.normal(size=n) for _ in range(max(0, n_targets - 2))]
    )[:, :n_targets]
    if positive:
        Y = np.exp(Y / 2)
    y = Y[:, 0] if n_targets == 1 else Y
    return X, y, rng.uniform(0.2, 3.0, size=n)


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


# ------------------------------------------------------------ the layers
def test_the_class_split_is_visible_in_the_hierarchy():
    for Est in REGRESSORS:
        assert issubclass(Est, BaseMLPRegressor)
        assert not issubclass(Est, BaseMLPClassifier)
        assert is_regressor(Est())
    assert issubclass(NumpyMLPClassifier, BaseMLPClassifier)
    # The two kinds share every parameter but the classifier's class_weight,
    # and the backends' engines.
    shared = set(NumpyMLPClassifier().get_params()) - {"class_weight"}
    assert set(NumpyMLPRegressor().get_params()) == shared
    assert NumpyMLPRegressor._engine is NumpyMLPClassifier._engine
    assert "device" in TorchMLPRegressor().get_params()
    # The regressor has none of the classifier's methods.
    for name in ("predict_proba", "predict_log_proba", "classes_"):
        assert not hasattr(NumpyMLPRegressor(), name)


def test_the_docstrings_describe_the_regressor():
    doc = NumpyMLPRegressor.__doc__
    assert 'loss : {"squared_error", "poisson"}, default="squared_error"' in doc
    assert "lr : float, default=0.1" in doc
    assert 'scoring : str or callable, default="r2"' in doc
    assert "class_weight" not in doc and "classes_ :" not in doc
    assert "%(" not in doc and "%(" not in TorchMLPRegressor.__doc__
    assert "device : str" in TorchMLPRegressor.__doc__


# ------------------------------------------------------------ the formulas
def test_the_regression_losses_are_the_formulas_written_out():
    rng = np.random.RandomState(1)
    z = rng.normal(size=(7, 2))
    Y = rng.uniform(0, 3, size=(7, 2))
    Y[0, 0] = 0.0  # y log y at y = 0 is 0
    per_sample, grad = _functions.LOSSES["squared_error"](z, z, Y, "identity")
    assert_allclose(per_sample, 0.5 * ((z - Y) ** 2).sum(axis=1), rtol=1e-14)
    assert_allclose(grad, z - Y, rtol=1e-14)
    p = np.exp(z)
    per_sample, grad = _functions.LOSSES["poisson"](z, p, Y, "exp")
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(Y > 0, Y * np.log(Y / p), 0.0)
    assert_allclose(per_sample, (ylogy - Y + p).sum(axis=1), rtol=1e-12)
    assert_allclose(grad, p - Y, rtol=1e-14)
    # Half of scikit-learn's mean Poisson deviance, target by target.
    for k in range(2):
        per_target = _functions.LOSSES["poisson"](
            z[:, [k]], p[:, [k]], Y[:, [k]], "exp"
        )
        assert per_target[0].mean() == pytest.approx(
            0.5 * mean_poisson_deviance(Y[:, k], p[:, k]), rel=1e-12
        )
    # Squared error on an exp output (not a pair the regressor makes, but
    # the table has it): the chain rule's extra factor p.
    _, grad = _functions.LOSSES["squared_error"](z, p, Y, "exp")
    assert_allclose(grad, (p - Y) * p, rtol=1e-14)


CASES = list(
    itertools.product(
        ["identity", "logistic", "tanh", "relu"],
        ["squared_error", "poisson"],
        [1, 3],  # targets
        [0.0, 0.3],  # alpha
        [False, True],  # sample_weight
        [(4,), (4, 3)],  # hidden layers
    )
)
IDS = ["-".join(map(str, c)) for c in CASES]


def _network(activation, loss, n_targets, alpha, hidden, dtype=np.float64, n=12):
    X, y, sw = _data(n, n_targets, positive=loss == "poisson")
    X, sw = X.astype(dtype), sw.astype(dtype)
    est = NumpyMLPRegressor(hidden, activation=activation, loss=loss, alpha=alpha)
    y, one_d = est._check_targets(y)
    Y = est._encode_targets(y, one_d, None, False, False, dtype)
    est._rng = np.random.RandomState(0)
    est._initialize(hidden, X.shape[1], dtype)
    est._params *= 2.0  # every layer's derivative matters
    for b in est.intercepts_:
        b[...] = est._rng.normal(scale=0.5, size=b.shape)  # off relu's kink
    return est, X, Y, sw


def _plain(est, X, Y, sw):
    return backprop(
        X,
        Y,
        sw,
        est.coefs_,
        est.intercepts_,
        activation=est.activation,
        loss=est.loss,
        out_activation=est.out_activation_,
        alpha=est.alpha,
    )


@pytest.mark.parametrize(
    "activation, loss, n_targets, alpha, weighted, hidden", CASES, ids=IDS
)
def test_regression_backprop_matches_finite_differences(
    activation, loss, n_targets, alpha, weighted, hidden
):
    est, X, Y, sw = _network(activation, loss, n_targets, alpha, hidden)
    sw = sw if weighted else None
    theta = est._params.copy()
    objective, coef_grads, intercept_grads = _plain(est, X, Y, sw)
    analytic = est._pack(coef_grads, intercept_grads, np.float64)

    def f(w):
        est._params[:] = w
        return _plain(est, X, Y, sw)[0]

    h = 1e-6
    numeric = np.array(
        [(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    )
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7 * np.abs(numeric).max())
    # The objective is the weighted mean loss plus the penalty, written out.
    est._params[:] = theta
    z = _plain_logits(est, X)
    p = z if loss == "squared_error" else np.exp(z)
    if loss == "squared_error":
        rows = 0.5 * ((p - Y) ** 2).sum(axis=1)
    else:
        rows = (_xlogy(Y, Y / p) - Y + p).sum(axis=1)
    penalty = alpha / 2 * sum((W**2).sum() for W in est.coefs_)
    assert objective == pytest.approx(np.average(rows, weights=sw) + penalty, rel=1e-12)


def _xlogy(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(b), 0.0)


def _plain_logits(est, X):
    a = X
    f = _functions.ACTIVATIONS[est.activation]
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1], strict=True):
        a = f(a @ W + b)
    return a @ est.coefs_[-1] + est.intercepts_[-1]


@pytest.mark.parametrize(
    "activation, loss, n_targets, alpha, weighted, hidden", CASES, ids=IDS
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regression_fast_path_equals_the_plain_backprop(
    activation, loss, n_targets, alpha, weighted, hidden, dtype
):
    est, X, Y, sw = _network(activation, loss, n_targets, alpha, hidden, dtype)
    sw = sw if weighted else None
    objective, coef_grads, intercept_grads = _plain(est, X, Y, sw)
    ws = _numpy_fast.Workspace(est, X, Y, sw, len(X) + 5)
    weight_sum = float(len(X) if sw is None else sw.sum())
    fast = _numpy_fast.loss_grad(ws, X, Y, sw, weight_sum, scale=0.25)
    rtol = 1e-12 if dtype == np.float64 else 5e-5
    assert fast == pytest.approx(objective, rel=rtol)
    plain = est._pack(coef_grads, intercept_grads, np.float64)
    assert_allclose(
        ws.grad, 0.25 * plain, rtol=rtol, atol=0.25 * rtol * np.abs(plain).max()
    )


@by_backend
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize(
    "loss, n_targets",
    [("squared_error", 1), ("squared_error", 2), ("poisson", 1), ("poisson", 2)],
)
def test_check_gradients_is_below_1e6_for_every_regressor(
    Est, activation, loss, n_targets
):
    from sklearn_mlplab.inspection import check_gradients

    X, y, sw = _data(40, n_targets, positive=loss == "poisson")
    est = Est((4, 3), activation=activation, loss=loss, alpha=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fresh relu network sits on kinks
        check_gradients(est, X, y, sample_weight=sw)
        _fit(est.set_params(max_iter=30), X, y, sample_weight=sw)
    # Off the kinks: the trained biases moved.
    for b in est.intercepts_:
        b += 0.05
    result = check_gradients(est, X, y, sample_weight=sw)
    if result.kinks == 0:
        assert result.max_relative_error < 1e-6, result.relative_errors


def test_check_gradients_flags_a_broken_regression_gradient(monkeypatch):
    from sklearn_mlplab.inspection import check_gradients

    X, y, _ = _data(40, 1, positive=True)
    est = NumpyMLPRegressor(4, loss="poisson", activation="tanh", random_state=0)
    assert check_gradients(est, X, y).max_relative_error < 1e-6
    right = _functions.LOSSES["poisson"]

    def wrong(z, p, Y, out):  # dL/dz written as p - 2y instead of p - y
        per_sample, _ = right(z, p, Y, out)
        return per_sample, p - 2 * Y

    monkeypatch.setitem(_functions.LOSSES, "poisson", wrong)
    assert check_gradients(est, X, y).max_relative_error > 1e-2


# ------------------------------------------------------------ the two backends
PARITY = list(
    itertools.product(
        ["squared_error", "poisson"],
        [
            {"solver": "sgd", "momentum_type": "dampened"},
            {"solver": "sgd", "momentum_type": "nesterov", "lr_schedule": "invscaling"},
            {"solver": "adam", "lr": 0.01, "lr_schedule": "adaptive"},
            {"solver": "lbfgs"},
        ],
        [1, 2],  # targets
        [None, 16],  # full batch, or shuffled mini-batches
        [False, True],  # sample_weight
    )
)


@pytest.mark.parametrize(
    "loss, solver, n_targets, batch_size, weighted",
    PARITY,
    ids=["-".join(map(str, c)) for c in PARITY],
)
def test_torch_regressor_matches_numpy_step_for_step(
    loss, solver, n_targets, batch_size, weighted
):
    X, y, sw = _data(40, n_targets, positive=loss == "poisson")
    params = {
        **dict(
            hidden=(5,),
            activation="tanh",
            loss=loss,
            lr=0.05,
            alpha=0.01,
            batch_size=batch_size,
            max_iter=20,
            random_state=3,
        ),
        **solver,
    }
    kwargs = {"sample_weight": sw} if weighted else {}
    ours = _fit(NumpyMLPRegressor(**params), X, y, **kwargs)
    twin = _fit(TorchMLPRegressor(**params), X, y, **kwargs)
    assert ours.n_iter_ == twin.n_iter_
    assert_allclose(twin.loss_curve_, ours.loss_curve_, rtol=1e-7)
    assert_allclose(twin._params, ours._params, rtol=1e-7, atol=1e-10)
    assert_allclose(twin.predict(X), ours.predict(X), rtol=1e-7, atol=1e-10)


def test_parity_holds_for_early_stopping_and_float32():
    X, y, _ = _data(80, 2)
    params = dict(
        hidden=(6, 4),
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=60,
        random_state=0,
    )
    ours = _fit(NumpyMLPRegressor(**params), X, y)
    twin = _fit(TorchMLPRegressor(**params), X, y)
    assert ours.n_iter_ == twin.n_iter_ < 60
    assert_allclose(twin.validation_scores_, ours.validation_scores_, rtol=1e-7)
    assert_allclose(twin.predict(X), ours.predict(X), rtol=1e-7, atol=1e-10)
    X32 = X.astype(np.float32)
    ours = _fit(NumpyMLPRegressor(5, max_iter=10, random_state=0), X32, y)
    twin = _fit(TorchMLPRegressor(5, max_iter=10, random_state=0), X32, y)
    assert ours.predict(X32).dtype == np.float32
    assert_allclose(twin.predict(X32), ours.predict(X32), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------ independent models
@by_backend
def test_a_linear_network_is_least_squares(Est):
    # identity hidden units and an identity output: X W1 W2 + b, a linear
    # model; L-BFGS without a penalty finds the least-squares fit.
    X, y, sw = _data(80, 2)
    est = _fit(
        Est(
            3,
            activation="identity",
            solver="lbfgs",
            tol=1e-10,
            max_iter=2000,
            random_state=0,
        ),
        X,
        y,
        sample_weight=sw,
    )
    reference = LinearRegression().fit(X, y, sample_weight=sw)
    # Least squares is the minimum: the network reaches it, to L-BFGS's
    # tolerance on a product of two matrices.
    ours = np.average(((est.predict(X) - y) ** 2).sum(axis=1), weights=sw)
    best = np.average(((reference.predict(X) - y) ** 2).sum(axis=1), weights=sw)
    assert best <= ours <= best * (1 + 1e-7)
    assert_allclose(est.predict(X), reference.predict(X), rtol=1e-3, atol=1e-3)


@by_backend
def test_a_linear_poisson_network_is_the_poisson_glm(Est):
    # identity hidden units and the log link: exp(X W1 W2 + b), the GLM
    # that PoissonRegressor fits (alpha=0: no penalty on either side).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.3 * X[:, 0] - 0.5 * X[:, 1] + 0.2))
    est = _fit(
        Est(
            3,
            activation="identity",
            loss="poisson",
            solver="lbfgs",
            tol=1e-10,
            max_iter=2000,
            random_state=0,
        ),
        X,
        y,
    )
    reference = PoissonRegressor(alpha=0, tol=1e-10, max_iter=1000).fit(X, y)
    assert_allclose(est.predict(X), reference.predict(X), rtol=1e-4)
    assert (est.predict(X) > 0).all()


def _r2_table():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "regression_r2.py"
    spec = importlib.util.spec_from_file_location("regression_r2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R2 = _r2_table()


@pytest.mark.parametrize("solver", R2.SOLVERS)
@pytest.mark.parametrize("dataset", list(R2.DATASETS))
def test_test_r2_is_within_0_02_of_mlpregressor(dataset, solver):
    (ours, _), (sk, _) = R2.compare(dataset, solver)
    assert abs(ours - sk) <= 0.02, (ours, sk)
    assert ours > 0.3  # both learned something: not a tie at R^2 = 0


# ------------------------------------------------------------ what users expect
@by_backend
def test_predict_and_score_are_those_of_a_regressor(Est):
    X, y, _ = _data(60, 1)
    est = _fit(Est(6, activation="tanh", max_iter=100, random_state=0), X, y)
    predicted = est.predict(X)
    assert predicted.shape == (60,) and predicted.dtype == np.float64
    assert est.score(X, y) == pytest.approx(r2_score(y, predicted))
    assert est.out_activation_ == "identity" and est.n_outputs_ == 1
    _, Y, _ = _data(60, 3)
    multi = _fit(Est(6, max_iter=20, random_state=0), X, Y)
    assert multi.predict(X).shape == (60, 3) and multi.n_outputs_ == 3
    with pytest.warns(DataConversionWarning):
        column = _fit(Est(6, max_iter=20, random_state=0), X, y[:, None])
    assert column.predict(X).shape == (60,)
    # A one-column y trains the network a 1-D y trains.
    plain = _fit(Est(6, max_iter=20, random_state=0), X, y)
    assert_array_equal(column.predict(X), plain.predict(X))
    poisson = _fit(Est(6, loss="poisson", max_iter=20, random_state=0), X, np.exp(y))
    assert poisson.out_activation_ == "exp" and (poisson.predict(X) > 0).all()
    assert get_tags(poisson).target_tags.positive_only
    assert not get_tags(est).target_tags.positive_only
    assert get_tags(est).target_tags.multi_output


def test_multi_output_targets_train_as_one_network_with_summed_losses():
    X, Y, _ = _data(50, 2)
    est = _fit(NumpyMLPRegressor(4, batch_size=None, max_iter=1, random_state=0), X, Y)
    # The first epoch's loss is the initial network's: each row's loss is
    # the sum over its targets.
    start = NumpyMLPRegressor(4, random_state=0)
    start._check_targets(Y)
    start._encode_targets(Y, False, None, False, False, np.float64)
    start._rng = np.random.RandomState(0)
    start._initialize((4,), 3, np.float64)
    z = _plain_logits(start, X)
    assert est.loss_curve_[0] == pytest.approx(
        0.5 * ((z - Y) ** 2).sum(axis=1).mean(), rel=1e-12
    )


@by_backend
def test_integer_sample_weights_equal_repeated_rows(Est):
    X, y, _ = _data(30, 2)
    counts = np.random.RandomState(1).randint(0, 4, size=30)
    params = dict(hidden=4, batch_size=None, max_iter=25, random_state=0)
    weighted = _fit(Est(**params), X, y, sample_weight=counts)
    repeated = _fit(
        Est(**params), np.repeat(X, counts, axis=0), np.repeat(y, counts, axis=0)
    )
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-12)
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-10)


@by_backend
def test_sparse_input_trains_as_dense_input(Est):
    X, y, _ = _data(40, 1)
    X[X < 0.3] = 0.0
    params = dict(hidden=4, max_iter=15, random_state=0)
    dense = _fit(Est(**params), X, y)
    for fmt in (sp.csr_matrix, sp.csc_matrix):
        sparse = _fit(Est(**params), fmt(X), y)
        assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)
        assert_allclose(sparse.predict(fmt(X)), dense.predict(X), rtol=1e-10)
    # ... and with early stopping, whose held-out rows are sparse too.
    params.update(early_stopping=True, validation_fraction=0.25)
    dense = _fit(Est(**params), X, y)
    sparse = _fit(Est(**params), sp.csr_matrix(X), y)
    assert_allclose(sparse.validation_scores_, dense.validation_scores_, rtol=1e-10)


@by_backend
def test_early_stopping_watches_validation_r2_or_loss(Est):
    X, y, _ = _data(120, 1)
    scores = []

    def recording_r2(est, X_val, y_val):
        value = r2_score(y_val, est.predict(X_val))
        scores.append(value)
        return value

    params = dict(
        hidden=6, activation="tanh", early_stopping=True, max_iter=80, random_state=0
    )
    default = _fit(Est(**params), X, y)
    recorded = _fit(Est(**params, scoring=recording_r2), X, y)
    # The default score is the held-out rows' R^2: the same as the scorer's.
    assert_allclose(default.validation_scores_, scores, rtol=1e-12)
    assert_allclose(recorded.validation_scores_, scores, rtol=1e-12)
    assert len(default.validation_loss_curve_) == default.n_iter_
    by_loss = _fit(Est(**params, scoring="loss"), X, y)
    assert_allclose(
        by_loss.validation_scores_, -np.asarray(by_loss.validation_loss_curve_)
    )
    # Continuous targets are not stratified: any validation_fraction works.
    _fit(Est(**params, validation_fraction=0.5), X, y)
    mae = _fit(Est(**params, scoring="neg_mean_absolute_error"), X, y)
    assert max(mae.validation_scores_) <= 0


@by_backend
def test_partial_fit_and_warm_start_continue_the_run(Est):
    X, y, _ = _data(40, 2)
    params = dict(hidden=4, batch_size=8, random_state=0)
    whole = _fit(Est(**params, max_iter=5, tol=0.0, n_iter_no_change=100), X, y)
    steps = Est(**params)
    for _ in range(5):
        steps.partial_fit(X, y)
    assert_allclose(steps.loss_curve_, whole.loss_curve_, rtol=1e-12)
    assert_allclose(steps.predict(X), whole.predict(X), rtol=1e-12)
    warm = _fit(Est(**params, max_iter=3, warm_start=True), X, y)
    first = warm.loss_curve_[-1]
    _fit(warm, X, y)
    assert len(warm.loss_curve_) == 6 and warm.loss_curve_[-1] < first
    with pytest.raises(ValueError, match="y has 1 targets, but the fitted model has 2"):
        warm.fit(X, y[:, 0])
    with pytest.raises(ValueError, match="loss='poisson' needs the output 'exp'"):
        warm.set_params(loss="poisson").fit(X, np.exp(y))
    with pytest.raises(ValueError, match="does not support early_stopping"):
        Est(early_stopping=True).partial_fit(X, y)
    assert not hasattr(Est(solver="lbfgs"), "partial_fit")


@by_backend
def test_poisson_refuses_negative_or_all_zero_targets(Est):
    X, y, _ = _data(30, 1)
    for bad in (y - 5, np.zeros_like(y)):
        with pytest.raises(
            ValueError, match="loss='poisson' needs targets that are >= 0"
        ):
            Est(loss="poisson").fit(X, bad)
    # Zeros among positive counts are fine.
    counts = np.where(y > 0.5, np.round(3 * y), 0.0)
    _fit(Est(loss="poisson", max_iter=5), X, counts)


@pytest.mark.parametrize("Est", REGRESSORS, ids=lambda c: c.__name__)
def test_poisson_passes_every_estimator_check_but_the_one_with_negative_targets(Est):
    # scikit-learn's check_regressor_multioutput draws targets from
    # make_regression and does not make them positive for estimators tagged
    # positive_only, as its other checks do: the fit refuses them, with the
    # error that names the cure. Every other check passes.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(Est(loss="poisson"), on_fail=None)
    failed = {
        r["check_name"]: str(r["exception"]) for r in results if r["status"] == "failed"
    }
    assert list(failed) == ["check_regressor_multioutput"]
    assert (
        "loss='poisson' needs targets that are >= 0"
        in failed["check_regressor_multioutput"]
    )
    assert sum(r["status"] == "passed" for r in results) >= 55
    # ... and multi-output positive targets work.
    X, Y, _ = _data(30, 5, positive=True)
    est = _fit(Est(loss="poisson", max_iter=20), X, Y)
    assert est.predict(X).shape == Y.shape and est.predict(X).dtype == np.float64


@by_backend
def test_a_regressor_that_learned_nothing_says_so(Est):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = rng.normal(size=200)  # no relation to X
    # (It is a ConvergenceWarning: only the max_iter warning is silenced.)
    warnings.filterwarnings("ignore", message="Maximum iterations")
    with pytest.warns(NoBetterThanChanceWarning, match="predicting the targets' mean"):
        Est(3, lr=0.001, momentum=0.0, max_iter=5, random_state=0).fit(X, y)
    X, y, _ = _data(100, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoBetterThanChanceWarning)
        Est(6, activation="tanh", max_iter=200, random_state=0).fit(X, y)


@by_backend
def test_a_diverging_fit_raises_and_keeps_the_fitted_model(Est):
    X, y, _ = _data(40, 1)
    est = _fit(Est(4, max_iter=10, random_state=0), X, y)
    before = est.predict(X)
    with pytest.raises(NonFiniteError, match="Lower lr"):
        _fit(est.set_params(lr=1e6, momentum=0.0, max_iter=100), X, 1e6 * y)
    assert_array_equal(est.predict(X), before)


@by_backend
def test_poisson_outputs_that_overflow_raise(Est):
    X, y, _ = _data(40, 1, positive=True)
    est = _fit(Est(4, loss="poisson", max_iter=5, random_state=0), X, y)
    est.intercepts_[-1][...] = 720.0  # finite logits; exp(710) overflows
    with pytest.raises(NonFiniteOutputError, match="exp of its logits overflows"):
        est.predict(X)


# ------------------------------------------------------------ meta-estimators
@by_backend
def test_pipeline_grid_search_and_cross_validate(Est):
    X, y, _ = _data(90, 1)
    pipe = make_pipeline(
        StandardScaler(), Est(activation="tanh", max_iter=60, random_state=0)
    )
    search = GridSearchCV(
        pipe,
        {
            f"{Est.__name__.lower()}__hidden": [2, 6],
            f"{Est.__name__.lower()}__lr": [0.1, 0.01],
        },
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
        scores = cross_validate(
            pipe, X, y, cv=KFold(3), scoring=("r2", "neg_mean_squared_error")
        )
    assert set(search.best_params_) == {
        f"{Est.__name__.lower()}__hidden",
        f"{Est.__name__.lower()}__lr",
    }
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])
    assert len(scores["test_r2"]) == 3 and np.isfinite(scores["test_r2"]).all()


@by_backend
def test_transformed_target_and_multi_output_wrappers(Est):
    X, y, _ = _data(80, 1)
    y_raw = 150 + 60 * y  # a target on diabetes' scale
    inner = make_pipeline(
        StandardScaler(), Est(6, activation="tanh", max_iter=150, random_state=0)
    )
    model = _fit(
        TransformedTargetRegressor(inner, transformer=StandardScaler()), X, y_raw
    )
    assert model.score(X, y_raw) > 0.8
    _, Y, _ = _data(80, 2)
    wrapped = _fit(MultiOutputRegressor(Est(4, max_iter=10, random_state=0)), X, Y)
    assert wrapped.predict(X).shape == (80, 2)


@by_backend
def test_clone_and_pickle_keep_the_model(Est):
    X, y, _ = _data(40, 2)
    est = _fit(Est(4, max_iter=10, random_state=0), X, y)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(again.predict(X), est.predict(X))
    assert clone(est).get_params() == est.get_params()
    copied = copy.deepcopy(est)
    _fit(copied, X, y)
    assert_array_equal(est.predict(X), again.predict(X))


@by_backend
def test_batched_grid_search_runs_regressors_as_grid_search(Est):
    X, y, _ = _data(60, 1)
    grid = {"hidden": [2, 4], "lr": [0.1, 0.05]}
    est = Est(max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        batched = BatchedGridSearchCV(est, grid, cv=3).fit(X, y)
        plain = GridSearchCV(est, grid, cv=3).fit(X, y)
    assert batched.n_stacked_ == 0  # nothing stacks: every fit is its own
    assert_allclose(
        batched.cv_results_["mean_test_score"],
        plain.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    assert batched.best_params_ == plain.best_params_


# ------------------------------------------------------------ plots and inspection
@by_backend
def test_loss_curve_display_and_the_inspection_tools_take_regressors(Est):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_mlplab.inspection import (
        HiddenUnitsDisplay,
        LearningRateFinderDisplay,
        TrainingEvolutionDisplay,
        layer_outputs,
    )

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    est = _fit(
        Est(5, activation="tanh", early_stopping=True, max_iter=40, random_state=0),
        X,
        y,
    )
    display = LossCurveDisplay.from_estimator(est)
    assert len(display.ax_.lines) >= 2  # training and validation loss
    outputs = layer_outputs(est, X)
    assert [a.shape for a in outputs] == [(80, 2), (80, 5), (80, 1)]
    assert_allclose(outputs[-1][:, 0], est.predict(X), rtol=1e-12)
    units = HiddenUnitsDisplay.from_estimator(est, X, y, grid_resolution=15)
    assert len(units.axes_) == 5
    evolution = TrainingEvolutionDisplay.from_estimator(
        Est(5, activation="tanh", max_iter=20, random_state=0),
        X,
        y,
        epochs=[0, 5, 20],
        grid_resolution=15,
    )
    assert evolution.regression and len(evolution.axes_) == 4
    # The maps are the snapshots' predictions over the plane.
    assert np.ptp(evolution.responses[-1]) > 0
    finder = LearningRateFinderDisplay.from_estimator(Est(5, random_state=0), X, y)
    assert finder.suggested_lr > 0
    plt.close("all")
