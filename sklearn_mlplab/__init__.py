"""Multi-layer perceptron classifiers for scikit-learn, in numpy and PyTorch.

``import sklearn_mlplab`` imports neither torch nor matplotlib: the torch
backend imports torch when it first needs it.
"""

from ._numpy_mlp import NumpyMLPClassifier
from ._torch_mlp import TorchMLPClassifier

__version__ = "0.1.0"

__all__ = ["NumpyMLPClassifier", "TorchMLPClassifier", "__version__"]
