"""What the numbers of a run support: the findings under each section.

Pure functions of the experiments' result objects; nothing here trains,
plots or reads a rendered table. The claims of the original lab are in
:mod:`.claims`; the comparisons both use are in :mod:`.comparisons`. In a smoke
run (``--quick``) no finding compares two settings.
"""

import numpy as np

from . import stats
from .claims import VERDICTS, claims
from .comparisons import (
    differ,
    pair_text,
    score_of,
    sped_up,
    speeds_text,
    ties_with_best,
)
from .text import fmt, join, pct, plain, times

SMOKE_FINDING = (
    "Smoke run (--quick): the runs are far too short for conclusions; these "
    "numbers only show that every step runs."
)


# ----------------------------------------------------------------- findings
def scale_finding(described):
    """What the spread of the features means for training."""
    std = np.asarray(described.std)
    positive = std[std > 0]
    ratio = positive.max() / positive.min() if positive.size else 1.0
    if ratio <= 3:
        return (
            f"The features' standard deviations are within {ratio:.1f}× of each "
            "other; every model below still z-scores them, as the lab does."
        )
    wide = described.feature_names[int(np.argmax(std))]
    narrow = described.feature_names[int(np.argmin(np.where(std > 0, std, np.inf)))]
    return (
        f"The standard deviation of {wide} is {ratio:.1f} times that of {narrow}, "
        "so an "
        "unscaled network would take steps of very different sizes along the "
        "features: every model below z-scores them with the training mean and "
        "standard deviation (a `StandardScaler` in the pipeline), as the lab does."
    )


def loss_findings(losses, smoke=False):
    """Cross-entropy against squared error: convergence and accuracy."""
    ce, se = losses.runs["log_loss"], losses.runs["squared_error"]
    out = [
        f"Cross-entropy fell to {pct(ce.curve[-1] / ce.curve[0])} of its first "
        f"value and squared error to {pct(se.curve[-1] / se.curve[0])}; in the "
        f"last tenth of the run they still fell {pct(stats.tail_drop(ce.curve))} "
        f"and {pct(stats.tail_drop(se.curve))}. The two losses are on different "
        "scales (squared error here is half the squared distance between "
        "probability and label), so their values are not compared."
    ]
    if smoke:
        return out + [SMOKE_FINDING]
    for split, a, b, n in (
        ("training", ce.train_accuracy, se.train_accuracy, losses.n_train),
        ("test", ce.test_accuracy, se.test_accuracy, losses.n_test),
    ):
        out.append(
            f"In {split} accuracy, "
            + compare(
                "cross-entropy", a, "squared error", b, stats.accuracy_margin(a, b, n)
            )
            + "."
        )
    if losses.binary and losses.first_outputs is not None:
        lo, hi = losses.first_outputs
        # p (1 - p) peaks at p = 1/2: its range over [lo, hi].
        top = 0.25 if lo <= 0.5 <= hi else max(lo * (1 - lo), hi * (1 - hi))
        bottom = min(lo * (1 - lo), hi * (1 - hi))
        halves = [stats.half_fall_epoch(r.curve) for r in (ce, se)]
        out.append(
            "At the output, cross-entropy's gradient is p - y and squared "
            f"error's is (p - y) p (1 - p). After one epoch p lies between "
            f"{lo:.3f} and {hi:.3f}, so p (1 - p) is between {bottom:.3f} and "
            f"{top:.3f}: every row's squared-error gradient is cut to about a "
            "quarter of cross-entropy's. Each loss made half of its fall by "
            f"epoch {halves[0]} (cross-entropy) and {halves[1]} (squared error)."
        )
    out.append(
        "The rest of the study uses cross-entropy: that is the lab's choice "
        "and the canonical loss for a probability output, not a finding of "
        "this comparison."
    )
    return out


