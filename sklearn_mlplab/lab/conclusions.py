"""What the numbers of a run support: results in, findings out.

Pure functions of the experiments' result objects; nothing here trains,
plots or reads a rendered table. Two kinds of output:

- :class:`Claim` rows, holding each claim of the original lab against this
  run, with a verdict and the reason for it;
- findings, the sentences under each section of the report.

In a smoke run (``--quick``) the runs are too short to support anything:
every verdict is "not applicable" and no finding compares two settings.
"""

from dataclasses import dataclass

import numpy as np

from . import stats
from .text import cell, fmt, join, pct, times

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
NOT_APPLICABLE = "not applicable"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_APPLICABLE)

SMOKE_REASON = (
    "a smoke run (--quick) is too short to test this; run `mlplab lab` without --quick"
)
SMOKE_FINDING = (
    "Smoke run (--quick): the runs are far too short for conclusions; these "
    "numbers only show that every step runs."
)


@dataclass(frozen=True)
class Claim:
    """One claim of the original lab, held against this run."""

    section: str
    claim: str
    measured: str
    verdict: str
    reason: str


def _smoke(claim, measured, section):
    return Claim(section, claim, measured, NOT_APPLICABLE, SMOKE_REASON)


# ------------------------------------------------------------------- claims
def claim_accuracy(accuracy, bundled, smoke=False, lab=(0.97, 0.92)):
    """The lab's train 0.97 / test 0.92, against this run's numpy network."""
    claim = f"Train accuracy {lab[0]}, test accuracy {lab[1]} (§2.3)."
    net = accuracy.networks[0]
    train_iv = stats.wilson_interval(net.train_accuracy, accuracy.n_train)
    measured = (
        f"train {fmt(net.train_accuracy)}, test {fmt(net.test_accuracy)} "
        f"({accuracy.shape} network)"
    )
    if smoke:
        return _smoke(claim, measured, "accuracy")
    if not bundled:
        return Claim(
            "accuracy",
            claim,
            measured,
            NOT_APPLICABLE,
            "these are the lab's figures for its own data, not for this CSV",
        )
    inside = [
        lo <= value <= hi
        for value, (lo, hi) in zip(lab, (train_iv, net.test_interval), strict=True)
    ]
    verdict = {2: REPRODUCED, 1: PARTLY, 0: NOT_REPRODUCED}[sum(inside)]
    where = [
        f"{name} {value} is {'inside' if ok else 'outside'} this run's 95% "
        f"interval ({fmt(lo)}–{fmt(hi)})"
        for name, value, ok, (lo, hi) in zip(
            ("train", "test"), lab, inside, (train_iv, net.test_interval), strict=True
        )
    ]
    reason = f"the lab's {join(where)}"
    return Claim("accuracy", claim, measured, verdict, reason)


def claim_losses(losses, smoke=False):
    """Cross-entropy converges while squared error (L2) stalls."""
    claim = "Cross-entropy converges towards 0, L2 loss stalls (near 5) (§2.1.1)."
    ce, se = losses.runs["log_loss"], losses.runs["squared_error"]
    falling = stats.tail_drop(se.curve)
    measured = (
        f"test accuracy cross-entropy {fmt(ce.test_accuracy)}, L2 "
        f"{fmt(se.test_accuracy)}; L2 loss still fell {pct(falling)} in the "
        "last tenth of the run"
    )
    if smoke:
        return _smoke(claim, measured, "losses")
    behind = se.test_accuracy < ce.test_accuracy and stats.accuracies_differ(
        ce.test_accuracy, se.test_accuracy, losses.n_test
    )
    still = falling > 1e-3
    if behind and not still:
        verdict, reason = (
            REPRODUCED,
            ("L2 levels off at a clearly lower test accuracy than cross-entropy"),
        )
    elif behind:
        verdict, reason = (
            PARTLY,
            (
                "L2 is clearly behind on test accuracy, but its loss is still "
                "falling: it is slower, not stuck"
            ),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            (
                "L2 ends as accurate as cross-entropy within the noise and its loss "
                "is still falling: it converges more slowly"
                + (
                    " (its output gradient carries a factor p(1-p) ≤ 1/4)"
                    if losses.binary
                    else ""
                )
                + ", it does not stall"
            ),
        )
    return Claim("losses", claim, measured, verdict, reason)


def _sped_up(momentum, kind):
    """The rates at which ``kind`` reached the target clearly sooner."""
    return [
        b for b in momentum.betas if b > 0 and (momentum.speedup[kind, b] or 0) >= 1.2
    ]


