"""
Checking a gradient against finite differences
==============================================

Backpropagation is easy to get almost right. A derivative with a slip in it
raises no error: the code runs, and the loss can still fall, only not along
the true gradient. The sure test is to compare the gradient with central
finite differences of the objective.
:func:`~sklearn_mlplab.inspection.check_gradients` does this for the
estimators; here it checks the lab's network, and then catches a classic
slip in a backward pass written by hand. See :ref:`inspection`.
"""

# %%
# The lab's network
# -----------------
# The 2-3-1 sigmoid network of the lab (:data:`~sklearn_mlplab.lab.FULL`:
# ``lr=0.5``, dampened momentum 0.9, full batch), z-scored in a pipeline and
# trained for 1000 epochs. ``check_gradients`` is given the pipeline: its
# scaler transforms the inputs first, and the 13 weights and biases are
# checked at their fitted values. Each layer's relative error is
# ``||g_a - g_n|| / max(||g_a||, ||g_n||)``, between the analytic gradient
# (backpropagation) and the numerical one.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import load_lab
from sklearn_mlplab.inspection import check_gradients
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_lab(return_X_y=True)
model = make_network(FULL, max_iter=1000).fit(X, y)
result = check_gradients(model, X, y)
print(f"objective at the fitted weights: {result.objective:.4f}")
for name, error in zip(["hidden", "output"], result.relative_errors, strict=True):
    print(f"{name:>6} layer: relative error {error:.1e}")

# %%
# Both errors are near 1e-8: the gradient is right. That is as close as
# finite differences get -- their own error, of order ``eps**2`` from the
# objective's curvature plus rounding of order ``1e-16 / eps``, is what is
# left.
#
# A backward pass by hand
# -----------------------
# Now the student's side: a forward and backward pass of the same 2-3-1
# network, written in numpy, at the same weights and on the same
# (standardised) inputs. With a sigmoid output and the cross-entropy, the
# output layer's error is ``(p - y) / n``. The hidden layer's error is that
# error sent back through the output weights, times the derivative of the
# sigmoid at the hidden pre-activation ``z``: ``s(z) * (1 - s(z))``, or
# ``a * (1 - a)`` in terms of the activation ``a = s(z)``. The slip is to
# write ``z * (1 - z)``: the formula for the activation, applied to the
# pre-activation.
net = model[-1]
Z = model[0].transform(X)
W1, W2 = net.coefs_
b1, b2 = net.intercepts_


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def objective(W1, b1, W2, b2):
    """The mean cross-entropy of the 2-3-1 network."""
    p = sigmoid(sigmoid(Z @ W1 + b1) @ W2 + b2)[:, 0]
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def backward(W1, b1, W2, b2, derivative):
    """The gradient by backpropagation, flattened as check_gradients flattens
    it: each layer's weights row by row, then its bias."""
    z = Z @ W1 + b1
    a = sigmoid(z)
    p = sigmoid(a @ W2 + b2)
    out = (p - y[:, None]) / len(y)  # output layer's error
    back = (out @ W2.T) * derivative(z, a)  # hidden layer's error
    return np.concatenate(
        [(Z.T @ back).ravel(), back.sum(axis=0), (a.T @ out).ravel(), out.sum(axis=0)]
    )


right = backward(W1, b1, W2, b2, lambda z, a: a * (1 - a))
wrong = backward(W1, b1, W2, b2, lambda z, a: z * (1 - z))

# %%
# The hand-written objective is the estimator's, and the correct backward
# pass agrees with the estimator's analytic gradient to rounding error:
print(f"objective by hand: {objective(W1, b1, W2, b2):.4f}")
gap = np.abs(right - result.analytic).max()
print(f"largest difference from result.analytic: {gap:.1e}")

# %%
# Finite differences by hand
# --------------------------
# The numerical gradient needs nothing but the objective: two evaluations
# per parameter, each with one weight moved by ``eps`` either way. Here it
# is, by hand, for the 13 parameters, next to ``result.numerical``.
eps = 1e-6
theta = np.concatenate([W1.ravel(), b1, W2.ravel(), b2])


def unflatten(theta):
    return (
        theta[:6].reshape(2, 3),
        theta[6:9],
        theta[9:12].reshape(3, 1),
        theta[12:],
    )


numerical = np.empty_like(theta)
for j in range(theta.size):
    step = np.zeros_like(theta)
    step[j] = eps
    numerical[j] = (
        objective(*unflatten(theta + step)) - objective(*unflatten(theta - step))
    ) / (2 * eps)
gap = np.abs(numerical - result.numerical).max()
print(f"largest difference from result.numerical: {gap:.1e}")


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b))


layers = {"hidden layer": slice(0, 9), "output layer": slice(9, 13)}
errors = {
    "check_gradients": result.relative_errors,
    "by hand, right": [relative_error(right[s], numerical[s]) for s in layers.values()],
    "by hand, z * (1 - z)": [
        relative_error(wrong[s], numerical[s]) for s in layers.values()
    ],
}
for name, values in errors.items():
    print(f"{name:>21}: " + "  ".join(f"{e:.1e}" for e in values))

# %%
# The slip shows at once, and where it is: the hidden layer's nine
# parameters are off by an error of order one, while the output layer's
# four, whose gradient does not use the sigmoid's derivative, are still
# right. The error would also reach every layer before a wrong derivative
# in a deeper network, since backpropagation carries it backwards; the
# first layer, from the output, with a large error is where to look.
fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
positions = np.arange(len(layers))
width = 0.26
for i, (name, values) in enumerate(errors.items()):
    ax.bar(positions + (i - 1) * width, values, width, label=name)
ax.axhline(1e-6, color="k", linestyle=":", linewidth=1)
ax.text(1.45, 1.5e-6, "1e-6", fontsize=8, ha="right", va="bottom")
ax.set_xticks(positions, list(layers))
ax.set_yscale("log")
ax.set_ylabel("relative error vs. finite differences")
ax.set_title("A correct gradient and a wrong derivative")
ax.legend(fontsize=8, loc="upper right")
plt.show()
