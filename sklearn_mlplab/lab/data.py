"""The data a study runs on: the bundled lab data or a user's CSV, checked.

Every problem with a CSV raises :class:`DataError` with one line that says
what is wrong and what to do; ``mlplab`` prints it and exits with status 2.
Fixes the loader makes on its own (a pandas index column left out) are
recorded in :attr:`LabData.notes`, printed as warnings and kept in the
report.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_DELIMITERS = ",;\t|"


class DataError(ValueError):
    """A CSV or a column choice the study cannot use; the message is the cure.

    Examples
    --------
    >>> from sklearn_mlplab.lab import FULL, DataError, load_csv
    >>> try:
    ...     load_csv("no-such-file.csv", "label", FULL, seed=0)
    ... except DataError as exc:
    ...     print(exc)
    no such file: 'no-such-file.csv'
    """


@dataclass(frozen=True)
class LabData:
    """Train and test sets of a study, with what is known about them.

    Made by :func:`load_bundled` or :func:`load_csv`, not by hand.

    Parameters
    ----------
    X_train : DataFrame
        The feature columns of the training rows.
    y_train : Series
        Their class labels.
    X_test : DataFrame
        The feature columns of the test rows.
    y_test : Series
        Their class labels.
    feature_names : tuple of str
        The feature columns, in order.
    target : str
        The class column.
    source : str
        Where the rows came from, as the report says it.
    bundled : bool, default=False
        Whether this is the lab's own data (:func:`load_bundled`).
    bayes_accuracy : float, default=None
        Accuracy of the Bayes-optimal rule on the distribution the rows were
        drawn from; known only for the bundled data.
    bayes_train_accuracy, bayes_test_accuracy : float, default=None
        Accuracy of that rule on these very training and test rows.
    notes : tuple of str, default=()
        Fixes the loader made on its own, such as a saved pandas index column
        left out; printed as warnings and kept in the report.

    Examples
    --------
    >>> from sklearn_mlplab.lab import load_bundled
    >>> data = load_bundled()
    >>> data.X_train.shape, data.feature_names, data.bundled
    ((300, 2), ('X', 'Y'), True)
    """

    X_train: object
    y_train: object
    X_test: object
    y_test: object
    feature_names: tuple
    target: str
    source: str
    bundled: bool = False
    # Population accuracy of the Bayes-optimal rule, and its accuracy on
    # these very train and test rows; known only for the bundled data.
    bayes_accuracy: float | None = None
    bayes_train_accuracy: float | None = None
    bayes_test_accuracy: float | None = None
    notes: tuple = field(default_factory=tuple)


def quoted(value):
    """A label as code shows it: ``0`` or ``'a'``, not ``np.int64(0)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def load_bundled():
    """The lab's own train and test sets (:func:`sklearn_mlplab.load_lab`).

    Returns
    -------
    data : LabData
        300 training and 300 test rows, with the Bayes-optimal accuracy.

    Examples
    --------
    >>> from sklearn_mlplab.lab import load_bundled
    >>> data = load_bundled()
    >>> data.bundled, data.target, round(data.bayes_accuracy, 3)
    (True, 'label', 0.95)
    """
    from ..datasets import load_lab

    train = load_lab(split="train", as_frame=True)
    test = load_lab(split="test", as_frame=True)
    return LabData(
        train.data,
        train.target,
        test.data,
        test.target,
        tuple(train.feature_names),
        "label",
        "the bundled lab dataset (sklearn_mlplab.load_lab)",
        bundled=True,
        bayes_accuracy=train.bayes_accuracy,
        bayes_train_accuracy=train.bayes_sample_accuracy,
        bayes_test_accuracy=test.bayes_sample_accuracy,
    )


