"""The warnings a fit gives when it ran but did not train well.

Each is a :class:`~sklearn.exceptions.ConvergenceWarning`, so code that
already filters scikit-learn's convergence warnings filters these too, and
each message names the likely cure. Filter one kind alone by its class::

    import warnings
    from sklearn_mlplab.exceptions import NoBetterThanChanceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoBetterThanChanceWarning)
        clf.fit(X, y)
"""

from sklearn.exceptions import ConvergenceWarning


class TrainingFailureWarning(ConvergenceWarning):
    """A fit ended without error but did not learn: the common parent of
    :class:`NoBetterThanChanceWarning` and :class:`LossIncreasedWarning`."""


class NoBetterThanChanceWarning(TrainingFailureWarning):
    """The trained network is no better on its training data than a constant
    predictor: its loss is within 1% of the loss of predicting the class
    frequencies, or its accuracy is no higher than always predicting the
    most frequent class."""


class LossIncreasedWarning(TrainingFailureWarning):
    """The training loss was higher in the last epoch of a fit than in its
    first: the steps were too large (lower ``lr``)."""


class UnscaledFeaturesWarning(ConvergenceWarning):
    """The features' scales (their largest absolute values) differ by more
    than 100 times: the network trains poorly on such data; put a
    :class:`~sklearn.preprocessing.StandardScaler` in front."""
