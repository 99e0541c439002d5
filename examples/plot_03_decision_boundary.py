"""
Decision boundary and accuracy of both backends
===============================================

The lab's 2-3-1 sigmoid network, trained full batch with cross-entropy, in
numpy (:class:`~sklearn_mlplab.NumpyMLPClassifier`) and in PyTorch
(:class:`~sklearn_mlplab.TorchMLPClassifier`). Both start from the same
weights and take the same steps. scikit-learn's
:class:`~sklearn.inspection.DecisionBoundaryDisplay` draws the probabilities.
"""

# %%
# Train both backends and a linear baseline
# -----------------------------------------
# :func:`~sklearn_mlplab.lab.make_network` builds the network with the
# settings of the ``mlplab lab`` command, :data:`~sklearn_mlplab.lab.FULL`
# (3 hidden units, ``lr=0.5``, dampened momentum 0.9, 2000 full-batch
# epochs), inside a pipeline that z-scores the inputs.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import load_lab
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
train, test = load_lab(as_frame=True), load_lab(split="test", as_frame=True)
models = {
    "numpy": make_network(FULL, backend="numpy"),
    "torch": make_network(FULL, backend="torch"),
    "linear": make_pipeline(StandardScaler(), LogisticRegression()),
}
print(f"{'model':>8}  train   test   (Bayes-optimal {train.bayes_accuracy:.4f})")
for name, model in models.items():
    model.fit(train.data, train.target)
    print(
        f"{name:>8}  {model.score(train.data, train.target):.3f}  "
        f"{model.score(test.data, test.target):.3f}"
    )

# %%
# The two backends agree to rounding error:
gap = np.abs(
    models["numpy"].predict_proba(test.data) - models["torch"].predict_proba(test.data)
).max()
print(f"largest difference between their test probabilities: {gap:.1e}")

# %%
# The boundary
# ------------
# Colours are the probability of class 1: strong where the network is sure,
# pale near the boundary, where it crosses 0.5. Class 1 lives in a band
# between the two groups of class 0, which a linear model cannot carve out.
fig, ax = plt.subplots(figsize=(7, 5.5), layout="constrained")
display = DecisionBoundaryDisplay.from_estimator(
    models["numpy"],
    train.data,
    response_method="predict_proba",
    plot_method="contourf",
    cmap="RdBu_r",
    levels=np.linspace(0, 1, 11),
    alpha=0.7,
    ax=ax,
)
for label, marker in ((0, "o"), (1, "^")):
    rows = test.target == label
    ax.scatter(
        test.data.X[rows],
        test.data.Y[rows],
        marker=marker,
        s=14,
        edgecolor="k",
        linewidth=0.4,
        label=f"test, class {label}",
    )
ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncols=2)
fig.colorbar(display.surface_, ax=ax, label="P(class 1)")
plt.show()
