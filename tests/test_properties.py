"""Property-based tests: whatever the data and hyperparameters, a fit either
gives a sound classifier or raises one of the clear errors.

Sound means: probabilities finite, rows summing to 1, in the input's float
dtype; ``predict`` inside ``classes_`` and agreeing with the most probable
class; ``classes_`` exactly the sorted labels of ``y``.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier
from sklearn_mlplab._base import NonFiniteError

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
by_backend = pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)

# Deterministic and file-free, so CI runs the same examples every time.
FEW = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def label_sets(n):
    """``n`` distinct labels: contiguous ints, scattered ints, or strings."""
    return st.one_of(
        st.just(list(range(n))),
        st.lists(st.integers(-(10**6), 10**6), min_size=n, max_size=n, unique=True),
        st.lists(
            st.text("abcxyz_", min_size=1, max_size=4),
            min_size=n,
            max_size=n,
            unique=True,
        ),
    )


@st.composite
def problems(draw):
    n_samples = draw(st.integers(1, 40))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    scale = draw(st.sampled_from([1.0, 10.0, 1000.0]))
    X = draw(
        arrays(
            dtype,
            (n_samples, n_features),
            elements=st.floats(-1, 1, width=32, allow_subnormal=False),
        )
    ) * dtype(scale)
    labels = draw(st.sampled_from([1, 2, 2, 3, 4]).flatmap(label_sets))
    y = draw(st.lists(st.sampled_from(labels), min_size=n_samples, max_size=n_samples))
    if draw(st.booleans()):
        # Every label present at least once (as far as the rows allow).
        y[: len(labels)] = labels[:n_samples]
    return X, np.array(y)


@st.composite
def hyperparameters(draw):
    return dict(
        hidden=draw(
            st.one_of(
                st.integers(1, 6),
                st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple),
            )
        ),
        activation=draw(st.sampled_from(["logistic", "tanh", "relu"])),
        loss=draw(st.sampled_from(["log_loss", "squared_error"])),
        lr=draw(st.floats(1e-3, 5.0)),
        momentum=draw(st.floats(0.0, 0.99)),
        momentum_type=draw(st.sampled_from(["dampened", "classic", "nesterov"])),
        alpha=draw(st.sampled_from([0.0, 1e-4, 0.1])),
        batch_size=draw(st.sampled_from([None, 1, 3, 16, 64])),
        max_iter=draw(st.integers(1, 6)),
        n_iter_no_change=draw(st.integers(1, 3)),
        early_stopping=draw(st.booleans()),
        validation_fraction=draw(st.floats(0.05, 0.6)),
        shuffle=draw(st.booleans()),
        random_state=draw(st.integers(0, 1000)),
    )


# One out-of-range value, or none: (parameter, value).
BAD_VALUES = st.sampled_from(
    [
        ("lr", 0.0),
        ("lr", -0.5),
        ("momentum", 1.0),
        ("momentum", -0.2),
        ("hidden", 0),
        ("hidden", -2),
        ("hidden", 1.5),
        ("hidden", (3, 0)),
        ("activation", "softmax"),
        ("loss", "hinge"),
        ("momentum_type", "adam"),
        ("batch_size", 0),
        ("validation_fraction", 0.0),
        ("validation_fraction", 1.0),
    ]
)


def _check_sound(est, X, y):
    assert_array_equal(est.classes_, np.unique(y))
    for X_new in (X, X[:1], X[::-1]):
        proba = est.predict_proba(X_new)
        assert proba.dtype == X.dtype
        assert proba.shape == (len(X_new), len(est.classes_))
        assert np.isfinite(proba).all()
        assert ((proba >= 0) & (proba <= 1)).all()
        tol = 1e-5 if X.dtype == np.float32 else 1e-12
        assert_allclose(proba.sum(axis=1), 1, atol=tol)
        pred = est.predict(X_new)
        assert np.isin(pred, est.classes_).all()
        # Where one class clearly leads, predict names it.
        top2 = np.sort(proba, axis=1)[:, -2:]
        clear = top2[:, 1] - top2[:, 0] > 1e-4
        assert_array_equal(pred[clear], est.classes_[proba.argmax(axis=1)][clear])


def _fit_or_clear_error(est, X, y):
    """Fit; return the error if it is one of the clear ones, else re-raise."""
    n_classes = len(np.unique(y))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
    except NonFiniteError as exc:
        assert "Lower lr" in str(exc)
        return exc
    except ValueError as exc:
        message = str(exc)
        if n_classes < 2:
            assert "at least 2 classes" in message
        else:
            assert est.early_stopping, message
            assert "validation_fraction" in message
        return exc
    assert n_classes >= 2, "fitted data with a single class"
    return None


@by_backend
@FEW
@given(problem=problems(), params=hyperparameters())
def test_fit_gives_a_sound_classifier_or_a_clear_error(Est, problem, params):
    X, y = problem
    est = Est(**params)
    error = _fit_or_clear_error(est, X, y)
    if error is None:
        event("outcome: fitted")
    elif isinstance(error, NonFiniteError):
        event("outcome: diverged")
    else:
        event(f"outcome: {'one class' if '2 classes' in str(error) else 'split'}")
    if error is None:
        _check_sound(est, X, y)
        assert est.coefs_[0].dtype == X.dtype
        assert 1 <= est.n_iter_ <= params["max_iter"]


@by_backend
@FEW
@given(problem=problems(), params=hyperparameters(), bad=BAD_VALUES)
def test_out_of_range_hyperparameters_are_named(Est, problem, params, bad):
    X, y = problem
    name, value = bad
    est = Est(**{**params, name: value})
    with pytest.raises((ValueError, TypeError)) as info:
        est.fit(X, y)
    assert name in str(info.value)


@by_backend
@FEW
@given(problem=problems(), params=hyperparameters(), n_calls=st.integers(1, 3))
def test_partial_fit_gives_a_sound_classifier_or_a_clear_error(
    Est, problem, params, n_calls
):
    X, y = problem
    classes = np.unique(y)
    # partial_fit refuses early stopping, as scikit-learn's does.
    est = Est(**{**params, "early_stopping": False})
    try:
        for _ in range(n_calls):
            est.partial_fit(X, y, classes=classes)
    except NonFiniteError:
        event("outcome: NonFiniteError")
        return
    except ValueError as exc:
        assert len(classes) < 2 and "at least 2 classes" in str(exc)
        event("outcome: one class")
        return
    event("outcome: fitted")
    assert len(classes) >= 2
    _check_sound(est, X, y)
    assert len(est.loss_curve_) == n_calls and est.n_iter_ == 1
