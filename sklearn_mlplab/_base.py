"""The base class every estimator shares: all of scikit-learn's plumbing.

The estimators are built in three layers::

    BaseMLP                          this module: how a network is trained
    ├── BaseMLPClassifier            _classifier.py: labels, probabilities
    │   ├── NumpyMLPClassifier       _numpy_mlp.py
    │   └── TorchMLPClassifier       _torch_mlp.py
    └── BaseMLPRegressor             _regressor.py: targets, R^2
        ├── NumpyMLPRegressor        _numpy_mlp.py
        └── TorchMLPRegressor        _torch_mlp.py

:class:`BaseMLP` holds what every network does, whatever it predicts:
validation, batching, shuffling, stopping rules, early stopping, saving and
restoring weights, finiteness checks and rollback, warm starts,
``partial_fit``, sample weights, the loss curve, the forward pass at
prediction time, tags. What differs between predicting classes and values
is a handful of hooks, each documented below where it is called
(``_check_targets``, ``_encode_targets``, ``_weigh_rows``,
``_output_layer``, ``_decode``, ``_stratify``, ``_score_outputs``,
``_constant_logits``, ``_learned_nothing_reasons``), which the two kinds'
layers implement. A backend only names its engine (``_engine``), the one
class that says *how* to compute: see ``_engine.py`` for the interface.
"""

import collections
import copy
import inspect
import math
import os
import re
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._functions import ACTIVATIONS, LOSSES, OUT_ACTIVATIONS
from ._optim import MOMENTUM_UPDATES, SGD, Adam
from .exceptions import (
    LossIncreasedWarning,
    NoBetterThanChanceWarning,
    UnscaledFeaturesWarning,
)

try:  # scikit-learn >= 1.9: the callback API (set_callbacks, ProgressBar, ...)
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # older scikit-learn: fits run without callbacks

    class CallbackSupportMixin:
        """Stands in for scikit-learn's, where it has no callback API."""

    CALLBACKS_AVAILABLE = False
else:
    CALLBACKS_AVAILABLE = True

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


# How the flat parameter vector is laid out: see BaseMLP._unpack.
_LAYOUT = "layer blocks [W; b]"

# Each solver's update rule, and the estimator parameters it takes after lr,
# by name. L-BFGS has no rule object: it keeps no state between calls.
_OPTIMIZERS = {
    "sgd": (SGD, ("momentum", "momentum_type")),
    "adam": (Adam, ("beta_1", "beta_2", "epsilon")),
    "lbfgs": (type(None), ()),
}
# Parameters added since 0.1.0, with their defaults: a model pickled before
# gets them on loading. (Every such model is a classifier: the classifier
# layer adds its own.)
_ADDED_PARAMS = {
    "solver": "sgd",
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "lr_schedule": "constant",
    "power_t": 0.5,
    "max_fun": 15000,
}
# What the callback API keeps on an estimator while it fits: a failed fit
# puts the estimator back as it was, but these stay as they are now.
_CALLBACK_STATE = (
    "_skl_callbacks",
    "_callback_fit_ctx",
    "_skl_callbacks_to_teardown",
    "_parent_callback_ctx",
)
# MLPClassifier's parameter names that are spelt differently here.
_PORTED_NAMES = {
    "hidden_layer_sizes": "hidden",
    "learning_rate_init": "lr",
    "learning_rate": "lr_schedule",
    "nesterovs_momentum": "momentum_type='nesterov'",
}
# The feature-scale check and the learned-nothing check look at up to about
# this many rows (every k-th): enough for the estimates, cheap on big data.
_CHECK_ROWS = 10000
# ... and warns where the largest |value| of one feature is more than this
# many times another's.
_SCALE_RATIO = 100
# A fit whose final training loss is within this fraction of the constant
# predictor's learned nothing.
_CHANCE_MARGIN = 0.01
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


def _ported_name_hint(name):
    """The advice for a parameter name ported from MLPClassifier ('' if none)."""
    if name in _PORTED_NAMES:
        return f" Use {_PORTED_NAMES[name]} instead of {name}."
    return ""


def _init_signature(cls):
    """The signature of ``cls(...)``: its __init__'s, without self."""
    sig = inspect.signature(cls.__init__)
    return sig.replace(parameters=list(sig.parameters.values())[1:])


