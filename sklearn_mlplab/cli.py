"""The ``mlplab`` command: the lab, end to end, on bundled or user data.

``mlplab lab`` trains the lab's networks, draws every figure, measures every
number and writes them, with conclusions worked out from those numbers, to
``report.md`` and a self-contained ``report.html``. Bad input ends with a
one-line message on stderr and exit status 2.
"""

import argparse
import base64
import contextlib
import html
import re
import sys
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import __version__
from ._base import NonFiniteError

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


@dataclass(frozen=True)
class LabConfig:
    """Every setting of the study; ``--quick`` shortens the runs."""

    hidden: int = 3
    lr: float = 0.5
    momentum: float = 0.9
    epochs: int = 2000
    momentum_lr: float = 0.001
    momentum_epochs: int = 5000
    betas: tuple = (0.0, 0.5, 0.9, 0.99)
    hidden_grid: tuple = (3, 6, 11)
    lr_grid: tuple = (0.5, 0.1, 0.01, 0.005)
    search_epochs: int = 1000
    cv: int = 5
    test_size: float = 0.3


FULL = LabConfig()
QUICK = replace(FULL, epochs=200, momentum_epochs=150, search_epochs=40, cv=3)


# --------------------------------------------------------------------- data
@dataclass
class LabData:
    X_train: object
    y_train: object
    X_test: object
    y_test: object
    feature_names: list
    target: str
    source: str
    # Population accuracy of the Bayes-optimal rule, and its accuracy on
    # these very train and test rows; known only for the bundled data.
    bayes_accuracy: float | None = None
    bayes_train_accuracy: float | None = None
    bayes_test_accuracy: float | None = None


def _plain(value):
    """A label as a person writes it: ``0``, not ``np.int64(0)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _read_csv(path):
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise UsageError(f"no such file: {str(path)!r}")
    if path.is_dir():
        raise UsageError(f"{str(path)!r} is a directory, not a CSV file")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise UsageError(f"{str(path)!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise UsageError(f"cannot read {str(path)!r} as CSV: {first}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {str(path)!r}: {exc.strerror}") from None
    if frame.shape[0] == 0:
        raise UsageError(f"{str(path)!r} has a header but no rows")
    return frame


def _split_columns(frame, target, path, min_classes=2):
    import pandas as pd
    from sklearn.utils.multiclass import type_of_target

    name = repr(str(path))
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise UsageError(
            f"column {target!r} is not in {name}; its columns are: {columns}"
        )
    X = frame.drop(columns=[target])
    y = frame[target]
    if X.shape[1] == 0:
        raise UsageError(f"{name} has no feature columns besides {target!r}")
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad or any(pd.api.types.is_bool_dtype(X[c]) for c in X.columns):
        column = bad[0] if bad else X.columns[0]
        sample = (
            X[column].dropna().astype(str).iloc[0] if X[column].notna().any() else ""
        )
        raise UsageError(
            f"feature column {column!r} of {name} is not numeric (e.g. {sample!r}); "
            "every column but the target must hold numbers"
        )
    missing = [c for c in frame.columns if frame[c].isna().any()]
    if missing:
        raise UsageError(
            f"{name} has missing values in column {missing[0]!r}; fill or drop them"
        )
    X = X.astype(np.float64)
    if not np.isfinite(X.to_numpy()).all():
        raise UsageError(f"{name} has infinite values; every feature must be finite")
    kind = type_of_target(y.to_numpy())
    if kind == "continuous":
        raise UsageError(
            f"target column {target!r} of {name} holds continuous values; it must "
            "hold class labels"
        )
    classes = y.unique()
    if len(classes) < min_classes:
        raise UsageError(
            f"target column {target!r} of {name} has only one class "
            f"({_plain(classes[0])}); the study needs at least two"
        )
    return X, y


def load_data(args, config):
    """The train and test sets the study runs on, checked."""
    if args.data is None:
        from .datasets import load_lab

        train = load_lab(split="train", as_frame=True)
        test = load_lab(split="test", as_frame=True)
        return LabData(
            train.data,
            train.target,
            test.data,
            test.target,
            list(train.feature_names),
            "label",
            "the bundled lab dataset (sklearn_mlplab.load_lab)",
            train.bayes_accuracy,
            train.bayes_sample_accuracy,
            test.bayes_sample_accuracy,
        )
    from sklearn.model_selection import train_test_split

    frame = _read_csv(args.data)
    X, y = _split_columns(frame, args.target, args.data)
    if args.test_data is not None:
        test_frame = _read_csv(args.test_data)
        # A test file may hold a single class; only training needs two.
        X_test, y_test = _split_columns(
            test_frame, args.target, args.test_data, min_classes=1
        )
        if list(X_test.columns) != list(X.columns):
            raise UsageError(
                f"{args.test_data!r} has feature columns {list(X_test.columns)}, "
                f"but {args.data!r} has {list(X.columns)}"
            )
        X_train, y_train = X, y
        source = f"{args.data} (train) and {args.test_data} (test)"
    else:
        counts = y.value_counts()
        if counts.min() < 2:
            raise UsageError(
                f"class {_plain(counts.idxmin())} of {args.data!r} has only "
                f"{counts.min()} row; each class needs at least "
                f"{config.cv + 2} rows"
            )
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=config.test_size, stratify=y, random_state=args.seed
        )
        source = (
            f"{args.data}, split {1 - config.test_size:.0%} train / "
            f"{config.test_size:.0%} test (stratified, seed {args.seed})"
        )
    counts = y_train.value_counts()
    if counts.min() < config.cv:
        raise UsageError(
            f"class {_plain(counts.idxmin())} has only {counts.min()} training rows; "
            f"the {config.cv}-fold search needs at least {config.cv} per class"
        )
    unseen = sorted(set(y_test.unique()) - set(y_train.unique()), key=str)
    if unseen:
        raise UsageError(
            f"the test set has label {_plain(unseen[0])}, which the training set "
            "does not have; every test label must occur in training"
        )
    return LabData(
        X_train, y_train, X_test, y_test, list(X.columns), args.target, source
    )


# ------------------------------------------------------------------- models
def make_model(backend, config, seed, **params):
    """A z-scoring pipeline around the lab's network, full-batch training.

    The runs are of fixed length (``tol=0`` and a patience as long as the
    run), so that curves of different settings cover the same epochs.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ._numpy_mlp import NumpyMLPClassifier
    from ._torch_mlp import TorchMLPClassifier

    cls = {"numpy": NumpyMLPClassifier, "torch": TorchMLPClassifier}[backend]
    settings = dict(
        hidden=config.hidden,
        activation="logistic",
        loss="log_loss",
        lr=config.lr,
        momentum=config.momentum,
        momentum_type="dampened",
        batch_size=None,
        max_iter=config.epochs,
        tol=0.0,
        random_state=seed,
    )
    settings.update(params)
    settings["n_iter_no_change"] = settings["max_iter"]
    return make_pipeline(StandardScaler(), cls(**settings))


