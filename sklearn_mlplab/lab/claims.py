"""The original lab's claims, held against a run: verdict and reason.

One function per claim, each a pure function of the experiments' result
objects returning a :class:`Claim`: the lab's words, the value measured in
this run, a verdict (reproduced, partly, not reproduced, not applicable)
and a one-sentence reason grounded in the measurement. In a smoke run
(``--quick``) every verdict is "not applicable".
"""

from dataclasses import dataclass

from . import stats
from .comparisons import (
    cell_values,
    differ,
    score_of,
    span,
    sped_up,
    speeds_text,
)
from .text import cell, fmt, join, pct, times

REPRODUCED = "reproduced"


PARTLY = "partly"


NOT_REPRODUCED = "not reproduced"


NOT_APPLICABLE = "not applicable"


VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_APPLICABLE)


SMOKE_REASON = (
    "a smoke run (--quick) is too short to test this; run `mlplab lab` without --quick"
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
    intervals = (train_iv, net.test_interval)
    text = [f"{fmt(lo)}–{fmt(hi)}" for lo, hi in intervals]
    if all(inside) or not any(inside):
        where = "inside" if all(inside) else "outside"
        reason = (
            f"the lab's train {lab[0]} and test {lab[1]} both lie {where} this "
            f"run's 95% intervals ({text[0]} and {text[1]})"
        )
    else:
        (a, b) = ("train", "test") if inside[0] else ("test", "train")
        ia, ib = (0, 1) if inside[0] else (1, 0)
        reason = (
            f"the lab's {a} {lab[ia]} lies inside this run's 95% interval "
            f"({text[ia]}), its {b} {lab[ib]} outside it ({text[ib]})"
        )
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
    halves = [stats.half_fall_epoch(r.curve) for r in (ce, se)]
    pace = (
        f" (half of its fall took {halves[1]} epochs against {halves[0]} for "
        "cross-entropy)"
    )
    slow = halves[1] > halves[0]
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
                "falling: it has not stalled"
                + (f", it is slower{pace}" if slow else "")
            ),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            (
                "L2 ends as accurate as cross-entropy within the noise and its loss "
                "is still falling: it does not stall"
                + (f", it is only slower{pace}" if slow else "")
            ),
        )
    return Claim("losses", claim, measured, verdict, reason)