def _all_finite(X):
    """Whether dense or sparse ``X`` holds no NaN or infinity (one pass)."""
    return bool(np.isfinite(X.data if sp.issparse(X) else X).all())


PARAMETERS_DOC = """\
hidden : int or tuple of int, default=3
        Width of each hidden layer: ``3`` is the lab's single layer of three
        neurons, ``(64, 64)`` two layers of 64.

    activation : {"identity", "logistic", "tanh", "relu"}, default="logistic"
        Activation of the hidden layers (``"identity"``: none, a linear
        network). The output layer is a sigmoid unit for two classes, a
        softmax for more, and one sigmoid per label for multilabel targets.

    loss : {"log_loss", "squared_error"}, default="log_loss"
        ``"log_loss"`` is the cross-entropy, computed from the logits.
        ``"squared_error"`` is half the squared distance between the output
        probabilities and the one-hot targets, summed over output units.
        For multilabel targets, each is summed over the labels.

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
        validation score) fails to improve by at least ``tol`` for more
        than ``n_iter_no_change`` consecutive epochs, as in scikit-learn.
        With ``solver="lbfgs"`` it is also L-BFGS's gradient tolerance.

    n_iter_no_change : int, default=10
        Number of epochs without improvement tolerated before stopping
        (iterations of L-BFGS, which uses it only with ``early_stopping``).

    max_fun : int, default=15000
        Most evaluations of the loss that ``solver="lbfgs"`` may make.

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data
        (not stratified for multilabel targets), stop when its ``scoring``
        stops improving and keep the weights of the best epoch. The held-out
        loss is recorded in ``validation_loss_curve_``. :meth:`partial_fit`
        refuses it, as scikit-learn's does.

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
        ``random_state``.

    class_weight : dict, "balanced" or None, default=None
        Weight of each class, multiplying ``sample_weight`` row by row, as in
        scikit-learn's linear models: a dict ``{label: weight}`` (classes not
        in it weigh 1), or ``"balanced"``, ``n_samples / (n_classes *
        count(label))``, which equals passing
        ``compute_sample_weight("balanced", y)`` as ``sample_weight``.
        :meth:`partial_fit` takes a dict only; multilabel targets take none.

    scoring : str or callable, default="accuracy"
        What ``early_stopping`` watches on the held-out rows: ``"accuracy"``,
        ``"loss"`` (their mean loss, penalty excluded; the score is minus
        the loss), or any scikit-learn scorer name (``"roc_auc"``,
        ``"neg_log_loss"``, ...) or callable ``scorer(estimator, X, y)``.
        Greater is better. Unused without ``early_stopping``."""

ATTRIBUTES_DOC = """\
classes_ : ndarray of shape (n_classes,)
        The class labels; for multilabel targets, ``0`` to ``n_labels - 1``
        (the columns of ``y``), as in scikit-learn.

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
        Validation score (see ``scoring``) after each epoch of the last
        :meth:`fit` when ``early_stopping=True``.

    validation_loss_curve_ : list of float or None
        Mean loss of the held-out rows (penalty excluded) after each epoch
        of the last :meth:`fit` when ``early_stopping=True``.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    n_iter_ : int
        Number of epochs run by the last call to :meth:`fit` (iterations,
        with ``solver="lbfgs"``), 1 after :meth:`partial_fit`, as in
        scikit-learn; ``loss_curve_`` keeps every epoch since the weights
        were drawn.

    t_ : int
        Number of training rows seen since the weights were drawn, counted
        over all epochs (rows times iterations, with ``solver="lbfgs"``).

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units: 1 for two classes, else ``n_classes`` (or
        ``n_labels``).

    out_activation_ : str
        ``"logistic"`` for two classes and for multilabel targets,
        ``"softmax"`` otherwise.

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during :meth:`fit`, when ``X`` had string
        column names."""


def fill_doc(cls):
    """Put the kind's parameter and attribute sections into a docstring
    (``cls._parameters_doc`` and ``cls._attributes_doc``)."""
    cls.__doc__ = cls.__doc__.replace("%(parameters)s", cls._parameters_doc).replace(
        "%(attributes)s", cls._attributes_doc
    )
    return cls


