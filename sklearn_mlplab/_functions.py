"""Activations, their derivatives, output functions and losses for numpy.

Every entry is a small function keyed by its public option name, so that a
new activation or loss is one line in a table, never a branch in the
training loop. The functions work in place where they can: the training loop
owns the buffers and these functions only fill them.
"""

import numpy as np
from scipy.special import expit, logsumexp, xlogy


# --- hidden-layer activations, applied in place to the pre-activation -------
def _logistic(z):
    return expit(z, out=z)


def _tanh(z):
    return np.tanh(z, out=z)


# Zeros to compare against: numpy's maximum runs 2-3x faster against an
# array of zeros than against the scalar 0 (the array loop is vectorised).
# Only ever read, so one buffer per dtype serves every thread.
_ZEROS = {}
_ZEROS_MAX = 1 << 20


def _relu(z):
    if not z.flags.c_contiguous or z.size > _ZEROS_MAX:
        return np.maximum(z, 0, out=z)
    zeros = _ZEROS.get(z.dtype)
    if zeros is None or zeros.size < z.size:
        zeros = _ZEROS[z.dtype] = np.zeros(max(z.size, 4096), dtype=z.dtype)
    return np.maximum(z, zeros[: z.size].reshape(z.shape), out=z)


def _identity(z):
    return z


ACTIVATIONS = {
    "identity": _identity,
    "logistic": _logistic,
    "tanh": _tanh,
    "relu": _relu,
}


# --- their derivatives, written in terms of the activation a = f(z) ---------
# Each multiplies the back-propagated ``delta`` in place by f'(z).
def _logistic_derivative(a, delta):
    delta *= a
    delta *= 1 - a


def _tanh_derivative(a, delta):
    delta *= 1 - a * a


def _relu_derivative(a, delta):
    delta[a <= 0] = 0


def _relu_derivative_fast(a, delta):
    # ~10x faster than the boolean-index assignment, and equal to it while
    # delta is finite; after a blow-up inf * 0 gives nan where it gives 0.
    np.multiply(delta, a > 0, out=delta)


def _identity_derivative(a, delta):
    pass  # f'(z) = 1


DERIVATIVES = {
    "identity": _identity_derivative,
    "logistic": _logistic_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}
# Exact while the back-propagated deltas are finite: the training loop checks
# the gradient and falls back to DERIVATIVES when it is not.
FAST_DERIVATIVES = {**DERIVATIVES, "relu": _relu_derivative_fast}


# --- output functions: logits -> probabilities of the output units ----------
def _sigmoid(z):
    return expit(z)


def _softmax(z):
    p = z - z.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)
    return p


def _exp(z):
    return np.exp(z)


# Classifiers: logistic (two classes, multilabel) or softmax. Regressors:
# identity (squared error) or exp, the log link of the Poisson loss. The
# identity returns the logits themselves: nothing downstream writes into it.
OUT_ACTIVATIONS = {
    "identity": _identity,
    "logistic": _sigmoid,
    "softmax": _softmax,
    "exp": _exp,
}


def log_output(z, out_activation):
    """Log-probabilities of the output units, computed stably from logits."""
    if out_activation == "logistic":
        return -np.logaddexp(0, -z)
    return z - logsumexp(z, axis=1, keepdims=True)


# --- losses ------------------------------------------------------------------
# ``loss(z, p, Y, out_activation)`` returns the per-sample loss (shape (n,))
# and dL/dz, the gradient with respect to the logits (shape of z), given the
# logits ``z``, the outputs ``p = out(z)`` and the targets ``Y``: 0/1 for a
# classifier (one column for a binary problem, one-hot columns otherwise),
# the target values for a regressor, one column per output. A row's loss is
# the sum of its columns' losses.
def _log_loss(z, p, Y, out_activation):
    # From logits, never from log(p): large logits cannot produce inf or nan.
    if out_activation == "logistic":
        # softplus(z) - y z, softplus(z) = max(z, 0) + log1p(exp(-|z|)):
        # np.logaddexp(0, z) in vectorised passes, 1.5-7x faster.
        per_sample = np.abs(z)
        np.negative(per_sample, out=per_sample)
        np.exp(per_sample, out=per_sample)
        np.log1p(per_sample, out=per_sample)
        per_sample += np.maximum(z, 0.0)
        per_sample -= Y * z
        # One column per label: a multilabel row's loss is their sum.
        if per_sample.shape[1] > 1:
            return per_sample.sum(axis=1), p - Y
    else:
        # Inline log-sum-exp: scipy's costs ~20 us of overhead per call.
        m = z.max(axis=1, keepdims=True)
        per_sample = np.exp(z - m)
        per_sample = np.log(np.add.reduce(per_sample, axis=1, keepdims=True))
        per_sample += m
        per_sample -= np.add.reduce(Y * z, axis=1, keepdims=True)
    # Cross-entropy is the canonical pair of both sigmoid and softmax.
    return per_sample.reshape(-1), p - Y


def _squared_error(z, p, Y, out_activation):
    r = p - Y
    per_sample = 0.5 * (r * r).sum(axis=1)
    # The output function's derivative: 1 for the identity (a regressor's
    # own loss); sigmoid gives r * p * (1 - p); softmax's Jacobian gives
    # p * (r - sum_k r_k p_k); exp gives r * p.
    if out_activation == "identity":
        grad = r
    elif out_activation == "logistic":
        grad = r * p * (1 - p)
    elif out_activation == "exp":
        grad = r * p
    else:
        grad = p * (r - (r * p).sum(axis=1, keepdims=True))
    return per_sample, grad


def _poisson(z, p, Y, out_activation):
    # Half the Poisson deviance, y log(y / p) - y + p, on the log link p =
    # exp(z), written with z: zero where p = y, and dL/dz = p - y (the
    # canonical pair, as log loss is of the sigmoid).
    per_sample = xlogy(Y, Y) - Y * z - Y + p
    return per_sample.sum(axis=1), p - Y


LOSSES = {
    "log_loss": _log_loss,
    "squared_error": _squared_error,
    "poisson": _poisson,
}
# Which losses each kind of estimator takes, and the output function each
# regressor loss implies.
CLASSIFIER_LOSSES = ("log_loss", "squared_error")
REGRESSOR_OUTPUTS = {"squared_error": "identity", "poisson": "exp"}
