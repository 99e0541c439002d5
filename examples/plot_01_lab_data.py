"""
The lab data, raw and z-scored
==============================

The lab starts by loading its train and test sets and looking at them. The
bundled copy, :func:`~sklearn_mlplab.load_lab`, has two features on very
different scales and two classes that no straight line separates. It was
drawn from a known Gaussian mixture, so the best accuracy any classifier can
reach on new data is known too.
"""

# %%
# Load the two splits
# -------------------
# ``as_frame=True`` returns pandas objects; ``bayes_accuracy`` is the
# accuracy of the Bayes-optimal rule on the distribution the rows came from.
import matplotlib.pyplot as plt
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import load_lab

train = load_lab(split="train", as_frame=True)
test = load_lab(split="test", as_frame=True)
print(train.frame.describe().round(2))
print(f"Bayes-optimal accuracy: {train.bayes_accuracy:.4f}")

# %%
# Raw data
# --------
# ``Y`` spreads over hundreds of units, ``X`` over a few: on equal axes, as
# drawn here, the cloud is a vertical line. Class 1 sits between the two
# groups of class 0.
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, split, name in ((axes[0], train, "train"), (axes[1], test, "test")):
    for label in (0, 1):
        rows = split.target == label
        ax.scatter(split.data.X[rows], split.data.Y[rows], s=10, label=f"class {label}")
    ax.set(title=f"{name} set, raw", xlabel="X")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend()
axes[0].set_ylabel("Y")

# %%
# z-scored data
# -------------
# Subtracting the training mean and dividing by the training standard
# deviation puts both features on the same scale. The test set is scaled with
# the training statistics, as a fitted pipeline would.
scaler = StandardScaler().fit(train.data)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True, sharey=True)
for ax, split, name in ((axes[0], train, "train"), (axes[1], test, "test")):
    Z = scaler.transform(split.data)
    for label in (0, 1):
        rows = (split.target == label).to_numpy()
        ax.scatter(Z[rows, 0], Z[rows, 1], s=10, label=f"class {label}")
    ax.set(title=f"{name} set, z-scored", xlabel="X (z-score)")
    ax.set_aspect("equal")
    ax.legend()
axes[0].set_ylabel("Y (z-score)")
plt.show()
