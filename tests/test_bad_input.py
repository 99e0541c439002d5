"""Bad input gets a clear error and never changes a fitted estimator.

Every case is tried on an estimator that was already fitted: the call must
raise a ``ValueError`` or ``TypeError`` whose message names the parameter or
the problem, and afterwards the estimator must be exactly as before -- same
probabilities, weights, ``n_iter_``, ``loss_curve_`` -- and must continue
(``partial_fit``) exactly as an untouched copy does.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
by_backend = pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
# Several bad inputs are plain arrays given to a model fitted on a DataFrame.
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")

N_ROWS = 40
COLUMNS = ["x0", "x1"]


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N_ROWS, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


_FITTED = {}


def _fitted(Est):
    """An estimator fitted on a DataFrame, so feature names are part of it."""
    if Est not in _FITTED:
        X, y = _data()
        est = Est(hidden=4, max_iter=4, batch_size=16, random_state=0)
        _FITTED[Est] = _quiet(est.fit, pd.DataFrame(X, columns=COLUMNS), y)
    return copy.deepcopy(_FITTED[Est])


def _snapshot(est):
    X, _ = _data()
    return {
        "proba": est.predict_proba(pd.DataFrame(X, columns=COLUMNS)),
        "coefs": [c.copy() for c in est.coefs_],
        "intercepts": [b.copy() for b in est.intercepts_],
        "n_iter_": est.n_iter_,
        "t_": est.t_,
        "loss_curve_": list(est.loss_curve_),
        "classes_": est.classes_.copy(),
        "n_features_in_": est.n_features_in_,
        "feature_names_in_": est.feature_names_in_.copy(),
        "params": est.get_params(),
    }


def _assert_unchanged(est, before, reference):
    """``est`` matches its snapshot and continues exactly like ``reference``."""
    after = _snapshot(est)
    assert_array_equal(after["proba"], before["proba"])
    for a, b in zip(after["coefs"], before["coefs"], strict=True):
        assert_array_equal(a, b)
    for a, b in zip(after["intercepts"], before["intercepts"], strict=True):
        assert_array_equal(a, b)
    for key in ("n_iter_", "t_", "loss_curve_", "n_features_in_", "params"):
        assert after[key] == before[key], key
    assert_array_equal(after["classes_"], before["classes_"])
    assert_array_equal(after["feature_names_in_"], before["feature_names_in_"])
    # Hidden state (velocity, shuffling generator, stopping counters) must be
    # untouched too: one more epoch gives exactly what the untouched copy gives.
    X, y = _data()
    X = pd.DataFrame(X, columns=COLUMNS)
    est.partial_fit(X, y)
    reference.partial_fit(X, y)
    for a, b in zip(est.coefs_, reference.coefs_, strict=True):
        assert_array_equal(a, b)
    assert est.loss_curve_ == reference.loss_curve_


# --------------------------------------------------------------- bad data
def _bad(mutate):
    """A case built from the clean data: ``mutate(X, y) -> (X, y, fit_kwargs)``."""

    def make():
        X, y = _data()
        return mutate(X.copy(), y.copy())

    return make


def _with_nan(X, y):
    X[3, 1] = np.nan
    return X, y, {}


def _with_inf(X, y):
    X[5, 0] = np.inf
    return X, y, {}


def _with_neg_inf(X, y):
    X[5, 0] = -np.inf
    return X, y, {}


def _sparse_nan(X, y):
    X[3, 1] = np.nan
    return sp.csr_matrix(X), y, {}


def _strings(X, y):
    return np.array([["a", "b"]] * len(X)), y, {}


def _object_strings(X, y):
    Xo = X.astype(object)
    Xo[2, 0] = "oops"
    return Xo, y, {}


def _object_none(X, y):
    Xo = X.astype(object)
    Xo[2, 0] = None
    return Xo, y, {}


def _three_d(X, y):
    return X.reshape(len(X), 2, 1), y, {}


def _empty(X, y):
    return X[:0], y[:0], {}


def _no_features(X, y):
    return X[:, :0], y, {}


def _one_row(X, y):
    return X[:1], y[:1], {}


def _one_class(X, y):
    return X, np.zeros_like(y), {}


def _continuous_y(X, y):
    return X, y + 0.5, {}


def _nan_y(X, y):
    return X, np.where(y == 1, np.nan, 0.0), {}


def _two_d_y(X, y):
    # Not a 0/1 indicator matrix (that is a multilabel target): two
    # columns of labels, a multiclass-multioutput target.
    return X, np.c_[y, y + 2], {}


def _short_y(X, y):
    return X, y[:-1], {}


def _long_y(X, y):
    return X, np.r_[y, 0], {}


def _three_features(X, y):
    return np.c_[X, X[:, :1]], y, {}


def _renamed_columns(X, y):
    return pd.DataFrame(X, columns=["x0", "z"]), y, {}


def _reordered_columns(X, y):
    return pd.DataFrame(X, columns=COLUMNS)[COLUMNS[::-1]], y, {}


def _negative_weight(X, y):
    sw = np.ones(len(y))
    sw[0] = -1
    return X, y, {"sample_weight": sw}


def _short_weight(X, y):
    return X, y, {"sample_weight": np.ones(len(y) - 1)}


def _nan_weight(X, y):
    sw = np.ones(len(y))
    sw[0] = np.nan
    return X, y, {"sample_weight": sw}


def _zero_weight(X, y):
    return X, y, {"sample_weight": np.zeros(len(y))}


def _one_weighted_class(X, y):
    return X, y, {"sample_weight": (y == 0).astype(float)}


def _unseen_label(X, y):
    y = y.copy()
    y[0] = 7
    return X, y, {}


FIT, WARM, PARTIAL = "fit", "warm_start", "partial_fit"
ALL = (FIT, WARM, PARTIAL)
NOT_PARTIAL = (FIT, WARM)

# (id, case, exception, message, methods where it is an error)
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
    ("one-row", _one_row, ValueError, "at least 2 classes", (FIT,)),
    ("one-class", _one_class, ValueError, "at least 2 classes", (FIT,)),
    ("one-class-warm", _one_class, ValueError, "same classes", (WARM,)),
    ("continuous-y", _continuous_y, ValueError, "Unknown label type: continuous", ALL),
    ("nan-y", _nan_y, ValueError, "Input y contains NaN", ALL),
    ("2-D-y", _two_d_y, ValueError, "MultiOutputClassifier", ALL),
    ("short-y", _short_y, ValueError, "inconsistent numbers of samples", ALL),
    ("long-y", _long_y, ValueError, "inconsistent numbers of samples", ALL),
    (
        "3-features",
        _three_features,
        ValueError,
        "3 features, but .* 2 features",
        (
            WARM,
            PARTIAL,
        ),
    ),
    (
        "renamed-columns",
        _renamed_columns,
        ValueError,
        "feature names should match",
        (
            WARM,
            PARTIAL,
        ),
    ),
    (
        "reordered-columns",
        _reordered_columns,
        ValueError,
        "same order",
        (
            WARM,
            PARTIAL,
        ),
    ),
    ("negative-weight", _negative_weight, ValueError, "Negative values", ALL),
    ("short-weight", _short_weight, ValueError, r"sample_weight.shape", ALL),
    ("nan-weight", _nan_weight, ValueError, "sample_weight contains NaN", ALL),
    ("zero-weight", _zero_weight, ValueError, "(?i)sample.?weight", ALL),
    (
        "one-weighted-class",
        _one_weighted_class,
        ValueError,
        "Only one class",
        (
            FIT,
            WARM,
        ),
    ),
    ("unseen-label", _unseen_label, ValueError, "not in classes_", (PARTIAL,)),
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


@by_backend
@pytest.mark.parametrize("make, exc, match, method", DATA_CASES)
def test_bad_data_raises_a_clear_error_and_changes_nothing(
    Est, make, exc, match, method
):
    est = _fitted(Est)
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    X, y, kwargs = _bad(make)()
    with pytest.raises(exc, match=match):
        _call(est, method, X, y, kwargs)
    _assert_unchanged(est, before, reference)


def test_the_bad_data_cases_are_valid_once_repaired():
    # Guards the battery itself: the clean data fits with every method, so
    # each error above comes from the one thing the case broke.
    for method in ALL:
        est = _fitted(NumpyMLPClassifier)
        X, y = _data()
        _call(est, method, pd.DataFrame(X, columns=COLUMNS), y, {})


@by_backend
def test_object_array_of_numbers_is_accepted(Est):
    X, y = _data()
    from_objects = _quiet(Est(max_iter=3, random_state=0).fit, X.astype(object), y)
    expected = _quiet(Est(max_iter=3, random_state=0).fit, X, y)
    assert_array_equal(from_objects.coefs_[0], expected.coefs_[0])


@by_backend
def test_one_row_predicts(Est):
    X, _ = _data()
    est = _fitted(Est)
    proba = est.predict_proba(pd.DataFrame(X[:1], columns=COLUMNS))
    assert proba.shape == (1, 2)
    assert_allclose(proba.sum(axis=1), 1)


# ------------------------------------------------------ bad predict input
PREDICT_CASES = [
    ("nan", lambda X: np.where(X > 1, np.nan, X), "Input X contains NaN"),
    ("inf", lambda X: np.where(X > 1, np.inf, X), "Input X contains infinity"),
    ("strings", lambda X: np.full(X.shape, "a"), "could not convert string"),
    ("3-D", lambda X: X[:, :, None], "Found array with dim 3"),
    ("empty", lambda X: X[:0], r"0 sample\(s\)"),
    ("1-feature", lambda X: X[:, :1], "1 features, but .* expecting 2 features"),
    ("3-features", lambda X: np.c_[X, X[:, 0]], "3 features, but .* 2 features"),
    (
        "renamed-columns",
        lambda X: pd.DataFrame(X, columns=["x0", "z"]),
        "feature names should match",
    ),
    (
        "extra-column",
        lambda X: pd.DataFrame(X, columns=COLUMNS).assign(x2=1.0),
        "feature names should match",
    ),
    (
        "reordered-columns",
        lambda X: pd.DataFrame(X, columns=COLUMNS)[COLUMNS[::-1]],
        "same order",
    ),
]


@by_backend
@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
@pytest.mark.parametrize(
    "make, match", [pytest.param(m, r, id=i) for i, m, r in PREDICT_CASES]
)
def test_bad_predict_input_raises_a_clear_error(Est, method, make, match):
    est = _fitted(Est)
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    X, _ = _data()
    with pytest.raises(ValueError, match=match):
        getattr(est, method)(make(X))
    _assert_unchanged(est, before, reference)


@by_backend
def test_predict_before_fit_says_not_fitted(Est):
    X, _ = _data()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Est().predict(X)


# ---------------------------------------------------- bad hyperparameters
def _param_error(name):
    # scikit-learn's InvalidParameterError subclasses both ValueError and
    # TypeError and its message starts with the parameter's name.
    return (ValueError, TypeError), f"'{name}' parameter"


HIDDEN_MSG = "hidden must be a positive int or a non-empty tuple of positive ints"

BAD_PARAMS = [
    ({"lr": 0}, *_param_error("lr")),
    ({"lr": -1.0}, *_param_error("lr")),
    ({"lr": np.nan}, *_param_error("lr")),
    ({"lr": np.inf}, *_param_error("lr")),
    ({"lr": "0.1"}, *_param_error("lr")),
    ({"momentum": 1.0}, *_param_error("momentum")),
    ({"momentum": 1.5}, *_param_error("momentum")),
    ({"momentum": -0.1}, *_param_error("momentum")),
    ({"hidden": 0}, *_param_error("hidden")),
    ({"hidden": -3}, *_param_error("hidden")),
    ({"hidden": 2.5}, *_param_error("hidden")),
    ({"hidden": 3.0}, *_param_error("hidden")),
    ({"hidden": "3"}, *_param_error("hidden")),
    ({"hidden": None}, *_param_error("hidden")),
    ({"hidden": True}, ValueError, HIDDEN_MSG),
    ({"hidden": (3, 0)}, ValueError, HIDDEN_MSG),
    ({"hidden": (3, -1)}, ValueError, HIDDEN_MSG),
    ({"hidden": (0,)}, ValueError, HIDDEN_MSG),
    ({"hidden": ()}, ValueError, HIDDEN_MSG),
    ({"hidden": (2.5,)}, ValueError, HIDDEN_MSG),
    ({"hidden": (4, True)}, ValueError, HIDDEN_MSG),
    ({"hidden": [4, "2"]}, ValueError, HIDDEN_MSG),
    ({"activation": "softmax"}, *_param_error("activation")),
    ({"activation": "sigmoid"}, *_param_error("activation")),
    ({"activation": None}, *_param_error("activation")),
    ({"loss": "hinge"}, *_param_error("loss")),
    ({"loss": "cross_entropy"}, *_param_error("loss")),
    ({"momentum_type": "adam"}, *_param_error("momentum_type")),
    ({"momentum_type": "Nesterov"}, *_param_error("momentum_type")),
    ({"batch_size": 0}, *_param_error("batch_size")),
    ({"batch_size": -5}, *_param_error("batch_size")),
    ({"batch_size": 2.5}, *_param_error("batch_size")),
    ({"validation_fraction": 0.0}, *_param_error("validation_fraction")),
    ({"validation_fraction": 1.0}, *_param_error("validation_fraction")),
    ({"validation_fraction": -0.1}, *_param_error("validation_fraction")),
    ({"validation_fraction": 1.5}, *_param_error("validation_fraction")),
    ({"alpha": -1.0}, *_param_error("alpha")),
    ({"max_iter": 0}, *_param_error("max_iter")),
    ({"tol": -1e-3}, *_param_error("tol")),
    ({"n_iter_no_change": 0}, *_param_error("n_iter_no_change")),
    ({"early_stopping": "yes"}, *_param_error("early_stopping")),
    ({"shuffle": 2}, *_param_error("shuffle")),
    ({"warm_start": "no"}, *_param_error("warm_start")),
    ({"random_state": "seed"}, *_param_error("random_state")),
]

# Combinations that are only wrong given the fitted state or the data.
BAD_IN_CONTEXT = [
    ({"hidden": 5, "warm_start": True}, ValueError, "does not match the fitted"),
    (
        {"early_stopping": True, "validation_fraction": 0.01},
        ValueError,
        "validation_fraction",
    ),
    (
        {"early_stopping": True, "validation_fraction": 0.01, "warm_start": True},
        ValueError,
        "validation_fraction",
    ),
]

BAD_DEVICES = [
    ({"device": "tpu9"}, ValueError, "device must be"),
    ({"device": "cuda:x"}, ValueError, "device must be"),
    ({"device": None}, ValueError, "device must be"),
    ({"device": [0]}, ValueError, "device must be"),
    ({"device": "cuda"}, ValueError, "CUDA is not available"),
]


def _param_id(case):
    ((name, value),) = list(case[0].items())[:1]
    return f"{name}={value!r}"


def _check_bad_params(est, params, exc, match, method):
    reference = copy.deepcopy(est)
    before = _snapshot(est)
    old = {name: before["params"][name] for name in params}
    est.set_params(**params)
    X, y = _data()
    X = pd.DataFrame(X, columns=COLUMNS)
    with pytest.raises(exc, match=match):
        if method == PARTIAL:
            est.partial_fit(X, y)
        else:
            _quiet(est.fit, X, y)
    # The parameters are the user's to set back; the fitted state must not
    # have moved.
    est.set_params(**old)
    _assert_unchanged(est, before, reference)


@by_backend
@pytest.mark.parametrize("method", [FIT, PARTIAL])
@pytest.mark.parametrize(
    "params, exc, match", [pytest.param(*c, id=_param_id(c)) for c in BAD_PARAMS]
)
def test_bad_hyperparameter_raises_a_clear_error_and_changes_nothing(
    Est, params, exc, match, method
):
    _check_bad_params(_fitted(Est), params, exc, match, method)


@by_backend
@pytest.mark.parametrize(
    "params, exc, match",
    [pytest.param(*c, id="-".join(c[0])) for c in BAD_IN_CONTEXT],
)
def test_hyperparameters_wrong_for_the_fitted_state(Est, params, exc, match):
    _check_bad_params(_fitted(Est), params, exc, match, FIT)


@pytest.mark.parametrize("method", [FIT, PARTIAL])
@pytest.mark.parametrize(
    "params, exc, match", [pytest.param(*c, id=_param_id(c)) for c in BAD_DEVICES]
)
def test_bad_device_raises_a_clear_error_and_changes_nothing(
    params, exc, match, method
):
    torch = pytest.importorskip("torch")
    if params["device"] == "cuda" and torch.cuda.is_available():
        pytest.skip("CUDA is available here, so device='cuda' is valid")
    _check_bad_params(_fitted(TorchMLPClassifier), params, exc, match, method)


@by_backend
def test_partial_fit_hidden_change_is_refused(Est):
    _check_bad_params(
        _fitted(Est),
        {"hidden": (4, 2)},
        ValueError,
        "does not match the fitted",
        PARTIAL,
    )


def test_assume_finite_skips_the_input_check_at_predict_time(Estimator, monkeypatch):
    import sklearn

    from sklearn_mlplab import _base

    X = np.random.RandomState(0).normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = Estimator(max_iter=2, random_state=0).fit(X, y)
    checked = []
    check = _base._all_finite
    monkeypatch.setattr(_base, "_all_finite", lambda X: checked.append(1) or check(X))
    est.predict_proba(X)
    assert checked
    # The user vouched for the input: no pass over it.
    checked.clear()
    with sklearn.config_context(assume_finite=True):
        proba = est.predict_proba(X)
    assert not checked
    assert_allclose(proba, est.predict_proba(X))
