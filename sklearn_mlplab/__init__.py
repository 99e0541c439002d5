"""Multi-layer perceptron classifiers and regressors for scikit-learn, in
numpy and PyTorch.

``import sklearn_mlplab`` imports neither torch nor matplotlib: the torch
backend imports torch when it first needs it.
"""

from ._numpy_mlp import NumpyMLPClassifier, NumpyMLPRegressor
from ._torch_mlp import TorchMLPClassifier, TorchMLPRegressor
from .datasets import load_lab
from .plotting import GridSearchDisplay, LossCurveDisplay

__version__ = "0.1.0"

__all__ = [
    "GridSearchDisplay",
    "LossCurveDisplay",
    "NumpyMLPClassifier",
    "NumpyMLPRegressor",
    "TorchMLPClassifier",
    "TorchMLPRegressor",
    "__version__",
    "load_lab",
]
