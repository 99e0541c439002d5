"""Draw the lab's train and test sets from a known Gaussian mixture.

The two classes are equally likely. Class 1 is one Gaussian in the middle;
class 0 is a mixture of two Gaussians, one on each side of it, so that no
straight line separates the classes but a network with a few hidden units
can. The mixture is defined in a unit-scale latent plane; the published
features are an affine map of it, ``X = 5 + 1.2 u1`` and
``Y = 250 + 60 u2``, so the two columns live on very different scales.
An affine map of the features does not change which points the
Bayes-optimal rule gets right, so its accuracy is computed in the latent
plane:

    accuracy = integral of max(p0(u) / 2, p1(u) / 2) du

by the midpoint rule on a 4001 x 4001 grid over [-12, 12]^2 (the probability
mass outside it is below 1e-20). The script also computes it on a 2001 x 2001
grid and stops with an error unless the two agree to 1e-6, and checks it by
a Monte Carlo estimate that draws from the mixture itself.

Run ``python data/make_lab_data.py`` from the repository root to rewrite
``data/lab_train.csv``, ``data/lab_test.csv``, ``data/lab.rst`` and their
copies in ``sklearn_mlplab/_data/``. The output is the same on every run.
"""

import argparse
import shutil
from pathlib import Path

import numpy as np

# The distribution lives in the package, which needs it for the Bayes rule:
# features = OFFSET + SCALE * u, u from a Gaussian mixture per class given as
# (class, weight within the class, mean, covariance).
from sklearn_mlplab.datasets import _COMPONENTS as COMPONENTS
from sklearn_mlplab.datasets import _OFFSET as OFFSET
from sklearn_mlplab.datasets import _SCALE as SCALE
from sklearn_mlplab.datasets import _class_density as class_density

SEED = 18
N_TRAIN = 300
N_TEST = 300
FEATURE_NAMES = ("X", "Y")
TARGET_NAME = "label"
CLASS_PRIOR = 0.5

ROOT = Path(__file__).resolve().parent.parent
OUT_DIRS = (ROOT / "data", ROOT / "sklearn_mlplab" / "_data")


def bayes_accuracy_grid(n_points=4001, half_width=12.0):
    """Bayes-optimal accuracy by the midpoint rule on an n x n grid."""
    h = 2 * half_width / n_points
    axis = -half_width + h * (np.arange(n_points) + 0.5)
    total = 0.0
    for row in np.array_split(axis, 40):
        u = np.array(np.meshgrid(axis, row)).reshape(2, -1).T
        p0 = CLASS_PRIOR * class_density(0, u)
        p1 = (1 - CLASS_PRIOR) * class_density(1, u)
        total += np.maximum(p0, p1).sum()
    return total * h * h


