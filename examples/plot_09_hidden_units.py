"""
What each hidden unit computes
==============================

With two input features every hidden unit is a function over the plane and
can be drawn, as TensorFlow Playground draws one on each of its neurons.
:class:`~sklearn_mlplab.inspection.HiddenUnitsDisplay` colours one panel
per unit of a hidden layer by the unit's activation, with the data on top.
Here it maps the lab's 2-3-1 network, then the second hidden layer of a
wider network with two. See :ref:`inspection`.
"""

# %%
# The lab's three hidden units
# ----------------------------
# The lab's network (:data:`~sklearn_mlplab.lab.FULL`: 3 sigmoid units,
# ``lr=0.5``, dampened momentum 0.9, full batch) in a pipeline that z-scores
# the inputs, trained for 1000 epochs. The maps are drawn over the plane of
# the original features: the display sends every point of the grid through
# the pipeline's scaler first.
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlplab import load_lab
from sklearn_mlplab.inspection import HiddenUnitsDisplay, layer_outputs
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_lab(return_X_y=True)
lab = make_network(FULL, max_iter=1000).fit(X, y)
print(f"lab network: training accuracy {lab.score(X, y):.3f}")
display = HiddenUnitsDisplay.from_estimator(lab, X, y, n_cols=3)
for panel, values in zip(display.axes_, display.activations, strict=True):
    panel.contour(display.xx0, display.xx1, values, levels=[0.5], colors="k")
display.figure_.suptitle("2-3-1 network: the hidden layer")
plt.show()

# %%
# Each unit is a sigmoid of a weighted sum of the two (standardised)
# inputs, so each map is a soft step across a straight line, drawn here
# where the unit's activation is 0.5. The scaler maps the plane linearly, so
# the line is straight on the original axes too. Class 1 (black) lies in a
# band between two groups of class 0 (white), which no single line
# separates. Units 1 and 2 are steep steps at the band's left and right
# edges, both rising to the right; the output unit adds the first and
# subtracts the second, which leaves a ridge over the band. Unit 3, a soft
# step with a small weight, only adjusts it. The output weights, and the
# share of rows on which each unit is "on", from the rows' activations
# (:func:`~sklearn_mlplab.inspection.layer_outputs`):
hidden = layer_outputs(lab, X)[1]
print(f"{'':>15}  " + "  ".join(f"unit {u + 1}" for u in range(3)))
print(
    f"{'output weight':>15}  " + "  ".join(f"{w:6.2f}" for w in lab[-1].coefs_[1][:, 0])
)
print(
    f"{'share above 0.5':>15}  "
    + "  ".join(f"{v:6.2f}" for v in (hidden > 0.5).mean(0))
)

# %%
# A wider, deeper network
# -----------------------
# Two hidden layers of 8 and 4 units, trained the same way. The first
# layer's units are again soft steps across lines; each unit of the second
# layer takes a weighted sum of eight of them, so its map need not be a
# single step.
deep = make_network(FULL, hidden=(8, 4), max_iter=1000).fit(X, y)
print(f"8-4 network: training accuracy {deep.score(X, y):.3f}")
display = HiddenUnitsDisplay.from_estimator(deep, X, y, layer=1, n_cols=4)
display.figure_.suptitle("2-8-4-1 network: the second hidden layer")
plt.show()

# %%
# The mean activation of each second-layer unit over the three groups of
# rows -- class 0 left of the band, class 1 in it, class 0 right of it --
# says what each has learned, and the output weights how each is used:
second = layer_outputs(deep, X)[2]
groups = {
    "class 0, left": (y == 0) & (X[:, 0] < 5),
    "class 1, band": y == 1,
    "class 0, right": (y == 0) & (X[:, 0] > 5),
}
print(f"{'':>14}  " + "  ".join(f"unit {u + 1}" for u in range(4)))
for name, rows in groups.items():
    print(f"{name:>14}  " + "  ".join(f"{v:6.2f}" for v in second[rows].mean(axis=0)))
weights = deep[-1].coefs_[2][:, 0]
print(f"{'output weight':>14}  " + "  ".join(f"{w:6.2f}" for w in weights))

# %%
# Units 1 and 2 are low in the band and highest on one side of it, right
# and left: with negative output weights, each says "class 0" on its own
# side. Unit 3 is low in the band and higher on *both* sides, a region that
# no single line bounds -- a shape no first-layer unit can take. Unit 4,
# highest in the band, is the one with a positive weight. The second layer
# already holds most of the boundary; the output unit weighs it up.
