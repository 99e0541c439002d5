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
# A pipeline scales the data inside each fold. The runs are full batch and of
# fixed length, shorter than the ``mlplab lab`` command's so that this example
# runs in seconds.
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlplab import GridSearchDisplay, NumpyMLPClassifier, load_lab

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_lab(return_X_y=True)
X_test, y_test = load_lab(split="test", return_X_y=True)
epochs = 400
pipe = make_pipeline(
    StandardScaler(),
    NumpyMLPClassifier(
        batch_size=None,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    ),
)
search = GridSearchCV(
    pipe,
    {
        "numpymlpclassifier__hidden": [3, 6, 11],
        "numpymlpclassifier__lr": [0.5, 0.1, 0.01, 0.005],
    },
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
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