def _speeds_text(momentum, kind):
    parts = [
        f"{times(momentum.speedup[kind, b])} at β = {b}"
        for b in momentum.betas
        if b > 0
    ]
    return join(parts)


def claim_momentum_speed(momentum, smoke=False, lab_rule="dampened"):
    """Increasing the momentum rate makes the loss fall faster."""
    claim = "A higher momentum rate makes the loss fall faster (§3)."
    other = next((k for k in momentum.kinds if k != lab_rule), None)
    measured = f"{lab_rule}: {_speeds_text(momentum, lab_rule)}" + (
        f"; {other}: {_speeds_text(momentum, other)}" if other else ""
    )
    if smoke:
        return _smoke(claim, measured, "momentum")
    if _sped_up(momentum, lab_rule):
        verdict, reason = (
            REPRODUCED,
            (f"the lab's {lab_rule} rule reaches the target loss sooner as β grows"),
        )
    elif other and _sped_up(momentum, other):
        # The lab's own highest tried rate when it sped up, else the fastest.
        fast = _sped_up(momentum, other)
        low = [b for b in fast if b <= 0.9]
        best = max(low) if low else max(fast, key=lambda b: momentum.speedup[other, b])
        verdict, reason = (
            PARTLY,
            (
                f"the lab's {lab_rule} rule keeps the steady step at lr·g whatever β "
                f"is, so it cannot speed up; the {other} rule reproduces the claim: "
                f"{times(momentum.speedup[other, best])} at β = {best}"
            ),
        )
    else:
        verdict, reason = NOT_REPRODUCED, "no rule reached the target loss sooner"
    return Claim("momentum", claim, measured, verdict, reason)


def _rough_above(momentum, kind, threshold):
    """Whether the loss rose above ``threshold`` and never at or below it."""
    high = [b for b in momentum.betas if b > threshold]
    low = [b for b in momentum.betas if 0 < b <= threshold]
    rough = any(momentum.rises[kind, b] for b in high)
    return rough and not any(momentum.rises[kind, b] for b in low)


def _rises_text(momentum, kind):
    rose = [(b, momentum.rises[kind, b]) for b in momentum.betas if b > 0]
    parts = [f"{n} epochs at β = {b}" for b, n in rose if n]
    return f"{kind}: " + (
        f"the loss rose in {join(parts)}" if parts else "the loss never rose"
    )


def claim_momentum_smooth(momentum, smoke=False, lab_rule="dampened", threshold=0.9):
    """Above β = 0.9 the loss no longer falls smoothly."""
    claim = f"Above β = {threshold} the loss does not fall smoothly (§3)."
    other = next((k for k in momentum.kinds if k != lab_rule), None)
    measured = "; ".join(
        _rises_text(momentum, k) for k in (lab_rule, other) if k is not None
    )
    if smoke:
        return _smoke(claim, measured, "momentum")
    if not any(b > threshold for b in momentum.betas):
        return Claim(
            "momentum",
            claim,
            measured,
            NOT_APPLICABLE,
            f"no momentum rate above {threshold} was tried",
        )
    if _rough_above(momentum, lab_rule, threshold):
        verdict, reason = (
            REPRODUCED,
            (
                f"with the lab's {lab_rule} rule the loss rose only above "
                f"β = {threshold}"
            ),
        )
    elif other and _rough_above(momentum, other, threshold):
        verdict, reason = (
            PARTLY,
            (
                f"the lab's {lab_rule} rule stays smooth; the {other} rule, whose step "
                f"is lr·g/(1-β), overshoots above β = {threshold} and never below"
            ),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            (f"no rule's loss rose only above β = {threshold}"),
        )
    return Claim("momentum", claim, measured, verdict, reason)


def _floor(search):
    """One validation row's worth of accuracy: smaller gaps are not real."""
    return 1 / search.fold_rows


def _differ(search, a, b):
    """Whether the CV scores of pairs ``a`` and ``b`` differ beyond the noise."""
    (i, j), (k, m) = search.cell(*a), search.cell(*b)
    return stats.cv_scores_differ(
        search.mean[i, j],
        search.std[i, j],
        search.mean[k, m],
        search.std[k, m],
        _floor(search),
    )


def _score(search, pair):
    i, j = search.cell(*pair)
    return search.mean[i, j]


# The faster run's first epochs do not follow the slow run's path while its
# momentum builds up (about 1/(1-β) = 10 epochs at β = 0.9): compare paths
# only from this many epochs on.
_MATCH_MIN_EPOCHS = 50


def _reference_lr(search, lr):
    """The largest lr whose run covers the slow run's path in enough epochs."""
    usable = [
        r
        for r in search.lr_values
        if r > lr and search.epochs * lr / r >= _MATCH_MIN_EPOCHS
    ]
    return max(usable) if usable else None


