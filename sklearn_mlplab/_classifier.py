"""The classifier layer: what a network that predicts classes adds to
:class:`~sklearn_mlplab._base.BaseMLP`.

Labels and ``classes_``, binary, multiclass and multilabel targets, class
weights, the stratified validation split, accuracy, the output layer
(sigmoid or softmax), probabilities and predicted labels. How the network
trains is the base's; how it computes is the backend's engine.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from ._base import (
    ATTRIBUTES_DOC,
    PARAMETERS_DOC,
    BaseMLP,
    _check_weight_sum,
    _init_signature,
)
from ._functions import CLASSIFIER_LOSSES, OUT_ACTIVATIONS, log_output


class BaseMLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier; backends subclass it.

    Not for direct use: see :class:`~sklearn_mlplab.NumpyMLPClassifier` and
    :class:`~sklearn_mlplab.TorchMLPClassifier`. A backend sets ``_engine``,
    its :class:`~sklearn_mlplab._engine.Engine` subclass.
    """

    _parameter_constraints = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions(set(CLASSIFIER_LOSSES))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _parameters_doc = PARAMETERS_DOC
    _attributes_doc = ATTRIBUTES_DOC
    _default_scoring = "accuracy"
    _added_params = {"class_weight": None, "scoring": "accuracy"}
    _constant_name = "the class frequencies"

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
        class_weight=None,
        scoring="accuracy",
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
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data trains in float32, anything else in
            float64 (a warm start keeps the fitted model's dtype).

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any sortable labels: ints, strings, ...), or a
            multilabel indicator matrix of 0s and 1s: one sigmoid output
            per label.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row. Integer weights are equivalent
            to repeating rows (exactly so in full-batch training). With
            ``class_weight``, each row's weight is the product of the two.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

    @available_if(BaseMLP._has_partial_fit)
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

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row.

        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear. Required on the first call
            (unless the estimator was already fitted), except for multilabel
            ``y``, whose classes are its columns; later calls may pass the
            same set again, and a different one is an error.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight, classes)

    def _check_targets(self, y):
        """``y`` as 1-D labels or a 0/1 indicator matrix; whether multilabel."""
        if sp.issparse(y):
            y = y.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column: DataConversionWarning
        if y.ndim == 1:
            check_classification_targets(y)
            return y, False
        kind = type_of_target(y)
        if kind != "multilabel-indicator":
            raise ValueError(
                f"{type(self).__name__} takes class labels (a 1-D y) or a "
                "multilabel indicator matrix of 0s and 1s, but y is 2-D of type "
                f"{kind!r}. For several multiclass outputs, wrap it in "
                "sklearn.multioutput.MultiOutputClassifier."
            )
        return y, True

    def _encode_targets(self, y, multilabel, classes, incremental, continuing, dtype):
        """Set ``classes_`` (on a fresh start) and return the 0/1 target matrix."""
        if continuing and multilabel != self._multilabel:
            kinds = ("class labels", "a multilabel indicator matrix")
            raise ValueError(
                f"y is {kinds[multilabel]}, but the fitted model was trained on "
                f"{kinds[self._multilabel]}; set warm_start=False to start afresh."
            )
        if multilabel:
            return self._encode_multilabel(y, classes, continuing, dtype)
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
            self._multilabel = False
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

    def _encode_multilabel(self, y, classes, continuing, dtype):
        """Multilabel ``y``: its classes are its columns, 0 to n_labels - 1,
        as scikit-learn numbers them."""
        labels = np.arange(y.shape[1])
        if classes is not None and not np.array_equal(np.unique(classes), labels):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} does not match the "
                f"{y.shape[1]} columns of the multilabel y: they are its classes, "
                f"{labels.tolist()}."
            )
        if not continuing:
            self.classes_ = labels
            self._multilabel = True
        elif len(self.classes_) != y.shape[1]:
            raise ValueError(
                f"y has {y.shape[1]} labels, but the fitted model has "
                f"{len(self.classes_)}; set warm_start=False to start afresh."
            )
        return y.astype(dtype)

    def _with_class_weight(self, y, sample_weight, incremental, dtype):
        """``sample_weight`` times the weight of each row's class."""
        if self.class_weight is None:
            return sample_weight
        if self._multilabel:
            raise ValueError(
                "class_weight is not supported for multilabel y; pass the "
                "weight of each row as sample_weight instead."
            )
        if incremental and isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which "
                "sees one part of the data at a time. Pass the weights of all "
                "the data as a dict: dict(zip(classes, compute_class_weight("
                "'balanced', classes=classes, y=y_all)))."
            )
        weights = compute_sample_weight(self.class_weight, y).astype(dtype)
        return weights if sample_weight is None else sample_weight * weights

    def _weigh_rows(self, y, sample_weight, incremental, dtype):
        sample_weight = self._with_class_weight(y, sample_weight, incremental, dtype)
        _check_weight_sum(sample_weight)
        self._check_weighted_classes(y, sample_weight, incremental)
        return sample_weight

    def _check_weighted_classes(self, y, sample_weight, incremental):
        if sample_weight is None or self._multilabel:
            return
        weighted = np.unique(y[sample_weight > 0])
        if not incremental and len(weighted) < 2:
            raise ValueError(
                "Only one class has a non-zero sample_weight "
                f"({weighted[0]!r}); at least 2 classes are needed."
            )

    def _decode(self, Y):
        """The labels (as predict gives them) of a 0/1 target matrix."""
        if self._multilabel:
            return Y.astype(int)
        if Y.shape[1] == 1:
            return self.classes_[(Y[:, 0] > 0.5).astype(int)]
        return self.classes_[Y.argmax(axis=1)]

    def _constant_logits(self, prior):
        """The logits of the constant predictor that outputs ``prior``."""
        tiny = np.finfo(prior.dtype).eps
        p = np.clip(prior, tiny, 1 - tiny)
        if self.out_activation_ == "logistic":
            return np.log(p) - np.log1p(-p)
        return np.log(p)

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
            For multilabel targets, each label's probability, independently.
        """
        z = self._logits(X)
        p = OUT_ACTIVATIONS[self.out_activation_](z)
        if self.n_outputs_ == 1 and not self._multilabel:
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
        if self._multilabel:
            return log_output(z, "logistic")
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
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels, taken from ``classes_``; for multilabel
            targets, the 0/1 indicator matrix (probability above 0.5).
        """
        return self._predict_validated(self._validate_predict_input(X))

    def _predict_validated(self, X, check=True):
        return self._labels_from_logits(self._logits_validated(X, check=check))

    def _labels_from_logits(self, z):
        if self.out_activation_ == "logistic":
            # Threshold the probability, not the logit, so that predict and
            # predict_proba agree where the sigmoid rounds to 0.5.
            positive = OUT_ACTIVATIONS["logistic"](z) > 0.5
            if self._multilabel:
                return positive.astype(int)
            return self.classes_[positive[:, 0].astype(int)]
        return self.classes_[z.argmax(axis=1)]

    # ------------------------------------------------------------ hooks
    def _output_layer(self):
        n_outputs = len(self.classes_)
        if n_outputs == 2 and not self._multilabel:
            return 1, "logistic"  # one sigmoid unit for two classes
        return n_outputs, "logistic" if self._multilabel else "softmax"

    def _stratify(self, y):
        # Stratified by class; a multilabel y is not stratified.
        return None if self._multilabel else y

    def _score_outputs(self, z, y, sample_weight):
        return accuracy_score(
            y, self._labels_from_logits(z), sample_weight=sample_weight
        )

    def _learned_nothing_reasons(self, z, Y, prior, sample_weight):
        if self._multilabel:
            return []
        right = self._labels_from_logits(z) == self._decode(Y)
        # The most frequent class's share (one column: the other class's
        # share is 1 - prior; one-hot columns sum to 1).
        chance = max(prior.max(), 1 - prior.sum())
        accuracy = float(np.average(right, weights=sample_weight))
        if accuracy > chance:
            return []
        return [
            f"its training accuracy {accuracy:.3f} is no higher than "
            f"always predicting the most frequent class ({chance:.3f}; "
            "for imbalanced classes try class_weight='balanced')"
        ]

    def __setstate__(self, state):
        if "classes_" in state:
            state.setdefault("_multilabel", False)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


BaseMLPClassifier.__signature__ = _init_signature(BaseMLPClassifier)
