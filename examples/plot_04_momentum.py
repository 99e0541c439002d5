"""
Momentum at a small learning rate
=================================

The lab swept the momentum rate beta at ``lr=0.001`` with its own update,
``v = beta v + (1 - beta) lr g``. That *dampened* form averages past steps,
so under a steady gradient its step is ``lr g`` whatever beta is. The
*classic* heavy ball, ``v = beta v + lr g``, sums them instead: its steady
step is ``lr g / (1 - beta)``. Both, and Nesterov's look-ahead, are options
of ``momentum_type``; this example measures the difference.
"""

# %%
# Full-batch runs of fixed length
# -------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import LossCurveDisplay, NumpyMLPClassifier, load_lab

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_lab(return_X_y=True)
epochs, betas = 2000, (0.0, 0.5, 0.9, 0.99)
curves = {}
for kind in ("dampened", "classic", "nesterov"):
    for beta in betas:
        net = NumpyMLPClassifier(
            lr=0.001,
            momentum=beta,
            momentum_type=kind,
            batch_size=None,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs,
            random_state=0,
        )
        make_pipeline(StandardScaler(), net).fit(X, y)
        curves[kind, beta] = np.array(net.loss_curve_)

# %%
# The curves
# ----------
# Each panel has its own loss scale: at ``lr=0.001`` plain gradient descent
# (beta = 0) barely moves, and so does every dampened run.
fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
for ax, kind in zip(axes, ("dampened", "classic", "nesterov"), strict=True):
    LossCurveDisplay(
        loss_curves=[curves[kind, b] for b in betas],
        labels=[f"beta={b}" for b in betas],
    ).plot(ax=ax, title=f"{kind}, lr=0.001")
    # On log epochs a constant-factor speed-up is a sideways shift.
    ax.set_xscale("log")

# %%
# Measured speed-up
# -----------------
# How many epochs does each run need to reach the loss plain gradient descent
# reaches halfway? The dampened runs need as many (or a few more, while the
# average builds up); the classic runs need about (1 - beta) times as many
# while the velocity has time to build up.
plain = curves["dampened", 0.0]
target = plain[epochs // 2 - 1]
for kind in ("dampened", "classic"):
    for beta in betas[1:]:
        reached = np.flatnonzero(curves[kind, beta] <= target)
        speed = (epochs // 2) / (reached[0] + 1) if reached.size else float("nan")
        # Only the classic form's steady step grows as 1/(1-beta).
        expected = f" (1/(1-beta) = {1 / (1 - beta):.0f})" if kind == "classic" else ""
        print(f"{kind:>8} beta={beta:<4}: {speed:6.2f}x faster{expected}")
plt.show()
