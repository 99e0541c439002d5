"""scikit-learn's estimator checks, every one, on every public estimator,
with each solver.

L-BFGS runs with a penalty. For the classifiers it is scikit-learn's
default, ``alpha=1e-4``. Without one, on the checks' separable blobs it
drives the logits past 7e4, where ``predict_proba`` rounds to exactly 0 and
1 while ``predict_log_proba`` (computed from the logits) stays finite, so
``check_classifiers_train``'s comparison of the two meets ``log(0)``.
scikit-learn's own MLP computes its log-probabilities as
``log(predict_proba)`` and so gives -inf there.

For the regressors it is ``alpha=0.1``. The sample-weight checks fit 15
rows of 30 features, which the squared error can interpolate: with a small
penalty the minimum is a flat valley, and the rounding differences between
a weighted and a repeated sum grow with every iteration (measured at
``alpha=1e-4``: 2e-15 after 5 iterations, 1e-8 after 50, 2e-2 when both
stop, after 95). At 0.1 the valley has a floor: both stop after 23
iterations, equal to 4e-16. scikit-learn runs that check on its own
``MLPRegressor`` with ``solver="sgd", tol=1e-2`` only.

The Poisson regressors have their own test, in ``test_regressor.py``.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mlplab import (
    NumpyMLPClassifier,
    NumpyMLPRegressor,
    TorchMLPClassifier,
    TorchMLPRegressor,
)

SOLVERS = [{}, {"solver": "adam"}, {"solver": "lbfgs", "alpha": 1e-4}]
REGRESSOR_SOLVERS = [{}, {"solver": "adam"}, {"solver": "lbfgs", "alpha": 0.1}]


@parametrize_with_checks(
    [
        Est(**params)
        for Est in (NumpyMLPClassifier, TorchMLPClassifier)
        for params in SOLVERS
    ]
    + [
        Est(**params)
        for Est in (NumpyMLPRegressor, TorchMLPRegressor)
        for params in REGRESSOR_SOLVERS
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