def compare(name_a, a, name_b, b, margin=0.0):
    """Which of two scores is higher, the winner's value first; a tie within
    ``margin`` names no winner."""
    if a == b:
        return f"{name_a} and {name_b} both give {fmt(a)}"
    if abs(a - b) <= margin:
        return (
            f"{name_a} and {name_b} are indistinguishable ({fmt(a)} and {fmt(b)}, "
            f"within the noise margin of {fmt(margin)})"
        )
    (win, high), (_, low) = sorted(
        ((name_a, a), (name_b, b)), key=lambda kv: kv[1], reverse=True
    )
    return f"{win} does better ({fmt(high)} against {fmt(low)})"


def bayes_finding(net_test, bayes, bayes_train, bayes_test, n_test):
    """The network's test accuracy against the Bayes-optimal accuracy."""
    gap = net_test - bayes
    where = (
        "equal to"
        if gap == 0
        else f"{100 * abs(gap):.1f} points {'above' if gap > 0 else 'below'}"
    )
    text = (
        "The Bayes-optimal rule (the class of higher density under the known "
        f"mixture) is the best any classifier can do: {fmt(bayes)} on new data, "
        f"{fmt(bayes_train)} on these training rows and {fmt(bayes_test)} on "
        f"these test rows. The network's test accuracy is {where} the "
        "population value"
    )
    if not stats.accuracies_differ(net_test, bayes, n_test):
        text += f", within the noise of {n_test} test rows"
    if gap > 0:
        text += "; scoring above it reflects this sample of rows, not a better rule"
    return text + "."


def linear_finding(net, linear, n_test):
    """The network against the linear baseline, with the conclusion drawn."""
    a, b = net.test_accuracy, linear.test_accuracy
    numbers = f"network {fmt(a)}, linear model {fmt(b)} on the test set"
    if not stats.accuracies_differ(a, b, n_test):
        return (
            f"A linear model does as well as the network ({numbers}, within the "
            f"noise of {n_test} rows): on this data the hidden layer buys "
            "nothing measurable, and the simpler linear model is the better choice."
        )
    if b > a:
        return (
            f"The linear model beats the network ({fmt(b)} against {fmt(a)} on "
            "the test set): on this data the network is the worse choice as "
            "trained here; it needs other settings, more data, or none at all."
        )
    return (
        f"The network beats a linear model ({numbers}): the classes are not "
        "linearly separable, and the hidden layer is needed."
    )


def accuracy_findings(accuracy, data, smoke=False):
    """The accuracy table's conclusions: backends, baseline, Bayes."""
    net = accuracy.networks[0]
    out = [f"Intervals are 95% Wilson intervals over the {accuracy.n_test} test rows."]
    if accuracy.backend_gap is not None:
        twins = accuracy.backend_gap < 1e-6
        out.append(
            "The numpy and PyTorch backends start from the same weights; their "
            f"test probabilities differ by at most {accuracy.backend_gap:.1e}, "
            + (
                "so they take the same steps."
                if twins
                else "more than rounding: their training runs drifted apart."
            )
        )
    else:
        out.append("Only the numpy backend was run.")
    if smoke:
        return out + [SMOKE_FINDING]
    out.append(linear_finding(net, accuracy.linear, accuracy.n_test))
    if data.bayes_accuracy is not None:
        out.append(
            bayes_finding(
                net.test_accuracy,
                data.bayes_accuracy,
                data.bayes_train_accuracy,
                data.bayes_test_accuracy,
                accuracy.n_test,
            )
        )
    return out


_RULES = {
    "dampened": "the lab's rule, v = βv + (1-β) lr g",
    "classic": "heavy ball, v = βv + lr g",
    "nesterov": "the look-ahead form of classic",
}


