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
# The rates, the rules and ``lr=0.001`` are the ``mlplab lab`` command's,
# from :data:`~sklearn_mlplab.lab.FULL`. Its runs are 5000 epochs long; these
# are 2000, so that the twelve of them train in a few seconds.
import dataclasses
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import LossCurveDisplay, load_lab
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
config = dataclasses.replace(FULL, momentum_epochs=2000)
X, y = load_lab(return_X_y=True)
epochs, betas, kinds = config.momentum_epochs, config.betas, config.momentum_types
curves = {}
for kind in kinds:
    for beta in betas:
        model = make_network(
            config,
            lr=config.momentum_lr,
            momentum=beta,
            momentum_type=kind,
            max_iter=epochs,
        ).fit(X, y)
        curves[kind, beta] = np.array(model[-1].loss_curve_)

# %%
# The curves
# ----------
# The three panels share one loss axis, so a curve can be compared across
# rules. At ``lr=0.001`` plain gradient descent (beta = 0) barely moves, and
# so does every dampened run; only the classic and Nesterov runs at
# beta = 0.99 fall far below it within 2000 epochs.
fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True, layout="constrained")
for ax, kind in zip(axes, kinds, strict=True):
    LossCurveDisplay(
        loss_curves=[curves[kind, b] for b in betas],
        labels=[f"beta={b}" for b in betas],
    ).plot(ax=ax, title=f"{kind}, lr={config.momentum_lr}")
    # On log epochs a constant-factor speed-up is a sideways shift.
    ax.set_xscale("log")
for ax in axes[1:]:
    ax.set_ylabel("")

# %%
# Measured speed-up
# -----------------
# How many epochs does each run need to reach the loss plain gradient descent
# reaches halfway? The dampened runs need as many (or a few more, while the
# average builds up); the classic runs need about (1 - beta) times as many
# while the velocity has time to build up.
plain = curves[kinds[0], 0.0]
target = plain[epochs // 2 - 1]
for kind in ("dampened", "classic"):
    for beta in betas[1:]:
        reached = np.flatnonzero(curves[kind, beta] <= target)
        speed = (epochs // 2) / (reached[0] + 1) if reached.size else float("nan")
        # Only the classic form's steady step grows as 1/(1-beta).
        expected = f" (1/(1-beta) = {1 / (1 - beta):.0f})" if kind == "classic" else ""
        print(f"{kind:>8} beta={beta:<4}: {speed:6.2f}x faster{expected}")
plt.show()