def _paths(search, lr, ref):
    """Per hidden size: the slow run's curve, and the reference run's loss at
    the epoch where it has travelled as far (lr x epochs) and at its end."""
    out = {}
    at = int(search.epochs * lr / ref) if ref else None
    for h in search.hidden_values:
        slow = search.curves.get((h, lr))
        fast = search.curves.get((h, ref)) if ref else None
        if slow is not None:
            out[h] = (slow, None if fast is None else (fast[at - 1], fast[-1]))
    return out, at


def _span(values, digits=3):
    lo, hi = fmt(min(values), digits), fmt(max(values), digits)
    return lo if lo == hi else f"{lo}–{hi}"


def claim_small_lr(search, smoke=False, lr=0.005):
    """The smallest learning rate found a local minimum right at the start."""
    claim = f"lr = {lr} found “a local minimum right at the start” (§4.3)."
    ref = _reference_lr(search, lr) if lr in search.lr_values else None
    paths, at = _paths(search, lr, ref) if lr in search.lr_values else ({}, None)
    if not paths:
        return Claim(
            "search",
            claim,
            "not measured",
            NOT_APPLICABLE,
            f"lr = {lr} was not in the grid or every run at it diverged",
        )
    ends = [c[-1] for c, _ in paths.values()]
    tails = [stats.tail_drop(c) for c, _ in paths.values()]
    refs = [r for _, r in paths.values() if r is not None]
    measured = (
        f"after {search.epochs} epochs the loss is {_span(ends)} and fell "
        f"{_span([100 * t for t in tails], 2)}% in the last tenth"
        + (
            f"; lr = {ref} was at {_span([r[0] for r in refs])} after {at} epochs "
            f"and ended at {_span([r[1] for r in refs])}"
            if refs
            else ""
        )
    )
    if smoke:
        return _smoke(claim, measured, "search")
    paces = [
        t / max(1 - c[-1] / c[0], 1e-12) * 10
        for (c, _), t in zip(paths.values(), tails, strict=True)
    ]
    plateau = all(p < 0.3 for p in paces)
    same_path = bool(refs) and all(
        abs(r[0] - c[-1]) <= 0.005 * c[-1] and r[1] < 0.99 * c[-1]
        for c, r in paths.values()
        if r is not None
    )
    if plateau and same_path:
        verdict, reason = (
            PARTLY,
            (
                "the loss does flatten early, but it is not a minimum: after "
                f"{search.epochs} epochs at lr = {lr} the network is where lr = {ref} "
                f"was after {at} epochs, and that run went on down; the same path, "
                f"{ref / lr:.0f} times slower"
            ),
        )
    elif plateau:
        verdict, reason = (
            REPRODUCED,
            ("the loss flattened early and no faster run shows a way further down"),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            ("the loss kept falling at a steady pace to the end of the run"),
        )
    return Claim("search", claim, measured, verdict, reason)


def claim_large_lr(search, smoke=False, high=0.5, low=0.1):
    """lr 0.5 reaches a much lower loss than lr 0.1."""
    claim = f"lr = {high} reaches a much lower minimum than lr = {low} (§4.3)."
    if not {high, low} <= set(search.lr_values):
        return Claim(
            "search",
            claim,
            "not measured",
            NOT_APPLICABLE,
            f"the grid does not hold both lr = {high} and lr = {low}",
        )
    hs = search.hidden_values
    measured = (
        f"mean CV accuracy {join(fmt(_score(search, (h, high))) for h in hs)} at "
        f"lr = {high} against {join(fmt(_score(search, (h, low))) for h in hs)} at "
        f"lr = {low} (hidden = {join(hs)})"
    )
    if smoke:
        return _smoke(claim, measured, "search")
    wins = [
        h
        for h in hs
        if _score(search, (h, high)) > _score(search, (h, low))
        and _differ(search, (h, high), (h, low))
    ]
    because = (
        f"with the dampened rule the step is lr·g, so {search.epochs} epochs at "
        f"lr = {low} cover {pct(low / high, 0)} of the distance: a slower "
        "descent, not a minimum that lr = "
        f"{high} escaped"
    )
    if len(wins) == len(hs):
        verdict, reason = REPRODUCED, f"clearly ahead at every hidden size; {because}"
    elif wins:
        verdict, reason = (
            PARTLY,
            (
                f"clearly ahead only at hidden = {join(wins)}; elsewhere within "
                "the noise"
            ),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            (f"lr = {high} is not clearly ahead at any hidden size"),
        )
    return Claim("search", claim, measured, verdict, reason)