def claim_momentum_speed(momentum, smoke=False, lab_rule="dampened"):
    """Increasing the momentum rate makes the loss fall faster."""
    claim = "A higher momentum rate makes the loss fall faster (§3)."
    other = next((k for k in momentum.kinds if k != lab_rule), None)
    measured = f"{lab_rule}: {speeds_text(momentum, lab_rule)}" + (
        f"; {other}: {speeds_text(momentum, other)}" if other else ""
    )
    if smoke:
        return _smoke(claim, measured, "momentum")
    if sped_up(momentum, lab_rule):
        verdict, reason = (
            REPRODUCED,
            (f"the lab's {lab_rule} rule reaches the target loss sooner as β grows"),
        )
    elif other and sped_up(momentum, other):
        # The lab's own highest tried rate when it sped up, else the fastest.
        fast = sped_up(momentum, other)
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
            (
                f"the loss rose at β ≤ {threshold} too"
                if any(momentum.rises.values())
                else "the loss never rose, for any rule or β"
            ),
        )
    return Claim("momentum", claim, measured, verdict, reason)


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
        f"after {search.epochs} epochs the loss is {span(ends)} and fell "
        f"{span([100 * t for t in tails], 2)}% in the last tenth"
        + (
            f"; lr = {ref} was at {span([r[0] for r in refs])} after {at} epochs "
            f"and ended at {span([r[1] for r in refs])}"
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


def _final_losses(search, lr):
    """The final training loss at ``lr`` per hidden size (None if diverged)."""
    return {
        h: (None if c is None else float(c[-1]))
        for h in search.hidden_values
        for c in [search.curves.get((h, lr))]
    }


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
    fast, slow = _final_losses(search, high), _final_losses(search, low)
    pairs = [(h, fast[h], slow[h]) for h in hs if None not in (fast[h], slow[h])]
    if not pairs:
        return Claim(
            "search",
            claim,
            "not measured",
            NOT_APPLICABLE,
            "every run at one of the two rates diverged",
        )
    measured = (
        f"final training loss {join(fmt(f) for _, f, _ in pairs)} at lr = {high} "
        f"against {join(fmt(s) for _, _, s in pairs)} at lr = {low} "
        f"(hidden = {join(h for h, _, _ in pairs)}); mean CV accuracy "
        f"{span([score_of(search, (h, high)) for h in hs])} against "
        f"{span([score_of(search, (h, low)) for h in hs])}"
    )
    if smoke:
        return _smoke(claim, measured, "search")
    much = [h for h, f, s in pairs if f <= 0.5 * s]
    lower = [h for h, f, s in pairs if f < s]
    why = (
        f"not by escaping a local minimum: with the dampened rule the step is "
        f"lr·g, so in the same {search.epochs} epochs lr = {low} travels "
        f"{pct(low / high, 0)} as far down the same slope"
    )
    if len(much) == len(pairs):
        verdict, reason = (
            REPRODUCED,
            (
                f"at every hidden size lr = {high} ends at half lr = {low}'s loss or "
                f"less; {why}"
            ),
        )
    elif lower:
        verdict, reason = (
            PARTLY,
            (
                f"lr = {high} ends lower at hidden = {join(lower)}, but at half the "
                "loss or less "
                + (f"only at {join(much)}" if much else "at no hidden size")
            ),
        )
    else:
        verdict, reason = (
            NOT_REPRODUCED,
            (f"at no hidden size does lr = {high} end at a lower loss than lr = {low}"),
        )
    return Claim("search", claim, measured, verdict, reason)


def _cv_ranking(search, lr, hidden):
    """Where ``hidden`` stands in CV accuracy at ``lr``: top, tied, beaten."""
    hs = search.hidden_values
    others = [h for h in hs if h != hidden]
    mine = score_of(search, (hidden, lr))
    best_h = max(hs, key=lambda h: score_of(search, (h, lr)))
    beaten = [
        h
        for h in others
        if score_of(search, (h, lr)) < mine and differ(search, (hidden, lr), (h, lr))
    ]
    top = mine == score_of(search, (best_h, lr))
    tied = top or not differ(search, (hidden, lr), (best_h, lr))
    return top and len(beaten) == len(others), tied, beaten, best_h


def _hidden_measured(search, lr, finite):
    """What claim 7 measured: final losses and CV accuracy per hidden size."""
    hs = search.hidden_values
    losses = ", ".join(f"{h} units {fmt(finite[h])}" for h in hs if h in finite)
    scores = ", ".join(f"{h} units {cell(*cell_values(search, (h, lr)))}" for h in hs)
    return (
        f"at lr = {lr}, "
        + (f"final training loss {losses}; " if finite else "")
        + f"mean CV accuracy {scores}; the search picked hidden = "
        f"{search.pick[0]}, lr = {search.pick[1]}"
    )


def _hidden_verdict(search, lr, hidden, lowest):
    """Claim 7's verdict and reason, from the lowest loss and the CV ranking."""
    clear, tied, beaten, best_h = _cv_ranking(search, lr, hidden)
    if lowest == hidden and clear:
        return REPRODUCED, (
            f"{hidden} units reach the lowest loss and are clearly ahead in CV accuracy"
        )
    if lowest == hidden:
        return PARTLY, (
            f"{hidden} units reach the lowest training loss, but are not clearly "
            "ahead in CV accuracy"
        )
    if tied and beaten and lowest is not None:
        return PARTLY, (
            f"{hidden} units tie with the best in CV accuracy and clearly beat "
            f"{join(beaten)}, but the lowest training loss is at {lowest} units"
        )
    if lowest is None:
        loss_part = "every run at this rate diverged"
    else:
        loss_part = f"the lowest training loss at lr = {lr} is at {lowest} units"
        if lowest > hidden:
            loss_part += ", as more units fit the training rows more closely"
    cv_part = (
        f"the CV accuracies of {join(search.hidden_values)} units are "
        "indistinguishable: this data shows no sweet spot"
        if tied
        else f"{hidden} units are clearly below {best_h} in CV accuracy"
    )
    return NOT_REPRODUCED, f"{loss_part}, and {cv_part}"


def claim_hidden(search, smoke=False, lr=0.5, hidden=6):
    """Six hidden neurons at lr 0.5 reach the lowest loss and do best."""
    claim = (
        f"{hidden} hidden neurons at lr = {lr} reach the lowest loss; fewer or "
        "more do worse (§4.3)."
    )
    if lr not in search.lr_values or hidden not in search.hidden_values:
        return Claim(
            "search",
            claim,
            "not measured",
            NOT_APPLICABLE,
            f"the grid does not hold hidden = {hidden} at lr = {lr}",
        )
    losses = _final_losses(search, lr)
    finite = {h: v for h, v in losses.items() if v is not None}
    measured = _hidden_measured(search, lr, finite)
    if smoke:
        return _smoke(claim, measured, "search")
    lowest = min(finite, key=finite.get) if finite else None
    verdict, reason = _hidden_verdict(search, lr, hidden, lowest)
    return Claim("search", claim, measured, verdict, reason)


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