def sniff_delimiter(path, sep=None):
    """``sep`` if given, else the delimiter the file's first lines use."""
    if sep is not None:
        return sep
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        head = f.read(16384)
    try:
        return csv.Sniffer().sniff(head, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_csv(path, sep=None):
    """A CSV file as a DataFrame, with every reading problem as a DataError."""
    import pandas as pd

    path = Path(path)
    name = repr(str(path))
    if not path.exists():
        raise DataError(f"no such file: {name}")
    if path.is_dir():
        raise DataError(f"{name} is a directory, not a CSV file")
    try:
        frame = pd.read_csv(path, sep=sniff_delimiter(path, sep))
    except pd.errors.EmptyDataError:
        raise DataError(f"{name} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise DataError(
            f"cannot read {name} as CSV: {first}; give the delimiter with --sep"
        ) from None
    except OSError as exc:
        raise DataError(f"cannot read {name}: {exc.strerror}") from None
    if frame.shape[0] == 0:
        raise DataError(f"{name} has a header but no rows")
    return frame


def _columns_text(frame):
    return ", ".join(map(str, frame.columns))


def _check_named(frame, names, option, name):
    for column in names:
        if column not in frame.columns:
            raise DataError(
                f"{option} names {column!r}, which is not a column of {name}; "
                f"its columns are: {_columns_text(frame)}"
            )


# How pandas names a saved index: no header (``df.to_csv()``), or "index"
# (``df.reset_index().to_csv(index=False)``).
_INDEX_NAMES = ("Unnamed: 0", "index")


def _index_column(frame):
    """The name of a saved pandas index (first column), or None."""
    import pandas as pd

    first = frame.columns[0]
    if str(first) not in _INDEX_NAMES:
        return None
    values = frame[first]
    if pd.api.types.is_integer_dtype(values) and values.is_unique:
        return first
    if str(first) == "index":
        return None  # a real feature that happens to be called "index"
    raise DataError(
        f"the first column has no name and does not look like a saved index; "
        f"name it in the header, or leave it out with --drop {first!r}"
    )


def select_features(frame, target, name, features=None, drop=None):
    """The feature columns, and a note for each column left out on its own.

    Parameters
    ----------
    frame : DataFrame
        The whole CSV.
    target : str
        The class column.
    name : str
        The file, quoted, for messages.
    features, drop : list of str, default=None
        Columns to keep, or to leave out; at most one of them.

    Returns
    -------
    columns : list of str
    notes : list of str
    """
    if target not in frame.columns:
        header = str(frame.columns[0])
        other = [d for d in _DELIMITERS if d in header]
        if len(frame.columns) == 1 and other:
            raise DataError(
                f"{name} has one column, {header!r}: the delimiter looks like "
                f"{other[0]!r}; give it with --sep {other[0]!r}"
            )
        raise DataError(
            f"column {target!r} is not in {name}; its columns are: "
            f"{_columns_text(frame)}; choose the class column with --target"
        )
    if features is not None and drop is not None:
        raise DataError("give --features or --drop, not both")
    if features is not None:
        _check_named(frame, features, "--features", name)
        if target in features:
            raise DataError(f"--features lists the target column {target!r}")
        return list(dict.fromkeys(features)), []
    drop = list(drop or [])
    _check_named(frame, drop, "--drop", name)
    notes = []
    index = _index_column(frame)
    if index is not None and index not in drop and index != target:
        drop.append(index)
        notes.append(
            f"column {index!r} of {name} is a saved pandas index (a first column "
            "of unique integers named as pandas names an index) and is left "
            "out; list the features with --features to keep it"
        )
    columns = [c for c in frame.columns if c != target and c not in drop]
    if not columns:
        raise DataError(f"{name} has no feature columns besides {target!r}")
    return columns, notes


def _check_numeric(X, name):
    import pandas as pd

    for column in X.columns:
        values = X[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
            values
        ):
            continue
        sample = values.dropna().astype(str).iloc[0] if values.notna().any() else ""
        raise DataError(
            f"feature column {column!r} of {name} is not numeric (e.g. {sample!r}); "
            f"leave it out with --drop {column!r} or list the features with "
            "--features"
        )


def split_columns(frame, target, columns, name, min_classes=2):
    """Features and target of a CSV, checked for what the networks need."""
    from sklearn.utils.multiclass import type_of_target

    X, y = frame[columns], frame[target]
    _check_numeric(X, name)
    missing = [c for c in [*columns, target] if frame[c].isna().any()]
    if missing:
        raise DataError(
            f"{name} has missing values in column {missing[0]!r}; fill them, "
            f"drop those rows, or leave the column out with --drop"
        )
    X = X.astype(np.float64)
    if not np.isfinite(X.to_numpy()).all():
        raise DataError(f"{name} has infinite values; every feature must be finite")
    if type_of_target(y.to_numpy()) == "continuous":
        raise DataError(
            f"target column {target!r} of {name} holds continuous values; "
            "--target must name a column of class labels"
        )
    classes = y.unique()
    if len(classes) < min_classes:
        raise DataError(
            f"target column {target!r} of {name} has only one class "
            f"({quoted(classes[0])}); the study needs at least two"
        )
    return X, y


def _check_counts(y_train, y_test, config):
    counts = y_train.value_counts()
    if counts.min() < config.cv:
        raise DataError(
            f"class {quoted(counts.idxmin())} has only {counts.min()} training rows; "
            f"the {config.cv}-fold search needs at least {config.cv} per class"
        )
    unseen = sorted(set(y_test.unique()) - set(y_train.unique()), key=str)
    if unseen:
        raise DataError(
            f"the test set has label {quoted(unseen[0])}, which the training set "
            "does not have; every test label must occur in training"
        )


def _hold_out(X, y, path, config, seed):
    from sklearn.model_selection import train_test_split

    counts = y.value_counts()
    if counts.min() < 2:
        raise DataError(
            f"class {quoted(counts.idxmin())} of {str(path)!r} has only "
            f"{counts.min()} row; each class needs at least {config.cv + 2} rows"
        )
    parts = train_test_split(
        X, y, test_size=config.test_size, stratify=y, random_state=seed
    )
    source = (
        f"{path}, split {1 - config.test_size:.0%} train / "
        f"{config.test_size:.0%} test (stratified, seed {seed})"
    )
    return parts, source


def load_csv(
    path, target, config, seed, *, test_path=None, features=None, drop=None, sep=None
):
    """A user's CSV (and test CSV) as the study's data, checked.

    Parameters
    ----------
    path : str or Path
        The training CSV; without ``test_path`` a stratified share
        ``config.test_size`` of it is held out for testing.
    target : str
        The class column.
    config : LabConfig
        The study's settings (folds, test share).
    seed : int
        Seed of the hold-out split.
    test_path : str or Path, default=None
        A test CSV with the same columns.
    features, drop : list of str, default=None
        Columns to keep, or to leave out.
    sep : str, default=None
        The delimiter; None detects it.

    Returns
    -------
    data : LabData
        The checked train and test sets.

    Raises
    ------
    DataError
        With one line that says what is wrong and what to do.

    Examples
    --------
    The bundled training CSV, with 30% of it held out for testing:

    >>> from importlib import resources
    >>> from sklearn_mlplab.lab import FULL, load_csv
    >>> path = resources.files("sklearn_mlplab") / "_data" / "lab_train.csv"
    >>> data = load_csv(path, "label", FULL, seed=0)
    >>> len(data.y_train), len(data.y_test), data.feature_names
    (210, 90, ('X', 'Y'))
    """
    name = repr(str(path))
    frame = read_csv(path, sep)
    columns, notes = select_features(frame, target, name, features, drop)
    X, y = split_columns(frame, target, columns, name)
    if test_path is None:
        (X_train, X_test, y_train, y_test), source = _hold_out(X, y, path, config, seed)
    else:
        test_name = repr(str(test_path))
        test_frame = read_csv(test_path, sep)
        absent = [c for c in [*columns, target] if c not in test_frame.columns]
        if absent:
            raise DataError(
                f"{test_name} has no column {absent[0]!r}; the test file needs "
                f"the same columns as {name}"
            )
        # A test file may hold a single class; only training needs two.
        X_test, y_test = split_columns(
            test_frame, target, columns, test_name, min_classes=1
        )
        X_train, y_train = X, y
        source = f"{path} (train) and {test_path} (test)"
    _check_counts(y_train, y_test, config)
    return LabData(
        X_train,
        y_train,
        X_test,
        y_test,
        tuple(columns),
        target,
        source,
        notes=tuple(notes),
    )