def claim_hidden(search, smoke=False, lr=0.5, hidden=6):
    """Six hidden neurons at lr 0.5 are the best of the grid's sizes."""
    claim = (
        f"{hidden} hidden neurons at lr = {lr} do best; fewer or more do worse (§4.3)."
    )
    hs = search.hidden_values
    if lr not in search.lr_values or hidden not in hs:
        return Claim(
            "search",
            claim,
            "not measured",
            NOT_APPLICABLE,
            f"the grid does not hold hidden = {hidden} at lr = {lr}",
        )
    measured = (
        f"mean CV accuracy at lr = {lr}: "
        + ", ".join(f"{h} units {cell(*_cell_values(search, (h, lr)))}" for h in hs)
        + f"; the search picked hidden = {search.pick[0]}, lr = {search.pick[1]}"
    )
    if smoke:
        return _smoke(claim, measured, "search")
    others = [h for h in hs if h != hidden]
    top = max(_score(search, (h, lr)) for h in hs)
    is_top = _score(search, (hidden, lr)) == top
    beaten = [
        h
        for h in others
        if _differ(search, (hidden, lr), (h, lr))
        and _score(search, (h, lr)) < _score(search, (hidden, lr))
    ]
    best_h = max(hs, key=lambda h: _score(search, (h, lr)))
    tied_top = is_top or not _differ(search, (hidden, lr), (best_h, lr))
    if is_top and len(beaten) == len(others):
        verdict, reason = (
            REPRODUCED,
            f"{hidden} units are clearly ahead of {join(others)}",
        )
    elif tied_top and beaten:
        verdict, reason = (
            PARTLY,
            (f"{hidden} units tie with the best and clearly beat {join(beaten)}"),
        )
    elif tied_top:
        verdict, reason = (
            NOT_REPRODUCED,
            (
                f"at lr = {lr} the sizes {join(hs)} are indistinguishable within the "
                "fold spread: this data shows no sweet spot"
            ),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            (f"{hidden} units are clearly below {best_h} at lr = {lr}"),
        )
    return Claim("search", claim, measured, verdict, reason)


def _cell_values(search, pair):
    i, j = search.cell(*pair)
    return search.mean[i, j], search.std[i, j]


def claims(study):
    """Every claim of the original lab, held against a study's results."""
    smoke = study.config.smoke
    search = study.searches[0]
    return [
        claim_accuracy(study.accuracy, study.data.bundled, smoke),
        claim_losses(study.losses, smoke),
        claim_momentum_speed(study.momentum, smoke),
        claim_momentum_smooth(study.momentum, smoke),
        claim_small_lr(search, smoke),
        claim_large_lr(search, smoke),
        claim_hidden(search, smoke),
    ]


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
        f"{wide}'s standard deviation is {ratio:.1f} times {narrow}'s, so an "
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
        out.append(
            "At the output, cross-entropy's gradient is p - y and squared "
            f"error's is (p - y) p (1 - p). After one epoch p lies between "
            f"{lo:.3f} and {hi:.3f}, so p (1 - p) is at most 1/4: every row's "
            "gradient is cut to about a quarter, which is why squared error "
            "starts slowly."
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
    side = "above" if gap > 0 else "below"
    text = (
        "The Bayes-optimal rule (the class of higher density under the known "
        f"mixture) is the best any classifier can do: {fmt(bayes)} on new data, "
        f"{fmt(bayes_train)} on these training rows and {fmt(bayes_test)} on "
        f"these test rows. The network's test accuracy is "
        f"{100 * abs(gap):.1f} points {side} the population value"
    )
    if abs(gap) <= stats.accuracy_margin(net_test, bayes, n_test):
        text += f", within the noise of {n_test} test rows"
    if gap > 0:
        text += "; scoring above it reflects this sample of rows, not a better rule"
    return text + "."


def linear_finding(net, linear, n_test):
    """The network against the linear baseline, with the conclusion drawn."""
    a, b = net.test_accuracy, linear.test_accuracy
    numbers = f"{fmt(a)} against {fmt(b)} on the test set"
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
        out.append("PyTorch is not installed: only the numpy backend was run.")
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
            f"{_speeds_text(momentum, kind)}."
        )
        fast = _sped_up(momentum, kind)
        if kind == "dampened" and not fast:
            text += (
                " Its velocity averages past steps lr g, so under a steady "
                "gradient the step is lr g whatever β is: momentum only smooths "
                "the direction, and does not make training faster."
            )
        elif fast:
            text += (
                " Without the (1-β) factor the velocity sums past gradients, so "
                "the steady step is lr g / (1-β): β = 0.9 acts like a ten times "
                "larger learning rate."
                if kind == "classic"
                else ""
            )
        out.append(text)
    rose = [
        (k, b, momentum.rises[k, b])
        for k in momentum.kinds
        for b in momentum.betas
        if momentum.rises[k, b]
    ]
    if rose:
        k, b, n = max(rose, key=lambda r: r[2])
        out.append(
            "The loss went up during training in "
            + join(f"{n} epochs for {k} at β = {b}" for k, b, n in rose)
            + ": the velocity carried the weights past the minimum along a "
            f"direction, most of all for {k} at β = {b}."
        )
    else:
        out.append("The loss never went up in any run: no run overshot.")
    return out