def edit_doc(doc, replace=None, drop=()):
    """A numpydoc section ``doc`` (as PARAMETERS_DOC) with some entries
    replaced (``{name: the whole entry}``) and some dropped."""
    # An entry starts after a blank line with 4 spaces (its paragraphs and
    # lists are indented further).
    entries = re.split(r"\n\n    (?=\S)", doc)
    out = []
    for entry in entries:
        name = entry.split(" :", 1)[0].strip()
        if name in drop:
            continue
        out.append((replace or {}).get(name, entry))
    return "\n\n    ".join(out)


def _check_weight_sum(sample_weight):
    if sample_weight is not None and not sample_weight.sum() > 0:
        raise ValueError("sample_weight sums to zero: there is nothing to fit.")


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


class _EpochTasks:
    """Each epoch of one fit (iteration, for L-BFGS) as a task of
    scikit-learn's callback API (``sklearn.callback``), inside the fit's
    root task: begun before the epoch runs, ended after it with the model as
    it stands then, for callbacks that score it.

    Without the API, or without callbacks, every method does nothing.
    """

    def __init__(self, est, X, Y, sample_weight, max_epochs):
        self.est, self.ctx, self.current, self.active = est, None, None, False
        if not CALLBACKS_AVAILABLE:
            return
        self.ctx = est._init_callback_context(max_subtasks=max_epochs)
        self.active = bool(getattr(est, "_skl_callbacks", None))
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        # A callable is evaluated only if some callback asks for it.
        self.data = {"X": X, "y": lambda: est._decode(Y), "metadata": metadata}
        self.ctx.call_on_fit_task_begin(estimator=est, **self.data)

    def begin(self):
        if self.active:
            self.current = self.ctx.subcontext(task_name="epoch")
            self.current.call_on_fit_task_begin(estimator=self.est, **self.data)

    def end(self, weights):
        """End the current epoch's task, ``weights()`` giving the model's
        flat weights; whether a callback asks to stop training."""
        if self.current is None:
            return False
        task, self.current = self.current, None
        return task.call_on_fit_task_end(
            estimator=self.est,
            **self.data,
            reconstruction_attributes=lambda: {"_params": weights().copy()},
        )

    def close(self):
        """End an epoch's task that was begun but did not finish."""
        if self.current is not None:
            task, self.current = self.current, None
            task.call_on_fit_task_end(estimator=self.est)

    def finish(self):
        """End the fit's root task, at the fitted model."""
        if self.ctx is not None:
            self.ctx.call_on_fit_task_end(
                estimator=self.est, **self.data, reconstruction_attributes={}
            )


# What early stopping holds out: the rows, their targets (as predict gives
# them), their weights, their target matrix, and the scorer (None for the
# built-in scores: the kind's own, and "loss").
_Validation = collections.namedtuple("_Validation", "X y sample_weight Y scorer")


