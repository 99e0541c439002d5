"""
The whole grid at once: BatchedGridSearchCV
===========================================

:class:`~sklearn_mlplab.model_selection.BatchedGridSearchCV` takes the same
arguments as :class:`~sklearn.model_selection.GridSearchCV` and gives the same
``cv_results_``, but trains the candidates that can share a stack side by
side, as one network with a member axis in front. Here both searches run the
lab's hidden x lr grid, and a small grid with a second solver shows what
happens to a candidate that cannot be stacked. See :ref:`tuning_batched`.
"""

# %%
# The same search, twice
# ----------------------
# The lab's grid, folds and network (:data:`~sklearn_mlplab.lab.FULL`):
# 3 x 4 candidates on 5 stratified folds, 60 fits of 1000 full-batch epochs
# each, the network in a pipeline that scales the data inside each fold.
# Every fit runs to ``max_iter``, hence the silenced ``ConvergenceWarning``.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_mlplab import GridSearchDisplay
from sklearn_mlplab.lab import FULL, load_bundled, make_network
from sklearn_mlplab.model_selection import BatchedGridSearchCV

data = load_bundled()
X, y = data.X_train, data.y_train
pipe = make_network(FULL, max_iter=1000)
grid = {
    "numpymlpclassifier__hidden": list(FULL.hidden_grid),
    "numpymlpclassifier__lr": list(FULL.lr_grid),
}
cv = StratifiedKFold(5, shuffle=True, random_state=0)

searches, seconds = {}, {}
for name, cls in [
    ("GridSearchCV", GridSearchCV),
    ("BatchedGridSearchCV", BatchedGridSearchCV),
]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        searches[name] = cls(pipe, grid, cv=cv).fit(X, y)
        seconds[name] = time.perf_counter() - start
    print(f"{name}: {seconds[name]:.2f} s")

search, batched = searches["GridSearchCV"], searches["BatchedGridSearchCV"]
n_fits = len(batched.cv_results_["params"]) * batched.n_splits_
print(f"stacked fits: {batched.n_stacked_} of {n_fits}")
difference = np.max(
    np.abs(
        batched.cv_results_["mean_test_score"] - search.cv_results_["mean_test_score"]
    )
)
print(f"largest difference in mean_test_score: {difference}")
print("same best_params_:", batched.best_params_ == search.best_params_)
print("best parameters:", batched.best_params_)

# %%
# The two grids side by side
# --------------------------
# The mean CV accuracy of each pair, as each search found it, with the time
# each search took.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for ax, name in zip(axes, searches, strict=True):
    GridSearchDisplay.from_search(searches[name], ax=ax)
    ax.set_title(f"{name}: {seconds[name]:.2f} s")
plt.show()

# %%
# A candidate that cannot be stacked
# ----------------------------------
# A stack holds only networks with ``solver="sgd"``, a constant learning rate
# and no early stopping, among other conditions (:ref:`tuning_batched`).
# Adding ``solver="adam"`` to a small grid leaves the Adam candidates to be
# fitted one by one, in the same search; ``n_stacked_`` counts the fits that
# were stacked.
small_grid = {
    "numpymlpclassifier__hidden": [3, 6],
    "numpymlpclassifier__lr": [0.1],
    "numpymlpclassifier__solver": ["sgd", "adam"],
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    mixed = BatchedGridSearchCV(
        make_network(FULL, max_iter=200), small_grid, cv=cv
    ).fit(X, y)
n_fits = len(mixed.cv_results_["params"]) * mixed.n_splits_
n_sgd = sum(
    p["numpymlpclassifier__solver"] == "sgd" for p in mixed.cv_results_["params"]
)
print(
    f"stacked fits: {mixed.n_stacked_} of {n_fits} "
    f"({n_sgd} sgd candidates x {mixed.n_splits_} folds)"
)