def _best(search):
    i, j = np.unravel_index(np.nanargmax(search.mean), search.mean.shape)
    return search.hidden_values[i], search.lr_values[j]


def _ties(search):
    """Every pair indistinguishable from the best, the best first."""
    best = _best(search)
    pairs = [
        (h, lr)
        for h in search.hidden_values
        for lr in search.lr_values
        if np.isfinite(_score(search, (h, lr)))
    ]
    return [best] + [p for p in pairs if p != best and not _differ(search, best, p)]


def _pair(search, pair):
    return f"hidden = {pair[0]}, lr = {pair[1]} ({cell(*_cell_values(search, pair))})"


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
    best, *ties = _ties(search)
    out.append(
        f"The highest mean CV accuracy is at {_pair(search, best)}; "
        + (
            "every other pair is clearly below it."
            if not ties
            else "indistinguishable from it: "
            + "; ".join(_pair(search, p) for p in ties)
            + "."
        )
    )
    worse = [
        lr
        for lr in search.lr_values
        if all(_differ(search, best, (h, lr)) for h in search.hidden_values)
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
        h for h in search.hidden_values if np.isfinite(_score(search, (h, best[1])))
    ]
    below = [h for h in column if _differ(search, best, (h, best[1]))]
    out.append(
        f"At lr = {best[1]}, "
        + (
            f"hidden = {join(below, 'and')} is clearly below hidden = {best[0]}."
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
    text = f"The lowest final training loss, {loss:.4f}, is at {_pair(search, pair)}"
    if pair == best:
        return text + ", the highest CV accuracy of the grid."
    if pair in ties:
        return text + ", indistinguishable from the highest CV accuracy."
    return text + (
        ", clearly below the highest CV accuracy: a lower training loss did not "
        "give a better CV accuracy."
    )


# ------------------------------------------------------------------ summary
def summary(study):
    """A few plain sentences a student can read in a minute."""
    acc, data = study.accuracy, study.data
    net = acc.networks[0]
    if study.config.smoke:
        return [
            "This is a smoke run (--quick): every experiment ran, but for far too "
            "few epochs to say anything about the lab. Run `mlplab lab` without "
            "--quick for the real study."
        ]
    first = (
        f"The lab's {acc.shape} network gets {fmt(net.train_accuracy)} of the "
        f"training rows and {fmt(net.test_accuracy)} of the test rows right"
    )
    if data.bayes_accuracy is not None:
        first += f"; no classifier can expect more than {fmt(data.bayes_accuracy)}"
    first += f", and a straight-line boundary gets {fmt(acc.linear.test_accuracy)}."
    found = [c.verdict for c in claims(study)]
    tally = join(f"{found.count(v)} {v}" for v in VERDICTS if v in found)
    ce, se = study.losses.runs["log_loss"], study.losses.runs["squared_error"]
    loss = (
        "Squared error ends as accurate as cross-entropy, only slower."
        if not stats.accuracies_differ(
            ce.test_accuracy, se.test_accuracy, study.losses.n_test
        )
        else compare(
            "Cross-entropy", ce.test_accuracy, "squared error", se.test_accuracy
        )
        + " on the test set."
    )
    best, *ties = _ties(study.searches[0])
    grid = f"In the grid, hidden = {best[0]}, lr = {best[1]} scores best" + (
        f", but {len(ties)} other pairs are within the noise of it."
        if ties
        else ", clearly ahead of every other pair."
    )
    momentum = (
        "The lab's dampened momentum rule does not make training faster; "
        "the classic rule does, by about 1/(1-β)."
        if not _sped_up(study.momentum, "dampened")
        and "classic" in study.momentum.kinds
        and _sped_up(study.momentum, "classic")
        else "Momentum: " + momentum_findings(study.momentum)[0].replace("**", "")
    )
    return [first, loss, momentum, grid, f"Of the lab's {len(found)} claims, {tally}."]