def _torch_available():
    """Whether PyTorch imports.

    Thread counts are left alone: the torch backend itself runs small
    problems on one intra-op thread and restores the setting afterwards.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------- report
class Report:
    """Blocks of a report, written out as Markdown and as standalone HTML."""

    def __init__(self, out):
        self.out = out
        self.blocks = []
        # Key findings, gathered while the steps run and shown up front.
        self.summary = []
        self._summary_at = None

    def summary_here(self):
        """Put the summary, filled in later, at this point of the report."""
        self._summary_at = len(self.blocks)

    def heading(self, text, level=2):
        self.blocks.append(("heading", level, text))

    def para(self, text):
        self.blocks.append(("para", text))

    def bullets(self, items):
        self.blocks.append(("bullets", list(items)))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

    def figure(self, fig, name, caption):
        fig.savefig(self.out / name, dpi=100)
        import matplotlib.pyplot as plt

        plt.close(fig)
        self.blocks.append(("figure", name, caption))

    def markdown(self):
        lines = []
        for kind, *rest in self.blocks:
            if kind == "heading":
                lines += ["#" * rest[0] + " " + rest[1], ""]
            elif kind == "para":
                lines += [rest[0], ""]
            elif kind == "bullets":
                lines += [f"- {item}" for item in rest[0]] + [""]
            elif kind == "table":
                header, rows = rest
                lines.append("| " + " | ".join(header) + " |")
                lines.append("|" + "---|" * len(header))
                lines += ["| " + " | ".join(map(str, r)) + " |" for r in rows]
                lines.append("")
            elif kind == "figure":
                name, caption = rest
                lines += [f"![{caption}]({name})", "", f"*{caption}*", ""]
        return "\n".join(lines)

    def html(self):
        def inline(text):
            text = html.escape(text)
            text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
            return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)

        body = []
        for kind, *rest in self.blocks:
            if kind == "heading":
                body.append(f"<h{rest[0]}>{inline(rest[1])}</h{rest[0]}>")
            elif kind == "para":
                body.append(f"<p>{inline(rest[0])}</p>")
            elif kind == "bullets":
                items = "".join(f"<li>{inline(i)}</li>" for i in rest[0])
                body.append(f"<ul>{items}</ul>")
            elif kind == "table":
                header, rows = rest
                head = "".join(f"<th>{inline(h)}</th>" for h in header)
                cells = "".join(
                    "<tr>" + "".join(f"<td>{inline(str(c))}</td>" for c in r) + "</tr>"
                    for r in rows
                )
                body.append(f"<table><tr>{head}</tr>{cells}</table>")
            elif kind == "figure":
                name, caption = rest
                data = base64.b64encode((self.out / name).read_bytes()).decode("ascii")
                body.append(
                    f'<figure><img src="data:image/png;base64,{data}" '
                    f'alt="{html.escape(caption)}"><figcaption>{inline(caption)}'
                    "</figcaption></figure>"
                )
        style = (
            "body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
            "padding:0 1em;line-height:1.5}table{border-collapse:collapse;"
            "margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .6em;"
            "text-align:right}th{background:#eee}img{max-width:100%}"
            "figcaption{font-style:italic;color:#444}code{background:#f4f4f4}"
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>mlplab report</title><style>{style}</style></head><body>\n"
            + "\n".join(body)
            + "\n</body></html>\n"
        )

    def write(self):
        if self.summary and self._summary_at is not None:
            at = self._summary_at
            self.blocks[at:at] = [
                ("heading", 2, "Summary"),
                ("bullets", list(self.summary)),
            ]
            self._summary_at = None
        (self.out / "report.md").write_text(self.markdown(), encoding="utf-8")
        (self.out / "report.html").write_text(self.html(), encoding="utf-8")


def _accuracy_se(p, n):
    """Standard error of an accuracy ``p`` measured on ``n`` rows."""
    return float(np.sqrt(p * (1 - p) / n))


def _compare(name_a, a, name_b, b, margin=0.0):
    """Which of two scores is higher, the winner's value first.

    A gap of at most ``margin`` (the noise of the measurement) is reported
    as a tie, without a winner.
    """
    if a == b:
        return f"{name_a} and {name_b} both give {_fmt(a)}"
    if abs(a - b) <= margin:
        return (
            f"{name_a} and {name_b} are indistinguishable ({_fmt(a)} and "
            f"{_fmt(b)}, a gap within the noise margin {_fmt(margin)})"
        )
    (win, high), (_, low) = sorted(
        ((name_a, a), (name_b, b)), key=lambda kv: kv[1], reverse=True
    )
    return f"{win} does better ({_fmt(high)} against {_fmt(low)})"


def _pct(x):
    return f"{100 * x:.1f}%"


def _fmt(x, digits=3):
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


# -------------------------------------------------------------------- steps
def _plot_data(data, zscored, return_train=False):
    import matplotlib.pyplot as plt
    from sklearn.preprocessing import StandardScaler

    X_train, X_test = data.X_train.to_numpy(), data.X_test.to_numpy()
    if zscored:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    what = "z-scored" if zscored else "raw"
    unit = " (z-score)" if zscored else ""
    if X_train.shape[1] == 2:
        # Not shared: each axes widens its own limits to keep the aspect.
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
        for ax, X, y, name in (
            (axes[0], X_train, data.y_train, "train"),
            (axes[1], X_test, data.y_test, "test"),
        ):
            for label in np.unique(data.y_train):
                mask = np.asarray(y == label)
                ax.scatter(*X[mask].T, s=12, alpha=0.8, label=f"class {label}")
            ax.set_xlabel(data.feature_names[0] + unit)
            ax.set_title(f"{name} set, {what}")
            # One unit is as long on both axes, so that the features' scales
            # can be compared by eye.
            ax.set_aspect("equal", adjustable="datalim")
            ax.legend()
        axes[0].set_ylabel(data.feature_names[1] + unit)
    else:
        fig, ax = plt.subplots(
            figsize=(max(6, 0.6 * X_train.shape[1] + 3), 4.5), layout="constrained"
        )
        ax.boxplot(X_train, tick_labels=data.feature_names)
        ax.set_title(f"training features, {what}")
        ax.tick_params(axis="x", rotation=45)
    return (fig, X_train) if return_train else fig


def step_data(data, report):
    X = data.X_train.to_numpy()
    std = X.std(axis=0)
    report.heading("1. Data")
    n_classes = len(np.unique(data.y_train))
    report.para(
        f"Source: {data.source}. {len(data.y_train)} training and "
        f"{len(data.y_test)} test rows, {X.shape[1]} features, "
        f"{n_classes} classes."
    )
    rows = [
        [name, _fmt(m, 3), _fmt(s, 3), _fmt(lo, 3), _fmt(hi, 3)]
        for name, m, s, lo, hi in zip(
            data.feature_names,
            X.mean(axis=0),
            std,
            X.min(axis=0),
            X.max(axis=0),
            strict=False,
        )
    ]
    report.table(["feature", "mean", "std", "min", "max"], rows)
    positive = std[std > 0]
    ratio = positive.max() / positive.min() if positive.size else 1.0
    report.para(
        f"The largest feature standard deviation is {ratio:.1f} times the smallest"
        + (
            ", so an unscaled network would take steps of very different sizes "
            "along the features: every model below z-scores them with the "
            "training mean and standard deviation (a `StandardScaler` in the "
            "pipeline), as the lab does."
            if ratio > 3
            else "; every model below still z-scores them, as the lab does."
        )
    )
    report.figure(_plot_data(data, zscored=False), "data_raw.png", "Raw data.")
    fig, Z = _plot_data(data, zscored=True, return_train=True)
    report.figure(
        fig,
        "data_zscored.png",
        "Data z-scored with the training mean and standard deviation; training "
        f"means {(np.round(Z.mean(axis=0), 3) + 0.0).tolist()} "
        f"and standard deviations {np.round(Z.std(axis=0), 3).tolist()}.",
    )


def step_losses(data, config, seed, report):
    from .plotting import LossCurveDisplay

    models = {}
    for loss in ("log_loss", "squared_error"):
        models[loss] = make_model("numpy", config, seed, loss=loss).fit(
            data.X_train, data.y_train
        )
    fig = LossCurveDisplay.from_estimator(
        list(models.values()),
        labels=["log_loss (cross-entropy)", "squared_error"],
        log_scale=True,
        title="Training loss, same initial weights",
    ).figure_
    rows, facts = [], {}
    for loss, model in models.items():
        curve = model[-1].loss_curve_
        facts[loss] = (
            curve[0],
            curve[-1],
            model.score(data.X_train, data.y_train),
            model.score(data.X_test, data.y_test),
        )
        first, last, train, test = facts[loss]
        rows.append(
            [
                loss,
                _fmt(first, 4),
                _fmt(last, 4),
                _pct(last / first),
                _fmt(train),
                _fmt(test),
            ]
        )
    report.heading("2. Loss function: cross-entropy against squared error")
    report.para(
        f"The same {config.hidden}-hidden-unit sigmoid network, from the same "
        f"initial weights, trained for {config.epochs} full-batch epochs at "
        f"lr={config.lr} with dampened momentum {config.momentum}, once per loss."
    )
    report.table(
        [
            "loss",
            "epoch 1",
            f"epoch {config.epochs}",
            "last / first",
            "train acc",
            "test acc",
        ],
        rows,
    )
    ce, se = facts["log_loss"], facts["squared_error"]
    n_rows = (len(data.y_train), len(data.y_test))

    def compare(i):
        margin = 2 * _accuracy_se((ce[i] + se[i]) / 2, n_rows[i - 2])
        return _compare("cross-entropy", ce[i], "squared error", se[i], margin)

    # The outputs after one epoch: near 0.5 everywhere, whatever the label.
    first = make_model("numpy", config, seed, loss="squared_error", max_iter=1).fit(
        data.X_train, data.y_train
    )
    p = first.predict_proba(data.X_train)[:, 1]
    factor = p * (1 - p)

    def still_falling(loss):
        curve = models[loss][-1].loss_curve_
        tail = curve[int(0.9 * len(curve))]
        return (tail - curve[-1]) / tail

    report.para(
        f"Cross-entropy fell to {_pct(ce[1] / ce[0])} of its first value and "
        f"squared error to {_pct(se[1] / se[0])}; over the last tenth of the "
        f"run they still fell by {_pct(still_falling('log_loss'))} and "
        f"{_pct(still_falling('squared_error'))}. The two losses are on "
        "different scales (squared error here is half the squared distance "
        "between probability and label, at most 0.5 per row), so their values "
        "are not compared directly. Two accuracies closer than two standard "
        "errors, 2 sqrt(p(1-p)/n), are called indistinguishable: in training "
        f"accuracy {compare(2)}; in test accuracy {compare(3)}. At the output, "
        "cross-entropy's gradient is p - y, while squared error's is "
        "(p - y) p (1 - p). After "
        f"the first epoch the outputs p lie between {p.min():.3f} and "
        f"{p.max():.3f}, so p (1 - p) is between {factor.min():.3f} and "
        f"{factor.max():.3f} (never above 1/4): every row's gradient is cut to "
        "about a quarter, which is why squared error starts slowly. The rest "
        "of the study uses cross-entropy: that is the lab's choice, the "
        "canonical loss for a sigmoid output, not a finding of this comparison."
        + (
            " On this run squared error has the better test accuracy."
            if se[3] - ce[3] > 2 * _accuracy_se((ce[3] + se[3]) / 2, n_rows[1])
            else ""
        )
    )
    report.summary.append(
        f"Loss: after {config.epochs} epochs, cross-entropy gives train / test "
        f"accuracy {_fmt(ce[2])} / {_fmt(ce[3])}, squared error "
        f"{_fmt(se[2])} / {_fmt(se[3])}."
    )
    report.figure(fig, "loss_functions.png", "Training loss of each loss function.")
    return models["log_loss"]


def step_backends(data, config, seed, report, numpy_model, with_torch):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    models = {"NumpyMLPClassifier": numpy_model}
    if with_torch:
        models["TorchMLPClassifier"] = make_model("torch", config, seed).fit(
            data.X_train, data.y_train
        )
    linear = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        data.X_train, data.y_train
    )
    n_features = data.X_train.shape[1]
    n_out = 1 if len(np.unique(data.y_train)) == 2 else len(np.unique(data.y_train))
    shape = f"{n_features}-{config.hidden}-{n_out}"
    bayes = data.bayes_accuracy
    n_test = len(data.y_test)
    header = ["model", "train accuracy", "test accuracy ± s.e."]
    if bayes is not None:
        header += [
            "Bayes rule on these rows (train / test)",
            "Bayes-optimal accuracy (population)",
            "test - Bayes",
        ]
    rows, scores = [], {}
    for name, model in [*models.items(), ("LogisticRegression", linear)]:
        train = model.score(data.X_train, data.y_train)
        test = model.score(data.X_test, data.y_test)
        scores[name] = (train, test)
        label = (
            f"{name} ({shape})"
            if name != "LogisticRegression"
            else ("LogisticRegression (linear baseline)")
        )
        row = [label, _fmt(train), f"{_fmt(test)} ± {_fmt(_accuracy_se(test, n_test))}"]
        if bayes is not None:
            row += [
                f"{_fmt(data.bayes_train_accuracy)} / {_fmt(data.bayes_test_accuracy)}",
                _fmt(bayes, 4),
                f"{100 * (test - bayes):+.1f} points",
            ]
        rows.append(row)
    report.heading(
        "3. Accuracy of both backends"
        if with_torch
        else "3. Accuracy of the numpy backend (PyTorch is not installed)"
    )
    report.para(
        f"The lab's {shape} sigmoid network, cross-entropy, lr={config.lr}, "
        f"dampened momentum {config.momentum}, {config.epochs} full-batch "
        f"epochs, random_state={seed}; z-scored inputs."
    )
    report.table(header, rows)
    text = [
        f"The ± is one standard error of the test accuracy, sqrt(p(1-p)/n) "
        f"with n={n_test} test rows."
    ]
    if bayes is not None:
        text.append(
            "The Bayes-optimal rule (the class of higher density under the "
            "known distribution) scores "
            f"{_fmt(data.bayes_train_accuracy)} on these training rows and "
            f"{_fmt(data.bayes_test_accuracy)} on these test rows, against "
            f"{_fmt(bayes, 4)} on the population: that is the best any model "
            "can expect on this very sample."
        )
    numpy_train, numpy_test = scores["NumpyMLPClassifier"]
    if with_torch:
        diff = np.abs(
            models["NumpyMLPClassifier"].predict_proba(data.X_test)
            - models["TorchMLPClassifier"].predict_proba(data.X_test)
        ).max()
        text.append(
            "The numpy and PyTorch backends start from the same weights; their "
            f"test probabilities differ by at most {diff:.1e}"
            + (
                ", so they take the same steps."
                if diff < 1e-6
                else ", more than rounding: their training runs drifted apart."
            )
        )
    else:
        text.append("PyTorch is not installed: only the numpy backend was run.")
    lin_train, lin_test = scores["LogisticRegression"]
    text.append(
        f"The network reaches {_fmt(numpy_train)} train and {_fmt(numpy_test)} test "
        f"accuracy; a linear model reaches {_fmt(lin_train)} and {_fmt(lin_test)}"
        + (
            ": the classes are not linearly separable, the hidden layer is needed."
            if min(numpy_test - lin_test, numpy_train - lin_train) > 0.05
            else "."
        )
    )
    if bayes is not None:
        gap = bayes - numpy_test
        side = "below" if gap >= 0 else "above"
        text.append(
            f"No classifier can expect more than {_fmt(bayes, 4)} on new data from "
            f"this distribution; the network's test accuracy is "
            f"{100 * abs(gap):.1f} points {side} that"
            + (" (within 2 points)." if abs(gap) <= 0.02 else ".")
        )
        if max(numpy_train, numpy_test) > bayes:
            text.append(
                "An accuracy above the Bayes-optimal value reflects the particular "
                "sample of rows, not a better rule."
            )
    report.para(" ".join(text))
    accuracies = ", ".join(
        f"{name.removesuffix('MLPClassifier').lower()} {_fmt(train)} / {_fmt(test)}"
        for name, (train, test) in scores.items()
        if name != "LogisticRegression"
    )
    report.summary.append(
        f"Accuracy (train / test) of the {shape} network: {accuracies}; linear "
        f"model {_fmt(lin_train)} / {_fmt(lin_test)}"
        + (
            f"; Bayes-optimal {_fmt(bayes, 4)}, so the network's test accuracy is "
            f"{100 * abs(bayes - numpy_test):.1f} points "
            f"{'below' if bayes >= numpy_test else 'above'} the best possible "
            f"(the Bayes rule itself scores {_fmt(data.bayes_test_accuracy)} on "
            "these test rows)."
            if bayes is not None
            else "."
        )
    )
    return models, scores


def step_boundary(data, report, model):
    import matplotlib.pyplot as plt
    from sklearn.inspection import DecisionBoundaryDisplay

    if data.X_train.shape[1] != 2:
        report.heading("4. Decision boundary")
        report.para(
            f"Skipped: the data has {data.X_train.shape[1]} features and the "
            "boundary is drawn only for two."
        )
        return
    classes = np.unique(data.y_train)
    binary = len(classes) == 2
    fig, axes = plt.subplots(
        1, 2, figsize=(12, 4.8), sharex=True, sharey=True, layout="constrained"
    )
    X_all = np.vstack([data.X_train.to_numpy(), data.X_test.to_numpy()])
    import pandas as pd

    X_all = pd.DataFrame(X_all, columns=data.feature_names)
    for ax, X, y, name in (
        (axes[0], data.X_train, data.y_train, "train"),
        (axes[1], data.X_test, data.y_test, "test"),
    ):
        display = DecisionBoundaryDisplay.from_estimator(
            model,
            X_all,
            response_method="predict_proba" if binary else "predict",
            plot_method="contourf",
            grid_resolution=200,
            alpha=0.7,
            ax=ax,
            # Probabilities: the contour levels span exactly [0, 1]. In the
            # multiclass case, region colours match the markers'.
            **(
                {"cmap": "RdBu_r", "levels": np.linspace(0, 1, 11)}
                if binary
                else {"multiclass_colors": [f"C{i}" for i in range(len(classes))]}
            ),
        )
        for label, marker in zip(np.unique(data.y_train), "o^sDvP*", strict=False):
            mask = np.asarray(y == label)
            ax.scatter(
                *X.to_numpy()[mask].T,
                marker=marker,
                s=14,
                edgecolor="k",
                linewidth=0.4,
                label=f"class {label}",
            )
        ax.set_title(f"{name} set")
    # Below the plots, where it hides no point.
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=len(classes),
    )
    if binary:
        fig.colorbar(
            display.surface_,
            ax=axes,
            label=f"P(class {model.classes_[1]})",
        )
    report.heading("4. Decision boundary")
    report.para(
        f"The colour is the network's probability of class {classes[1]}; the "
        "boundary is where it crosses 0.5. Strong colours are regions where the "
        "network is confident, pale ones where it is not."
        if binary
        else "Each region is coloured by the class the network predicts there."
    )
    report.figure(
        fig,
        "decision_boundary.png",
        "Decision boundary and probabilities." if binary else "Decision regions.",
    )


def _epochs_to(curve, target):
    hits = np.flatnonzero(np.asarray(curve) <= target)
    return int(hits[0]) + 1 if hits.size else None


def step_momentum(data, config, seed, report, progress):
    import matplotlib.pyplot as plt

    from .plotting import LossCurveDisplay

    kinds = ("dampened", "classic", "nesterov")
    curves = {}
    for kind in kinds:
        for beta in config.betas:
            if beta == 0 and curves.get(("dampened", 0.0)) is not None:
                # Without momentum every rule is plain gradient descent.
                curves[kind, beta] = curves["dampened", 0.0]
                continue
            model = make_model(
                "numpy",
                config,
                seed,
                lr=config.momentum_lr,
                momentum=beta,
                momentum_type=kind,
                max_iter=config.momentum_epochs,
            ).fit(data.X_train, data.y_train)
            curves[kind, beta] = model[-1].loss_curve_
        progress()
    # One y scale per rule: the dampened curves move too little to be seen
    # on the classic rule's scale.
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), layout="constrained")
    for ax, kind in zip(axes, kinds, strict=False):
        LossCurveDisplay(
            loss_curves=[curves[kind, b] for b in config.betas],
            labels=[f"β={b}" for b in config.betas],
        ).plot(ax=ax, title=f"{kind} momentum, lr={config.momentum_lr}")
        # Log epochs: a constant-factor speed-up is a sideways shift.
        ax.set_xscale("log")

    plain = np.asarray(curves[kinds[0], config.betas[0]])
    half = len(plain) // 2
    target = plain[half - 1]
    header = [
        "momentum",
        "β",
        "final loss",
        f"epochs to loss {target:.4f}",
        "speed-up",
        "epochs the loss rose",
    ]
    rows, speed = [], {}
    for kind in kinds:
        for beta in config.betas:
            c = np.asarray(curves[kind, beta])
            reach = _epochs_to(c, target)
            speed[kind, beta] = None if reach is None else half / reach
            rises = int((np.diff(c) > 0).sum())
            rows.append(
                [
                    kind,
                    beta,
                    _fmt(c[-1], 4),
                    "not reached" if reach is None else reach,
                    "n/a" if reach is None else f"{half / reach:.2f}x",
                    rises,
                ]
            )
    report.heading(f"5. Momentum at lr = {config.momentum_lr}")
    report.para(
        f"The lab's network trained for {config.momentum_epochs} full-batch "
        f"epochs at lr={config.momentum_lr} with each momentum rule and "
        f"β in {list(config.betas)} (β=0 is plain gradient descent, the same "
        f"for every rule). The target loss is what plain gradient descent "
        f"reaches after {half} epochs; the speed-up is {half} divided by the "
        "epochs each run needed to reach it. At this learning rate plain "
        f"gradient descent takes the loss only from {plain[0]:.4f} to "
        f"{plain[-1]:.4f} in {len(plain)} epochs."
    )
    report.table(header, rows)
    betas = [b for b in config.betas if b > 0]
    notes = []
    damp = [(b, speed["dampened", b]) for b in betas]
    damp_text = ", ".join(f"{_fmt(s, 2)}x at β={b}" for b, s in damp if s is not None)
    notes.append(
        "**Dampened** (the lab's rule, v = βv + (1-β) lr g): speed-ups of "
        f"{damp_text or 'none measurable'}. Its velocity is an average of "
        "past steps lr g, so under a steady gradient the step is lr g whatever "
        "β is: momentum only smooths the direction and takes about 1/(1-β) "
        "epochs to build up, so it does not make training faster"
        + (
            " - the measured curves lie on top of plain gradient descent."
            if all(s is not None and 0.8 <= s <= 1.2 for _, s in damp)
            else "."
        )
    )
    cls = [(b, speed["classic", b]) for b in betas]
    cls_text = ", ".join(
        f"{_fmt(s, 2)}x at β={b} (1/(1-β) = {1 / (1 - b):.0f})"
        for b, s in cls
        if s is not None
    )
    notes.append(
        "**Classic** (heavy ball, v = βv + lr g): speed-ups of "
        f"{cls_text or 'none measurable'}. Without the (1-β) factor the "
        "velocity sums past gradients, so the steady step is lr g / (1-β): "
        "β=0.9 acts like a ten times larger learning rate."
        + "".join(
            f" At β={b} the target was reached after "
            f"{_epochs_to(curves['classic', b], target)} epochs, before the "
            f"velocity had built up (that takes about 1/(1-β) = {1 / (1 - b):.0f} "
            "epochs) and while the gradient was changing, so the speed-up stays "
            f"below {1 / (1 - b):.0f}."
            for b, sp in cls
            if sp is not None and sp < 0.7 / (1 - b)
        )
    )
    nes = [(b, speed["nesterov", b]) for b in betas]
    nes_text = ", ".join(f"{_fmt(s, 2)}x at β={b}" for b, s in nes if s is not None)
    notes.append(
        "**Nesterov** (the look-ahead form of classic): speed-ups of "
        f"{nes_text or 'none measurable'}, the same steady step as classic."
    )
    rising = [(r[0], r[1], r[5]) for r in rows if r[5] > 0]
    if rising:
        worst = max(rising, key=lambda r: r[2])
        rose_betas = sorted({r[1] for r in rising})
        notes.append(
            "The loss went up during training at β in "
            f"{rose_betas} ("
            + ", ".join(f"{k} β={b}: {n} epochs" for k, b, n in rising)
            + f"); most often for {worst[0]} at β={worst[1]}, the overshoot of "
            "momentum carried past the minimum along a direction."
        )
    else:
        notes.append("The loss never went up in any run: no run overshot.")
    report.bullets(notes)
    big = max(b for b in betas)
    report.summary.append(
        f"Momentum at lr={config.momentum_lr}: the dampened rule speeds training "
        "up by at most "
        f"{max((sp for _, sp in damp if sp is not None), default=float('nan')):.2f}x"
        f" (its step stays lr g); the classic rule by "
        + ", ".join(f"{_fmt(sp, 1)}x at β={b}" for b, sp in cls if sp is not None)
        + f" (its step is lr g / (1-β)), and its loss rose in "
        f"{next(r[5] for r in rows if r[0] == 'classic' and r[1] == big)} epochs "
        f"at β={big}."
    )
    report.figure(fig, "momentum.png", "Training loss for each momentum rule and β.")
    return curves


def step_search(data, config, seed, report, backend, n_jobs):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from .plotting import GridSearchDisplay

    model = make_model(backend, config, seed, max_iter=config.search_epochs)
    step = model.steps[-1][0]
    grid = {
        f"{step}__hidden": list(config.hidden_grid),
        f"{step}__lr": list(config.lr_grid),
    }
    search = GridSearchCV(
        model,
        grid,
        cv=StratifiedKFold(config.cv, shuffle=True, random_state=seed),
        n_jobs=n_jobs,
        error_score=np.nan,
    ).fit(data.X_train, data.y_train)
    display = GridSearchDisplay.from_search(
        search, data.X_train, data.y_train, n_jobs=n_jobs
    )
    return search, display


@dataclass
class GridResult:
    """One backend's hidden x lr search as numbers, for the conclusions.

    ``mean`` and ``std`` are the mean and standard deviation over the folds
    of the CV accuracy, of shape (n_hidden, n_lr); ``pick`` is the
    (hidden, lr) pair the search chose.
    """

    mean: np.ndarray
    std: np.ndarray
    hidden_values: list
    lr_values: list
    pick: tuple
    loss_curves: dict | None = None


def _grid_result(search, display):
    from .plotting import _param_key

    results = search.cv_results_
    names = set().union(*(p.keys() for p in results["params"]))
    hidden_key, lr_key = _param_key(names, "hidden"), _param_key(names, "lr")
    hiddens, lrs = list(display.hidden_values), list(display.lr_values)
    std = np.full((len(hiddens), len(lrs)), np.nan)
    for p, s in zip(results["params"], results["std_test_score"], strict=True):
        std[hiddens.index(p[hidden_key]), lrs.index(p[lr_key])] = s
    best = search.best_params_
    return GridResult(
        mean=np.asarray(display.scores, dtype=float),
        std=std,
        hidden_values=hiddens,
        lr_values=lrs,
        pick=(best[hidden_key], best[lr_key]),
        loss_curves=display.loss_curves,
    )


def _distinct(mean_a, std_a, mean_b, std_b):
    """Whether two mean CV scores differ by more than the folds' spread.

    The rule of the whole report: a gap counts only when it is larger than
    the larger of the two fold standard deviations; anything smaller is
    within the noise of the cross-validation.
    """
    return abs(mean_a - mean_b) > max(std_a, std_b)


def _ties_with_best(grid):
    """The best cell and every cell indistinguishable from it."""
    i, j = np.unravel_index(np.nanargmax(grid.mean), grid.mean.shape)
    ties = [
        (a, b)
        for a in range(grid.mean.shape[0])
        for b in range(grid.mean.shape[1])
        if np.isfinite(grid.mean[a, b])
        and not _distinct(
            grid.mean[i, j], grid.std[i, j], grid.mean[a, b], grid.std[a, b]
        )
    ]
    return (int(i), int(j)), ties


def _cell(grid, i, j):
    return f"{_fmt(grid.mean[i, j])} ± {_fmt(grid.std[i, j])}"


def report_search(data, config, report, results):
    report.heading("6. Hidden units x learning rate")
    backends = list(results)
    report.para(
        f"`GridSearchCV` over hidden in {list(config.hidden_grid)} and lr in "
        f"{list(config.lr_grid)}, {config.cv}-fold stratified cross-validation "
        f"on the training set, for the {' and '.join(backends)} backend"
        f"{'s' if len(backends) > 1 else ''}. Every run is "
        f"{config.search_epochs} full-batch epochs with dampened momentum "
        f"{config.momentum} and cross-entropy. Each cell is the mean CV "
        "accuracy ± its standard deviation over the folds; two cells are "
        "called different only when their means are further apart than the "
        "larger of their two standard deviations, otherwise indistinguishable. "
        "The loss curves are of one more fit per pair on the whole training set."
    )
    grids, summary = {}, []
    for backend, (search, display) in results.items():
        grid = grids[backend] = _grid_result(search, display)
        header = ["hidden \\ lr", *map(str, grid.lr_values)]
        rows = [
            [str(h), *(_cell(grid, i, j) for j in range(len(grid.lr_values)))]
            for i, h in enumerate(grid.hidden_values)
        ]
        report.heading(f"{backend} backend: mean CV accuracy ± fold std", level=3)
        report.table(header, rows)
        test = search.score(data.X_test, data.y_test)
        i = grid.hidden_values.index(grid.pick[0])
        j = grid.lr_values.index(grid.pick[1])
        summary.append(
            [backend, grid.pick[0], grid.pick[1], _cell(grid, i, j), _fmt(test)]
        )
        display.figure_.suptitle(f"{backend} backend")
        report.figure(
            display.figure_,
            f"grid_{backend}.png",
            f"{backend}: mean CV accuracy (left) and training loss per pair (right).",
        )
    report.heading("Best parameters", level=3)
    report.table(
        ["backend", "hidden", "lr", "mean CV accuracy ± fold std", "test accuracy"],
        summary,
    )
    report.bullets(_search_conclusions(config, grids))
    parts = []
    for backend, h, lr, cv, test in summary:
        _, ties = _ties_with_best(grids[backend])
        n = int(np.isfinite(grids[backend].mean).sum())
        parts.append(
            f"{backend} picked hidden={h}, lr={lr} (mean CV accuracy {cv}, test "
            f"accuracy {test}), "
            + (
                "clearly ahead of every other pair"
                if len(ties) == 1
                else f"but {len(ties)} of {n} pairs are indistinguishable from "
                "it within the fold spread"
            )
        )
    report.summary.append("Grid search: " + "; ".join(parts) + ".")


def _search_conclusions(config, grids):
    """Conclusions of the searches, claiming no difference below the noise.

    Parameters
    ----------
    config : LabConfig
        The settings the searches ran with.
    grids : dict of str to GridResult
        One search per backend, in report order.

    Returns
    -------
    notes : list of str
    """
    notes = []
    grid = next(iter(grids.values()))
    hiddens, lrs = grid.hidden_values, grid.lr_values
    if len(grids) > 1:
        (a, ga), (b, gb) = list(grids.items())[:2]
        diff = np.nanmax(np.abs(ga.mean - gb.mean))
        same = ga.pick == gb.pick
        notes.append(
            f"The {a} and {b} searches chose {'the same' if same else 'different'}"
            " parameters; their mean CV accuracies "
            + ("are identical" if diff == 0 else f"differ by at most {diff:.1e}")
            + (", the two backends are twins." if diff < 1e-3 else ".")
        )
    (bi, bj), ties = _ties_with_best(grid)
    others = [
        f"hidden={hiddens[i]}, lr={lrs[j]} ({_cell(grid, i, j)})"
        for i, j in ties
        if (i, j) != (bi, bj)
    ]
    notes.append(
        f"The highest mean CV accuracy, {_cell(grid, bi, bj)}, is at "
        f"hidden={hiddens[bi]}, lr={lrs[bj]}; "
        + (
            "every other pair is clearly below it."
            if not others
            else "indistinguishable from it: " + "; ".join(others) + "."
        )
    )
    worse = [
        lr
        for j, lr in enumerate(lrs)
        if all(
            np.isfinite(grid.mean[i, j])
            and _distinct(
                grid.mean[bi, bj], grid.std[bi, bj], grid.mean[i, j], grid.std[i, j]
            )
            for i in range(len(hiddens))
        )
    ]
    notes.append(
        f"lr in {worse} is clearly worse than the best pair for every hidden size."
        if worse
        else "No learning rate is clearly worse than the best pair for every "
        "hidden size."
    )
    curves = grid.loss_curves or {}
    smallest, largest = min(lrs), max(lrs)
    slow = [c for (h, lr), c in curves.items() if lr == smallest and c is not None]
    if slow:
        drops = [c[-1] / c[0] for c in slow]
        # Still going down over the last tenth of the run?
        falling = all(c[-1] < c[int(0.9 * len(c))] for c in slow)
        text = (
            f"With lr={smallest} the loss ends at {_pct(min(drops))}"
            f"-{_pct(max(drops))} of its first value after "
            f"{config.search_epochs} epochs."
        )
        if falling:
            text += (
                " That is not a local minimum: the loss is still falling at the "
                "end. With dampened momentum each step is lr g, and "
                f"{config.search_epochs} epochs at lr={smallest} add up to "
                f"{smallest / largest:.0%} of the distance the same number of "
                f"epochs covers at lr={largest}."
            )
        notes.append(text)
    finite = {k: c[-1] for k, c in curves.items() if c is not None}
    if finite:
        (h, lr), loss = min(finite.items(), key=lambda kv: kv[1])
        i, j = hiddens.index(h), lrs.index(lr)
        text = (
            f"The lowest final training loss, {loss:.4f}, is hidden={h}, lr={lr}, "
            f"with mean CV accuracy {_cell(grid, i, j)}"
        )
        if (i, j) == (bi, bj):
            text += ", the highest of the grid."
        elif (i, j) in ties:
            text += ", indistinguishable from the highest."
        else:
            text += (
                ", clearly below the highest: here a lower training loss did "
                "not give a better CV accuracy."
            )
        notes.append(text)
    column = [i for i in range(len(hiddens)) if np.isfinite(grid.mean[i, bj])]
    apart = [
        hiddens[i]
        for i in column
        if _distinct(
            grid.mean[bi, bj], grid.std[bi, bj], grid.mean[i, bj], grid.std[i, bj]
        )
    ]
    notes.append(
        f"At lr={lrs[bj]}, "
        + (
            f"hidden in {apart} is clearly below hidden={hiddens[bi]}."
            if apart
            else f"the hidden sizes {[hiddens[i] for i in column]} are "
            "indistinguishable."
        )
    )
    return notes


# ---------------------------------------------------------------------- run
def _progress_bar(total, quiet):
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if quiet or tqdm is None:
        return contextlib.nullcontext(None)
    return tqdm(total=total, desc="mlplab lab", unit="step", file=sys.stderr)


def _dask_client(address):
    """A client of the dask scheduler at ``address``, or None without one."""
    if address is None:
        return None
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError(
            "--dask-scheduler needs dask.distributed: pip install 'dask[distributed]'"
        ) from None
    try:
        return Client(address, timeout="10s")
    except Exception as exc:  # dask raises OSError, TimeoutError, ValueError...
        message = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise UsageError(
            f"cannot connect to the dask scheduler at {address!r}: {message}"
        ) from None


def _search_backend(client):
    """The joblib backend the searches run under."""
    if client is None:
        return contextlib.nullcontext()
    import joblib

    return joblib.parallel_backend("dask")


def run_lab(args):
    """Run the study; return the path of report.html."""
    config = QUICK if args.quick else FULL
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a directory")
    data = load_data(args, config)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {str(out)!r}: {exc.strerror}") from None
    # Connect before training, so that a wrong address fails at once.
    client = _dask_client(args.dask_scheduler)
    with client if client is not None else contextlib.nullcontext():
        return _run_steps(args, config, data, out, client)


def _run_steps(args, config, data, out, client):
    import matplotlib

    matplotlib.use("Agg")
    with_torch = _torch_available()
    backends = ["numpy", "torch"] if with_torch else ["numpy"]
    # On a dask cluster, every worker by default; locally, one process.
    n_jobs = args.n_jobs if args.n_jobs is not None else (-1 if client else 1)
    start = time.perf_counter()
    report = Report(out)
    report.heading("mlplab report", level=1)
    report.para(
        f"sklearn-mlplab {__version__}, `mlplab lab` with seed {args.seed}"
        + (", quick settings" if args.quick else "")
        + ". Every number and conclusion below was measured in this run."
    )
    report.summary_here()
    n_steps = 4 + 3 + len(backends) + 1
    with _progress_bar(n_steps, args.quiet) as bar:

        def advance(desc):
            if bar is not None:
                bar.set_postfix_str(desc)
                bar.update()

        with warnings.catch_warnings():
            # The runs are of fixed length: not stopping early is intended.
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            step_data(data, report)
            advance("data")
            numpy_model = step_losses(data, config, args.seed, report)
            advance("loss functions")
            step_backends(data, config, args.seed, report, numpy_model, with_torch)
            advance("backends")
            step_boundary(data, report, numpy_model)
            advance("decision boundary")
            step_momentum(data, config, args.seed, report, lambda: advance("momentum"))
            results = {}
            with _search_backend(client):
                for backend in backends:
                    results[backend] = step_search(
                        data, config, args.seed, report, backend, n_jobs
                    )
                    advance(f"search ({backend})")
            report_search(data, config, report, results)
        elapsed = time.perf_counter() - start
        where = f" on the dask scheduler {args.dask_scheduler}" if client else ""
        report.heading("Run", level=2)
        report.para(
            f"Training and plotting took {elapsed:.1f} s with n_jobs={n_jobs}{where}."
        )
        report.write()
        advance("report")
    return out / "report.html"


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (use -1 for every core)")
    return value


def build_parser():
    parser = _Parser(
        prog="mlplab",
        description="Reproduce and extend the MLP lab: figures, numbers and a report.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    lab = sub.add_parser(
        "lab",
        help="run the whole study and write the report",
        description=(
            "Train the lab's networks on the bundled data (or on --data) and "
            "write figures, report.md and report.html to --out."
        ),
    )
    lab.add_argument(
        "--out",
        default="mlplab-report",
        metavar="DIR",
        help="output directory (default: ./mlplab-report)",
    )
    lab.add_argument(
        "--data", metavar="FILE.csv", help="run the study on this CSV file"
    )
    lab.add_argument("--target", metavar="COLUMN", help="the class column of --data")
    lab.add_argument(
        "--test-data",
        metavar="FILE.csv",
        help="test set for --data, same columns (default: hold out 30%% of --data)",
    )
    lab.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=None,
        metavar="N",
        help=(
            "parallel jobs for the grid searches, -1 for all cores (default: 1, "
            "or every dask worker with --dask-scheduler)"
        ),
    )
    lab.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run the searches on this dask.distributed scheduler",
    )
    lab.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    lab.add_argument(
        "--quick", action="store_true", help="short runs, for a smoke test (seconds)"
    )
    lab.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar and no closing 'Report written to' line",
    )
    return parser


def main(argv=None):
    """Entry point of the ``mlplab`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success; 2 on bad input or data the networks cannot train on;
        1 when writing the report fails for another operating-system reason;
        130 when interrupted. Every status but 0 comes after a one-line
        message on stderr.

    Examples
    --------
    >>> from sklearn_mlplab.cli import main
    >>> main(["lab", "--data", "no-such-file.csv", "--target", "y"])
    2
    """
    try:
        args = build_parser().parse_args(argv)
        if args.command == "lab":
            if (args.data is None) != (args.target is None):
                raise UsageError("--data and --target must be given together")
            if args.test_data is not None and args.data is None:
                raise UsageError("--test-data needs --data and --target")
            path = run_lab(args)
            if not args.quiet:
                print(f"Report written to {path}")
    except UsageError as exc:
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NonFiniteError as exc:
        # Data the networks cannot train on, even z-scored.
        print(f"mlplab: error: on this data, {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        where = f": {exc.filename!r}" if exc.filename else ""
        print(f"mlplab: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mlplab: interrupted", file=sys.stderr)
        return 130
    return 0