def momentum_findings(momentum, smoke=False):
    """What each momentum rule did to the speed and smoothness of training."""
    if smoke:
        return [SMOKE_FINDING]
    out = []
    for kind in momentum.kinds:
        text = (
            f"**{kind.capitalize()}** ({_RULES.get(kind, kind)}): "
            f"{speeds_text(momentum, kind)}."
        )
        fast = sped_up(momentum, kind)
        if kind == "dampened" and not fast:
            text += (
                " Its velocity averages past steps lr g, so under a steady "
                "gradient the step is lr g whatever β is: momentum only smooths "
                "the direction, and does not make training faster."
            )
        elif fast and kind == "classic":
            beta = max([b for b in fast if b <= 0.9] or fast)
            text += (
                " Without the (1-β) factor the velocity sums past gradients, so "
                f"the steady step is lr g / (1-β): β = {beta} acts like a "
                f"{1 / (1 - beta):.0f} times larger learning rate."
            )
        out.append(text)
    rose = [
        (k, b, momentum.rises[k, b])
        for k in momentum.kinds
        for b in momentum.betas
        if momentum.rises[k, b]
    ]
    if rose:
        out.append(
            "The loss went up during training in "
            + join(f"{n} epochs for {k} at β = {b}" for k, b, n in rose)
            + ": the velocity carried the weights past the bottom of the valley, "
            "and the loss rose before it fell again."
        )
    else:
        out.append("The loss never went up in any run: no run overshot.")
    return out


TWIN_TOLERANCE = 1e-6


def searches_agree(searches, tol=TWIN_TOLERANCE):
    """Whether every search found the same grid, pick and loss curves."""
    first = searches[0]
    for other in searches[1:]:
        if other.pick != first.pick or not np.allclose(
            other.mean, first.mean, rtol=0, atol=tol, equal_nan=True
        ):
            return False
        for key, curve in first.curves.items():
            twin = other.curves.get(key)
            if (curve is None) != (twin is None) or (
                curve is not None and not np.allclose(curve, twin, rtol=0, atol=tol)
            ):
                return False
    return True


def search_findings(searches, smoke=False):
    """The grid's conclusions, claiming no difference below the fold spread."""
    out = []
    if len(searches) > 1:
        a, b = searches[:2]
        diff = float(np.nanmax(np.abs(a.mean - b.mean)))
        out.append(
            f"The {a.backend} and {b.backend} searches chose "
            + ("the same" if a.pick == b.pick else "different")
            + " parameters; their mean CV accuracies "
            + ("are identical." if diff == 0 else f"differ by at most {diff:.1e}.")
        )
    if smoke:
        return out + [SMOKE_FINDING]
    search = searches[0]
    best, *ties = ties_with_best(search)
    out.append(
        f"The highest mean CV accuracy is at {pair_text(search, best)}; "
        + (
            "every other pair is clearly below it."
            if not ties
            else "indistinguishable from it: "
            + "; ".join(pair_text(search, p) for p in ties)
            + "."
        )
    )
    worse = [
        lr
        for lr in search.lr_values
        if all(differ(search, best, (h, lr)) for h in search.hidden_values)
        and lr != best[1]
    ]
    out.append(
        (
            f"lr = {join(worse, 'or')} is clearly worse than the best pair at every "
            "hidden size."
        )
        if worse
        else "No learning rate is clearly worse than the best pair at every "
        "hidden size."
    )
    column = [
        h for h in search.hidden_values if np.isfinite(score_of(search, (h, best[1])))
    ]
    below = [h for h in column if differ(search, best, (h, best[1]))]
    out.append(
        f"At lr = {best[1]}, "
        + (
            f"hidden = {join(below, 'and')} {'are' if len(below) > 1 else 'is'} "
            f"clearly below hidden = {best[0]}."
            if below
            else f"the hidden sizes {join(column)} are indistinguishable."
        )
    )
    return out + [_lowest_loss_finding(search, best, ties)]


