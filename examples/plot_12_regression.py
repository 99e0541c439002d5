"""
Regression: a noisy curve as hidden and lr change
=================================================

:class:`~sklearn_mlplab.NumpyMLPRegressor` is the lab's network with a
regression output: one identity unit and the squared error, trained by the
same backpropagation, optimizers and stopping rules as the classifier. Here
it fits a noisy sine, the regression analogue of the lab's hidden x lr grid:
each panel is one setting, with the fitted curve over the data and the test
R^2 in its title. See :ref:`regression`.
"""

# %%
# The data
# --------
# 200 points of :math:`\sin(x) + x / 3`, with noise of standard deviation
# 0.2, half of them held out. The inputs are scaled inside the pipeline.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import LossCurveDisplay, NumpyMLPRegressor, TorchMLPRegressor

rng = np.random.RandomState(0)
x = rng.uniform(-4, 4, size=200)
y = np.sin(x) + x / 3 + rng.normal(scale=0.2, size=200)
X = x[:, None]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
grid_x = np.linspace(-4, 4, 300)[:, None]

# %%
# Hidden units x learning rate
# ----------------------------
# Three widths of one tanh layer, three learning rates of the lab's
# momentum rule, 500 mini-batch epochs (batch 32) under the default
# stopping rule. One unit can only bend the line once; three can follow the
# sine; a learning rate of 0.01 has not reached the curve by the time the
# loss stops improving by ``tol`` per epoch.
hiddens, lrs = (1, 3, 10), (0.3, 0.1, 0.01)
fig, axes = plt.subplots(
    len(hiddens),
    len(lrs),
    figsize=(10, 8),
    sharex=True,
    sharey=True,
    layout="constrained",
)
models = {}
for i, hidden in enumerate(hiddens):
    for j, lr in enumerate(lrs):
        model = make_pipeline(
            StandardScaler(),
            NumpyMLPRegressor(
                hidden, activation="tanh", lr=lr, max_iter=500, random_state=0
            ),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        models[hidden, lr] = model
        ax = axes[i, j]
        ax.scatter(x, y, s=6, c="0.6")
        ax.plot(grid_x[:, 0], model.predict(grid_x), c="C3", lw=2)
        ax.set_title(
            f"hidden={hidden}, lr={lr}: R$^2$ {model.score(X_test, y_test):.3f}"
            f"\n{model[-1].n_iter_} epochs",
            fontsize=9,
        )
fig.suptitle("NumpyMLPRegressor on a noisy sine: test R$^2$ per setting")
plt.show()

# %%
# The best setting, and its twin on PyTorch
# -----------------------------------------
# :class:`~sklearn_mlplab.TorchMLPRegressor` draws the same initial weights
# and takes the same steps, with autograd's gradients: the two predictions
# agree to rounding.
best = max(models, key=lambda k: models[k].score(X_test, y_test))
print("best setting (hidden, lr):", best)
twin = make_pipeline(
    StandardScaler(),
    TorchMLPRegressor(
        best[0], activation="tanh", lr=best[1], max_iter=500, random_state=0
    ),
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    twin.fit(X_train, y_train)
gap = np.abs(twin.predict(grid_x) - models[best].predict(grid_x)).max()
print(f"largest numpy/torch difference over the curve: {gap:.1e}")

# %%
# Its loss curve, with early stopping on validation R^2
# -----------------------------------------------------
# ``early_stopping=True`` holds out a random fifth of the training rows
# (``validation_fraction=0.2``; regression targets are not stratified: 20
# of the 100 here, since ten noisy rows make a jumpy score), watches their
# R^2
# (``scoring="r2"``, as scikit-learn's ``MLPRegressor``) and keeps the best
# epoch's weights. :class:`~sklearn_mlplab.LossCurveDisplay` draws the
# training loss, the held-out loss and the scores.
stopped = make_pipeline(
    StandardScaler(),
    NumpyMLPRegressor(
        best[0],
        activation="tanh",
        lr=best[1],
        max_iter=500,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=50,
        random_state=0,
    ),
).fit(X_train, y_train)
print(
    f"early stopping: {stopped[-1].n_iter_} epochs, test R^2 "
    f"{stopped.score(X_test, y_test):.3f}"
)
LossCurveDisplay.from_estimator(stopped[-1])
plt.show()
