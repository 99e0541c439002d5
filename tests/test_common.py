"""scikit-learn's estimator checks, every one, on every public estimator,
with each solver.

L-BFGS runs with scikit-learn's default penalty, ``alpha=1e-4``. Without
one, on the checks' separable blobs it drives the logits past 7e4, where
``predict_proba`` rounds to exactly 0 and 1 while ``predict_log_proba``
(computed from the logits) stays finite, so ``check_classifiers_train``'s
comparison of the two meets ``log(0)``. scikit-learn's own MLP computes its
log-probabilities as ``log(predict_proba)`` and so gives -inf there.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mlplab import NumpyMLPClassifier, TorchMLPClassifier

SOLVERS = [{}, {"solver": "adam"}, {"solver": "lbfgs", "alpha": 1e-4}]


@parametrize_with_checks(
    [
        Est(**params)
        for Est in (NumpyMLPClassifier, TorchMLPClassifier)
        for params in SOLVERS
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
