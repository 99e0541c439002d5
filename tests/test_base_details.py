"""Details of the shared base class that a user sees, on both backends.

The rendered docstrings, the exact error messages, the dtype a float32 fit
trains in, sparse formats, the layer attributes, early stopping's held-out
labels, re-pickling an old pickle, and when training runs on one thread.
"""

import ast
import functools
import inspect
import pickle
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier, _base, _numpy_fast
from sklearn_mlplab._base import _ADDED_PARAMS, fill_doc
from sklearn_mlplab._classifier import BaseMLPClassifier

ESTIMATORS = [NumpyMLPClassifier, TorchMLPClassifier]
ATTRIBUTES = [
    "classes_",
    "coefs_",
    "intercepts_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "validation_loss_curve_",
    "best_validation_score_",
    "n_iter_",
    "t_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "n_features_in_",
    "feature_names_in_",
]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def _data(n=40, n_classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] > 0).astype(int)
    if n_classes == 3:
        y = y + (X[:, 1] > 0.3)
    return X, y


def _exactly(message):
    """A ``match`` pattern for exactly this message."""
    return "^" + re.escape(message) + "$"


# ------------------------------------------------------------- docstrings
def _section(doc, title):
    """The ``(name, type, description)`` entries of a numpydoc section."""
    lines = inspect.cleandoc(doc).splitlines()
    at = lines.index(title)
    assert lines[at + 1] == "-" * len(title)
    entries = []
    for line in lines[at + 2 :]:
        if line and not line.startswith(" "):
            if " : " not in line:  # the next section's title
                break
            name, kind = line.split(" : ", 1)
            entries.append((name, kind, []))
        elif line.strip():
            assert entries, f"text before the first entry of {title}: {line!r}"
            assert line.startswith("    "), line
            entries[-1][2].append(line.strip())
    return entries


def _check_doc_sections(cls):
    """The docstring has every parameter and attribute, each once, in full."""
    assert cls.__doc__ is not None
    assert "%(" not in cls.__doc__
    signature = inspect.signature(cls.__init__).parameters
    parameters = _section(cls.__doc__, "Parameters")
    assert [name for name, _, _ in parameters] == [p for p in signature if p != "self"]
    for name, kind, desc in parameters:
        assert desc, f"{name} has no description"
        default = re.search(r"default=(.*)$", kind)
        assert default, f"{name}'s type line names no default"
        assert ast.literal_eval(default.group(1)) == signature[name].default
    attributes = _section(cls.__doc__, "Attributes")
    assert [name for name, _, _ in attributes] == ATTRIBUTES
    assert all(desc for _, _, desc in attributes)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_public_docstrings_document_each_parameter_and_attribute_once(Est):
    _check_doc_sections(Est)
    # Each documented attribute is there after a fit.
    X, y = _data()
    est = _quiet(Est(hidden=2, max_iter=2, random_state=0).fit, X, y)
    for name in ATTRIBUTES:
        if name != "feature_names_in_":  # only with string column names
            assert hasattr(est, name), name


# A backend's docstring template, indented as a module-level class's is.
BACKEND_DOC = """A backend.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    %(attributes)s
    """


def test_a_backend_docstring_template_gets_the_shared_sections():
    Backend = type("Backend", (BaseMLPClassifier,), {"__doc__": BACKEND_DOC})
    assert fill_doc(Backend) is Backend
    _check_doc_sections(Backend)
    assert Backend.__doc__.startswith("A backend.\n\n    Parameters\n    ---")
    assert Backend.__doc__.count("\n    hidden : int or tuple of int") == 1
    assert Backend.__doc__.count("\n    classes_ : ndarray") == 1


