"""The backend interface is enough for a third backend: one engine class.

``PlainEngine`` below is a whole backend in a few lines, built on the
textbook ``backprop`` and the optimizers, with no fast path. It trains as
the numpy backend does, step for step, and passes scikit-learn's estimator
checks, which shows that the base class needs nothing more from a backend
than ``_engine.Engine`` declares.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mlplab import NumpyMLPClassifier
from sklearn_mlplab._classifier import BaseMLPClassifier
from sklearn_mlplab._engine import Engine
from sklearn_mlplab._functions import ACTIVATIONS
from sklearn_mlplab._numpy_mlp import backprop


class PlainEngine(Engine):
    def __init__(self, est, X, Y, sample_weight, batch_size, one_thread=False):
        self.est, self.X, self.Y, self.sw = est, X, Y, sample_weight
        self.order_ = np.arange(X.shape[0])

    def order(self, perm):
        self.order_ = perm

    def _gradient(self, rows):
        est = self.est
        coefs, intercepts = est._unpack(est._params)
        sw = None if self.sw is None else self.sw[rows]
        loss, coef_grads, intercept_grads = backprop(
            self.X[rows],
            self.Y[rows],
            sw,
            coefs,
            intercepts,
            activation=est.activation,
            loss=est.loss,
            out_activation=est.out_activation_,
            alpha=est.alpha,
        )
        return loss, est._pack(coef_grads, intercept_grads)

    def step(self, start, stop, weight_sum):
        loss, grad = self._gradient(self.order_[start:stop])
        self.est._optimizer.update(self.est._params, grad)
        return loss * weight_sum

    def loss_gradient(self, weight_sum):
        loss, grad = self._gradient(np.arange(self.X.shape[0]))
        return loss, grad.astype(np.float64)

    def get_weights(self):
        return self.est._params

    def set_weights(self, weights):
        self.est._params[...] = weights

    @classmethod
    def forward_logits(cls, est, X):
        coefs, intercepts = est._unpack(est._params)
        a = X
        for W, b in zip(coefs[:-1], intercepts[:-1], strict=True):
            a = ACTIVATIONS[est.activation](a @ W + b)
        return a @ coefs[-1] + intercepts[-1]


class PlainMLPClassifier(BaseMLPClassifier):
    """The base class with the plain engine: a third backend."""

    _engine = PlainEngine


def _data(n_classes):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (n_classes == 3) * (X[:, 2] > 0.8)
    return X, y, rng.uniform(0.2, 3.0, size=50)


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(momentum_type="nesterov", alpha=0.01, activation="relu"),
        dict(solver="adam", lr=0.05, lr_schedule="invscaling", batch_size=None),
        dict(solver="lbfgs", alpha=0.01, activation="tanh"),
        dict(early_stopping=True, lr_schedule="adaptive", n_iter_no_change=2),
    ],
    ids=["sgd", "nesterov-relu", "adam-invscaling", "lbfgs", "early-adaptive"],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_a_third_backend_of_one_class_trains_as_the_numpy_one(params, n_classes):
    X, y, sw = _data(n_classes)
    common = dict(hidden=(5,), batch_size=16, max_iter=25, random_state=3)
    common.update(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = PlainMLPClassifier(**common).fit(X, y, sample_weight=sw)
        fast = NumpyMLPClassifier(**common).fit(X, y, sample_weight=sw)
    assert plain.n_iter_ == fast.n_iter_ > 1
    assert_allclose(plain.loss_curve_, fast.loss_curve_, rtol=1e-10)
    assert_allclose(plain._params, fast._params, rtol=1e-9, atol=1e-12)
    assert_allclose(plain.predict_proba(X), fast.predict_proba(X), rtol=1e-9)


@parametrize_with_checks([PlainMLPClassifier()])
def test_a_third_backend_of_one_class_passes_the_estimator_checks(estimator, check):
    check(estimator)
