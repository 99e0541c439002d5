"""The lab's bundled dataset, in scikit-learn's loader convention."""

import csv
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

# Computed by data/make_lab_data.py (midpoint rule on a 4001 x 4001 grid) and
# written into lab.rst; tests/test_datasets.py checks the two agree.
LAB_BAYES_ACCURACY = 0.950032

_SPLITS = ("train", "test")

# The distribution the rows were drawn from, as in data/make_lab_data.py:
# features = _OFFSET + _SCALE * u, with u from a Gaussian mixture per class
# given as (class, weight within the class, mean, covariance); equal priors.
_OFFSET = np.array([5.0, 250.0])
_SCALE = np.array([1.2, 60.0])
_COMPONENTS = (
    (0, 0.6, (-2.6, -0.8), ((0.6, 0.1), (0.1, 0.8))),
    (0, 0.4, (2.5, 1.0), ((0.6, -0.2), (-0.2, 0.9))),
    (1, 1.0, (0.0, 0.0), ((0.45, 0.3), (0.3, 1.5))),
)


def _class_density(label, u):
    """Latent density of class ``label`` at the rows of ``u`` (unnormalised
    by the affine map, which scales both classes alike)."""
    total = np.zeros(len(u))
    for k, weight, mean, cov in _COMPONENTS:
        if k != label:
            continue
        cov = np.asarray(cov)
        d = u - np.asarray(mean)
        q = np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)
        total += weight * np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(np.linalg.det(cov)))
    return total


def _bayes_predict(X):
    """The Bayes-optimal rule's class for each row of the lab's features."""
    u = (np.asarray(X, dtype=np.float64) - _OFFSET) / _SCALE
    return (_class_density(1, u) > _class_density(0, u)).astype(np.int64)


def _read_lab_csv(split):
    text = resources.files("sklearn_mlplab").joinpath("_data", f"lab_{split}.csv")
    with text.open("r", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    values = np.array(body, dtype=np.float64)
    return header, values[:, :-1], values[:, -1].astype(np.int64)


def load_lab(*, split="train", return_X_y=False, as_frame=False):
    """Load the lab's two-feature, two-class dataset.

    Rows are drawn from a known Gaussian mixture (see ``DESCR``), so the best
    accuracy any classifier can reach on new data is known:
    ``bunch.bayes_accuracy``, about 0.95. The two features' standard
    deviations are about thirty times apart; z-score them before training a
    network.

    =================   ==========================
    Classes                                      2
    Samples per split          300 (150 per class)
    Features             2, real, not standardised
    =================   ==========================

    Parameters
    ----------
    split : {"train", "test"}, default="train"
        Which of the two sets to load.

    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        Return ``data`` as a pandas DataFrame and ``target`` as a Series, and
        fill ``frame`` with both. Needs pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (300, 2) or DataFrame
            The features ``X`` and ``Y``, float64.
        target : ndarray of shape (300,) or Series
            The class, 0 or 1, int64.
        feature_names : list of str
            ``["X", "Y"]``.
        target_names : ndarray of shape (2,)
            ``array(["0", "1"])``.
        frame : DataFrame of shape (300, 3) or None
            Features and target together when ``as_frame=True``.
        DESCR : str
            Description of the dataset and of how its Bayes-optimal accuracy
            was computed.
        bayes_accuracy : float
            Accuracy of the Bayes-optimal classifier on the distribution the
            rows were drawn from.
        bayes_sample_accuracy : float
            Accuracy of that same rule on this split's rows: what the best
            possible classifier scores on this particular sample.

    (data, target) : tuple if ``return_X_y`` is True
        The features and the class.

    Examples
    --------
    >>> from sklearn_mlplab import load_lab
    >>> lab = load_lab()
    >>> lab.data.shape, lab.target.shape
    ((300, 2), (300,))
    >>> lab.feature_names
    ['X', 'Y']
    >>> round(lab.bayes_accuracy, 3)
    0.95
    >>> 0.9 < lab.bayes_sample_accuracy <= 1.0
    True
    >>> X_test, y_test = load_lab(split="test", return_X_y=True)
    >>> X_test.dtype, y_test.dtype
    (dtype('float64'), dtype('int64'))
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    header, data, target = _read_lab_csv(split)
    sample_accuracy = float(np.mean(_bayes_predict(data) == target))
    feature_names, target_column = header[:-1], header[-1]
    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(data, columns=feature_names)
        frame[target_column] = target
        data, target = frame[feature_names], frame[target_column]
    if return_X_y:
        return data, target
    descr = (
        resources.files("sklearn_mlplab")
        .joinpath("_data", "lab.rst")
        .read_text(encoding="utf-8")
    )
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=np.array(["0", "1"]),
        DESCR=descr,
        bayes_accuracy=LAB_BAYES_ACCURACY,
        bayes_sample_accuracy=sample_accuracy,
    )