def _lowest_loss_finding(search, best, ties):
    finite = {k: c[-1] for k, c in search.curves.items() if c is not None}
    if not finite:
        return "Every refit on the whole training set diverged."
    pair, loss = min(finite.items(), key=lambda kv: kv[1])
    text = (
        f"The lowest final training loss, {loss:.4f}, is at {pair_text(search, pair)}"
    )
    if pair == best:
        return text + ", the highest CV accuracy of the grid."
    if pair in ties:
        return text + ", indistinguishable from the highest CV accuracy."
    return text + (
        ", clearly below the highest CV accuracy: a lower training loss did not "
        "give a better CV accuracy."
    )


# ------------------------------------------------------------------ summary
_TALLY = {
    # verdict: (one claim, several claims)
    "reproduced": ("reproduces", "reproduce"),
    "partly": ("partly reproduces", "partly reproduce"),
    "not reproduced": ("does not reproduce", "do not reproduce"),
    "not applicable": ("cannot be tested here", "cannot be tested here"),
}


def tally(verdicts):
    """How many claims got each verdict, as a sentence."""
    parts = [
        f"{verdicts.count(v)} {_TALLY[v][verdicts.count(v) > 1]}"
        for v in VERDICTS
        if v in verdicts
    ]
    return f"Of the lab's {len(verdicts)} claims, {join(parts)}."


def _accuracy_summary(acc, bayes):
    net = acc.networks[0]
    text = (
        f"The lab's {acc.shape} network gets {fmt(net.train_accuracy)} of the "
        f"training rows and {fmt(net.test_accuracy)} of the test rows right"
    )
    if bayes is not None:
        text += f"; no classifier can expect more than {fmt(bayes)}"
    lin = acc.linear.test_accuracy
    if not stats.accuracies_differ(net.test_accuracy, lin, acc.n_test):
        return text + (
            f". A linear model does as well ({fmt(lin)}): on this data the "
            "hidden layer buys nothing measurable."
        )
    if lin > net.test_accuracy:
        return text + (
            f". A linear model does better ({fmt(lin)}): on this data the "
            "network, as trained here, is the worse choice."
        )
    return text + f", and a linear model gets {fmt(lin)}."


def _loss_summary(losses):
    ce, se = losses.runs["log_loss"], losses.runs["squared_error"]
    if stats.accuracies_differ(ce.test_accuracy, se.test_accuracy, losses.n_test):
        text = compare(
            "cross-entropy", ce.test_accuracy, "squared error", se.test_accuracy
        )
        return text[0].upper() + text[1:] + " on the test set."
    halves = [stats.half_fall_epoch(r.curve) for r in (ce, se)]
    if halves[1] > halves[0]:
        return (
            "Squared error ends as accurate as cross-entropy, only slower: half "
            f"of its loss's fall took {halves[1]} epochs against {halves[0]}."
        )
    return "Squared error ends as accurate as cross-entropy, and no slower."


def summary(study):
    """A few plain sentences a student can read in a minute."""
    if study.config.smoke:
        return [
            "This is a smoke run (--quick): every experiment ran, but for far too "
            "few epochs to say anything about the lab. Run `mlplab lab` without "
            "--quick for the real study."
        ]
    best, *ties = ties_with_best(study.searches[0])
    grid = f"In the grid, hidden = {best[0]}, lr = {best[1]} scores best" + (
        f", but {len(ties)} other pairs are within the noise of it."
        if ties
        else ", clearly ahead of every other pair."
    )
    return [
        _accuracy_summary(study.accuracy, study.data.bayes_accuracy),
        _loss_summary(study.losses),
        _momentum_summary(study.momentum),
        grid,
        tally([c.verdict for c in claims(study)]),
    ]


