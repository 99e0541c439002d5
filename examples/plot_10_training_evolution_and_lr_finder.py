"""
Watching training, and the learning-rate range test
===================================================

How the lab's network gets from its random start to its boundary, drawn
epoch by epoch with
:class:`~sklearn_mlplab.inspection.TrainingEvolutionDisplay`; then the
learning-rate range test of Smith (2017) with
:class:`~sklearn_mlplab.inspection.LearningRateFinderDisplay`, held against
the learning rates of the lab's grid. Recording training uses
scikit-learn's callback API, so this example needs scikit-learn 1.9 or
later. See :ref:`inspection`.
"""

# %%
# The boundary at five epochs
# ---------------------------
# The lab's network (:data:`~sklearn_mlplab.lab.FULL`: 3 sigmoid units,
# ``lr=0.5``, dampened momentum 0.9, full batch) in a z-scoring pipeline.
# The display trains a copy for 1000 epochs, keeps the model as it stood
# at the chosen epochs (with a
# :class:`~sklearn_mlplab.inspection.TrainingSnapshots` callback) and draws
# the probability of class 1 at each, with its 0.5 contour, beside the loss
# curve.
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import load_lab
from sklearn_mlplab.inspection import (
    LearningRateFinderDisplay,
    TrainingEvolutionDisplay,
)
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_lab(return_X_y=True)
model = make_network(FULL, max_iter=1000)
evolution = TrainingEvolutionDisplay.from_estimator(
    model, X, y, epochs=[0, 10, 50, 200, 1000], n_cols=3
)
evolution.figure_.suptitle("The lab network, lr=0.5")
plt.show()

# %%
# For the first 50 epochs the network answers about 1/2 everywhere and its
# 0.5 contour is a straight line: the loss sits on the plateau near
# ln 2 = 0.693, with the small starting weights keeping the sigmoid units
# in their almost linear middle, so the network is nearly a linear model.
# By epoch 200 the contour has started to bend round the band's left edge,
# and the loss is leaving the plateau; it falls steeply over the next few
# hundred epochs, and by epoch 1000 the contour encloses the band and the
# network is sure on either side of it.
print("training loss at the kept epochs:")
for epoch in evolution.epochs[1:]:
    print(f"  epoch {epoch:>4}: {evolution.loss_curve[epoch - 1]:.4f}")

# %%
# The same maps as an animation, one frame per kept epoch, saved as a GIF
# (``.html`` gives a page with a JavaScript player instead). Here it goes to
# a temporary folder; give it a path of your own to keep it.
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "training.gif"
    animation = evolution.animate(path, interval=700)
    print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
plt.close()  # the animation's figure: not drawn here as a still

# %%
# The learning-rate range test
# ----------------------------
# One run of 1000 steps -- full batch, so one step per epoch -- in which the
# learning rate grows exponentially from 0.001 to 10. The suggestion is the
# learning rate at the smoothed loss's lowest point, divided by 10.
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
finder = LearningRateFinderDisplay.from_estimator(
    model, X, y, n_steps=1000, start_lr=1e-3, end_lr=10, ax=ax
)
print(f"suggested lr: {finder.suggested_lr:.3g}; diverged: {finder.diverged}")
plt.show()

# %%
# The loss never diverged: it was still falling at lr=10, the largest rate
# tried, so its lowest point is simply the last step, and the suggestion of
# 1.0 is only a **lower bound** (the legend says so). Going on to larger
# rates finds where the loss blows up:
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
wide = LearningRateFinderDisplay.from_estimator(
    model, X, y, n_steps=1000, start_lr=1e-3, end_lr=1000, ax=ax
)
print(
    f"suggested lr: {wide.suggested_lr:.3g}; diverged: {wide.diverged} "
    f"(at lr={wide.lrs[-1]:.0f}, after {len(wide.lrs)} steps)"
)
plt.show()

# %%
# Against the lab's grid
# ----------------------
# The lab's grid tried ``lr`` = 0.5, 0.1, 0.01 and 0.005. On both curves,
# 0.005, 0.01 and 0.1 lie on the flat part, where the loss has hardly moved
# from ln 2; 0.5, the lab's choice and the grid's largest, is where it is
# only beginning to bend down. The steep fall comes at 1 to 10, and the
# wider sweep shows the loss staying low up to about 200 before it blows
# up. Both suggestions are above the whole grid. Training each rate for the
# lab's 1000 epochs:
Xt, yt = load_lab(split="test", return_X_y=True)
print("    lr   training loss   test accuracy")
for lr in [0.005, 0.01, 0.1, 0.5, finder.suggested_lr, wide.suggested_lr]:
    fitted = make_network(FULL, max_iter=1000, lr=lr).fit(X, y)
    print(
        f"{lr:6.3g}   {fitted[-1].loss_curve_[-1]:13.4f}   {fitted.score(Xt, yt):13.3f}"
    )

# %%
# The two smallest rates end where they started, on the plateau, and 0.1
# is only part of the way down after 1000 epochs. From 0.5 up, through both
# suggestions, the training loss ends low and the test accuracy is the same
# to a row or two, close to the Bayes-optimal 0.95: the boundary is as good
# as this data allows, and a larger rate gets there sooner. So the range
# test points at the top of the grid, and past it, from one run instead of
# a search. Two cautions. The losses late in a sweep also owe something to
# all the steps taken before them, which is why the wider sweep, which
# reached each rate in fewer steps, draws its fall further right and finds
# a different minimum. And the test measures the learning rate together
# with the rest of the optimizer, here dampened momentum 0.9 and full
# batches: its suggestion holds for those settings. The curve narrows the
# range worth searching; the search (:ref:`tuning`) still decides.
