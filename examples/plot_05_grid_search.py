"""
Hidden units against learning rate
==================================

The lab trained networks with 3, 6 and 11 hidden units at several learning
rates and compared their loss curves. Here ``GridSearchCV`` scores every pair
by cross-validation and :class:`~sklearn_mlplab.GridSearchDisplay` draws the
mean CV accuracy as a heat map, next to the training loss of every pair.
"""

# %%
# The search
# ----------
# The grid, the folds and the network are the ``mlplab lab`` command's, from
# :data:`~sklearn_mlplab.lab.FULL`; :func:`~sklearn_mlplab.lab.make_network`
# puts the network in a pipeline that scales the data inside each fold. The
# command trains each fit for 1000 epochs over 5 folds; this example trains
# for 400 over 3, so that it runs in seconds.
import dataclasses
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_mlplab import GridSearchDisplay, load_lab
from sklearn_mlplab.lab import FULL, make_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)
config = dataclasses.replace(FULL, search_epochs=400, cv=3)
X, y = load_lab(return_X_y=True)
X_test, y_test = load_lab(split="test", return_X_y=True)
pipe = make_network(config, max_iter=config.search_epochs)
search = GridSearchCV(
    pipe,
    {
        "numpymlpclassifier__hidden": list(config.hidden_grid),
        "numpymlpclassifier__lr": list(config.lr_grid),
    },
    cv=StratifiedKFold(config.cv, shuffle=True, random_state=0),
).fit(X, y)
print("best parameters:", search.best_params_)
print(f"best mean CV accuracy: {search.best_score_:.3f}")
print(
    f"test accuracy of the refitted best pipeline: {search.score(X_test, y_test):.3f}"
)

# %%
# Scores and loss curves
# ----------------------
# ``GridSearchCV`` keeps the scores but not the fitted networks, so
# ``from_search`` refits each pair on the whole training set for its loss
# curve. The small learning rates have not gone anywhere yet: with the
# dampened momentum the step is ``lr g``, and a few hundred epochs at
# ``lr=0.005`` add up to very little.
GridSearchDisplay.from_search(search, X, y)
plt.show()