# ------------------------------------------------------- error messages
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_label_errors_say_exactly_what_is_wrong(Est):
    X, y = _data()
    with pytest.raises(
        ValueError,
        match=_exactly("classes must be passed on the first call to partial_fit."),
    ):
        Est().partial_fit(X, y)
    with pytest.raises(
        ValueError,
        match="^"
        + re.escape(
            f"{Est.__name__} needs samples of at least 2 classes, but the data "
            "contains only one class: "
        ),
    ):
        Est().fit(X, np.zeros_like(y))
    est = _quiet(Est(hidden=2, random_state=0).partial_fit, X, y, classes=[0, 1])
    with pytest.raises(
        ValueError,
        match=_exactly(
            "classes=[0, 1, 2] is not the same as on the first call to "
            "partial_fit: [0, 1]."
        ),
    ):
        est.partial_fit(X, y, classes=[2, 1, 0])
    X3, y3 = _data(n_classes=3)
    est = _quiet(Est(hidden=2, max_iter=2, random_state=0, warm_start=True).fit, X, y)
    with pytest.raises(
        ValueError,
        match=_exactly(
            "warm_start can only be used where y has the same classes as in the "
            "previous call to fit: previously [0, 1], now [0, 1, 2]."
        ),
    ):
        est.fit(X3, y3)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_all_zero_sample_weight_is_a_clear_error(Est, method):
    X, y = _data()
    kwargs = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(ValueError, match="zero"):
        getattr(Est(), method)(X, y, sample_weight=np.zeros(len(y)), **kwargs)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_all_zero_sample_weight_is_refused_where_scikit_learn_lets_it_through(
    Est, method, monkeypatch
):
    # scikit-learn before 1.9 lets all-zero weights through its validation.
    check = _base._check_sample_weight
    if "allow_all_zero_weights" in inspect.signature(check).parameters:
        check = functools.partial(check, allow_all_zero_weights=True)
        monkeypatch.setattr(_base, "_check_sample_weight", check)
    X, y = _data()
    kwargs = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(
        ValueError,
        match=_exactly("sample_weight sums to zero: there is nothing to fit."),
    ):
        getattr(Est(), method)(X, y, sample_weight=np.zeros(len(y)), **kwargs)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_fit_with_only_one_weighted_class_is_a_clear_error(Est):
    X, y = _data()
    with pytest.raises(
        ValueError,
        match="^"
        + re.escape("Only one class has a non-zero sample_weight (")
        + ".*"
        + re.escape("); at least 2 classes are needed.")
        + "$",
    ):
        Est().fit(X, y, sample_weight=(y == 1).astype(float))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_partial_fit_takes_a_batch_with_only_one_weighted_class(Est):
    # Later batches may bring the other classes' weight: no error here.
    X, y = _data()
    est = Est(hidden=2, random_state=0)
    est.partial_fit(X, y, classes=[0, 1], sample_weight=(y == 1).astype(float))
    assert len(est.loss_curve_) == 1
    est.partial_fit(X, y, sample_weight=(y == 0).astype(float))
    assert len(est.loss_curve_) == 2


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
# random_state=0 holds both weighted rows out for validation, 1 trains on both.
@pytest.mark.parametrize("random_state", [0, 1], ids=["training", "validation"])
def test_early_stopping_names_a_part_with_zero_total_weight(Est, random_state):
    X = np.random.RandomState(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    sw = np.zeros(20)
    sw[:2] = 1.0  # one row of each class
    est = Est(
        hidden=2,
        max_iter=2,
        early_stopping=True,
        validation_fraction=0.5,
        random_state=random_state,
    )
    with pytest.raises(
        ValueError,
        match=_exactly(
            "With early_stopping=True, the training or the validation part of the "
            "data has a zero total sample_weight; give more rows a non-zero "
            "weight or change validation_fraction."
        ),
    ):
        est.fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_early_stopping_with_small_total_weights_trains(Est):
    # Both parts' weights add up to less than one: small, but not zero.
    X, y = _data()
    est = Est(hidden=2, max_iter=3, early_stopping=True, random_state=0)
    _quiet(est.fit, X, y, sample_weight=np.full(len(y), 0.01))
    assert est.n_iter_ == 3
    assert len(est.validation_scores_) == 3


# ------------------------------------------------------------ networks
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("hidden", [1, (1,), (3, 1), (1, 2)])
def test_a_hidden_layer_of_one_neuron_is_a_network(Est, hidden):
    X, y = _data()
    est = _quiet(Est(hidden=hidden, max_iter=2, random_state=0).fit, X, y)
    widths = (hidden,) if isinstance(hidden, int) else hidden
    assert [W.shape[1] for W in est.coefs_[:-1]] == list(widths)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "hidden, n_classes, outputs, activation",
    [(3, 2, 1, "logistic"), ((4, 3), 3, 3, "softmax")],
)
def test_layer_attributes(Est, hidden, n_classes, outputs, activation):
    X, y = _data(n_classes=n_classes)
    est = _quiet(Est(hidden=hidden, max_iter=2, random_state=0).fit, X, y)
    widths = (hidden,) if isinstance(hidden, int) else hidden
    assert est.n_layers_ == len(widths) + 2
    assert len(est.coefs_) == est.n_layers_ - 1
    assert est.n_outputs_ == outputs
    assert est.out_activation_ == activation