def sample(n, rng):
    """Draw ``n`` rows, half of each class, in the latent plane."""
    u, y = [], []
    for label, n_class in ((0, n // 2), (1, n - n // 2)):
        comps = [c for c in COMPONENTS if c[0] == label]
        weights = np.array([c[1] for c in comps])
        which = rng.choice(len(comps), size=n_class, p=weights)
        for i, (_, _, mean, cov) in enumerate(comps):
            k = int((which == i).sum())
            # Cholesky by hand: the stream does not depend on numpy's
            # multivariate_normal implementation.
            z = rng.standard_normal((k, 2))
            u.append(np.asarray(mean) + z @ np.linalg.cholesky(np.asarray(cov)).T)
            y.append(np.full(k, label))
    u, y = np.vstack(u), np.concatenate(y)
    order = rng.permutation(n)
    return u[order], y[order]


def bayes_accuracy_monte_carlo(n, rng):
    """Bayes-optimal accuracy estimated on ``n`` draws; returns (mean, std err)."""
    u, y = sample(n, rng)
    pred = (class_density(1, u) > class_density(0, u)).astype(int)
    correct = pred == y
    return correct.mean(), correct.std() / np.sqrt(n)


def to_csv(u, y):
    """The CSV text of latent points ``u`` and labels ``y``."""
    x = OFFSET + SCALE * u
    lines = [",".join((*FEATURE_NAMES, TARGET_NAME))]
    lines += [f"{a:.4f},{b:.2f},{c}" for (a, b), c in zip(x, y, strict=False)]
    return "\n".join(lines) + "\n"


def make_csvs():
    """Return the text of the train and test CSVs."""
    rng = np.random.default_rng(SEED)
    train = to_csv(*sample(N_TRAIN, rng))
    test = to_csv(*sample(N_TEST, rng))
    return train, test


DESCR = """\
.. _lab_dataset:

Lab dataset
-----------

**Data Set Characteristics:**

:Number of Instances: {n_train} (train), {n_test} (test), half of each class
:Number of Attributes: 2 numeric features and the class
:Attribute Information:
    - X: first feature, training mean {mean_x:.2f}, standard deviation {std_x:.2f}
    - Y: second feature, training mean {mean_y:.1f}, standard deviation {std_y:.1f}
    - label: the class, 0 or 1
:Missing Attribute Values: None
:Bayes-optimal accuracy: {bayes:.4f}

A two-class problem in two dimensions, made for the deep-learning lab that
trains a 2-3-1 sigmoid multi-layer perceptron: class 1 is a Gaussian blob in
the middle, class 0 a mixture of two Gaussians on either side of it. No
straight line separates the classes (a logistic regression scores about 0.6),
a network with three hidden units gets close to the best possible accuracy.
The standard deviations of the two features are about {ratio:.0f} times apart,
which is why the lab z-scores them before training.

The rows are drawn from a known distribution, so the best accuracy any
classifier can have on new data is known. In a unit-scale latent plane
(u1, u2), with X = 5 + 1.2 u1 and Y = 250 + 60 u2, and classes equally
likely:

- class 0: 0.6 N((-2.6, -0.8), [[0.6, 0.1], [0.1, 0.8]])
  + 0.4 N((2.5, 1.0), [[0.6, -0.2], [-0.2, 0.9]])
- class 1: N((0, 0), [[0.45, 0.3], [0.3, 1.5]])

The Bayes-optimal rule predicts the class of higher density. Its accuracy,
the integral of max(p0, p1) / 2 over the plane, is {bayes:.6f}, computed by
the midpoint rule on a {n_grid} x {n_grid} grid over [-12, 12]^2 (a
{n_coarse} x {n_coarse} grid gives {coarse:.8f}, against {bayes:.8f});
a Monte Carlo check on {n_mc:,} draws from the mixture gives
{mc:.4f} +/- {mc_se:.4f}.

The script ``data/make_lab_data.py`` in the source repository draws both
sets with the seed {seed} and recomputes these numbers.
"""


def make_descr(train_csv):
    """The dataset description, with the Bayes-optimal accuracy computed."""
    rows = np.array(
        [line.split(",") for line in train_csv.splitlines()[1:]], dtype=float
    )
    mean, std = rows[:, :2].mean(axis=0), rows[:, :2].std(axis=0, ddof=1)
    n_grid, n_coarse, n_mc = 4001, 2001, 2_000_000
    bayes = bayes_accuracy_grid(n_grid)
    coarse = bayes_accuracy_grid(n_coarse)
    if abs(bayes - coarse) > 1e-6:
        raise RuntimeError(
            f"the {n_grid}- and {n_coarse}-point grids disagree ({bayes:.8f} "
            f"against {coarse:.8f}): refine the grid"
        )
    mc, mc_se = bayes_accuracy_monte_carlo(n_mc, np.random.default_rng(SEED + 1))
    return DESCR.format(
        n_train=N_TRAIN,
        n_test=N_TEST,
        bayes=bayes,
        n_grid=n_grid,
        n_coarse=n_coarse,
        coarse=coarse,
        n_mc=n_mc,
        mc=mc,
        mc_se=mc_se,
        seed=SEED,
        mean_x=mean[0],
        mean_y=mean[1],
        std_x=std[0],
        std_y=std[1],
        ratio=std[1] / std[0],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    train, test = make_csvs()
    descr = make_descr(train)
    first, *copies = OUT_DIRS
    for name, text in (
        ("lab_train.csv", train),
        ("lab_test.csv", test),
        ("lab.rst", descr),
    ):
        (first / name).write_text(text)
        for out in copies:
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(first / name, out / name)
    print(descr)


if __name__ == "__main__":
    main()
