"""
Cross-entropy against squared error
===================================

The lab first trained its 2-3-1 network with the squared error and then
switched to the cross-entropy. Here both losses train the same network from
the same initial weights, full batch, and
:class:`~sklearn_mlplab.LossCurveDisplay` draws the two curves.
"""

# %%
# Train once per loss
# -------------------
# :func:`~sklearn_mlplab.lab.make_network` builds the network of the
# ``mlplab lab`` command from its settings, :data:`~sklearn_mlplab.lab.FULL`:
# 3 hidden units, ``lr=0.5``, dampened momentum 0.9, full batch, z-scored
# inputs. Its runs are of fixed length (``tol=0`` with a patience as long as
# the run), so both curves cover the same epochs. Reaching ``max_iter``
# raises a ConvergenceWarning, which is expected here.
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import LossCurveDisplay, load_lab
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X_train, y_train = load_lab(split="train", return_X_y=True)
X_test, y_test = load_lab(split="test", return_X_y=True)

models = {}
for loss in ("log_loss", "squared_error"):
    models[loss] = make_network(FULL, loss=loss).fit(X_train, y_train)
    curve = models[loss][-1].loss_curve_
    print(
        f"{loss:>13}: loss {curve[0]:.4f} -> {curve[-1]:.4f} "
        f"after {FULL.epochs} epochs, "
        f"train accuracy {models[loss].score(X_train, y_train):.3f}, "
        f"test accuracy {models[loss].score(X_test, y_test):.3f}"
    )

# %%
# The curves
# ----------
# The two losses live on different scales (the squared error is half the
# squared distance between probability and label, at most 0.5), so compare
# their shapes and the accuracies above, not the values. The squared error's
# gradient at the output carries an extra factor p (1 - p), which vanishes
# when the sigmoid saturates; the cross-entropy's gradient is just p - y.
LossCurveDisplay.from_estimator(
    list(models.values()),
    labels=["log_loss (cross-entropy)", "squared_error"],
    log_scale=True,
)
plt.show()