class BaseMLP(CallbackSupportMixin, BaseEstimator):
    """Multi-layer perceptron, classifier or regressor: the shared training.

    Not for direct use: :class:`~sklearn_mlplab._classifier.BaseMLPClassifier`
    and :class:`~sklearn_mlplab._regressor.BaseMLPRegressor` add what each
    kind predicts, and their backends (e.g.
    :class:`~sklearn_mlplab.NumpyMLPClassifier`) set ``_engine``, an
    :class:`~sklearn_mlplab._engine.Engine` subclass.
    """

    _engine = None
    # The score early stopping watches by default (a kind's own, computed in
    # _score_outputs), and the parameters a kind added since 0.1.0.
    _default_scoring = None
    _added_params = {}

    _parameter_constraints = {
        "hidden": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
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
        "scoring": [str, callable],
    }

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # inspect.signature(cls) would show __new__'s (*args, **kwargs).
        cls.__signature__ = _init_signature(cls)

    def __new__(cls, *args, **kwargs):
        # A name ported from MLPClassifier fails here, with the name to use,
        # rather than in __init__ with "BaseMLPClassifier.__init__() got an
        # unexpected keyword argument".
        known = cls.__signature__.parameters
        for name in kwargs:
            if name not in known:
                raise TypeError(
                    f"{cls.__name__} got an unexpected keyword argument "
                    f"{name!r}.{_ported_name_hint(name)}"
                )
        return super().__new__(cls)

    def set_params(self, **params):
        try:
            return super().set_params(**params)
        except ValueError as exc:
            hints = "".join(_ported_name_hint(name) for name in params)
            if not hints:
                raise
            raise ValueError(f"{exc}{hints}") from None

    def __init__(
        self,
        hidden,
        *,
        activation,
        loss,
        solver,
        lr,
        lr_schedule,
        power_t,
        momentum,
        momentum_type,
        beta_1,
        beta_2,
        epsilon,
        alpha,
        batch_size,
        max_iter,
        tol,
        n_iter_no_change,
        max_fun,
        early_stopping,
        validation_fraction,
        shuffle,
        random_state,
        verbose,
        warm_start,
        scoring,
    ):
        """The parameters both kinds share; each kind's ``__init__`` gives
        their defaults (scikit-learn reads them from its signature)."""
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
        self.scoring = scoring

    # ------------------------------------------------------------------ fit
    def _has_partial_fit(self):
        if self.solver == "lbfgs":
            # An AttributeError, so that hasattr(est, "partial_fit") is False.
            raise AttributeError(
                "partial_fit is not available with solver='lbfgs', which needs "
                "all the data at once; use fit, or solver='sgd' or 'adam'."
            )
        return True

    def _partial_fit(self, X, y, sample_weight, classes=None):
        """What both kinds' ``partial_fit`` do, once their arguments are in."""
        if hasattr(self, "_params"):
            # _fit_context skips validation once fitted, but lr, momentum, ...
            # may have been changed since: lr=-1 must not train silently.
            self._validate_params()
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: each call "
                "trains one epoch and holds out no validation data. Set "
                "early_stopping=False, or use fit."
            )
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
            state = {k: v for k, v in self.__dict__.items() if k not in _CALLBACK_STATE}
            saved = copy.deepcopy(state, keep)
        else:
            saved = self.__dict__.copy()
        try:
            self._fit_unchecked(X, y, sample_weight, classes, incremental, continuing)
        except NonFiniteError:
            # A continued run keeps its last finite epoch; a fresh fit, or a
            # continued one that finished no epoch, leaves the estimator as
            # it was before the call.
            if not continuing or self.n_iter_ == 0:
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
        live = {k: v for k, v in self.__dict__.items() if k in _CALLBACK_STATE}
        self.__dict__.clear()
        self.__dict__.update({k: v for k, v in saved.items() if k not in live})
        self.__dict__.update(live)

    def _fit_unchecked(self, X, y, sample_weight, classes, incremental, continuing):
        hidden = self._hidden_layers()
        X, y, Y, sample_weight = self._training_data(
            X, y, sample_weight, classes, incremental, continuing
        )
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
                sample_weight.sum() > 0 and val.sample_weight.sum() > 0
            ):
                raise ValueError(
                    "With early_stopping=True, the training or the validation "
                    "part of the data has a zero total sample_weight; give more "
                    "rows a non-zero weight or change validation_fraction."
                )
        self._train(X, Y, sample_weight, val, incremental, continuing)

    def _training_data(self, X, y, sample_weight, classes, incremental, continuing):
        """Validate the data as ``fit`` does and encode the targets (setting
        what the kind learns of them on a fresh start, e.g. ``classes_``):
        X, y, the target matrix Y (one column per output unit) and the row
        weights (``class_weight`` included)."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            reset=not continuing,
            multi_output=True,
            y_numeric=self._y_numeric,
        )
        y, kind = self._check_targets(y)
        if continuing:
            X = X.astype(self._params.dtype, copy=False)
            self._check_same_network(self._hidden_layers())
        if sp.issparse(X):
            X = X.tocsr()
        if not (continuing and incremental):
            self._warn_if_unscaled(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        Y = self._encode_targets(y, kind, classes, incremental, continuing, X.dtype)
        sample_weight = self._weigh_rows(y, sample_weight, incremental, X.dtype)
        return X, y, Y, sample_weight

    # Hooks the kinds implement, in the order _training_data calls them.
    _y_numeric = False  # validate_data's y_numeric

    def _check_targets(self, y):
        """Validated ``y``, and what kind of target it is (passed on to
        ``_encode_targets``)."""
        raise NotImplementedError

    def _encode_targets(self, y, kind, classes, incremental, continuing, dtype):
        """The target matrix the loss compares the outputs with; on a fresh
        start, also record what ``_output_layer`` needs (``classes_``, ...)."""
        raise NotImplementedError

    def _weigh_rows(self, y, sample_weight, incremental, dtype):
        """The row weights training uses (None: all equal); refuse weights
        that leave nothing to fit."""
        _check_weight_sum(sample_weight)
        return sample_weight

    def _warn_if_unscaled(self, X):
        """Warn where the features' largest |values| differ more than 100x."""
        rows = X[:: max(1, X.shape[0] // _CHECK_ROWS)]
        if sp.issparse(rows):
            peak = abs(rows).max(axis=0).toarray().ravel()
        else:
            peak = np.maximum(rows.max(axis=0), -rows.min(axis=0))
        used = np.flatnonzero(peak > 0)
        if used.size < 2:
            return
        big, small = used[peak[used].argmax()], used[peak[used].argmin()]
        if peak[big] / _SCALE_RATIO > peak[small]:  # no overflow near float max
            _warn_caller(
                f"The features' scales differ by {peak[big] / peak[small]:.3g} "
                f"times (largest |value| {peak[big]:.3g} in feature {big}, "
                f"{peak[small]:.3g} in feature {small}): the network trains "
                "poorly on unscaled data. Put a StandardScaler first, e.g. "
                f"make_pipeline(StandardScaler(), {type(self).__name__}(...)).",
                UnscaledFeaturesWarning,
            )

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
        n_outputs, self.out_activation_ = self._output_layer()
        self._layer_units = [n_features, *hidden, n_outputs]
        self.n_layers_ = len(self._layer_units)
        self.n_outputs_ = n_outputs
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

    def _output_layer(self):
        """The number of output units and their function (a key of
        ``OUT_ACTIVATIONS``), from what ``_encode_targets`` recorded."""
        raise NotImplementedError

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
        for name, default in {**_ADDED_PARAMS, **self._added_params}.items():
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
        stratify = self._stratify(y)
        try:
            parts = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                stratify=stratify,
                random_state=self._rng,
            )
        except ValueError as exc:
            how = "" if stratify is None else "stratified "
            raise ValueError(
                f"early_stopping cannot hold out a {how}validation_fraction="
                f"{self.validation_fraction} of this data: {exc}"
            ) from None
        train, val = parts[0::2], parts[1::2]
        if sample_weight is None:
            train.append(None)
            val.append(None)
        X_val, Y_val, sw_val = val
        self._check_validation_rows(X_val.shape[0], X.shape[0])
        scorer = None
        if self.scoring not in (self._default_scoring, "loss"):
            scorer = check_scoring(self, scoring=self.scoring)
        val = _Validation(X_val, self._decode(Y_val), sw_val, Y_val, scorer)
        return train[0], train[1], train[2], val

    def _stratify(self, y):
        """What the validation split is stratified by (None: not at all)."""
        return None

    def _check_validation_rows(self, n_val, n):
        """Refuse a validation split too small to score."""

    def _decode(self, Y):
        """The targets of a target matrix, as ``predict`` gives them."""
        raise NotImplementedError

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
        # As in scikit-learn: n_iter_ counts the epochs of this call, t_ the
        # rows seen since the weights were drawn, loss_curve_ every epoch.
        self.n_iter_ = 0
        if not continuing:
            self.loss_curve_ = []
            self.t_ = 0
        if not (continuing and incremental) or self.best_loss_ is None:
            # A fit (warm or not) restarts the stopping rule; partial_fit
            # calls carry it over, unless the fit tracked validation scores.
            self._no_improvement_count = 0
            self.best_loss_ = np.inf if val is None else None
            self.validation_scores_ = [] if val is not None else None
            self.validation_loss_curve_ = [] if val is not None else None
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
        curve_start = len(self.loss_curve_)
        n = X.shape[0]
        lbfgs = self.solver == "lbfgs"
        batch_size = n if lbfgs else self._resolve_batch_size(n)
        one_thread = self._one_thread_is_faster(n)
        # L-BFGS may begin a task for an iteration that does not finish.
        epochs = self.max_iter + 1 if lbfgs else 1 if incremental else self.max_iter
        tasks = _EpochTasks(self, X, Y, sample_weight, epochs)
        with self._engine(self, X, Y, sample_weight, batch_size, one_thread) as engine:
            if lbfgs:
                interrupted = self._train_lbfgs(
                    engine, X, sample_weight, val, continuing, tasks
                )
            else:
                batches = _Batches(n, batch_size, sample_weight)
                interrupted = self._train_epochs(
                    engine, X, batches, val, incremental, continuing, tasks
                )
        if interrupted:
            # The half-finished epoch's optimizer state went with its weights
            # (after the engine wrote its state back, which this replaces).
            self._restart_optimizer()
        tasks.finish()
        if not (incremental or interrupted):
            self._warn_if_learned_nothing(X, Y, sample_weight, curve_start)

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

    def _train_epochs(self, engine, X, batches, val, incremental, continuing, tasks):
        """Epochs of mini-batch SGD or Adam, under the stopping rules and the
        callbacks' requests to stop; whether the user interrupted them."""
        self._configure_optimizer()
        stopping = not incremental
        kept = {"last": self._copy_weights(engine), "prev": None, "best": None}
        converged = interrupted = False
        try:
            for _ in range(1 if incremental else self.max_iter):
                tasks.begin()
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
                if self._callback_stops(tasks, engine.get_weights):
                    converged = True
                    break
                stuck = stopping and self._no_improvement_count > self.n_iter_no_change
                # lr_schedule="adaptive" lowers lr instead, while it can.
                if stuck and not self._lower_adaptive_lr():
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
            tasks.close()
            if kept["best"] is not None:
                engine.set_weights(kept["best"])
            self._pull(engine)
        return interrupted

    def _callback_stops(self, tasks, weights):
        """End the epoch's callback task; whether a callback asks to stop."""
        if not tasks.end(weights):
            return False
        if self.verbose:
            print("A callback asked to stop training. Stopping.")
        return True

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

    def _train_lbfgs(self, engine, X, sample_weight, val, continuing, tasks):
        """Full-batch L-BFGS on the flat weights, by scipy's L-BFGS-B.

        The objective and its gradient come from the engine's
        ``loss_gradient``; each iteration appends its objective to
        ``loss_curve_``. With early stopping, the validation score is taken
        after every iteration, and the search stops as the SGD epochs do
        and keeps the best weights. Returns whether the user interrupted it.
        """
        n = X.shape[0]
        total_weight = float(n if sample_weight is None else sample_weight.sum())
        dtype = self._params.dtype
        start = self._params.astype(np.float64)
        kept = {"last": start, "best": None, "stopped": False}
        counts = len(self.loss_curve_), self.n_iter_, self.t_

        def loss_gradient(w):
            if tasks.current is None:
                tasks.begin()  # an iteration's first evaluation
            engine.set_weights(w.astype(dtype))
            return engine.loss_gradient(total_weight)

        def callback(intermediate_result):
            w = intermediate_result.x.copy()
            kept["last"] = w
            self._record_epoch(float(intermediate_result.fun), n)
            engine.set_weights(w.astype(dtype))
            if self._update_no_improvement(engine, val, True) and val is not None:
                kept["best"] = w
            stop = self._callback_stops(tasks, lambda: w.astype(dtype))
            if stop or (
                val is not None and self._no_improvement_count > self.n_iter_no_change
            ):
                kept["stopped"] = True
                raise StopIteration

        result = None
        interrupted = False
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
            interrupted = True
            _warn_caller(
                "Training interrupted by the user; keeping the weights of the "
                "last finished iteration.",
                UserWarning,
            )
        finally:
            tasks.close()
        self._finish_lbfgs(engine, X, result, kept, start, counts)
        return interrupted

    def _finish_lbfgs(self, engine, X, result, kept, start, counts):
        """Load the weights L-BFGS ends with (the best epoch's, with early
        stopping), or, where they overflow the outputs, roll back to
        ``start`` and the bookkeeping ``counts`` and raise."""
        dtype = self._params.dtype
        w = kept["last"] if kept["best"] is None else kept["best"]
        if result is not None and kept["best"] is None:
            w = result.x
        engine.set_weights(w.astype(dtype))
        if not self._outputs_finite(engine, X):
            # A continued run keeps the model it started from.
            engine.set_weights(start.astype(dtype))
            self._pull(engine)
            del self.loss_curve_[counts[0] :]
            self.n_iter_, self.t_ = counts[1:]
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
            score = self._score_validation(val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:.6f}")
                print(f"Validation loss = {self.validation_loss_curve_[-1]:.8f}")
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

    def _score_validation(self, val):
        """Record the validation loss; return the score ``scoring`` names
        (greater is better: ``"loss"`` scores minus the loss)."""
        z = self._logits_validated(val.X, check=False)
        loss = self._mean_loss(z, val.Y, val.sample_weight)
        self.validation_loss_curve_.append(loss)
        if self.scoring == self._default_scoring:
            return self._score_outputs(z, val.y, val.sample_weight)
        if self.scoring == "loss":
            return -loss
        if val.sample_weight is None:
            return float(val.scorer(self, val.X, val.y))
        return float(val.scorer(self, val.X, val.y, sample_weight=val.sample_weight))

    def _score_outputs(self, z, y, sample_weight):
        """The kind's own score (``_default_scoring``: accuracy, R^2) of the
        logits ``z`` against the targets ``y``."""
        raise NotImplementedError

    def _mean_loss(self, z, Y, sample_weight):
        """The (weighted) mean loss of logits ``z`` against targets ``Y``,
        without the penalty."""
        out = self.out_activation_
        per_sample, _ = LOSSES[self.loss](z, OUT_ACTIVATIONS[out](z), Y, out)
        return float(np.average(per_sample, weights=sample_weight))

    def _warn_if_learned_nothing(self, X, Y, sample_weight, curve_start):
        """After a fit: warn if its loss rose, or if the network does no
        better on its training data than a constant predictor (measured on
        up to about ``_CHECK_ROWS`` of the rows, every k-th)."""
        curve = self.loss_curve_[curve_start:]
        if curve and curve[-1] - curve[0] > max(self.tol, 0.01 * curve[0]):
            _warn_caller(
                f"The training loss rose from {curve[0]:.4g} in the first epoch "
                f"to {curve[-1]:.4g} in the last: the steps are too large. Lower "
                f"lr (now {self.lr}), or scale the inputs (StandardScaler).",
                LossIncreasedWarning,
            )
        step = max(1, X.shape[0] // _CHECK_ROWS)
        X, Y = X[::step], Y[::step]
        sample_weight = None if sample_weight is None else sample_weight[::step]
        if sample_weight is not None and not sample_weight.sum() > 0:
            return
        z = self._logits_validated(X, check=False)
        prior = np.average(Y, axis=0, weights=sample_weight)
        loss = self._mean_loss(z, Y, sample_weight)
        constant = self._mean_loss(
            np.tile(self._constant_logits(prior), (len(z), 1)), Y, sample_weight
        )
        reasons = []
        if loss > (1 - _CHANCE_MARGIN) * constant:
            reasons.append(
                f"its training loss {loss:.4g} is not even 1% below the "
                f"{constant:.4g} of predicting {self._constant_name}"
            )
        reasons += self._learned_nothing_reasons(z, Y, prior, sample_weight)
        if reasons:
            _warn_caller(
                "The network learned nothing: "
                + " and ".join(reasons)
                + ". Scale the inputs (StandardScaler), or change lr (now "
                f"{self.lr}), max_iter (now {self.max_iter}) or hidden.",
                NoBetterThanChanceWarning,
            )

    # What the constant predictor predicts, in words.
    _constant_name = None

    def _constant_logits(self, prior):
        """The logits of the constant predictor whose outputs are ``prior``,
        the training targets' (weighted) column means."""
        raise NotImplementedError

    def _learned_nothing_reasons(self, z, Y, prior, sample_weight):
        """Reasons, beyond the loss, why the logits ``z`` of a fitted network
        show that it learned nothing (a list of phrases, often empty)."""
        return []

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