def _momentum_summary(momentum):
    """One sentence on what momentum did to the speed of training."""
    if sped_up(momentum, "dampened"):
        return (
            "The lab's dampened momentum rule makes training faster: "
            f"{speeds_text(momentum, 'dampened')}."
        )
    fast = [k for k in momentum.kinds if sped_up(momentum, k)]
    if fast:
        low = [b for b in sped_up(momentum, fast[0]) if b <= 0.9] or sped_up(
            momentum, fast[0]
        )
        beta = max(low)
        return (
            "The lab's dampened momentum rule does not make training faster; "
            f"the {join(fast)} rule{'s do' if len(fast) > 1 else ' does'}: "
            f"{times(momentum.speedup[fast[0], beta])} at β = {beta}, where "
            f"1/(1-β) = {1 / (1 - beta):.0f}."
        )
    return "No momentum rule made training faster at this learning rate."


# ------------------------------------------------------- inside the network
def gradient_finding(inside):
    """Whether backpropagation agrees with finite differences, in one line."""
    worst = max(inside.gradients, key=lambda g: g.max_error)
    where = join([f"{g.backend} at its {g.weights} weights" for g in inside.gradients])
    if worst.max_error < inside.tolerance:
        return (
            "Analytic vs numerical gradient: the largest relative error over the "
            f"layers is {worst.max_error:.1e} ({worst.backend}, {worst.weights} "
            f"weights), below {inside.tolerance:.0e} for {where}: the gradient "
            "training follows is the derivative of the loss."
        )
    return (
        f"Analytic vs numerical gradient: relative error {worst.max_error:.1e} "
        f"({worst.backend}, {worst.weights} weights) is above "
        f"{inside.tolerance:.0e}: the gradient does not match the loss, and no "
        "result of this run should be trusted until it does."
    )


def evolution_finding(inside, smoke=False):
    """When the boundary took shape, from the training accuracy at each
    recorded epoch."""
    steps = ", ".join(
        f"{a:.3f} at epoch {e}"
        for e, a in zip(inside.epochs, inside.snapshot_accuracy, strict=True)
    )
    out = f"Training accuracy over the recorded epochs: {steps}."
    if smoke or len(inside.epochs) < 2:
        return out
    final = inside.snapshot_accuracy[-1]
    pairs = list(zip(inside.epochs, inside.snapshot_accuracy, strict=True))
    reached = next(i for i, (_, a) in enumerate(pairs) if a >= final - 0.01)
    if reached < len(pairs) - 1:
        return out + (
            f" It was within one point of its final {final:.3f} by epoch "
            f"{pairs[reached][0]}; the epochs after that only sharpened the "
            "boundary."
        )
    return out + (
        f" Only the last recorded epoch, {pairs[-1][0]}, is within one point of "
        f"that final {final:.3f}: after epoch {pairs[-2][0]} the boundary was "
        "still forming."
    )


def _nearest_lr(values, lr):
    return min(values, key=lambda v: abs(np.log(v) - np.log(lr)))


def lr_finder_finding(inside, search, smoke=False):
    """Whether the range test's suggestion agrees with the grid's pick."""
    finder = inside.lr_finder
    low, high = inside.lr_range
    out = (
        f"The learning-rate range test (lr from {low:g} to {high:g} over "
        f"{len(finder.lrs)} full-batch epochs) suggests lr = "
        f"{finder.suggested_lr:.3g}: the smoothed loss was lowest at lr = "
        f"{10 * finder.suggested_lr:.3g}, divided by 10."
    )
    if not finder.diverged:
        out += (
            f" The loss never diverged up to lr = {finder.lrs[-1]:.3g}, so the "
            "suggestion is only a lower bound."
        )
    if smoke:
        return out
    nearest = _nearest_lr(search.lr_values, finder.suggested_lr)
    pick = search.pick[1]
    if nearest == pick:
        return out + (
            f" Of the grid's learning rates, {plain(nearest)} is the nearest to it, "
            f"and the search picked lr = {plain(pick)}: the two agree."
        )
    return out + (
        f" Of the grid's learning rates, {plain(nearest)} is the nearest to it, but "
        f"the search picked lr = {plain(pick)}: they disagree. The range test "
        "reads one short run with a growing lr; the search compares whole runs "
        "at each fixed lr, and its pick is the one measured on held-out rows."
    )
