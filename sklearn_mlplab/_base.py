"""The base class every backend shares: all of scikit-learn's plumbing.

A backend subclasses :class:`BaseMLPClassifier` only to name its engine
(``_engine``), the one class that says *how* to compute: see ``_engine.py``
for the interface. Everything else -- validation, labels, batching,
shuffling, stopping rules, early stopping, saving and restoring weights,
finiteness checks and rollback, warm starts, ``partial_fit``, sample
weights, the loss curve, prediction, tags -- lives here, once.
"""

import copy
import math
import os
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._functions import ACTIVATIONS, LOSSES, OUT_ACTIVATIONS, log_output
from ._optim import MOMENTUM_UPDATES, SGD, Adam

# Rows per chunk at prediction time: bounds the memory of the activations.
_PREDICT_CHUNK = 65536
# ... and fewer where the widest layer's activations of a chunk would pass
# this many values (2 MiB in float32): the elementwise passes that follow
# each product then run mostly in the core's cache, and the per-chunk calls
# still cost little.
_PREDICT_CHUNK_VALUES = 1 << 19
# Parallel prediction hands each thread about this many runs of chunks.
_PREDICT_TASKS_PER_THREAD = 4

# Training products up to this many multiply-adds run on one thread.
_SINGLE_THREAD_MACS = 1 << 22


# How the flat parameter vector is laid out: see BaseMLPClassifier._unpack.
_LAYOUT = "layer blocks [W; b]"

# Each solver's update rule, and the estimator parameters it takes after lr,
# by name. L-BFGS has no rule object: it keeps no state between calls.
_OPTIMIZERS = {
    "sgd": (SGD, ("momentum", "momentum_type")),
    "adam": (Adam, ("beta_1", "beta_2", "epsilon")),
    "lbfgs": (type(None), ()),
}
# Parameters added since 0.1.0, with their defaults: a model pickled before
# gets them on loading.
_ADDED_PARAMS = {
    "solver": "sgd",
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "lr_schedule": "constant",
    "power_t": 0.5,
    "max_fun": 15000,
}
# lr_schedule="adaptive" stops once it has divided lr down to this.
_ADAPTIVE_MIN_LR = 1e-6


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Frames that only pass a call on, between the caller and the package:
# scikit-learn's fit wrapper, and the trampolines mutation testing puts in
# front of every method (tools/mutation.py).
_PASS_THROUGH = (
    (os.path.join("sklearn", "base.py"), "wrapper"),
    (os.path.join("mutmut", "mutation", "trampoline.py"), None),
)


def _passes_through(code):
    return any(
        code.co_filename.endswith(path) and name in (None, code.co_name)
        for path, name in _PASS_THROUGH
    )


