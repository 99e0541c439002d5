"""
SGD, Adam and L-BFGS on the lab data
====================================

The lab trained its network by full-batch gradient descent with its own
dampened momentum. ``solver`` offers two other ways to train the same
network: Adam and L-BFGS. This example gives each the same budget on the lab
data, compares their loss curves per epoch (per iteration for L-BFGS) and
per second, and their accuracy on held-out rows; then it draws the three
learning-rate schedules of SGD. The formulas are in :ref:`momentum`.
"""

# %%
# Four optimizers, one budget
# ---------------------------
# The network and the SGD settings (``lr=0.5``, dampened momentum 0.9, full
# batch) are the ``mlplab lab`` command's, from
# :data:`~sklearn_mlplab.lab.FULL`. Every run gets ``FULL.epochs`` (2000)
# epochs or iterations and no stopping rule. Nesterov's momentum runs at the
# same ``lr``, so its steady step is ten times the dampened rule's; Adam runs
# at ``lr=0.01``, as Adam wants a far smaller rate; L-BFGS has no rate. Each
# network trains on 70% of the lab's training rows and is scored on the
# other 30%.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_mlplab import LossCurveDisplay, load_lab
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
config = FULL
X, y = load_lab(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
optimizers = {
    "SGD, dampened (lab)": dict(solver="sgd"),
    "SGD, Nesterov": dict(solver="sgd", momentum_type="nesterov"),
    "Adam, lr=0.01": dict(solver="adam", lr=0.01),
    "L-BFGS": dict(solver="lbfgs"),
}
models, seconds = {}, {}
for name, params in optimizers.items():
    # The best of three fits: on a busy machine a single timing is noisy.
    times = []
    for _ in range(3):
        model = make_network(config, max_iter=config.epochs, **params)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        times.append(time.perf_counter() - start)
    models[name], seconds[name] = model, min(times)

# %%
# Loss per epoch and per second
# -----------------------------
# On the left, one point per epoch (full batch: one gradient evaluation
# each) for SGD and Adam, one per iteration for L-BFGS. L-BFGS stops by
# itself after about a hundred iterations, its relative decrease of the loss
# having become negligible, at a loss below what the others reach in 2000
# epochs. Of the three first-order runs, Nesterov at the lab's ``lr`` leaves
# the plateau near ln 2 first (its loss is below 0.5 after about 50 epochs),
# as its steps are ten times larger; Adam at ``lr=0.01`` leaves it after
# about 135 epochs, the dampened rule after about 330, and Adam ends between
# the two. L-BFGS is below 0.5 after 8 iterations.
#
# On the right, the same curves against time, with each fit's time spread
# evenly over its epochs or iterations (the best of three fits). An L-BFGS
# iteration costs more than an epoch of SGD (it may evaluate the loss more
# than once in its line search, and scipy adds its own work), yet L-BFGS is
# done in a fraction of the time the others take. (The milliseconds are
# this machine's and vary from run to run; the order does not.)
curves = [models[name][-1].loss_curve_ for name in optimizers]
fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
LossCurveDisplay(loss_curves=curves, labels=list(optimizers)).plot(
    ax=ax_epoch, log_scale=True, title="per epoch (per iteration for L-BFGS)"
)
ax_epoch.set_xscale("log")
ax_epoch.set_xlabel("epoch / L-BFGS iteration")
for name, curve in zip(optimizers, curves, strict=True):
    steps = np.arange(1, len(curve) + 1)
    ax_time.plot(1000 * seconds[name] * steps / len(curve), curve, label=name)
ax_time.set(
    xscale="log",
    yscale="log",
    xlabel="milliseconds (fit time spread evenly)",
    ylabel="training loss",
    title="per second",
)
ax_time.legend()

# %%
# Held-out accuracy
# -----------------
# The lowest training loss does not give the best held-out accuracy: L-BFGS
# fits the 210 training rows more closely than the others, and on the 90
# held-out rows it scores lower. (On so few rows each row is 1.1 points of
# accuracy; a penalty, ``alpha``, or ``early_stopping`` would rein L-BFGS
# in.)
print(f"{'optimizer':<20} {'epochs':>6} {'ms':>6} {'loss':>7} {'train':>6} {'test':>6}")
for name, model in models.items():
    net = model[-1]
    print(
        f"{name:<20} {net.n_iter_:>6} {1000 * seconds[name]:>6.1f} "
        f"{net.loss_curve_[-1]:>7.4f} {model.score(X_train, y_train):>6.3f} "
        f"{model.score(X_test, y_test):>6.3f}"
    )

# %%
# Learning-rate schedules
# -----------------------
# The schedules act on SGD's (and Adam's) rate from epoch to epoch, and
# ``"adaptive"`` acts when the stopping rule fires, so these runs keep the
# estimator's default rule (``tol=1e-4``, ``n_iter_no_change=10``) instead
# of the fixed budget above. In full batch the loss improves steadily but
# slowly on the plateau near ln 2, and the rule fires there, so the schedules
# train in mini-batches of 32 rows, at the lab's ``lr=0.5``.
schedules = ("constant", "invscaling", "adaptive")
scheduled = {}
for schedule in schedules:
    model = make_network(
        config, max_iter=config.epochs, batch_size=32, lr_schedule=schedule
    )
    model.set_params(
        numpymlpclassifier__tol=1e-4, numpymlpclassifier__n_iter_no_change=10
    )
    scheduled[schedule] = model.fit(X_train, y_train)

# %%
# ``"constant"`` trains until the rule stops it. ``"adaptive"`` follows the
# same curve up to that epoch, then divides the rate by 5 each time the rule
# fires, and ends a little lower, once the rate is below 1e-6.
# ``"invscaling"`` counts the rows seen, not the epochs: the second epoch
# already runs at ``0.5 / sqrt(211)``, about 0.034, and the rate keeps
# falling, so the loss stalls on the plateau and the rule stops the run
# after 15 epochs. (The adaptive curve hides the constant one where they
# coincide, and the 15 epochs of ``"invscaling"`` lie on the plateau under
# the other two: the printed epochs tell them apart.)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
display = LossCurveDisplay(
    loss_curves=[scheduled[s][-1].loss_curve_ for s in schedules],
    labels=[f"lr_schedule={s!r}" for s in schedules],
).plot(ax=ax, log_scale=True, title="SGD (dampened), batches of 32, lr=0.5")
display.lines_[2].set_linestyle("--")
ax.set_xscale("log")
for schedule, model in scheduled.items():
    net = model[-1]
    print(
        f"{schedule:>10}: {net.n_iter_:4d} epochs, loss {net.loss_curve_[-1]:.4f}, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )
plt.show()
