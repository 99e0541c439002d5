"""The regressor layer: what a network that predicts values adds to
:class:`~sklearn_mlplab._base.BaseMLP`.

Numeric targets, one or several columns; the output layer (the identity for
``loss="squared_error"``, ``exp`` for ``loss="poisson"``, its log link);
R^2 as the score early stopping watches; predicted values. How the network
trains is the base's; how it computes is the backend's engine.
"""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d

from ._base import (
    ATTRIBUTES_DOC,
    PARAMETERS_DOC,
    BaseMLP,
    NonFiniteOutputError,
    _init_signature,
    edit_doc,
)
from ._functions import OUT_ACTIVATIONS, REGRESSOR_OUTPUTS

_PARAMETERS_DOC = edit_doc(
    PARAMETERS_DOC,
    replace={
        "activation": """\
activation : {"identity", "logistic", "tanh", "relu"}, default="logistic"
        Activation of the hidden layers (``"identity"``: none, a linear
        network). The output layer has one unit per target: the identity
        for ``loss="squared_error"``, ``exp`` for ``loss="poisson"``.""",
        "loss": """\
loss : {"squared_error", "poisson"}, default="squared_error"
        ``"squared_error"`` is half the squared distance between the outputs
        and the targets, summed over the targets (as scikit-learn's
        ``MLPRegressor`` trains; its reported loss is the mean over the
        targets). ``"poisson"`` is half the Poisson deviance,
        ``y log(y / p) - y + p``, on the log link ``p = exp(z)``: for
        counts and rates, whose targets must be >= 0.""",
        "lr": """\
lr : float, default=0.1
        Learning rate (``lr`` in the update rules of ``momentum_type``, eta in
        Adam's), > 0; the first epoch's, when ``lr_schedule`` changes it.
        A tenth of the classifiers' default: the squared error's gradient
        is not bounded as the log loss's is.""",
        "early_stopping": """\
early_stopping : bool, default=False
        Hold out a random ``validation_fraction`` of the training data, stop
        when its ``scoring`` stops improving and keep the weights of the
        best epoch. The held-out loss is recorded in
        ``validation_loss_curve_``. :meth:`partial_fit` refuses it, as
        scikit-learn's does.""",
        "scoring": """\
scoring : str or callable, default="r2"
        What ``early_stopping`` watches on the held-out rows: ``"r2"`` (the
        coefficient of determination, as ``MLPRegressor``), ``"loss"``
        (their mean loss, penalty excluded; the score is minus the loss),
        or any scikit-learn scorer name (``"neg_mean_absolute_error"``, ...)
        or callable ``scorer(estimator, X, y)``. Greater is better. Unused
        without ``early_stopping``.""",
    },
    drop=("class_weight",),
)
_ATTRIBUTES_DOC = edit_doc(
    ATTRIBUTES_DOC,
    replace={
        "n_outputs_": """\
n_outputs_ : int
        Number of output units: one per target column.""",
        "out_activation_": """\
out_activation_ : str
        ``"identity"`` for ``loss="squared_error"``, ``"exp"`` for
        ``loss="poisson"``.""",
    },
    drop=("classes_",),
)
# edit_doc keeps the first entry's unindented start: classes_ was first.
_ATTRIBUTES_DOC = _ATTRIBUTES_DOC.lstrip()


class BaseMLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor; backends subclass it.

    Not for direct use: see :class:`~sklearn_mlplab.NumpyMLPRegressor` and
    :class:`~sklearn_mlplab.TorchMLPRegressor`. A backend sets ``_engine``,
    its :class:`~sklearn_mlplab._engine.Engine` subclass.
    """

    _parameter_constraints = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions(set(REGRESSOR_OUTPUTS))],
    }
    _parameters_doc = _PARAMETERS_DOC
    _attributes_doc = _ATTRIBUTES_DOC
    _default_scoring = "r2"
    _constant_name = "the targets' mean"
    _y_numeric = True

    def __init__(
        self,
        hidden=3,
        *,
        activation="logistic",
        loss="squared_error",
        solver="sgd",
        lr=0.1,
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
        scoring="r2",
    ):
        super().__init__(
            hidden,
            activation=activation,
            loss=loss,
            solver=solver,
            lr=lr,
            lr_schedule=lr_schedule,
            power_t=power_t,
            momentum=momentum,
            momentum_type=momentum_type,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            alpha=alpha,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            shuffle=shuffle,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            scoring=scoring,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data trains in float32, anything else in
            float64 (a warm start keeps the fitted model's dtype).

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values: one output unit per column. With
            ``loss="poisson"`` they must be >= 0.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row. Integer weights are equivalent
            to repeating rows (exactly so in full-batch training).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

    @available_if(BaseMLP._has_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over the given data.

        Successive calls continue the same run: the weights, the velocity and
        the shuffling generator carry over, so ``n`` calls on the same data
        equal one :meth:`fit` with ``max_iter=n`` (and no stopping rule).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values, with as many columns on every call.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight)

    # ------------------------------------------------------------ hooks
    def _check_targets(self, y):
        """``y`` as 1-D values or a 2-D array of them; whether it is 1-D."""
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column: DataConversionWarning
        if self.loss == "poisson" and (np.any(y < 0) or not np.sum(y) > 0):
            raise ValueError(
                "loss='poisson' needs targets that are >= 0 and not all 0 "
                f"(here min {np.min(y):.4g}, sum {np.sum(y):.4g}); use "
                "loss='squared_error' for targets of any sign."
            )
        return y, y.ndim == 1

    def _encode_targets(self, y, one_d, classes, incremental, continuing, dtype):
        """On a fresh start, record the number of targets; the (n, n_targets)
        target matrix."""
        Y = y.reshape(len(y), -1).astype(dtype, copy=False)
        if not continuing:
            self._n_targets, self._one_d = Y.shape[1], one_d
            return Y
        if Y.shape[1] != self._n_targets:
            raise ValueError(
                f"y has {Y.shape[1]} targets, but the fitted model has "
                f"{self._n_targets}; set warm_start=False to start afresh."
            )
        if REGRESSOR_OUTPUTS[self.loss] != self.out_activation_:
            raise ValueError(
                f"loss={self.loss!r} needs the output {REGRESSOR_OUTPUTS[self.loss]!r}"
                f", but the fitted network's is {self.out_activation_!r}; set "
                "warm_start=False to start afresh, or set loss back."
            )
        return Y

    def _output_layer(self):
        return self._n_targets, REGRESSOR_OUTPUTS[self.loss]

    def _decode(self, Y):
        """Target values as ``predict`` gives them: 1-D for a 1-D ``y``."""
        return Y[:, 0] if self._one_d else Y

    def _check_validation_rows(self, n_val, n):
        if n_val < 2 and self.scoring in ("r2", self._default_scoring):
            raise ValueError(
                f"early_stopping holds out {n_val} of the {n} rows "
                f"(validation_fraction={self.validation_fraction}), and R^2 "
                "needs at least 2; raise validation_fraction, pass more rows, "
                "or set scoring='loss'."
            )

    def _score_outputs(self, z, y, sample_weight):
        predicted = self._decode(OUT_ACTIVATIONS[self.out_activation_](z))
        return r2_score(y, predicted, sample_weight=sample_weight)

    def _constant_logits(self, prior):
        """The constant predictor predicts the targets' means: their logits
        (through the log link for ``"exp"``)."""
        if self.out_activation_ == "exp":
            return np.log(np.maximum(prior, np.finfo(prior.dtype).tiny))
        return prior

    # ----------------------------------------------------------- predict
    def predict(self, X):
        """Predict the target values of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values: 1-D where the training ``y`` was.
        """
        z = self._logits(X)
        with np.errstate(over="ignore"):
            out = OUT_ACTIVATIONS[self.out_activation_](z)
        if not np.isfinite(out).all():  # exp(z) overflowed
            raise NonFiniteOutputError(
                "The network's outputs are not finite for this input: exp of "
                "its logits overflows. Scale it as the training data was scaled."
            )
        return self._decode(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


BaseMLPRegressor.__signature__ = _init_signature(BaseMLPRegressor)
