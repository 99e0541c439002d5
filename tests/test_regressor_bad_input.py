"""The bad-input battery of ``test_bad_input.py``, on the regressors.

The same promise: every case is tried on a fitted regressor, the call raises
a ``ValueError`` or ``TypeError`` whose message names the problem, and the
regressor is exactly as before -- same predictions, weights, ``n_iter_``,
``loss_curve_`` -- and continues (``partial_fit``) as an untouched copy
does. The cases on X, the weights and the hyperparameters are the
classifiers' own; the cases on y are a regressor's.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from test_bad_input import (
    ALL,
    BAD_DEVICES,
    BAD_IN_CONTEXT,
    BAD_PARAMS,
    COLUMNS,
    FIT,
    NOT_PARTIAL,
    PARTIAL,
    PREDICT_CASES,
    WARM,
    _empty,
    _long_y,
    _nan_weight,
    _negative_weight,
    _no_features,
    _object_none,
    _object_strings,
    _param_id,
    _renamed_columns,
    _reordered_columns,
    _short_weight,
    _short_y,
    _sparse_nan,
    _strings,
    _three_d,
    _three_features,
    _with_inf,
    _with_nan,
    _with_neg_inf,
    _zero_weight,
)

from sklearn_mlplab import NumpyMLPRegressor, TorchMLPRegressor

ESTIMATORS = [NumpyMLPRegressor, TorchMLPRegressor]
by_backend = pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")

N_ROWS = 40


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N_ROWS, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    return X, y


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


_FITTED = {}


def _fitted(Est, **params):
    key = (Est, tuple(sorted(params.items())))
    if key not in _FITTED:
        X, y = _data()
        if params.get("loss") == "poisson":
            y = np.exp(y)
        est = Est(hidden=4, max_iter=4, batch_size=16, random_state=0, **params)
        _FITTED[key] = _quiet(est.fit, pd.DataFrame(X, columns=COLUMNS), y)
    return copy.deepcopy(_FITTED[key])


def _snapshot(est):
    X, _ = _data()
    return {
        "predict": est.predict(pd.DataFrame(X, columns=COLUMNS)),
        "params_": est._params.copy(),
        "n_iter_": est.n_iter_,
        "t_": est.t_,
        "loss_curve_": list(est.loss_curve_),
        "n_features_in_": est.n_features_in_,
        "feature_names_in_": est.feature_names_in_.copy(),
        "params": est.get_params(),
    }


def _assert_unchanged(est, before, reference):
    after = _snapshot(est)
    assert_array_equal(after["predict"], before["predict"])
    assert_array_equal(after["params_"], before["params_"])
    for key in ("n_iter_", "t_", "loss_curve_", "n_features_in_", "params"):
        assert after[key] == before[key], key
    assert_array_equal(after["feature_names_in_"], before["feature_names_in_"])
    X, y = _data()
    if est.loss == "poisson":
        y = np.exp(y)
    X = pd.DataFrame(X, columns=COLUMNS)
    est.partial_fit(X, y)
    reference.partial_fit(X, y)
    assert_array_equal(est._params, reference._params)
    assert est.loss_curve_ == reference.loss_curve_


# ------------------------------------------------------- a regressor's y
def _string_y(X, y):
    return X, np.array(["a"] * len(y)), {}


def _nan_y(X, y):
    y[4] = np.nan
    return X, y, {}


def _inf_y(X, y):
    y[4] = np.inf
    return X, y, {}


def _two_targets(X, y):
    return X, np.c_[y, y], {}


def _three_d_y(X, y):
    return X, y.reshape(len(y), 1, 1), {}


def _one_row(X, y):
    return X[:1], y[:1], {}


BAD_DATA = [
    ("nan", _with_nan, ValueError, "Input X contains NaN", ALL),
    ("inf", _with_inf, ValueError, "Input X contains infinity", ALL),
    ("-inf", _with_neg_inf, ValueError, "Input X contains infinity", ALL),
    ("sparse-nan", _sparse_nan, ValueError, "Input X contains NaN", ALL),
    ("strings", _strings, ValueError, "could not convert string to float", ALL),
    ("object-str", _object_strings, ValueError, "could not convert string", ALL),
    ("object-None", _object_none, ValueError, "Input X contains NaN", ALL),
    ("3-D", _three_d, ValueError, "Found array with dim 3", ALL),
    ("empty", _empty, ValueError, r"0 sample\(s\)", ALL),
    ("no-features", _no_features, ValueError, r"0 feature\(s\)", ALL),
    ("string-y", _string_y, ValueError, "could not convert string to float", ALL),
    ("nan-y", _nan_y, ValueError, "Input y contains NaN", ALL),
    ("inf-y", _inf_y, ValueError, "Input y contains infinity", ALL),
    ("3-D-y", _three_d_y, ValueError, "y should be a 1d array|dim 3", ALL),
    (
        "two-targets",
        _two_targets,
        ValueError,
        "y has 2 targets, but the fitted",
        (WARM, PARTIAL),
    ),
    ("short-y", _short_y, ValueError, "inconsistent numbers of samples", ALL),
    ("long-y", _long_y, ValueError, "inconsistent numbers of samples", ALL),
    (
        "3-features",
        _three_features,
        ValueError,
        "3 features, but .* 2 features",
        (WARM, PARTIAL),
    ),
    (
        "renamed-columns",
        _renamed_columns,
        ValueError,
        "feature names should match",
        (WARM, PARTIAL),
    ),
    (
        "reordered-columns",
        _reordered_columns,
        ValueError,
        "same order",
        (WARM, PARTIAL),
    ),
    ("negative-weight", _negative_weight, ValueError, "Negative values", ALL),
    ("short-weight", _short_weight, ValueError, r"sample_weight.shape", ALL),
    ("nan-weight", _nan_weight, ValueError, "sample_weight contains NaN", ALL),
    ("zero-weight", _zero_weight, ValueError, "(?i)sample.?weight", ALL),
]
DATA_CASES = [
    pytest.param(make, exc, match, method, id=f"{name}-{method}")
    for name, make, exc, match, methods in BAD_DATA
    for method in methods
]


def _call(est, method, X, y, kwargs):
    if method == PARTIAL:
        return est.partial_fit(X, y, **kwargs)
    est.set_params(warm_start=method == WARM)
    try:
        return _quiet(est.fit, X, y, **kwargs)
    finally:
        est.set_params(warm_start=False)


def _make(mutate):
    X, y = _data()
    return mutate(X.copy(), y.copy())


@by_backend
@pytest.mark.parametrize("make, exc, match, method", DATA_CASES)
def test_bad_data_raises_a_clear_error_and_changes_nothing(
    Est, make, exc, match, method
):
    est = _fitted(Est)
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    X, y, kwargs = _make(make)
    with pytest.raises(exc, match=match):
        _call(est, method, X, y, kwargs)
    _assert_unchanged(est, before, reference)


@by_backend
@pytest.mark.parametrize("method", ALL)
def test_poisson_refuses_negative_targets_and_changes_nothing(Est, method):
    est = _fitted(Est, loss="poisson")
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    X, y = _data()
    with pytest.raises(ValueError, match="loss='poisson' needs targets that are >= 0"):
        _call(est, method, pd.DataFrame(X, columns=COLUMNS), y - 3, {})
    _assert_unchanged(est, before, reference)


def test_the_bad_data_cases_are_valid_once_repaired():
    for method in ALL:
        est = _fitted(NumpyMLPRegressor)
        X, y = _data()
        _call(est, method, pd.DataFrame(X, columns=COLUMNS), y, {})
    # One row is a valid regression problem (no classes to count).
    _quiet(NumpyMLPRegressor(max_iter=2).fit, *_one_row(*_data())[:2])


@by_backend
@pytest.mark.parametrize(
    "make, match", [pytest.param(m, r, id=i) for i, m, r in PREDICT_CASES]
)
def test_bad_predict_input_raises_a_clear_error(Est, make, match):
    est = _fitted(Est)
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    X, _ = _data()
    with pytest.raises(ValueError, match=match):
        est.predict(make(X))
    _assert_unchanged(est, before, reference)


@by_backend
def test_predict_before_fit_says_not_fitted(Est):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Est().predict(_data()[0])


# Every hyperparameter case of the classifiers but their losses, plus the
# regressor's own: a classifier's loss, and the classifier-only parameter.
REGRESSOR_PARAMS = [c for c in BAD_PARAMS if "loss" not in c[0]] + [
    ({"loss": "log_loss"}, (ValueError, TypeError), "'loss' parameter"),
    ({"loss": "hinge"}, (ValueError, TypeError), "'loss' parameter"),
    ({"scoring": 3}, (ValueError, TypeError), "'scoring' parameter"),
]


def _check_bad_params(est, params, exc, match, method):
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    old = {name: before["params"][name] for name in params}
    est.set_params(**params)
    X, y = _data()
    with pytest.raises(exc, match=match):
        if method == PARTIAL:
            est.partial_fit(pd.DataFrame(X, columns=COLUMNS), y)
        else:
            _quiet(est.fit, pd.DataFrame(X, columns=COLUMNS), y)
    est.set_params(**old)
    _assert_unchanged(est, before, reference)


@by_backend
@pytest.mark.parametrize("method", [FIT, PARTIAL])
@pytest.mark.parametrize(
    "params, exc, match", [pytest.param(*c, id=_param_id(c)) for c in REGRESSOR_PARAMS]
)
def test_bad_hyperparameter_raises_a_clear_error_and_changes_nothing(
    Est, params, exc, match, method
):
    _check_bad_params(_fitted(Est), params, exc, match, method)


@by_backend
@pytest.mark.parametrize(
    "params, exc, match", [pytest.param(*c, id="-".join(c[0])) for c in BAD_IN_CONTEXT]
)
def test_hyperparameters_wrong_for_the_fitted_state(Est, params, exc, match):
    _check_bad_params(_fitted(Est), params, exc, match, FIT)


@pytest.mark.parametrize("method", NOT_PARTIAL)
@pytest.mark.parametrize(
    "params, exc, match", [pytest.param(*c, id=_param_id(c)) for c in BAD_DEVICES]
)
def test_bad_device_raises_a_clear_error_and_changes_nothing(
    params, exc, match, method
):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available() and params["device"] == "cuda":
        pytest.skip("CUDA is available here, so device='cuda' is valid")
    _check_bad_params(_fitted(TorchMLPRegressor), params, exc, match, FIT)


def test_classifier_parameters_are_refused_by_name():
    with pytest.raises(TypeError, match="unexpected keyword argument 'class_weight'"):
        NumpyMLPRegressor(class_weight="balanced")
    with pytest.raises(TypeError, match="Use hidden instead of hidden_layer_sizes"):
        NumpyMLPRegressor(hidden_layer_sizes=(10,))
    with pytest.raises(TypeError, match="classes"):
        _fitted(NumpyMLPRegressor).partial_fit(*_data(), classes=[0, 1])
