"""
Validation loss and per-epoch callbacks
=======================================

With ``early_stopping=True`` a fit holds out part of its training rows and
records, after each epoch, both a score of those rows
(``validation_scores_``) and their mean loss (``validation_loss_curve_``).
This example stops on the validation loss (``scoring="loss"``) and draws the
training and validation losses together; then it logs the training accuracy
of every epoch with scikit-learn's ``ScoringMonitor`` callback. See
:ref:`early_stopping` and :ref:`callbacks`.
"""

# %%
# Training and validation loss
# ----------------------------
# Two noisy half-moons, standardised inside the pipeline. ``scoring="loss"``
# makes the stopping rule watch the validation loss instead of the accuracy,
# so ``validation_scores_`` holds minus the validation loss. The rule stops
# the fit once the validation loss has not improved for more than
# ``n_iter_no_change`` epochs, and the network keeps the weights of its best
# epoch.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import LossCurveDisplay, NumpyMLPClassifier

X, y = make_moons(n_samples=400, noise=0.3, random_state=0)
model = make_pipeline(
    StandardScaler(),
    NumpyMLPClassifier(
        hidden=8,
        activation="tanh",
        lr=0.3,
        early_stopping=True,
        validation_fraction=0.25,
        scoring="loss",
        n_iter_no_change=20,
        max_iter=500,
        random_state=0,
    ),
).fit(X, y)
net = model[-1]
best = max(range(net.n_iter_), key=net.validation_scores_.__getitem__)
print(
    f"{net.n_iter_} epochs; lowest validation loss "
    f"{net.validation_loss_curve_[best]:.4f} after epoch {best + 1}"
)

# %%
# :class:`~sklearn_mlplab.LossCurveDisplay` draws the training loss solid and
# the validation loss dotted on the same axes, and the validation scores
# dashed on a second axis (here minus the validation loss: the dotted curve
# mirrored). Both losses fall steeply in the first epochs; the validation
# loss then drifts down slowly and noisily, reaches its lowest value at
# epoch 76, and the rule stops the fit 21 epochs later. Here the validation
# loss lies *below* the training loss. The two are not measured alike: each
# point of the training curve is the mean over the epoch's batches, each
# taken before its step, with the model still changing, whereas the
# validation loss is taken once, after the epoch; and 100 held-out rows of
# noisy data can be easier than the rest by chance. What the rule watches is
# only where the dotted curve stops falling.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
display = LossCurveDisplay.from_estimator(
    model, labels=["tanh, 8 hidden units"], ax=ax, title='scoring="loss"'
)
plt.show()

# %%
# A score per epoch with ``ScoringMonitor``
# -----------------------------------------
# With scikit-learn 1.9 or later, ``set_callbacks`` registers callbacks of
# ``sklearn.callback`` on the network. Each epoch is a task named
# ``"epoch"`` inside the fit's task, and ``ScoringMonitor`` scores the
# model on the training data at the end of each one. Its log holds a row per
# epoch (and one for the whole fit), here shown as a pandas DataFrame. The
# 30 epochs are a fixed budget, so the ``ConvergenceWarning`` of reaching
# ``max_iter`` is silenced.
try:
    from sklearn.callback import ScoringMonitor
except ImportError:  # scikit-learn before 1.9 has no callback API
    ScoringMonitor = None

if ScoringMonitor is not None:
    monitor = ScoringMonitor(scoring="accuracy")
    monitored = make_pipeline(
        StandardScaler(),
        NumpyMLPClassifier(
            hidden=8, activation="tanh", lr=0.3, max_iter=30, random_state=0
        ).set_callbacks(monitor),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        monitored.fit(X, y)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["task_name"] == "epoch"]
    # task_id numbers the epochs from 0.
    print(epochs[["task_id", "accuracy"]].head(8).to_string(index=False))
else:
    print("This scikit-learn has no sklearn.callback: skipped.")
