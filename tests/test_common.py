"""scikit-learn's estimator checks, every one, on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier


@parametrize_with_checks([NumpyMLPClassifier(), TorchMLPClassifier()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