# -------------------------------------------------------------- dtypes
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_float32_training_computes_its_loss_in_float32(Est, n_classes, weighted):
    # One full batch of 32 rows, weights adding up to 64: the mean loss is
    # the backend's float32 sum divided by a power of two, a float32 number.
    X, y = _data(n=32, n_classes=n_classes)
    sw = np.where(np.arange(32) % 2, 1.0, 3.0) if weighted else None
    est = Est(hidden=3, batch_size=None, max_iter=4, random_state=0)
    _quiet(est.fit, X.astype(np.float32), y, sample_weight=sw)
    assert est._params.dtype == np.float32
    assert est.loss_curve_ == [float(np.float32(v)) for v in est.loss_curve_]


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_float64_sample_weight_trains_a_float32_fit_as_its_float32_cast(Est, n_classes):
    X, y = _data(n_classes=n_classes)
    X = X.astype(np.float32)
    sw = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    params = dict(hidden=3, batch_size=8, max_iter=3, random_state=0)
    a = _quiet(Est(**params).fit, X, y, sample_weight=sw)
    b = _quiet(Est(**params).fit, X, y, sample_weight=sw.astype(np.float32))
    assert_array_equal(a._params, b._params)
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_warm_start_trains_float64_data_in_the_model_float32(Est):
    X, y = _data()
    params = dict(hidden=3, batch_size=8, max_iter=3, random_state=0, warm_start=True)
    a = _quiet(Est(**params).fit, X.astype(np.float32), y)
    b = _quiet(Est(**params).fit, X.astype(np.float32), y)
    _quiet(a.fit, X, y)
    _quiet(b.fit, X.astype(np.float32), y)
    assert a._params.dtype == np.float32
    assert_array_equal(a._params, b._params)
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_csc_training_data_trains_exactly_as_its_csr_form(Est):
    X, y = _data()
    X[np.abs(X) < 0.5] = 0.0
    params = dict(hidden=3, batch_size=8, max_iter=3, random_state=0)
    a = _quiet(Est(**params).fit, sp.csc_matrix(X), y)
    b = _quiet(Est(**params).fit, sp.csr_matrix(X), y)
    assert_array_equal(a._params, b._params)
    assert a.loss_curve_ == b.loss_curve_


# ------------------------------------------------------ early stopping
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_early_stopping_scores_the_held_out_rows_with_their_own_labels(Est, n_classes):
    # Far-apart clusters: a trained model gets every held-out row right.
    rng = np.random.RandomState(0)
    y = np.arange(90) % n_classes
    centers = np.array([[-6.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    X = centers[y] + rng.normal(scale=0.3, size=(90, 2))
    est = Est(hidden=4, lr=0.5, early_stopping=True, random_state=0)
    _quiet(est.fit, X, y)
    assert est.best_validation_score_ == 1.0
    assert est.score(X, y) == 1.0


# ------------------------------------------------------------- pickles
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_an_old_pickle_loaded_and_pickled_again_keeps_its_weights(Est):
    # sklearn-mlplab 0.1.0 laid the flat vector out as every weight matrix,
    # then every bias. Once loaded, the model is in today's layout, and a
    # pickle of it must load as it is.
    X, y = _data(n_classes=3)
    est = _quiet(Est(hidden=(5, 3), max_iter=5, random_state=0).fit, X, y)
    state = dict(est.__getstate__())
    # As 0.1.0 pickled it: SGD's velocity, and none of the newer parameters.
    state["_velocity"] = state.pop("_optimizer").velocity
    for name in {**_ADDED_PARAMS, **Est._added_params}:
        del state[name]
    for key in ("_params", "_velocity"):
        coefs, intercepts = est._unpack(state[key])
        state[key] = np.concatenate([a.ravel() for a in coefs + intercepts])
    del state["_layout"]
    old = Est.__new__(Est)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    again = pickle.loads(pickle.dumps(old))
    assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    assert_array_equal(again._params, est._params)
    assert_array_equal(again._optimizer.velocity, est._optimizer.velocity)
    # ... and trains on as the original does.
    _quiet(again.partial_fit, X, y)
    _quiet(est.partial_fit, X, y)
    assert_array_equal(again._params, est._params)


# ------------------------------------------------------------- threads
@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "n_rows, batch_size, one_thread",
    # 64 features, two layers of 256: the widest product has 65536 weights,
    # times 32 rows = 2 ** 21 multiply-adds (one thread), times 128 rows
    # = 2 ** 23 (all threads).
    [(64, 32, True), (128, 128, False)],
)
def test_training_steps_run_on_one_thread_only_for_small_products(
    Est, monkeypatch, n_rows, batch_size, one_thread
):
    # Each step records how many threads its library computed with.
    def threads():
        if Est is NumpyMLPClassifier:
            return _numpy_fast.blas_threads()
        import torch

        return torch.get_num_threads()

    default = threads()
    steps = []
    step = Est._engine.step

    def spy_step(self, *args):
        steps.append(threads() == 1)
        return step(self, *args)

    monkeypatch.setattr(Est._engine, "step", spy_step)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_rows, 64))
    y = np.arange(n_rows) % 2
    est = Est(hidden=(256, 256), batch_size=batch_size, max_iter=1, random_state=0)
    _quiet(est.fit, X, y)
    assert steps and all(s == (one_thread or default == 1) for s in steps)
    assert threads() == default  # and put back after
