"""The regressor cases of scikit-learn's ``neural_network/tests/test_mlp.py``,
ported to this package's regressors.

Each test keeps the case's data and claim. Parameter names are this
package's (``hidden`` for ``hidden_layer_sizes``, ``lr`` for
``learning_rate_init``, ...), and where a default differs the case passes
scikit-learn's value (``solver``, ``lr``). Three cases claim other than
scikit-learn's behaviour, on purpose, and say so: a diverging fit raises
(scikit-learn records nan scores and returns), saturated logistic units
stay finite, and the validation set's size is checked
against R^2's need of two rows.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.preprocessing import scale

from sklearn_mlplab import NumpyMLPRegressor, TorchMLPRegressor
from sklearn_mlplab._base import NonFiniteError

pytest.importorskip("torch")

REGRESSORS = [NumpyMLPRegressor, TorchMLPRegressor]
by_backend = pytest.mark.parametrize("Est", REGRESSORS, ids=lambda c: c.__name__)
ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]

X_reg, y_reg = make_regression(
    n_samples=200, n_features=10, bias=20.0, noise=100.0, random_state=7
)
y_reg = scale(y_reg)
X_iris, y_iris = load_iris(return_X_y=True)
X_digits, y_digits = load_digits(n_class=2, return_X_y=True)


@by_backend
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lbfgs_regression(Est, activation):
    mlp = Est(
        50,
        solver="lbfgs",
        max_iter=200,
        tol=1e-3,
        random_state=1,
        activation=activation,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X_reg, y_reg)
    # A linear bottleneck fits the linear part; the others far more.
    assert mlp.score(X_reg, y_reg) > (0.80 if activation == "identity" else 0.98)


@by_backend
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lbfgs_regression_maxfun(Est, activation):
    # max_fun limits L-BFGS on its own. (5, not scikit-learn's 10: from
    # this package's initial weights the linear network converges in 8
    # iterations, before 10 evaluations are spent.)
    mlp = Est(
        50,
        solver="lbfgs",
        tol=0.0,
        max_iter=150,
        max_fun=5,
        random_state=1,
        activation=activation,
    )
    with pytest.warns(ConvergenceWarning):
        mlp.fit(X_reg, y_reg)
    assert mlp.n_iter_ <= 5


@by_backend
def test_multioutput_regression(Est):
    X, y = make_regression(n_samples=200, n_targets=5, random_state=11)
    mlp = Est(50, solver="lbfgs", max_iter=200, tol=1e-2, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    assert mlp.score(X, y) > 0.9


@by_backend
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_partial_fit_regression(Est, momentum):
    # partial_fit, call after call, is fit (full batch, so no shuffling).
    params = dict(
        solver="sgd",
        activation="relu",
        random_state=1,
        lr=0.01,
        batch_size=X_reg.shape[0],
        momentum=momentum,
        momentum_type="classic",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = Est(100, max_iter=100, tol=0.0, n_iter_no_change=1000, **params)
        fitted.fit(X_reg, y_reg)
    stepped = Est(100, **params)
    for _ in range(100):
        stepped.partial_fit(X_reg, y_reg)
    assert_allclose(stepped.predict(X_reg), fitted.predict(X_reg), rtol=1e-10)
    assert stepped.score(X_reg, y_reg) > 0.65


@by_backend
def test_nonfinite_params(Est):
    # Inputs near the largest float. scikit-learn's relu network overflows
    # and raises; this one's logistic units saturate to 0 or 1 and stay
    # finite, so the fit ends with a finite model.
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow in X @ W; max_iter
        model = Est(random_state=0).fit(X, y)
    assert np.isfinite(model.predict(X)).all() and np.isfinite(model._params).all()
    # With relu units, as scikit-learn's, the overflow is an error that
    # names the cure.
    with pytest.raises(NonFiniteError, match="scale the inputs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Est(activation="relu").fit(X, y)


@by_backend
def test_early_stopping(Est):
    X, y = X_digits[:100] / 16, y_digits[:100].astype(float)
    tol = 0.2
    mlp = Est(tol=tol, max_iter=3000, solver="sgd", early_stopping=True)
    mlp.fit(X, y)
    assert mlp.max_iter > mlp.n_iter_
    assert mlp.best_loss_ is None
    assert isinstance(mlp.validation_scores_, list)
    scores, best = mlp.validation_scores_, mlp.best_validation_score_
    assert max(scores) == best
    assert best + tol > scores[-2] and best + tol > scores[-1]
    plain = Est(tol=tol, max_iter=3000, solver="sgd", early_stopping=False)
    plain.fit(X, y)
    assert plain.validation_scores_ is None and plain.best_validation_score_ is None
    assert plain.best_loss_ is not None


@by_backend
def test_warm_start_full_iteration(Est):
    # A warm-started fit runs its max_iter epochs again.
    clf = Est(2, solver="sgd", warm_start=True, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_iris, y_iris)
        assert clf.n_iter_ == 3
        clf.fit(X_iris, y_iris)
        assert clf.n_iter_ == 3


def test_mlp_regressor_dtypes_casting():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    params = dict(alpha=1e-5, hidden=(5, 3), random_state=1, max_iter=150, tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp_64 = NumpyMLPRegressor(**params).fit(X[:300], y[:300])
        mlp_32 = NumpyMLPRegressor(**params).fit(X[:300].astype(np.float32), y[:300])
    pred_64 = mlp_64.predict(X[300:])
    pred_32 = mlp_32.predict(X[300:].astype(np.float32))
    assert_allclose(pred_64, pred_32, rtol=5e-3, atol=5e-3)


@by_backend
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_param_dtypes(Est, dtype):
    X, y = (X_digits / 16).astype(dtype), y_digits.astype(float)
    mlp = Est(alpha=1e-5, hidden=(5, 3), random_state=1, max_iter=50, tol=1e-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X[:300], y[:300])
    assert all(b.dtype == dtype for b in mlp.intercepts_)
    assert all(W.dtype == dtype for W in mlp.coefs_)
    assert mlp.predict(X[300:]).dtype == dtype


@by_backend
def test_mlp_loading_from_pickle_partial_fit(Est):
    # A pickled regressor continues training with partial_fit.
    X, y = [[0.0]], [1.0]
    est = Est(
        solver="sgd", lr=0.1, batch_size=1, max_iter=1, momentum=0, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    for _ in range(300):
        loaded.partial_fit([[1.0]], [0.5])
    assert loaded.predict([[1.0]])[0] == pytest.approx(0.5, abs=1e-2)


@by_backend
def test_preserve_feature_names(Est):
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(10, 2)), columns=["a", "b"])
    y = np.arange(10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no feature-name warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Est(max_iter=5).fit(X, y)
        model.predict(X)
    assert list(model.feature_names_in_) == ["a", "b"]


@by_backend
def test_mlp_warm_start_with_early_stopping(Est):
    mlp = Est(max_iter=10, random_state=0, warm_start=True, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X_iris, y_iris)
        n_scores = len(mlp.validation_scores_)
        mlp.set_params(max_iter=20)
        mlp.fit(X_iris, y_iris)
    # Each warm-started fit scores its own epochs: 20 of them here.
    assert len(mlp.validation_scores_) > n_scores


@by_backend
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_mlp_warm_start_no_convergence(Est, solver):
    model = Est(
        solver=solver,
        warm_start=True,
        max_iter=10,
        n_iter_no_change=10**9,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X_iris, y_iris)
    assert model.n_iter_ == 10
    model.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_iris, y_iris)
    assert model.n_iter_ == 20


@by_backend
def test_mlp_partial_fit_after_fit(Est):
    mlp = Est(early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        mlp.partial_fit(X_iris, y_iris)


@by_backend
def test_mlp_diverging_loss_raises_and_keeps_nothing(Est):
    # scikit-learn's case (identity units, lr=1, unscaled iris) diverges; its
    # MLPRegressor records a nan validation score and returns. Here the fit
    # raises, names the cure, and leaves the estimator unfitted.
    mlp = Est(
        100,
        activation="identity",
        solver="sgd",
        alpha=0.0001,
        lr=1,
        max_iter=20,
        early_stopping=True,
        random_state=0,
    )
    with pytest.raises(NonFiniteError, match="Lower lr"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp.fit(X_iris, y_iris)
    assert not hasattr(mlp, "n_iter_")


@by_backend
def test_mlp_sample_weight_with_early_stopping(Est):
    X, y = make_regression(
        n_samples=100, n_features=2, n_informative=2, random_state=42
    )
    params = dict(
        hidden=10,
        solver="adam",
        early_stopping=True,
        tol=1e-2,
        lr=0.01,
        batch_size=10,
        random_state=42,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m1 = Est(**params).fit(X, y, sample_weight=np.ones_like(y))
        m2 = Est(**params).fit(X, y)
    assert_allclose(m1.predict(X), m2.predict(X))


@by_backend
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_vs_poisson_glm_equivalent(Est, seed):
    n = 100
    rng = np.random.default_rng(seed)
    X = np.linspace(0, 1, n)
    y = rng.poisson(np.exp(X + 1))
    X = X.reshape(n, -1)
    glm = PoissonRegressor(alpha=0, tol=1e-7).fit(X, y)
    # One identity hidden unit: a linear predictor, on the log link.
    params = dict(
        hidden=1,
        activation="identity",
        alpha=0,
        solver="lbfgs",
        tol=1e-7,
        random_state=seed + 1,
    )
    mlp = Est(loss="poisson", **params).fit(X, y)
    assert_allclose(mlp.predict(X), glm.predict(X), rtol=1e-4)
    # Squared error on an identity output is not the GLM.
    mlp = Est(loss="squared_error", **params).fit(X, y)
    assert not np.allclose(mlp.predict(X), glm.predict(X), rtol=1e-4)


@by_backend
def test_minimum_input_sample_size(Est):
    X, y = make_regression(n_samples=2, n_features=5, random_state=0)
    with pytest.raises(ValueError, match="early_stopping holds out 1 of the 2 rows"):
        Est(early_stopping=True, random_state=0).fit(X, y)