def _warn_caller(message, category):
    """``warnings.warn`` pointing at the line that called into the package
    (``fit``, ``partial_fit``, or scikit-learn code such as a Pipeline's):
    the first frame outside this package and the wrappers it passes through.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and (
        frame.f_code.co_filename.startswith(_PACKAGE_DIR)
        or _passes_through(frame.f_code)
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _blocks_from_coefs_then_biases(flat, units):
    """Reorder [W_1, W_2, ..., b_1, b_2, ...] into [W_1, b_1, W_2, b_2, ...]."""
    pairs = list(zip(units[:-1], units[1:], strict=True))
    coef_at, bias_at = 0, sum(a * b for a, b in pairs)
    parts = []
    for fan_in, fan_out in pairs:
        parts.append(flat[coef_at : coef_at + fan_in * fan_out])
        parts.append(flat[bias_at : bias_at + fan_out])
        coef_at += fan_in * fan_out
        bias_at += fan_out
    return np.concatenate(parts)


def _all_finite(X):
    """Whether dense or sparse ``X`` holds no NaN or infinity (one pass)."""
    return bool(np.isfinite(X.data if sp.issparse(X) else X).all())


PARAMETERS_DOC = """\
hidden : int or tuple of int, default=3
        Width of each hidden layer: ``3`` is the lab's single layer of three
        neurons, ``(64, 64)`` two layers of 64.

    activation : {"logistic", "tanh", "relu"}, default="logistic"
        Activation of the hidden layers. The output layer is a sigmoid unit
        for two classes and a softmax otherwise.

    loss : {"log_loss", "squared_error"}, default="log_loss"
        ``"log_loss"`` is the cross-entropy, computed from the logits.
        ``"squared_error"`` is half the squared distance between the output
        probabilities and the one-hot targets, summed over output units.

    solver : {"sgd", "adam", "lbfgs"}, default="sgd"
        How the weights are trained:

        - ``"sgd"``: mini-batch gradient descent with momentum (the lab's
          rule; see ``momentum_type``).
        - ``"adam"``: mini-batch Adam (Kingma & Ba), with ``beta_1``,
          ``beta_2`` and ``epsilon``. It wants a far smaller ``lr`` than the
          lab's 1.0: ``1e-3`` to ``1e-2`` is usual.
        - ``"lbfgs"``: full-batch L-BFGS (``scipy.optimize.minimize``), for
          small data such as the lab's. ``lr``, ``momentum``, ``batch_size``,
          ``shuffle`` and the schedule do not apply; ``max_iter`` counts its
          iterations, ``max_fun`` its loss evaluations, and ``tol`` is its
          gradient tolerance. :meth:`partial_fit` is not available.

    lr : float, default=1.0
        Learning rate (``lr`` in the update rules of ``momentum_type``, eta in
        Adam's), > 0; the first epoch's, when ``lr_schedule`` changes it.

    lr_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How ``lr`` changes from epoch to epoch (``solver="sgd"`` or
        ``"adam"``), as scikit-learn's ``learning_rate``:

        - ``"constant"``: ``lr`` throughout.
        - ``"invscaling"``: ``lr / (t + 1) ** power_t`` in an epoch that
          starts after ``t`` training rows (``t_``) have been seen.
        - ``"adaptive"``: ``lr`` until the stopping rule fires, which then
          divides the current rate by 5 and restarts its count instead of
          stopping, until the rate is at most 1e-6.

    power_t : float, default=0.5
        Exponent of ``lr_schedule="invscaling"``, >= 0.

    momentum : float, default=0.9
        Momentum rate (beta), in [0, 1), of ``solver="sgd"``. ``0`` is plain
        gradient descent.

    momentum_type : {"dampened", "classic", "nesterov"}, default="dampened"
        Update rule, with gradient g and velocity v starting at 0:

        - ``"dampened"`` (the lab's rule): v = beta v + (1 - beta) lr g,
          w = w - v. The steady step is lr g whatever beta is.
        - ``"classic"`` (heavy ball): v = beta v + lr g, w = w - v. The steady
          step is lr g / (1 - beta): ten times larger at beta = 0.9.
        - ``"nesterov"``: v = beta v + lr g, w = w - (beta v + lr g), the
          look-ahead step of scikit-learn's SGD.

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment (mean gradient) estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment (mean squared gradient) estimate,
        in [0, 1).

    epsilon : float, default=1e-8
        Added to the square root of Adam's second moment, > 0.

    alpha : float, default=0.0
        Strength of the L2 penalty ``alpha / 2 * sum(W ** 2)`` on the weights
        (not the biases), added to the mean loss.

    batch_size : int or None, default=32
        Rows per gradient step. ``None`` is full-batch gradient descent, as
        in the lab; a value above the number of rows means the same.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training data).

    tol : float, default=1e-4
        Training stops when the loss (or, with ``early_stopping``, the
        validation accuracy) fails to improve by at least ``tol`` for more
        than ``n_iter_no_change`` consecutive epochs, as in scikit-learn.
        With ``solver="lbfgs"`` it is also L-BFGS's gradient tolerance.

    n_iter_no_change : int, default=10
        Number of epochs without improvement tolerated before stopping
        (iterations of L-BFGS, which uses it only with ``early_stopping``).

    max_fun : int, default=15000
        Most evaluations of the loss that ``solver="lbfgs"`` may make.

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data,
        stop when its accuracy stops improving and keep the weights of the
        best epoch. Ignored by :meth:`partial_fit`.

    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.

    shuffle : bool, default=True
        Shuffle the rows before each epoch (when an epoch has more than one
        batch).

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
        Pass an int for reproducible fits.

    verbose : bool, default=False
        Print the loss after every epoch.

    warm_start : bool, default=False
        Start :meth:`fit` from the weights of the previous fit instead of a
        fresh initialisation. The optimiser restarts as in a fresh fit: the
        velocity from zero and the shuffling generator from
        ``random_state``."""

ATTRIBUTES_DOC = """\
classes_ : ndarray of shape (n_classes,)
        The class labels.

    coefs_ : list of ndarray
        ``coefs_[i]`` is the weight matrix from layer ``i`` to layer ``i + 1``.

    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the bias vector of layer ``i + 1``.

    loss_curve_ : list of float
        Mean training loss (penalty included) of each epoch: the mean of its
        batches' objectives, each taken before its step. With
        ``solver="lbfgs"``, the objective at the end of each iteration.

    best_loss_ : float or None
        Lowest training loss since the stopping rule last restarted (every
        call to :meth:`fit`, warm starts included); None with
        ``early_stopping``.

    validation_scores_ : list of float or None
        Validation accuracy after each epoch of the last :meth:`fit` when
        ``early_stopping=True``.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    n_iter_ : int
        Number of epochs run (iterations, with ``solver="lbfgs"``).

    t_ : int
        Number of training rows seen, counted over all epochs (rows times
        iterations, with ``solver="lbfgs"``).

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units: 1 for two classes, else ``n_classes``.

    out_activation_ : str
        ``"logistic"`` for two classes, ``"softmax"`` otherwise.

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during :meth:`fit`, when ``X`` had string
        column names."""


def fill_doc(cls):
    """Put the shared parameter and attribute sections into a docstring."""
    cls.__doc__ = cls.__doc__.replace("%(parameters)s", PARAMETERS_DOC).replace(
        "%(attributes)s", ATTRIBUTES_DOC
    )
    return cls


class NonFiniteError(ValueError):
    """Training produced non-finite weights or loss."""


class NonFiniteOutputError(ValueError):
    """The network's outputs are not finite for the given input."""


class _Batches:
    """Where each batch of an epoch starts and stops, and its weight sum."""

    def __init__(self, n, batch_size, sample_weight):
        self.n, self.sample_weight = n, sample_weight
        self.starts = np.arange(0, n, batch_size)
        stops = np.minimum(self.starts + batch_size, n)
        self.count = len(self.starts)
        self.bounds = list(zip(self.starts.tolist(), stops.tolist(), strict=True))
        if sample_weight is None:
            self.total_weight = float(n)
            self.weights = (stops - self.starts).astype(float).tolist()
        else:
            self.total_weight = float(sample_weight.sum())
            self.reorder(np.arange(n))

    def reorder(self, perm):
        """The batch weights once the rows are in the order ``perm``."""
        if self.sample_weight is not None:
            self.weights = np.add.reduceat(
                self.sample_weight[perm], self.starts
            ).tolist()


class BaseMLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier; backends subclass it.

    Not for direct use: see :class:`~sklearn_mlplab.NumpyMLPClassifier` and
    :class:`~sklearn_mlplab.TorchMLPClassifier`. A backend sets ``_engine``,
    its :class:`~sklearn_mlplab._engine.Engine` subclass.
    """

    _engine = None

    _parameter_constraints = {
        "hidden": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "loss": [StrOptions(set(LOSSES))],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "momentum_type": [StrOptions(set(MOMENTUM_UPDATES))],
        "solver": [StrOptions(set(_OPTIMIZERS))],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "invscaling", "adaptive"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        hidden=3,
        *,
        activation="logistic",
        loss="log_loss",
        solver="sgd",
        lr=1.0,
        lr_schedule="constant",
        power_t=0.5,
        momentum=0.9,
        momentum_type="dampened",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        alpha=0.0,
        batch_size=32,
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        max_fun=15000,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        verbose=False,
        warm_start=False,
    ):
        self.hidden = hidden
        self.activation = activation
        self.loss = loss
        self.solver = solver
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.power_t = power_t
        self.momentum = momentum
        self.momentum_type = momentum_type
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data trains in float32, anything else in
            float64 (a warm start keeps the fitted model's dtype).

        y : array-like of shape (n_samples,)
            Class labels (any sortable labels: ints, strings, ...).

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row. Integer weights are equivalent
            to repeating rows (exactly so in full-batch training).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

    def _has_partial_fit(self):
        if self.solver == "lbfgs":
            # An AttributeError, so that hasattr(est, "partial_fit") is False.
            raise AttributeError(
                "partial_fit is not available with solver='lbfgs', which needs "
                "all the data at once; use fit, or solver='sgd' or 'adam'."
            )
        return True

    @available_if(_has_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Run one epoch over the given data.

        Successive calls continue the same run: the weights, the velocity and
        the shuffling generator carry over, so ``n`` calls on the same data
        equal one :meth:`fit` with ``max_iter=n`` (and no stopping rule).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Class labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row.

        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear. Required on the first call
            (unless the estimator was already fitted); later calls may pass
            the same set again, and a different one is an error.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if hasattr(self, "_params"):
            # _fit_context skips validation once fitted, but lr, momentum, ...
            # may have been changed since: lr=-1 must not train silently.
            self._validate_params()
        return self._fit(X, y, sample_weight, classes=classes, incremental=True)

    def _fit(self, X, y, sample_weight, classes, incremental):
        fitted = hasattr(self, "_params")
        continuing = fitted and (incremental or self.warm_start)
        # A continued run updates weights, velocity, curves and the generator
        # in place, so only a deep copy can bring the estimator back. The
        # parameters are the caller's objects (a RandomState, say): kept as
        # they are, not replaced by copies.
        if continuing:
            keep = {id(v): v for v in self.get_params(deep=False).values()}
            saved = copy.deepcopy(self.__dict__, keep)
        else:
            saved = self.__dict__.copy()
        try:
            self._fit_unchecked(X, y, sample_weight, classes, incremental, continuing)
        except NonFiniteError:
            # A continued run keeps its last finite epoch; a fresh fit leaves
            # the estimator as it was before the call.
            if not continuing:
                self._restore(saved)
            else:
                # The optimizer's state took part in the blow-up: the next
                # call starts it afresh from the kept weights.
                self._restart_optimizer()
            raise
        except BaseException:
            self._restore(saved)
            raise
        return self

    def _restore(self, saved):
        self.__dict__.clear()
        self.__dict__.update(saved)

    def _fit_unchecked(self, X, y, sample_weight, classes, incremental, continuing):
        hidden = self._hidden_layers()
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            reset=not continuing,
        )
        check_classification_targets(y)
        if continuing:
            X = X.astype(self._params.dtype, copy=False)
            self._check_same_network(hidden)
        if sp.issparse(X):
            X = X.tocsr()
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        Y = self._encode_targets(y, classes, incremental, continuing, X.dtype)
        self._check_weighted_classes(y, sample_weight, incremental)

        if continuing and not incremental:
            # A warm start reuses the weights but restarts the optimiser. A
            # new object, not an in-place reset: if this fit fails, the
            # restored estimator must still hold its old state.
            self._rng = check_random_state(self.random_state)
            self._optimizer = self._new_optimizer()
        elif continuing and type(self._optimizer) is not _OPTIMIZERS[self.solver][0]:
            # partial_fit after solver was changed: the new rule starts afresh.
            self._optimizer = self._new_optimizer()
        elif not continuing:
            self._rng = check_random_state(self.random_state)
            self._initialize(hidden, X.shape[1], X.dtype)

        val = None
        if self.early_stopping and not incremental:
            X, Y, sample_weight, val = self._split_validation(X, y, Y, sample_weight)
            if sample_weight is not None and not (
                sample_weight.sum() > 0 and val[2].sum() > 0
            ):
                raise ValueError(
                    "With early_stopping=True, the training or the validation "
                    "part of the data has a zero total sample_weight; give more "
                    "rows a non-zero weight or change validation_fraction."
                )
        self._train(X, Y, sample_weight, val, incremental, continuing)

    def _hidden_layers(self):
        hidden = self.hidden
        if isinstance(hidden, Integral):
            # A bool is an Integral, so it gets here and is refused below.
            hidden = (hidden,)
        hidden = tuple(hidden)
        if not hidden or any(
            isinstance(h, bool) or not isinstance(h, Integral) or h < 1 for h in hidden
        ):
            raise ValueError(
                "hidden must be a positive int or a non-empty tuple of positive "
                f"ints, got {self.hidden!r}."
            )
        return tuple(int(h) for h in hidden)

    def _check_same_network(self, hidden):
        fitted = tuple(self._layer_units[1:-1])
        if hidden != fitted:
            raise ValueError(
                f"hidden={self.hidden!r} does not match the fitted network's "
                f"hidden layers {fitted}; set warm_start=False to start afresh."
            )

    def _encode_targets(self, y, classes, incremental, continuing, dtype):
        """Set ``classes_`` (on a fresh start) and return the 0/1 target matrix."""
        present = np.unique(y)
        if not continuing:
            if incremental:
                if classes is None:
                    raise ValueError(
                        "classes must be passed on the first call to partial_fit."
                    )
                self.classes_ = np.unique(classes)
            else:
                self.classes_ = present
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes, "
                    f"but the data contains only one class: {self.classes_[0]!r}."
                )
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} is not the same as on the "
                f"first call to partial_fit: {self.classes_.tolist()}."
            )
        elif not incremental and not np.array_equal(present, self.classes_):
            raise ValueError(
                "warm_start can only be used where y has the same classes as in "
                f"the previous call to fit: previously {self.classes_.tolist()}, "
                f"now {present.tolist()}."
            )
        unseen = np.setdiff1d(present, self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}."
            )
        n_classes = len(self.classes_)
        if n_classes == 2:  # every label is one of the two (checked above)
            return (y == self.classes_[1]).astype(dtype)[:, None]
        index = np.searchsorted(self.classes_, y)
        Y = np.zeros((len(y), n_classes), dtype=dtype)
        Y[np.arange(len(y)), index] = 1
        return Y

    def _check_weighted_classes(self, y, sample_weight, incremental):
        if sample_weight is None:
            return
        if not sample_weight.sum() > 0:
            raise ValueError("sample_weight sums to zero: there is nothing to fit.")
        weighted = np.unique(y[sample_weight > 0])
        if not incremental and len(weighted) < 2:
            raise ValueError(
                "Only one class has a non-zero sample_weight "
                f"({weighted[0]!r}); at least 2 classes are needed."
            )

    def _new_optimizer(self, lr=None):
        """A fresh optimizer of ``solver``'s rule (None for L-BFGS)."""
        rule, names = _OPTIMIZERS[self.solver]
        if rule is type(None):
            return None
        lr = self.lr if lr is None else lr
        return rule(self._params, lr, *(getattr(self, name) for name in names))

    def _restart_optimizer(self):
        """Start the optimizer's state afresh, keeping its current lr (which
        ``lr_schedule="adaptive"`` may have lowered)."""
        old = self._optimizer
        self._optimizer = self._new_optimizer(None if old is None else old.lr)

    def _initialize(self, hidden, n_features, dtype):
        """Draw Xavier-normal weights from ``self._rng``; biases start at zero."""
        n_outputs = 1 if len(self.classes_) == 2 else len(self.classes_)
        self._layer_units = [n_features, *hidden, n_outputs]
        self.n_layers_ = len(self._layer_units)
        self.n_outputs_ = n_outputs
        self.out_activation_ = "logistic" if n_outputs == 1 else "softmax"
        pairs = list(zip(self._layer_units[:-1], self._layer_units[1:], strict=True))
        coefs = [
            self._rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))
            for fan_in, fan_out in pairs
        ]
        self._params = np.zeros(
            sum((fan_in + 1) * fan_out for fan_in, fan_out in pairs), dtype=dtype
        )
        for view, coef in zip(self._unpack(self._params)[0], coefs, strict=True):
            view[...] = coef
        self._optimizer = self._new_optimizer()
        self._layout = _LAYOUT

    def _unpack(self, flat):
        """Split a flat parameter vector into views: (coefs, intercepts).

        The layout is layer after layer, each layer's weight matrix
        (row-major) followed by its bias: layer i is one contiguous block,
        ``flat`` viewed as ``[[W_i], [b_i]]`` of shape (fan_in + 1, fan_out).
        """
        blocks = self._unpack_blocks(flat)
        return [B[:-1] for B in blocks], [B[-1] for B in blocks]

    def _pack(self, coefs, intercepts, dtype=None):
        """The inverse of :meth:`_unpack`: per-layer arrays in one new flat
        vector (of ``dtype``, else the parameters')."""
        flat = np.empty(self._params.shape, dtype=dtype or self._params.dtype)
        flat_coefs, flat_intercepts = self._unpack(flat)
        for view, a in zip(
            flat_coefs + flat_intercepts, coefs + intercepts, strict=True
        ):
            view[...] = a
        return flat

    def _unpack_blocks(self, flat):
        """Each layer's ``[[W_i], [b_i]]`` block of ``flat``, as a view."""
        pairs = zip(self._layer_units[:-1], self._layer_units[1:], strict=True)
        blocks, start = [], 0
        for fan_in, fan_out in pairs:
            size = (fan_in + 1) * fan_out
            blocks.append(flat[start : start + size].reshape(fan_in + 1, fan_out))
            start += size
        return blocks

    def __setstate__(self, state):
        if "_params" in state and state.get("_layout") != _LAYOUT:
            # Pickled by sklearn-mlplab 0.1.0, whose flat vector held every
            # weight matrix first and then every bias: put it in layer blocks.
            units = state["_layer_units"]
            for key in ("_params", "_velocity"):
                state[key] = _blocks_from_coefs_then_biases(state[key], units)
            state["_layout"] = _LAYOUT
        if "_velocity" in state:
            # Pickled before the optimizers were objects: SGD's velocity.
            velocity = state.pop("_velocity")
            optimizer = SGD(
                velocity, state["lr"], state["momentum"], state["momentum_type"]
            )
            optimizer.velocity = velocity
            state["_optimizer"] = optimizer
        for name, default in _ADDED_PARAMS.items():
            state.setdefault(name, default)
        super().__setstate__(state)

    @property
    def coefs_(self):
        check_is_fitted(self)
        return self._unpack(self._params)[0]

    @property
    def intercepts_(self):
        check_is_fitted(self)
        return self._unpack(self._params)[1]

    def _split_validation(self, X, y, Y, sample_weight):
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        try:
            parts = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                stratify=y,
                random_state=self._rng,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping cannot hold out a stratified validation_fraction="
                f"{self.validation_fraction} of this data: {exc}"
            ) from None
        train, val = parts[0::2], parts[1::2]
        if sample_weight is None:
            train.append(None)
            val.append(None)
        X_val, Y_val, sw_val = val
        y_val = self._decode(Y_val)
        return train[0], train[1], train[2], (X_val, y_val, sw_val)

    def _decode(self, Y):
        if Y.shape[1] == 1:
            return self.classes_[(Y[:, 0] > 0.5).astype(int)]
        return self.classes_[Y.argmax(axis=1)]

    def _resolve_batch_size(self, n_samples):
        if self.batch_size is None:
            return n_samples
        return min(self.batch_size, n_samples)

    def _one_thread_is_faster(self, n_samples):
        """Whether this fit's matrix products are too small to share out.

        Below ``_SINGLE_THREAD_MACS`` multiply-adds per product, waking a
        second BLAS thread costs more than it saves -- and far more when the
        cores are busy with other processes (see ``benchmarks/bench.py``).
        """
        units = self._layer_units
        widest = max(a * b for a, b in zip(units[:-1], units[1:], strict=True))
        return self._resolve_batch_size(n_samples) * widest <= _SINGLE_THREAD_MACS

    def _start_curves(self, val, incremental, continuing):
        if not continuing:
            self.loss_curve_ = []
            self.n_iter_ = 0
            self.t_ = 0
        if not (continuing and incremental) or self.best_loss_ is None:
            # A fit (warm or not) restarts the stopping rule; partial_fit
            # calls carry it over, unless the fit tracked validation scores.
            self._no_improvement_count = 0
            self.best_loss_ = np.inf if val is None else None
            self.validation_scores_ = [] if val is not None else None
            self.best_validation_score_ = -np.inf if val is not None else None

    def _epoch_lr(self):
        """The learning rate of the next epoch, by ``lr_schedule``."""
        if self.lr_schedule == "invscaling":
            return self.lr / (self.t_ + 1) ** self.power_t
        if self.lr_schedule == "adaptive":
            return self._optimizer.lr  # divided by 5 in _train when stuck
        return self.lr

    def _configure_optimizer(self):
        """Give the optimizer this run's hyperparameters (set_params may
        have changed them between partial_fit calls)."""
        for name in _OPTIMIZERS[self.solver][1]:
            setattr(self._optimizer, name, getattr(self, name))

    # ----------------------------------------------------------- the loop
    def _train(self, X, Y, sample_weight, val, incremental, continuing):
        self._start_curves(val, incremental, continuing)
        n = X.shape[0]
        lbfgs = self.solver == "lbfgs"
        batch_size = n if lbfgs else self._resolve_batch_size(n)
        one_thread = self._one_thread_is_faster(n)
        with self._engine(self, X, Y, sample_weight, batch_size, one_thread) as engine:
            if lbfgs:
                self._train_lbfgs(engine, X, sample_weight, val, continuing)
                return
            batches = _Batches(n, batch_size, sample_weight)
            interrupted = self._train_epochs(
                engine, X, batches, val, incremental, continuing
            )
        if interrupted:
            # The half-finished epoch's optimizer state went with its weights
            # (after the engine wrote its state back, which this replaces).
            self._restart_optimizer()

    def _copy_weights(self, engine, out=None):
        """A copy of the engine's current weights (into ``out`` if given)."""
        weights = engine.get_weights()
        if out is None:
            return weights.copy()
        np.copyto(out, weights)
        return out

    def _pull(self, engine):
        """Make ``self._params`` the engine's current weights."""
        weights = engine.get_weights()
        if weights is not self._params:
            np.copyto(self._params, weights)

    def _run_epoch(self, engine, batches):
        """One pass over the rows; the weighted mean batch objective."""
        self._optimizer.lr = self._epoch_lr()
        if self.shuffle and batches.count > 1:
            perm = self._rng.permutation(batches.n)
            engine.order(perm)
            batches.reorder(perm)
        # Added up as they come, read once: a backend on a device adds on the
        # device, and a full batch's one loss is read as it is.
        # (Some batch has weight: fit refuses a zero total sample_weight.)
        total = None
        for (start, stop), weight in zip(batches.bounds, batches.weights, strict=True):
            if weight > 0:
                loss = engine.step(start, stop, weight)
                total = loss if total is None else total + loss
        return float(total) / batches.total_weight

    def _train_epochs(self, engine, X, batches, val, incremental, continuing):
        """Epochs of mini-batch SGD or Adam, under the stopping rules;
        whether the user interrupted them."""
        self._configure_optimizer()
        stopping = not incremental
        kept = {"last": self._copy_weights(engine), "prev": None, "best": None}
        converged = interrupted = False
        try:
            for _ in range(1 if incremental else self.max_iter):
                loss = self._run_epoch(engine, batches)
                weights_finite = math.isfinite(np.add.reduce(engine.get_weights()))
                if not (math.isfinite(loss) and weights_finite):
                    self._roll_back(engine, X, kept["last"], kept["prev"])
                    raise self._diverged()
                kept["prev"], kept["last"] = (
                    kept["last"],
                    self._copy_weights(engine, kept["prev"]),
                )
                self._record_epoch(loss, batches.n)
                try:
                    improved = self._update_no_improvement(engine, val, stopping)
                except NonFiniteOutputError:
                    # The epoch's last steps diverged after its loss was taken.
                    kept["best"] = None
                    self._roll_back(engine, X, kept["prev"], None, drop=1)
                    raise self._diverged() from None
                if improved and val is not None:
                    kept["best"] = self._copy_weights(engine, kept["best"])
                if stopping and self._no_improvement_count > self.n_iter_no_change:
                    if self._lower_adaptive_lr():
                        continue
                    converged = True
                    self._say_stopping(val)
                    break
            if kept["best"] is None and not self._outputs_finite(engine, X):
                # Finite weights, yet too large to give finite outputs: the
                # last epoch diverged after its last loss was measured.
                self._roll_back(engine, X, kept["prev"], None, drop=1)
                raise self._diverged()
            if stopping and not converged:
                _warn_caller(
                    f"Maximum iterations ({self.max_iter}) reached and the "
                    "optimization hasn't converged yet.",
                    ConvergenceWarning,
                )
        except KeyboardInterrupt:
            if not continuing and self.n_iter_ == 0:
                # Nothing was trained: _fit puts back the previous model.
                raise
            interrupted = True
            engine.set_weights(kept["last"])
            _warn_caller(
                "Training interrupted by the user; keeping the weights of the "
                "last finished epoch.",
                UserWarning,
            )
        finally:
            if kept["best"] is not None:
                engine.set_weights(kept["best"])
            self._pull(engine)
        return interrupted

    def _record_epoch(self, loss, n):
        self.n_iter_ += 1
        self.t_ += n
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")

    def _lower_adaptive_lr(self):
        """``lr_schedule="adaptive"``: divide lr by 5 instead of stopping,
        while it is above the floor; whether it did."""
        if self.lr_schedule != "adaptive" or not self._optimizer.lr > _ADAPTIVE_MIN_LR:
            return False
        self._optimizer.lr /= 5
        self._no_improvement_count = 0
        if self.verbose:
            print(f"Setting learning rate to {self._optimizer.lr:f}")
        return True

    def _say_stopping(self, val):
        if self.verbose:
            what = "Validation score" if val is not None else "Training loss"
            print(
                f"{what} did not improve more than tol={self.tol} for "
                f"{self.n_iter_no_change} consecutive epochs. Stopping."
            )

    def _train_lbfgs(self, engine, X, sample_weight, val, continuing):
        """Full-batch L-BFGS on the flat weights, by scipy's L-BFGS-B.

        The objective and its gradient come from the engine's
        ``loss_gradient``; each iteration appends its objective to
        ``loss_curve_``. With early stopping, the validation score is taken
        after every iteration, and the search stops as the SGD epochs do
        and keeps the best weights.
        """
        n = X.shape[0]
        total_weight = float(n if sample_weight is None else sample_weight.sum())
        dtype = self._params.dtype
        start = self._params.astype(np.float64)
        kept = {"last": start, "best": None, "stopped": False}
        counts = self.n_iter_, self.t_  # n_iter_ is len(loss_curve_)

        def loss_gradient(w):
            engine.set_weights(w.astype(dtype))
            return engine.loss_gradient(total_weight)

        def callback(intermediate_result):
            w = intermediate_result.x.copy()
            kept["last"] = w
            self._record_epoch(float(intermediate_result.fun), n)
            engine.set_weights(w.astype(dtype))
            if self._update_no_improvement(engine, val, True) and val is not None:
                kept["best"] = w
            if val is not None and self._no_improvement_count > self.n_iter_no_change:
                kept["stopped"] = True
                raise StopIteration

        result = None
        try:
            result = scipy.optimize.minimize(
                loss_gradient,
                start,
                method="L-BFGS-B",
                jac=True,
                callback=callback,
                options={
                    "maxiter": self.max_iter,
                    "maxfun": self.max_fun,
                    "gtol": self.tol,
                },
            )
        except KeyboardInterrupt:
            if not continuing and self.n_iter_ == 0:
                raise  # nothing was trained: _fit puts back the previous model
            _warn_caller(
                "Training interrupted by the user; keeping the weights of the "
                "last finished iteration.",
                UserWarning,
            )
        w = kept["last"] if kept["best"] is None else kept["best"]
        if result is not None and kept["best"] is None:
            w = result.x
        engine.set_weights(w.astype(dtype))
        if not self._outputs_finite(engine, X):
            # A continued run keeps the model it started from.
            engine.set_weights(start.astype(dtype))
            self._pull(engine)
            del self.loss_curve_[counts[0] :]
            self.n_iter_, self.t_ = counts
            raise self._diverged()
        if result is not None and result.status != 0 and not kept["stopped"]:
            self._warn_lbfgs_stopped(result)

    def _warn_lbfgs_stopped(self, result):
        reason = (
            f"Maximum iterations ({self.max_iter}) reached"
            if result.nit >= self.max_iter
            else f"L-BFGS stopped ({result.message})"
        )
        _warn_caller(
            f"{reason} and the optimization hasn't converged yet.", ConvergenceWarning
        )

    def _diverged(self):
        return NonFiniteError(
            f"Training diverged in epoch {self.n_iter_ + 1}: the loss, the "
            "weights or the outputs became non-finite. Lower lr (now "
            f"{self.lr}) or scale the inputs (e.g. StandardScaler)."
        )

    def _roll_back(self, engine, X, last_good, prev_good, drop=0):
        """Load the newest finished epoch's weights that give finite outputs.

        ``last_good`` is tried first (after forgetting ``drop`` epochs), then
        ``prev_good``, one epoch older: a continued run must keep a model that
        can still predict its training data.
        """
        for _ in range(drop):
            self._forget_last_epoch(X.shape[0])
        engine.set_weights(last_good)
        if prev_good is not None and not self._outputs_finite(engine, X):
            self._forget_last_epoch(X.shape[0])
            engine.set_weights(prev_good)
        self._pull(engine)

    def _forget_last_epoch(self, n):
        self.n_iter_ -= 1
        self.t_ -= n
        self.loss_curve_.pop()

    def _outputs_finite(self, engine, X):
        """Whether the engine's current weights give finite outputs on ``X``."""
        self._pull(engine)
        return self._finite_outputs(X)

    def _finite_outputs(self, X):
        """Whether ``self._params`` gives finite outputs on ``X``.

        A cheap bound settles almost every case; only weights that could
        overflow cost a forward pass.
        """
        limit = np.finfo(self._params.dtype).max
        bound = float(max(X.max(), -X.min()))
        coefs, intercepts = self._unpack(self._params)
        with np.errstate(over="ignore", invalid="ignore"):
            for W, b in zip(coefs, intercepts, strict=True):
                # |z_j| <= max|a| * sum_i |W_ij| + |b_j|, partial sums included.
                bound = bound * float(np.abs(W).sum(axis=0).max()) + float(
                    np.abs(b).max()
                )
                if not bound < limit:
                    break
                if self.activation in ("logistic", "tanh"):
                    bound = 1.0
            else:
                return True
            try:
                self._logits_validated(X, check=False)
            except ValueError:
                return False
        return True

    def _update_no_improvement(self, engine, val, stopping):
        """Update the no-improvement counter; return True on a new best score."""
        if val is not None and stopping:
            self._pull(engine)
            X_val, y_val, sw_val = val
            score = accuracy_score(
                y_val, self._predict_validated(X_val, check=False), sample_weight=sw_val
            )
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:.6f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                return True
            return False
        loss = self.loss_curve_[-1]
        if loss > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        self.best_loss_ = min(self.best_loss_, loss)
        return False

    # ----------------------------------------------------------- predict
    def _validate_predict_input(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            reset=False,
            # Checked chunk by chunk in _logits_validated, in parallel and
            # while each chunk is in cache: one pass over X fewer.
            ensure_all_finite=False,
        )
        X = X.astype(self._params.dtype, copy=False)
        return X.tocsr() if sp.issparse(X) else X

    def _logits(self, X):
        return self._logits_validated(self._validate_predict_input(X))

    def _prediction_threads(self):
        """How to run prediction chunks in parallel: the engine's answer."""
        return self._engine.prediction_threads(self)

    def _forward_logits(self, X):
        """The logits of a validated chunk of rows: the engine's."""
        return self._engine.forward_logits(self, X)

    def _logits_validated(self, X, check=True):
        """The logits of validated ``X``; ``check``: raise if X has NaN or inf
        (unless scikit-learn's ``assume_finite`` is set)."""
        check = check and not get_config()["assume_finite"]
        n = X.shape[0]
        rows = max(
            1, min(_PREDICT_CHUNK, _PREDICT_CHUNK_VALUES // max(self._layer_units[1:]))
        )
        starts = range(0, n, rows)
        z = np.empty((n, self.n_outputs_), dtype=self._params.dtype)
        # numpy's floating-point error settings are per thread: the workers
        # take the caller's, so np.errstate around a call holds inside it.
        errors = np.geterr()

        def forward(task):
            with np.errstate(**errors):
                for start in task:
                    chunk = X[start : start + rows]
                    if check and not _all_finite(chunk):
                        # Names the culprit (NaN or infinity) as validate_data would.
                        assert_all_finite(
                            chunk, input_name="X", estimator_name=type(self).__name__
                        )
                    z[start : start + rows] = self._forward_logits(chunk)

        threads, initializer, context = (1, None, None)
        if len(starts) > 1:
            threads, initializer, context = self._prediction_threads()
        if threads > 1:
            # Runs of chunks in parallel, each thread on one core: no barrier
            # inside every matrix product, the elementwise passes run in
            # parallel too, and a core busy with another process slows only
            # the runs it takes. A few runs per thread balance the load.
            n_tasks = min(len(starts), threads * _PREDICT_TASKS_PER_THREAD)
            tasks = [starts[i::n_tasks] for i in range(n_tasks)]
            with context, ThreadPoolExecutor(threads, initializer=initializer) as pool:
                for _ in pool.map(forward, tasks):
                    pass
        else:
            forward(starts)
        if not np.isfinite(z).all():
            raise NonFiniteOutputError(
                "The network's outputs are not finite for this input: its values "
                "are too large. Scale it as the training data was scaled."
            )
        return z

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``; rows sum to 1.
        """
        z = self._logits(X)
        p = OUT_ACTIVATIONS[self.out_activation_](z)
        if self.n_outputs_ == 1:
            # Both columns written in place: one pass fewer than hstack.
            proba = np.empty((p.shape[0], 2), dtype=p.dtype)
            proba[:, 1] = p[:, 0]
            np.subtract(1, p[:, 0], out=proba[:, 0])
            return proba
        return p

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class, computed from logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        z = self._logits(X)
        if self.n_outputs_ == 1:
            return log_output(np.hstack([-z, z]), "logistic")
        return log_output(z, "softmax")

    def predict(self, X):
        """Predict the class of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        return self._predict_validated(self._validate_predict_input(X))

    def _predict_validated(self, X, check=True):
        z = self._logits_validated(X, check=check)
        if self.n_outputs_ == 1:
            # Threshold the probability, not the logit, so that predict and
            # predict_proba's argmax agree where the sigmoid rounds to 0.5.
            p = OUT_ACTIVATIONS["logistic"](z[:, 0])
            return self.classes_[(p > 0.5).astype(int)]
        return self.classes_[z.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
