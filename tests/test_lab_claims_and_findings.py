"""The report's conclusions, on constructed results: verdicts both ways.

Every claim of the original lab and every finding is a pure function of the
experiments' result objects, so each is fed hand-made results on both sides
of its rule and the verdict and sentence are checked.
"""

import numpy as np
import pytest

from sklearn_mlplab.lab import claims as k
from sklearn_mlplab.lab import conclusions as c
from sklearn_mlplab.lab import stats
from sklearn_mlplab.lab.claims import Claim
from sklearn_mlplab.lab.experiments import (
    AccuracyResult,
    DataResult,
    LossResult,
    LossRun,
    MomentumResult,
    Score,
    SearchResult,
)


# ------------------------------------------------------------ constructors
def curve(first, last, tail, n=1000):
    """A falling loss curve whose last tenth falls by the share ``tail``."""
    knee = last / (1 - tail)
    return np.concatenate(
        [
            np.linspace(first, knee, int(0.9 * n) + 1)[:-1],
            np.linspace(knee, last, n - int(0.9 * n)),
        ]
    )


def losses(ce_test=0.943, se_test=0.957, se_tail=0.146, binary=True, n=300):
    runs = {
        "log_loss": LossRun("log_loss", curve(0.70, 0.11, 0.013), 0.97, ce_test),
        "squared_error": LossRun(
            "squared_error", curve(0.13, 0.03, se_tail), 0.967, se_test
        ),
    }
    return LossResult(runs, 1000, n, n, binary, (0.49, 0.63) if binary else None, None)


def score(name, train, test, n=300):
    return Score(name, train, test, stats.wilson_interval(test, n))


def accuracy(train=0.97, test=0.943, linear=0.58, n=300):
    return AccuracyResult(
        networks=(score("NumpyMLPClassifier", train, test, n),),
        linear=score("LogisticRegression", linear, linear, n),
        shape="2-3-1",
        n_train=n,
        n_test=n,
        backend_gap=None,
        backends=("numpy",),
        model=None,
    )


BETAS = (0.0, 0.5, 0.9, 0.99)
KINDS = ("dampened", "classic", "nesterov")


def momentum(speedups, rises=None):
    """``speedups`` and ``rises``: {kind: (value at 0.5, 0.9, 0.99)}."""
    speedup, rise = {}, {}
    for kind in KINDS:
        values = (1.0, *speedups.get(kind, (1.0, 1.0, 1.0)))
        counts = (0, *(rises or {}).get(kind, (0, 0, 0)))
        for beta, s, r in zip(BETAS, values, counts, strict=True):
            speedup[kind, beta], rise[kind, beta] = s, r
    return MomentumResult(
        kinds=KINDS,
        betas=BETAS,
        lr=0.001,
        epochs=5000,
        curves={k: np.ones(5) for k in speedup},
        target=0.69,
        half=2500,
        reach={k: None if s is None else int(2500 / s) for k, s in speedup.items()},
        speedup=speedup,
        rises=rise,
    )


def search(
    mean, std=0.01, curves=None, hiddens=(3, 6, 11), lrs=(0.5, 0.1, 0.01, 0.005)
):
    mean = np.asarray(mean, dtype=float)
    i, j = np.unravel_index(np.nanargmax(mean), mean.shape)
    return SearchResult(
        backend="numpy",
        hidden_values=tuple(hiddens),
        lr_values=tuple(lrs),
        mean=mean,
        std=np.full_like(mean, std),
        pick=(hiddens[i], lrs[j]),
        test_accuracy=0.94,
        n_test=300,
        curves=curves or {},
        epochs=1000,
        cv=5,
        fold_rows=60,
    )


GRID = [
    [0.967, 0.743, 0.590, 0.600],
    [0.967, 0.757, 0.590, 0.660],
    [0.970, 0.827, 0.620, 0.550],
]


# ------------------------------------------------------------------ claims
def test_claim_accuracy_reproduced_when_both_lab_values_fall_in_the_intervals():
    claim = k.claim_accuracy(accuracy(0.970, 0.943), bundled=True)
    assert claim.verdict == k.REPRODUCED
    assert claim.reason == (
        "the lab's train 0.97 and test 0.92 both lie inside this run's 95% "
        "intervals (0.944–0.984 and 0.911–0.964)"
    )


def test_claim_accuracy_partly_and_not_reproduced():
    partly = k.claim_accuracy(accuracy(0.97, 0.99), bundled=True)
    assert partly.verdict == k.PARTLY
    assert partly.reason == (
        "the lab's train 0.97 lies inside this run's 95% interval (0.944–0.984), "
        "its test 0.92 outside it (0.971–0.997)"
    )
    claim = k.claim_accuracy(accuracy(0.80, 0.75), bundled=True)
    assert claim.verdict == k.NOT_REPRODUCED
    assert "outside" in claim.reason and "inside" not in claim.reason


def test_claim_accuracy_does_not_apply_to_another_csv_or_a_smoke_run():
    assert k.claim_accuracy(accuracy(), bundled=False).verdict == k.NOT_APPLICABLE
    smoke = k.claim_accuracy(accuracy(), bundled=True, smoke=True)
    assert smoke.verdict == k.NOT_APPLICABLE and "--quick" in smoke.reason


def test_claim_losses_not_reproduced_when_l2_is_as_accurate_and_still_falling():
    claim = k.claim_losses(losses(0.943, 0.957, se_tail=0.146))
    assert claim.verdict == k.NOT_REPRODUCED
    assert claim.reason == (
        "L2 ends as accurate as cross-entropy within the noise and its loss is "
        "still falling: it does not stall, it is only slower (half of its fall "
        "took 476 epochs against 453 for cross-entropy)"
    )
    assert "still fell 14.6%" in claim.measured


def test_claim_losses_partly_or_reproduced_when_l2_is_clearly_behind():
    assert k.claim_losses(losses(0.95, 0.80, se_tail=0.10)).verdict == k.PARTLY
    assert k.claim_losses(losses(0.95, 0.80, se_tail=1e-5)).verdict == k.REPRODUCED


def test_claim_losses_multiclass_reason_has_no_binary_argument():
    claim = k.claim_losses(losses(binary=False))
    assert "p(1-p)" not in claim.reason


def test_claim_momentum_speed_partly_when_only_the_classic_rule_speeds_up():
    m = momentum({"classic": (2.0, 9.9, 36.2)})
    claim = k.claim_momentum_speed(m)
    assert claim.verdict == k.PARTLY
    assert "cannot speed up" in claim.reason
    assert claim.reason.endswith(
        "the classic rule reproduces the claim: 9.9× at β = 0.9"
    )


def test_claim_momentum_speed_reproduced_or_not():
    assert k.claim_momentum_speed(momentum({"dampened": (1.5, 3.0, 5.0)})).verdict == (
        k.REPRODUCED
    )
    assert k.claim_momentum_speed(momentum({})).verdict == k.NOT_REPRODUCED
    # A slow-down is not a speed-up.
    slower = momentum({"dampened": (0.5, 0.3, 0.1), "classic": (0.5, 0.3, 0.1)})
    assert k.claim_momentum_speed(slower).verdict == k.NOT_REPRODUCED


def test_claim_momentum_smooth_each_verdict():
    lab_rough = momentum({}, {"dampened": (0, 0, 12)})
    assert k.claim_momentum_smooth(lab_rough).verdict == k.REPRODUCED
    classic_rough = momentum({}, {"classic": (0, 0, 44)})
    claim = k.claim_momentum_smooth(classic_rough)
    assert claim.verdict == k.PARTLY
    assert "classic: the loss rose in 44 epochs at β = 0.99" in claim.measured
    assert "dampened: the loss never rose" in claim.measured
    rough_everywhere = momentum({}, {"dampened": (5, 5, 5), "classic": (3, 3, 3)})
    assert k.claim_momentum_smooth(rough_everywhere).verdict == k.NOT_REPRODUCED
    assert k.claim_momentum_smooth(momentum({})).verdict == k.NOT_REPRODUCED


def _curves(small_end, ref_at_50, ref_end, small_tail=0.0003):
    """Loss curves per hidden size at lr 0.005 (slow) and lr 0.1 (reference)."""
    out = {}
    for h in (3, 6, 11):
        out[h, 0.005] = curve(0.70, small_end, small_tail)
        fast = np.linspace(0.70, ref_end, 1000)
        fast[49] = ref_at_50
        out[h, 0.1] = fast
        out[h, 0.5] = np.linspace(0.70, 0.12, 1000)
        out[h, 0.01] = curve(0.70, small_end, small_tail)
    return out


def test_claim_small_lr_partly_when_the_plateau_is_the_faster_runs_path():
    s = search(GRID, curves=_curves(0.690, 0.6905, 0.59))
    claim = k.claim_small_lr(s)
    assert claim.verdict == k.PARTLY
    assert "is where lr = 0.1 was after 50 epochs" in claim.reason
    assert "20 times slower" in claim.reason


def test_claim_small_lr_reproduced_when_no_faster_run_gets_further():
    # The reference run is not on the slow run's path: nothing refutes a minimum.
    s = search(GRID, curves=_curves(0.690, 0.80, 0.80))
    assert k.claim_small_lr(s).verdict == k.REPRODUCED


def test_claim_small_lr_not_reproduced_when_the_loss_falls_steadily():
    steady = {
        (h, lr): np.linspace(0.7, 0.3, 1000) for h in (3, 6, 11) for lr in (0.005, 0.1)
    }
    assert k.claim_small_lr(search(GRID, curves=steady)).verdict == k.NOT_REPRODUCED


def ends(final):
    """Loss curves ending at ``final[(hidden, lr)]``."""
    return {key: np.linspace(0.7, value, 100) for key, value in final.items()}


def by_lr(values, lrs=(0.5, 0.1)):
    """``{(hidden, lr): value}`` from one value per lr, the same at each hidden."""
    return {(h, lr): v for h in (3, 6, 11) for lr, v in zip(lrs, values, strict=True)}


def test_claim_large_lr_each_verdict():
    s = search(GRID, std=0.02, curves=ends(by_lr((0.12, 0.59))))
    claim = k.claim_large_lr(s)
    assert claim.verdict == k.REPRODUCED
    assert claim.reason == (
        "at every hidden size lr = 0.5 ends at half lr = 0.1's loss or less; not "
        "by escaping a local minimum: with the dampened rule the step is lr·g, "
        "so in the same 1000 epochs lr = 0.1 travels 20% as far down the same "
        "slope"
    )
    assert claim.measured.startswith(
        "final training loss 0.120, 0.120 and 0.120 at lr = 0.5 against 0.590, "
        "0.590 and 0.590 at lr = 0.1 (hidden = 3, 6 and 11); mean CV accuracy "
        "0.967–0.970 against 0.743–0.827"
    )
    mixed = {**by_lr((0.12, 0.59)), (3, 0.5): 0.40}
    partly = k.claim_large_lr(search(GRID, curves=ends(mixed)))
    assert partly.verdict == k.PARTLY
    assert partly.reason == (
        "lr = 0.5 ends lower at hidden = 3, 6 and 11, but at half the loss or "
        "less only at 6 and 11"
    )
    flipped = k.claim_large_lr(search(GRID, curves=ends(by_lr((0.60, 0.59)))))
    assert flipped.verdict == k.NOT_REPRODUCED
    other = search(GRID, lrs=(0.5, 0.2, 0.01, 0.005))
    assert k.claim_large_lr(other).verdict == k.NOT_APPLICABLE
    diverged = k.claim_large_lr(search(GRID, curves={}))
    assert diverged.verdict == k.NOT_APPLICABLE


def test_claim_hidden_each_verdict():
    losses_at = {(3, 0.5): 0.13, (6, 0.5): 0.13, (11, 0.5): 0.12}
    ties = k.claim_hidden(search(GRID, std=0.02, curves=ends(losses_at)))
    assert ties.verdict == k.NOT_REPRODUCED
    assert ties.reason == (
        "the lowest training loss at lr = 0.5 is at 11 units, as more units fit "
        "the training rows more closely, and the CV accuracies of 3, 6 and 11 "
        "units are indistinguishable: this data shows no sweet spot"
    )
    six_lowest = {(3, 0.5): 0.2, (6, 0.5): 0.1, (11, 0.5): 0.15}
    six = [[0.90, 0.7, 0.5, 0.5], [0.97, 0.7, 0.5, 0.5], [0.91, 0.7, 0.5, 0.5]]
    assert k.claim_hidden(search(six, curves=ends(six_lowest))).verdict == (
        k.REPRODUCED
    )
    # The lowest loss without a clear CV lead, or a CV tie without the loss.
    assert k.claim_hidden(search(GRID, std=0.02, curves=ends(six_lowest))).verdict == (
        k.PARTLY
    )
    tie_and_beat = [
        [0.90, 0.7, 0.5, 0.5],
        [0.97, 0.7, 0.5, 0.5],
        [0.975, 0.7, 0.5, 0.5],
    ]
    partly = k.claim_hidden(search(tie_and_beat, curves=ends(losses_at)))
    assert partly.verdict == k.PARTLY
    assert partly.reason == (
        "6 units tie with the best in CV accuracy and clearly beat 3, but the "
        "lowest training loss is at 11 units"
    )
    below = [[0.97, 0.7, 0.5, 0.5], [0.80, 0.7, 0.5, 0.5], [0.97, 0.7, 0.5, 0.5]]
    low3 = {(3, 0.5): 0.1, (6, 0.5): 0.2, (11, 0.5): 0.15}
    assert k.claim_hidden(search(below, curves=ends(low3))).reason == (
        "the lowest training loss at lr = 0.5 is at 3 units, and 6 units are "
        "clearly below 3 in CV accuracy"
    )
    assert "every run at this rate diverged" in k.claim_hidden(search(below)).reason


# ---------------------------------------------------------------- findings
def test_bayes_finding_says_below_or_above():
    below = c.bayes_finding(0.943, 0.950, 0.967, 0.933, 300)
    assert "0.7 points below the population value, within the noise" in below
    above = c.bayes_finding(0.990, 0.950, 0.967, 0.933, 300)
    assert "4.0 points above the population value" in above
    assert "within the noise" not in above and "not a better rule" in above


def test_linear_finding_draws_a_conclusion_either_way():
    net, lin = score("net", 0.97, 0.943), score("lin", 0.58, 0.58)
    assert "hidden layer is needed" in c.linear_finding(net, lin, 300)
    tie = c.linear_finding(score("net", 0.95, 0.947), score("lin", 0.96, 0.959), 171)
    assert "the simpler linear model is the better choice" in tie
    worse = c.linear_finding(score("net", 0.9, 0.80), score("lin", 0.96, 0.959), 300)
    assert worse.startswith("The linear model beats the network (0.959 against 0.800")
    assert "(network 0.943, linear model 0.580 on the test set)" in c.linear_finding(
        net, lin, 300
    )


def test_compare_puts_the_winner_first_and_names_none_within_the_margin():
    assert c.compare("a", 0.943, "b", 0.957) == "b does better (0.957 against 0.943)"
    assert c.compare("a", 0.957, "b", 0.943) == "a does better (0.957 against 0.943)"
    assert "indistinguishable" in c.compare("a", 0.943, "b", 0.957, margin=0.025)


def test_loss_findings_name_the_better_loss_only_beyond_the_noise():
    text = " ".join(c.loss_findings(losses(0.80, 0.95)))
    assert "In test accuracy, squared error does better (0.950 against 0.800)" in text
    text = " ".join(c.loss_findings(losses(0.95, 0.80)))
    assert "In test accuracy, cross-entropy does better (0.950 against 0.800)" in text
    assert "p (1 - p)" in text
    assert "p (1 - p)" not in " ".join(c.loss_findings(losses(binary=False)))


def test_momentum_findings_follow_the_measured_speed_ups():
    text = " ".join(c.momentum_findings(momentum({"classic": (2.0, 9.9, 36.2)})))
    assert "**Dampened**" in text and "does not make training faster" in text
    assert "9.9× at β = 0.9" in text
    text = " ".join(c.momentum_findings(momentum({"dampened": (2.0, 4.0, 8.0)})))
    assert "does not make training faster" not in text
    assert "never went up" in text
    rough = c.momentum_findings(momentum({}, {"classic": (0, 0, 44)}))
    assert "44 epochs for classic at β = 0.99" in rough[-1]


def test_search_findings_claim_nothing_within_the_fold_spread():
    notes = " ".join(c.search_findings([search(GRID, std=0.05)]))
    assert "indistinguishable from it" in notes
    assert "the hidden sizes 3, 6 and 11 are indistinguishable" in notes
    # One validation row (1/60) is the least gap that counts.
    notes = " ".join(c.search_findings([search(GRID, std=0.001)]))
    assert "indistinguishable from it" in notes
    apart = [
        [0.90, 0.74, 0.59, 0.60],
        [0.93, 0.75, 0.59, 0.66],
        [0.97, 0.82, 0.62, 0.55],
    ]
    notes = " ".join(c.search_findings([search(apart, std=0.001)]))
    assert "every other pair is clearly below it" in notes
    assert "lr = 0.1, 0.01 or 0.005 is clearly worse" in notes
    assert "hidden = 3 and 6 are clearly below hidden = 11" in notes


def test_searches_agree_only_when_every_number_matches():
    a = search(GRID, curves={(3, 0.5): np.ones(3)})
    assert c.searches_agree([a, a])
    b = search(np.asarray(GRID) + 1e-3, curves={(3, 0.5): np.ones(3)})
    assert not c.searches_agree([a, b])
    d = search(GRID, curves={(3, 0.5): np.ones(3) * 2})
    assert not c.searches_agree([a, d])


def _described(std):
    n = len(std)
    z = np.zeros((2, n))
    return DataResult(
        feature_names=tuple("XYZ"[:n]),
        classes=(0, 1),
        class_counts=(1, 1),
        n_train=2,
        n_test=2,
        mean=(0,) * n,
        std=tuple(std),
        min=(0,) * n,
        max=(1,) * n,
        X_train=z,
        y_train=np.array([0, 1]),
        X_test=z,
        y_test=np.array([0, 1]),
        Z_train=z,
        Z_test=z,
    )


def test_scale_finding_names_the_wide_and_narrow_features():
    text = c.scale_finding(_described([2.4, 77.0]))
    assert text.startswith("The standard deviation of Y is 32.1 times that of X")
    assert "within 1.5× of each other" in c.scale_finding(_described([2.0, 3.0]))


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_wilson_interval_does_not_collapse_at_0_or_1(value):
    lo, hi = stats.wilson_interval(value, 54)
    assert hi - lo > 0.05
    assert 0.0 <= lo <= value <= hi <= 1.0


def test_wilson_interval_matches_the_formula():
    # p = 0.9, n = 100, z = 1.96: centre 0.8836..., half-width 0.0573...
    lo, hi = stats.wilson_interval(0.9, 100)
    z = 1.959964
    centre = (0.9 + z**2 / 200) / (1 + z**2 / 100)
    half = z / (1 + z**2 / 100) * np.sqrt(0.09 / 100 + z**2 / 40000)
    assert (lo, hi) == pytest.approx((centre - half, centre + half))
    assert (lo, hi) == pytest.approx((0.8256, 0.9448), abs=1e-4)


def _study(acc, smoke=False, bundled=True):
    from types import SimpleNamespace

    from sklearn_mlplab.lab import FULL, QUICK
    from sklearn_mlplab.lab.study import Study

    data = SimpleNamespace(
        bundled=bundled,
        bayes_accuracy=0.95 if bundled else None,
        bayes_train_accuracy=0.967,
        bayes_test_accuracy=0.933,
    )
    return Study(
        config=QUICK if smoke else FULL,
        data=data,
        seed=0,
        backends=("numpy",),
        described=None,
        losses=losses(),
        accuracy=acc,
        momentum=momentum({"classic": (2.0, 9.9, 36.2)}, {"classic": (0, 0, 44)}),
        searches=(search(GRID, std=0.02, curves=_curves(0.690, 0.6905, 0.59)),),
        inside=None,
        batched=True,
        n_jobs=1,
        seconds=1.0,
    )


def test_summary_states_when_the_linear_baseline_ties_or_wins():
    text = c.summary(_study(accuracy(test=0.943, linear=0.58)))[0]
    assert "and a linear model gets 0.580" in text
    assert "no classifier can expect more than 0.950" in text
    tie = c.summary(_study(accuracy(test=0.947, linear=0.959), bundled=False))[0]
    assert tie.endswith(
        "A linear model does as well (0.959): on this data the hidden layer buys "
        "nothing measurable."
    )
    worse = c.summary(_study(accuracy(test=0.80, linear=0.959)))[0]
    assert worse.endswith(
        "A linear model does better (0.959): on this data the network, as "
        "trained here, is the worse choice."
    )
    assert "0.950" not in tie


def test_summary_counts_the_verdicts_and_a_smoke_run_says_only_that():
    lines = c.summary(_study(accuracy()))
    # Accuracy and lr 0.5 reproduce; momentum twice and lr 0.005 partly; the
    # loss (L2 as accurate) and hidden (a three-way tie) do not.
    assert lines[-1] == (
        "Of the lab's 7 claims, 2 reproduce, 3 partly reproduce and 2 do not reproduce."
    )
    assert "dampened momentum rule does not make training faster" in lines[2]
    (smoke,) = c.summary(_study(accuracy(), smoke=True))
    assert smoke.startswith("This is a smoke run (--quick)")


# ------------------------------------------------ whole findings, as written
# Each finding on a constructed result, sentence for sentence: the wording
# of the report is part of what these functions promise.
APART = [[0.90, 0.74, 0.59, 0.60], [0.93, 0.75, 0.59, 0.66], [0.97, 0.82, 0.62, 0.55]]


def test_search_findings_read_in_full_for_a_tie():
    s = search(GRID, std=0.02, curves=_curves(0.690, 0.6905, 0.59))
    assert c.search_findings([s]) == [
        "The highest mean CV accuracy is at hidden = 11, lr = 0.5 (0.970 ± 0.020); "
        "indistinguishable from it: hidden = 3, lr = 0.5 (0.967 ± 0.020); "
        "hidden = 6, lr = 0.5 (0.967 ± 0.020).",
        "lr = 0.1, 0.01 or 0.005 is clearly worse than the best pair at every "
        "hidden size.",
        "At lr = 0.5, the hidden sizes 3, 6 and 11 are indistinguishable.",
        "The lowest final training loss, 0.1200, is at hidden = 3, lr = 0.5 "
        "(0.967 ± 0.020), indistinguishable from the highest CV accuracy.",
    ]


def test_search_findings_read_in_full_for_clear_gaps_and_two_backends():
    curves = {(11, 0.5): np.array([0.7, 0.1]), (3, 0.5): np.array([0.7, 0.2])}
    a = search(APART, std=0.001, curves=curves)
    b = SearchResult(**{**a.__dict__, "backend": "torch", "mean": a.mean + 1e-4})
    assert c.search_findings([a, b]) == [
        "The numpy and torch searches chose the same parameters; their mean CV "
        "accuracies differ by at most 1.0e-04.",
        "The highest mean CV accuracy is at hidden = 11, lr = 0.5 (0.970 ± 0.001); "
        "every other pair is clearly below it.",
        "lr = 0.1, 0.01 or 0.005 is clearly worse than the best pair at every "
        "hidden size.",
        "At lr = 0.5, hidden = 3 and 6 are clearly below hidden = 11.",
        "The lowest final training loss, 0.1000, is at hidden = 11, lr = 0.5 "
        "(0.970 ± 0.001), the highest CV accuracy of the grid.",
    ]
    lone = {(3, 0.5): np.array([0.7, 0.2]), (6, 0.1): np.array([0.7, 0.05])}
    last = c.search_findings([search(APART, std=0.001, curves=lone)])[-1]
    assert last == (
        "The lowest final training loss, 0.0500, is at hidden = 6, lr = 0.1 "
        "(0.750 ± 0.001), clearly below the highest CV accuracy: a lower training "
        "loss did not give a better CV accuracy."
    )
    diverged = {(3, 0.5): None}
    assert c.search_findings([search(APART, curves=diverged)])[-1] == (
        "Every refit on the whole training set diverged."
    )
    smoke = c.search_findings([a, b], smoke=True)
    assert smoke[1] == c.SMOKE_FINDING and len(smoke) == 2


def test_momentum_findings_read_in_full():
    m = momentum(
        {"classic": (2.0, 9.9, 36.2), "nesterov": (2.0, 9.9, 36.2)},
        {"classic": (0, 0, 44), "nesterov": (0, 0, 42)},
    )
    assert c.momentum_findings(m) == [
        "**Dampened** (the lab's rule, v = βv + (1-β) lr g): 1.0× at β = 0.5, "
        "1.0× at β = 0.9 and 1.0× at β = 0.99. Its velocity averages past steps "
        "lr g, so under a steady gradient the step is lr g whatever β is: "
        "momentum only smooths the direction, and does not make training faster.",
        "**Classic** (heavy ball, v = βv + lr g): 2.0× at β = 0.5, 9.9× at "
        "β = 0.9 and 36.2× at β = 0.99. Without the (1-β) factor the velocity "
        "sums past gradients, so the steady step is lr g / (1-β): β = 0.9 acts "
        "like a 10 times larger learning rate.",
        "**Nesterov** (the look-ahead form of classic): 2.0× at β = 0.5, 9.9× at "
        "β = 0.9 and 36.2× at β = 0.99.",
        "The loss went up during training in 44 epochs for classic at β = 0.99 "
        "and 42 epochs for nesterov at β = 0.99: the velocity carried the weights "
        "past the bottom of the valley, and the loss rose before it fell again.",
    ]
    assert c.momentum_findings(m, smoke=True) == [c.SMOKE_FINDING]


def test_loss_findings_read_in_full():
    assert c.loss_findings(losses()) == [
        "Cross-entropy fell to 15.7% of its first value and squared error to "
        "23.1%; in the last tenth of the run they still fell 1.3% and 14.6%. The "
        "two losses are on different scales (squared error here is half the "
        "squared distance between probability and label), so their values are "
        "not compared.",
        "In training accuracy, cross-entropy and squared error are "
        "indistinguishable (0.970 and 0.967, within the noise margin of 0.020).",
        "In test accuracy, cross-entropy and squared error are indistinguishable "
        "(0.943 and 0.957, within the noise margin of 0.025).",
        "At the output, cross-entropy's gradient is p - y and squared error's is "
        "(p - y) p (1 - p). After one epoch p lies between 0.490 and 0.630, so "
        "p (1 - p) is between 0.233 and 0.250: every row's squared-error "
        "gradient is cut to about a quarter of cross-entropy's. Each loss made "
        "half of its fall by epoch 453 (cross-entropy) and 476 (squared error).",
        "The rest of the study uses cross-entropy: that is the lab's choice and "
        "the canonical loss for a probability output, not a finding of this "
        "comparison.",
    ]
    smoke = c.loss_findings(losses(binary=False), smoke=True)
    assert smoke[1:] == [c.SMOKE_FINDING]


def test_accuracy_findings_read_in_full():
    from types import SimpleNamespace

    data = SimpleNamespace(
        bayes_accuracy=0.95, bayes_train_accuracy=0.967, bayes_test_accuracy=0.933
    )
    twins = AccuracyResult(**{**accuracy().__dict__, "backend_gap": 5.6e-16})
    assert c.accuracy_findings(twins, data) == [
        "Intervals are 95% Wilson intervals over the 300 test rows.",
        "The numpy and PyTorch backends start from the same weights; their test "
        "probabilities differ by at most 5.6e-16, so they take the same steps.",
        "The network beats a linear model (network 0.943, linear model 0.580 on "
        "the test set): the classes are not linearly separable, and the hidden "
        "layer is needed.",
        "The Bayes-optimal rule (the class of higher density under the known "
        "mixture) is the best any classifier can do: 0.950 on new data, 0.967 on "
        "these training rows and 0.933 on these test rows. The network's test "
        "accuracy is 0.7 points below the population value, within the noise of "
        "300 test rows.",
    ]
    apart = AccuracyResult(**{**accuracy().__dict__, "backend_gap": 0.01})
    assert c.accuracy_findings(apart, data, smoke=True) == [
        "Intervals are 95% Wilson intervals over the 300 test rows.",
        "The numpy and PyTorch backends start from the same weights; their test "
        "probabilities differ by at most 1.0e-02, more than rounding: their "
        "training runs drifted apart.",
        c.SMOKE_FINDING,
    ]
    no_bayes = SimpleNamespace(bayes_accuracy=None)
    assert len(c.accuracy_findings(accuracy(), no_bayes)) == 3


def test_summary_reads_in_full():
    assert c.summary(_study(accuracy())) == [
        "The lab's 2-3-1 network gets 0.970 of the training rows and 0.943 of the "
        "test rows right; no classifier can expect more than 0.950, and a "
        "linear model gets 0.580.",
        "Squared error ends as accurate as cross-entropy, only slower: half of "
        "its loss's fall took 476 epochs against 453.",
        "The lab's dampened momentum rule does not make training faster; the "
        "classic rule does: 9.9× at β = 0.9, where 1/(1-β) = 10.",
        "In the grid, hidden = 11, lr = 0.5 scores best, but 2 other pairs are "
        "within the noise of it.",
        "Of the lab's 7 claims, 2 reproduce, 3 partly reproduce and 2 do not "
        "reproduce.",
    ]


def test_summary_reads_in_full_when_every_gap_is_clear():
    from sklearn_mlplab.lab.study import Study

    base = _study(accuracy())
    study = Study(
        **{
            **base.__dict__,
            "losses": losses(0.95, 0.80),
            "momentum": momentum({"dampened": (2.0, 4.0, 8.0)}),
            "searches": (search(APART, std=0.001, curves={(11, 0.5): np.ones(2)}),),
        }
    )
    assert c.summary(study)[1:4] == [
        "Cross-entropy does better (0.950 against 0.800) on the test set.",
        "The lab's dampened momentum rule makes training faster: 2.0× at "
        "β = 0.5, 4.0× at β = 0.9 and 8.0× at β = 0.99.",
        "In the grid, hidden = 11, lr = 0.5 scores best, clearly ahead of every "
        "other pair.",
    ]
    both = momentum({"classic": (2.0, 9.9, 36.2), "nesterov": (2.0, 9.9, 36.2)})
    assert c.summary(Study(**{**base.__dict__, "momentum": both}))[2] == (
        "The lab's dampened momentum rule does not make training faster; the "
        "classic and nesterov rules do: 9.9× at β = 0.9, where 1/(1-β) = 10."
    )
    none = Study(**{**base.__dict__, "momentum": momentum({})})
    assert c.summary(none)[2] == (
        "No momentum rule made training faster at this learning rate."
    )


def test_claims_run_every_claim_on_the_first_search_and_honour_smoke():
    from sklearn_mlplab.lab.study import Study

    study = _study(accuracy())
    other = search(APART, std=0.001)
    two = Study(**{**study.__dict__, "searches": (study.searches[0], other)})
    held = k.claims(two)
    assert [x.claim for x in held] == [x.claim for x in k.claims(study)]
    assert [x.verdict for x in held] == [
        k.REPRODUCED,
        k.NOT_REPRODUCED,
        k.PARTLY,
        k.PARTLY,
        k.PARTLY,
        k.REPRODUCED,
        k.NOT_REPRODUCED,
    ]
    assert [x.section for x in held] == [
        "accuracy",
        "losses",
        "momentum",
        "momentum",
        "search",
        "search",
        "search",
    ]
    smoke = k.claims(_study(accuracy(), smoke=True))
    assert {x.verdict for x in smoke} == {k.NOT_APPLICABLE}
    assert {x.reason for x in smoke} == {k.SMOKE_REASON}
    assert [x.measured for x in smoke] == [x.measured for x in held]
    on_csv = k.claims(_study(accuracy(), bundled=False))
    assert on_csv[0].verdict == k.NOT_APPLICABLE and on_csv[1].verdict != (
        k.NOT_APPLICABLE
    )


def test_bayes_and_linear_findings_read_in_full():
    assert c.bayes_finding(0.990, 0.950, 0.967, 0.933, 300) == (
        "The Bayes-optimal rule (the class of higher density under the known "
        "mixture) is the best any classifier can do: 0.950 on new data, 0.967 on "
        "these training rows and 0.933 on these test rows. The network's test "
        "accuracy is 4.0 points above the population value; scoring above it "
        "reflects this sample of rows, not a better rule."
    )
    tie = c.linear_finding(score("net", 0.95, 0.947), score("lin", 0.96, 0.959), 171)
    assert tie == (
        "A linear model does as well as the network (network 0.947, linear model "
        "0.959 on the test set, within the noise of 171 rows): on this data the "
        "hidden layer buys nothing measurable, and the simpler linear model is "
        "the better choice."
    )
    worse = c.linear_finding(score("net", 0.9, 0.80), score("lin", 0.96, 0.959), 300)
    assert worse == (
        "The linear model beats the network (0.959 against 0.800 on the test "
        "set): on this data the network is the worse choice as trained here; it "
        "needs other settings, more data, or none at all."
    )


def test_scale_finding_and_compare_read_in_full():
    assert c.scale_finding(_described([2.4, 77.0])) == (
        "The standard deviation of Y is 32.1 times that of X, so an unscaled "
        "network would take steps of very different sizes along the features: "
        "every model "
        "below z-scores them with the training mean and standard deviation (a "
        "`StandardScaler` in the pipeline), as the lab does."
    )
    assert c.scale_finding(_described([2.0, 3.0])) == (
        "The features' standard deviations are within 1.5× of each other; every "
        "model below still z-scores them, as the lab does."
    )
    # A constant feature is left out of the ratio.
    assert c.scale_finding(_described([0.0, 2.0, 7.0])).startswith(
        "The standard deviation of Z is 3.5 times that of Y"
    )
    assert c.compare("a", 0.9, "b", 0.9) == "a and b both give 0.900"
    assert c.compare("a", 0.943, "b", 0.957, margin=0.025) == (
        "a and b are indistinguishable (0.943 and 0.957, within the noise margin "
        "of 0.025)"
    )
    assert c.compare("a", 0.943, "b", 0.957, margin=0.014) == (
        "b does better (0.957 against 0.943)"
    )


def test_searches_agree_checks_the_pick_and_each_curve():
    a = search(GRID, curves={(3, 0.5): np.ones(3), (6, 0.5): None})
    assert c.searches_agree([a])
    assert c.searches_agree([a, a])
    pick = SearchResult(**{**a.__dict__, "pick": (3, 0.5)})
    assert not c.searches_agree([a, pick])
    lost = search(GRID, curves={(3, 0.5): None, (6, 0.5): None})
    assert not c.searches_agree([a, lost])
    assert not c.searches_agree([lost, a])
    near = search(GRID, curves={(3, 0.5): np.ones(3) + 1e-7, (6, 0.5): None})
    assert c.searches_agree([a, near])
    far = search(GRID, curves={(3, 0.5): np.ones(3) + 1e-5, (6, 0.5): None})
    assert not c.searches_agree([a, far])


# ------------------------------------------- the edges of each finding's rule
def test_accuracies_differ_only_beyond_two_standard_errors():
    # p = 1/2 on 256 rows: two standard errors are exactly 1/16.
    assert stats.accuracy_margin(0.53125, 0.46875, 256) == 0.0625
    assert not stats.accuracies_differ(0.53125, 0.46875, 256)
    assert stats.accuracies_differ(0.5625, 0.46875, 256)
    # Never less than one row.
    assert stats.accuracy_margin(1.0, 1.0, 50) == 1 / 50


def test_bayes_finding_at_the_edges():
    edge = c.bayes_finding(0.53125, 0.46875, 0.5, 0.5, 256)
    assert "6.2 points above the population value, within the noise of 256" in edge
    same = c.bayes_finding(0.95, 0.95, 0.967, 0.933, 300)
    assert "accuracy is equal to the population value, within the noise" in same
    assert "above it" not in same
    assert "1.2 points below" in c.bayes_finding(0.9377, 0.95, 0.967, 0.933, 300)


def test_scale_finding_at_the_edges():
    small = c.scale_finding(_described([0.5, 0.05]))
    assert small.startswith("The standard deviation of X is 10.0 times that of Y")
    assert c.scale_finding(_described([1.0, 3.0])).startswith(
        "The features' standard deviations are within 3.0× of each other"
    )
    assert c.scale_finding(_described([0.0, 0.0])).startswith(
        "The features' standard deviations are within 1.0× of each other"
    )


def test_compare_at_the_margin_is_a_tie():
    assert "indistinguishable" in c.compare("a", 0.5, "b", 0.75, margin=0.25)


def test_accuracy_findings_twins_only_below_a_millionth():
    edge = AccuracyResult(**{**accuracy().__dict__, "backend_gap": 1e-6})
    assert "more than rounding" in c.accuracy_findings(edge, _no_bayes())[1]
    lone = c.accuracy_findings(accuracy(), _no_bayes())
    assert lone[1] == "Only the numpy backend was run."


def _no_bayes():
    from types import SimpleNamespace

    return SimpleNamespace(bayes_accuracy=None)


def test_momentum_findings_name_an_unknown_rule_and_a_smooth_sweep():
    m = momentum({})
    other = MomentumResult(
        **{
            **m.__dict__,
            "kinds": ("heavy",),
            "speedup": {("heavy", b): 1.0 for b in BETAS},
            "rises": {("heavy", b): 0 for b in BETAS},
        }
    )
    text = c.momentum_findings(other)
    assert text[0].startswith("**Heavy** (heavy): 1.0× at β = 0.5")
    assert text[-1] == "The loss never went up in any run: no run overshot."


def test_searches_agree_on_nan_cells_and_with_no_relative_slack():
    nan_grid = np.array(GRID)
    nan_grid[0, 0] = np.nan
    a = search(nan_grid)
    assert c.searches_agree([a, search(nan_grid.copy())])
    ones = np.ones((3, 4))
    near = search(ones + 5e-6)
    # 5e-6 apart: within a relative 1e-5 of 1, but not within 1e-6.
    assert not c.searches_agree([search(ones), near])
    assert not c.searches_agree([search(ones), search(ones + 2e-6)])


def test_search_findings_name_different_picks_identical_grids_and_one_size():
    a = search(APART, std=0.001)
    moved = SearchResult(**{**a.__dict__, "backend": "torch", "pick": (3, 0.5)})
    assert c.search_findings([a, moved])[0] == (
        "The numpy and torch searches chose different parameters; their mean CV "
        "accuracies are identical."
    )
    third = SearchResult(**{**a.__dict__, "backend": "jax"})
    assert c.search_findings([a, moved, third])[0].startswith(
        "The numpy and torch searches"
    )
    flat = [
        [0.97, 0.96, 0.96, 0.96],
        [0.96, 0.96, 0.96, 0.96],
        [0.96, 0.96, 0.96, 0.96],
    ]
    notes = c.search_findings([search(flat, std=0.02)])
    assert notes[1] == (
        "No learning rate is clearly worse than the best pair at every hidden size."
    )
    one = [[0.97, 0.7, 0.5, 0.5], [0.96, 0.7, 0.5, 0.5], [0.80, 0.7, 0.5, 0.5]]
    assert c.search_findings([search(one, std=0.001)])[2] == (
        "At lr = 0.5, hidden = 11 is clearly below hidden = 3."
    )
    # lr = 0.1 is worse at every size but one: not named.
    mixed = [[0.97, 0.7, 0.5, 0.5], [0.90, 0.96, 0.5, 0.5], [0.9, 0.7, 0.5, 0.5]]
    assert (
        "lr = 0.01 or 0.005 is clearly worse"
        in c.search_findings([search(mixed, std=0.001)])[1]
    )


def test_loss_findings_read_the_last_and_first_epochs():
    runs = {
        "log_loss": LossRun("log_loss", np.array([1.0, 0.5, 0.4, 0.2]), 0.9, 0.9),
        "squared_error": LossRun(
            "squared_error", np.array([0.2, 0.1, 0.08, 0.05]), 0.9, 0.9
        ),
    }
    result = LossResult(runs, 4, 300, 300, True, (0.6, 0.9), None)
    first, *rest = c.loss_findings(result)
    assert first.startswith(
        "Cross-entropy fell to 20.0% of its first value and squared error to "
        "25.0%; in the last tenth of the run they still fell 50.0% and 37.5%."
    )
    gradient = next(t for t in rest if t.startswith("At the output"))
    # p in [0.6, 0.9]: p (1 - p) from 0.09 to 0.24, below its peak of 1/4.
    assert "so p (1 - p) is between 0.090 and 0.240:" in gradient
    assert "half of its fall by epoch 2 (cross-entropy) and 2 (squared error)" in (
        gradient
    )
    around = LossResult(runs, 4, 300, 300, True, (0.5, 0.7), None)
    assert "between 0.210 and 0.250:" in " ".join(c.loss_findings(around))
    multi = LossResult(runs, 4, 300, 300, False, (0.6, 0.9), None)
    assert not any(t.startswith("At the output") for t in c.loss_findings(multi))


def test_smoke_claims_keep_their_section_and_words():
    full, smoke = k.claims(_study(accuracy())), k.claims(_study(accuracy(), smoke=True))
    assert [(x.section, x.claim) for x in smoke] == [(x.section, x.claim) for x in full]


def test_tail_drop_covers_at_least_the_last_step():
    assert stats.tail_drop(np.linspace(1.0, 0.0, 11)[:-1]) == pytest.approx(0.5)
    assert stats.tail_drop([1.0, 0.5]) == 0.5
    assert stats.tail_drop([1.0]) == 0.0
    # The last tenth of 1000 epochs is measured from epoch 901 (index 900).
    c = np.ones(1000)
    c[901:] = 0.5
    assert stats.tail_drop(c) == 0.5
    c[900] = 0.5
    assert stats.tail_drop(c) == 0.0


# ----------------------------------------- every claim's row, word for word
# Each case: the call, on constructed results, and the whole row it must give.
CLAIM_CASES = {
    "accuracy_reproduced": (
        lambda: k.claim_accuracy(accuracy(0.970, 0.943), bundled=True),
        Claim(
            section="accuracy",
            claim="Train accuracy 0.97, test accuracy 0.92 (§2.3).",
            measured="train 0.970, test 0.943 (2-3-1 network)",
            verdict="reproduced",
            reason=(
                "the lab's train 0.97 and test 0.92 both lie inside this run's 95% "
                "intervals (0.944–0.984 and 0.911–0.964)"
            ),
        ),
    ),
    "accuracy_test_only": (
        lambda: k.claim_accuracy(accuracy(0.99, 0.92), bundled=True),
        Claim(
            section="accuracy",
            claim="Train accuracy 0.97, test accuracy 0.92 (§2.3).",
            measured="train 0.990, test 0.920 (2-3-1 network)",
            verdict="partly",
            reason=(
                "the lab's test 0.92 lies inside this run's 95% interval "
                "(0.884–0.946), its train 0.97 outside it (0.971–0.997)"
            ),
        ),
    ),
    "accuracy_outside": (
        lambda: k.claim_accuracy(accuracy(0.80, 0.75), bundled=True),
        Claim(
            section="accuracy",
            claim="Train accuracy 0.97, test accuracy 0.92 (§2.3).",
            measured="train 0.800, test 0.750 (2-3-1 network)",
            verdict="not reproduced",
            reason=(
                "the lab's train 0.97 and test 0.92 both lie outside this run's 95%"
                " intervals (0.751–0.841 and 0.698–0.796)"
            ),
        ),
    ),
    "accuracy_csv": (
        lambda: k.claim_accuracy(accuracy(), bundled=False),
        Claim(
            section="accuracy",
            claim="Train accuracy 0.97, test accuracy 0.92 (§2.3).",
            measured="train 0.970, test 0.943 (2-3-1 network)",
            verdict="not applicable",
            reason="these are the lab's figures for its own data, not for this CSV",
        ),
    ),
    "accuracy_smoke": (
        lambda: k.claim_accuracy(accuracy(), bundled=True, smoke=True),
        Claim(
            section="accuracy",
            claim="Train accuracy 0.97, test accuracy 0.92 (§2.3).",
            measured="train 0.970, test 0.943 (2-3-1 network)",
            verdict="not applicable",
            reason=(
                "a smoke run (--quick) is too short to test this; run `mlplab lab` "
                "without --quick"
            ),
        ),
    ),
    "losses_behind_flat": (
        lambda: k.claim_losses(losses(0.95, 0.80, se_tail=1e-5)),
        Claim(
            section="losses",
            claim=(
                "Cross-entropy converges towards 0, L2 loss stalls (near 5) (§2.1.1)."
            ),
            measured=(
                "test accuracy cross-entropy 0.950, L2 0.800; L2 loss still fell "
                "0.0% in the last tenth of the run"
            ),
            verdict="reproduced",
            reason="L2 levels off at a clearly lower test accuracy than cross-entropy",
        ),
    ),
    "losses_behind_falling": (
        lambda: k.claim_losses(losses(0.95, 0.80, se_tail=0.10)),
        Claim(
            section="losses",
            claim=(
                "Cross-entropy converges towards 0, L2 loss stalls (near 5) (§2.1.1)."
            ),
            measured=(
                "test accuracy cross-entropy 0.950, L2 0.800; L2 loss still fell "
                "10.0% in the last tenth of the run"
            ),
            verdict="partly",
            reason=(
                "L2 is clearly behind on test accuracy, but its loss is still "
                "falling: it has not stalled, it is slower (half of its fall took "
                "467 epochs against 453 for cross-entropy)"
            ),
        ),
    ),
    "speed_partly": (
        lambda: k.claim_momentum_speed(momentum({"classic": (2.0, 9.9, 36.2)})),
        Claim(
            section="momentum",
            claim="A higher momentum rate makes the loss fall faster (§3).",
            measured=(
                "dampened: 1.0× at β = 0.5, 1.0× at β = 0.9 and 1.0× at β = 0.99; "
                "classic: 2.0× at β = 0.5, 9.9× at β = 0.9 and 36.2× at β = 0.99"
            ),
            verdict="partly",
            reason=(
                "the lab's dampened rule keeps the steady step at lr·g whatever β "
                "is, so it cannot speed up; the classic rule reproduces the claim: "
                "9.9× at β = 0.9"
            ),
        ),
    ),
    "speed_reproduced": (
        lambda: k.claim_momentum_speed(momentum({"dampened": (1.5, 3.0, None)})),
        Claim(
            section="momentum",
            claim="A higher momentum rate makes the loss fall faster (§3).",
            measured=(
                "dampened: 1.5× at β = 0.5, 3.0× at β = 0.9 and not reached at β = "
                "0.99; classic: 1.0× at β = 0.5, 1.0× at β = 0.9 and 1.0× at β = "
                "0.99"
            ),
            verdict="reproduced",
            reason="the lab's dampened rule reaches the target loss sooner as β grows",
        ),
    ),
    "speed_none": (
        lambda: k.claim_momentum_speed(momentum({})),
        Claim(
            section="momentum",
            claim="A higher momentum rate makes the loss fall faster (§3).",
            measured=(
                "dampened: 1.0× at β = 0.5, 1.0× at β = 0.9 and 1.0× at β = 0.99; "
                "classic: 1.0× at β = 0.5, 1.0× at β = 0.9 and 1.0× at β = 0.99"
            ),
            verdict="not reproduced",
            reason="no rule reached the target loss sooner",
        ),
    ),
    "smooth_reproduced": (
        lambda: k.claim_momentum_smooth(momentum({}, {"dampened": (0, 0, 12)})),
        Claim(
            section="momentum",
            claim="Above β = 0.9 the loss does not fall smoothly (§3).",
            measured=(
                "dampened: the loss rose in 12 epochs at β = 0.99; classic: the "
                "loss never rose"
            ),
            verdict="reproduced",
            reason="with the lab's dampened rule the loss rose only above β = 0.9",
        ),
    ),
    "smooth_partly": (
        lambda: k.claim_momentum_smooth(momentum({}, {"classic": (0, 0, 44)})),
        Claim(
            section="momentum",
            claim="Above β = 0.9 the loss does not fall smoothly (§3).",
            measured=(
                "dampened: the loss never rose; classic: the loss rose in 44 epochs"
                " at β = 0.99"
            ),
            verdict="partly",
            reason=(
                "the lab's dampened rule stays smooth; the classic rule, whose step"
                " is lr·g/(1-β), overshoots above β = 0.9 and never below"
            ),
        ),
    ),
    "smooth_low_too": (
        lambda: k.claim_momentum_smooth(
            momentum({}, {"dampened": (5, 5, 5), "classic": (3, 3, 3)})
        ),
        Claim(
            section="momentum",
            claim="Above β = 0.9 the loss does not fall smoothly (§3).",
            measured=(
                "dampened: the loss rose in 5 epochs at β = 0.5, 5 epochs at β = "
                "0.9 and 5 epochs at β = 0.99; classic: the loss rose in 3 epochs "
                "at β = 0.5, 3 epochs at β = 0.9 and 3 epochs at β = 0.99"
            ),
            verdict="not reproduced",
            reason="the loss rose at β ≤ 0.9 too",
        ),
    ),
    "smooth_never": (
        lambda: k.claim_momentum_smooth(momentum({})),
        Claim(
            section="momentum",
            claim="Above β = 0.9 the loss does not fall smoothly (§3).",
            measured="dampened: the loss never rose; classic: the loss never rose",
            verdict="not reproduced",
            reason="the loss never rose, for any rule or β",
        ),
    ),
    "small_partly": (
        lambda: k.claim_small_lr(search(GRID, curves=_curves(0.690, 0.6905, 0.59))),
        Claim(
            section="search",
            claim="lr = 0.005 found “a local minimum right at the start” (§4.3).",
            measured=(
                "after 1000 epochs the loss is 0.690 and fell 0.03% in the last "
                "tenth; lr = 0.1 was at 0.691 after 50 epochs and ended at 0.590"
            ),
            verdict="partly",
            reason=(
                "the loss does flatten early, but it is not a minimum: after 1000 "
                "epochs at lr = 0.005 the network is where lr = 0.1 was after 50 "
                "epochs, and that run went on down; the same path, 20 times slower"
            ),
        ),
    ),
    "small_reproduced": (
        lambda: k.claim_small_lr(search(GRID, curves=_curves(0.690, 0.80, 0.80))),
        Claim(
            section="search",
            claim="lr = 0.005 found “a local minimum right at the start” (§4.3).",
            measured=(
                "after 1000 epochs the loss is 0.690 and fell 0.03% in the last "
                "tenth; lr = 0.1 was at 0.800 after 50 epochs and ended at 0.800"
            ),
            verdict="reproduced",
            reason=(
                "the loss flattened early and no faster run shows a way further down"
            ),
        ),
    ),
    "small_missing": (
        lambda: k.claim_small_lr(search(GRID, lrs=(0.5, 0.1, 0.01, 0.02))),
        Claim(
            section="search",
            claim="lr = 0.005 found “a local minimum right at the start” (§4.3).",
            measured="not measured",
            verdict="not applicable",
            reason="lr = 0.005 was not in the grid or every run at it diverged",
        ),
    ),
    "large_reproduced": (
        lambda: k.claim_large_lr(
            search(GRID, std=0.02, curves=ends(by_lr((0.12, 0.59))))
        ),
        Claim(
            section="search",
            claim="lr = 0.5 reaches a much lower minimum than lr = 0.1 (§4.3).",
            measured=(
                "final training loss 0.120, 0.120 and 0.120 at lr = 0.5 against "
                "0.590, 0.590 and 0.590 at lr = 0.1 (hidden = 3, 6 and 11); mean CV"
                " accuracy 0.967–0.970 against 0.743–0.827"
            ),
            verdict="reproduced",
            reason=(
                "at every hidden size lr = 0.5 ends at half lr = 0.1's loss or "
                "less; not by escaping a local minimum: with the dampened rule the "
                "step is lr·g, so in the same 1000 epochs lr = 0.1 travels 20% as "
                "far down the same slope"
            ),
        ),
    ),
    "large_partly": (
        lambda: k.claim_large_lr(
            search(GRID, curves=ends({**by_lr((0.12, 0.59)), (3, 0.5): 0.40}))
        ),
        Claim(
            section="search",
            claim="lr = 0.5 reaches a much lower minimum than lr = 0.1 (§4.3).",
            measured=(
                "final training loss 0.400, 0.120 and 0.120 at lr = 0.5 against "
                "0.590, 0.590 and 0.590 at lr = 0.1 (hidden = 3, 6 and 11); mean CV"
                " accuracy 0.967–0.970 against 0.743–0.827"
            ),
            verdict="partly",
            reason=(
                "lr = 0.5 ends lower at hidden = 3, 6 and 11, but at half the loss "
                "or less only at 6 and 11"
            ),
        ),
    ),
    "large_none": (
        lambda: k.claim_large_lr(search(GRID, curves=ends(by_lr((0.60, 0.59))))),
        Claim(
            section="search",
            claim="lr = 0.5 reaches a much lower minimum than lr = 0.1 (§4.3).",
            measured=(
                "final training loss 0.600, 0.600 and 0.600 at lr = 0.5 against "
                "0.590, 0.590 and 0.590 at lr = 0.1 (hidden = 3, 6 and 11); mean CV"
                " accuracy 0.967–0.970 against 0.743–0.827"
            ),
            verdict="not reproduced",
            reason="at no hidden size does lr = 0.5 end at a lower loss than lr = 0.1",
        ),
    ),
    "large_missing": (
        lambda: k.claim_large_lr(search(GRID, lrs=(0.5, 0.2, 0.01, 0.005))),
        Claim(
            section="search",
            claim="lr = 0.5 reaches a much lower minimum than lr = 0.1 (§4.3).",
            measured="not measured",
            verdict="not applicable",
            reason="the grid does not hold both lr = 0.5 and lr = 0.1",
        ),
    ),
    "large_diverged": (
        lambda: k.claim_large_lr(search(GRID, curves={})),
        Claim(
            section="search",
            claim="lr = 0.5 reaches a much lower minimum than lr = 0.1 (§4.3).",
            measured="not measured",
            verdict="not applicable",
            reason="every run at one of the two rates diverged",
        ),
    ),
    "hidden_ties": (
        lambda: k.claim_hidden(
            search(
                GRID,
                std=0.02,
                curves=ends({(3, 0.5): 0.13, (6, 0.5): 0.13, (11, 0.5): 0.12}),
            )
        ),
        Claim(
            section="search",
            claim=(
                "6 hidden neurons at lr = 0.5 reach the lowest loss; fewer or more "
                "do worse (§4.3)."
            ),
            measured=(
                "at lr = 0.5, final training loss 3 units 0.130, 6 units 0.130, 11 "
                "units 0.120; mean CV accuracy 3 units 0.967 ± 0.020, 6 units 0.967"
                " ± 0.020, 11 units 0.970 ± 0.020; the search picked hidden = 11, "
                "lr = 0.5"
            ),
            verdict="not reproduced",
            reason=(
                "the lowest training loss at lr = 0.5 is at 11 units, as more units"
                " fit the training rows more closely, and the CV accuracies of 3, 6"
                " and 11 units are indistinguishable: this data shows no sweet spot"
            ),
        ),
    ),
    "hidden_missing": (
        lambda: k.claim_hidden(search(GRID, hiddens=(3, 5, 11))),
        Claim(
            section="search",
            claim=(
                "6 hidden neurons at lr = 0.5 reach the lowest loss; fewer or more "
                "do worse (§4.3)."
            ),
            measured="not measured",
            verdict="not applicable",
            reason="the grid does not hold hidden = 6 at lr = 0.5",
        ),
    ),
}


@pytest.mark.parametrize("case", list(CLAIM_CASES))
def test_claim_row_reads_in_full(case):
    call, expected = CLAIM_CASES[case]
    assert call() == expected


# ----------------------------------------------------------------- stats
def test_wilson_interval_edges():
    assert stats.wilson_interval(0.5, 0) == (0.0, 1.0)
    lo, hi = stats.wilson_interval(0.0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = stats.wilson_interval(1.0, 10)
    assert hi == 1.0 and lo == pytest.approx(0.7225, abs=1e-4)
    # A wider z widens the interval.
    assert (
        stats.wilson_interval(0.9, 100, z=3.0)[0] < stats.wilson_interval(0.9, 100)[0]
    )


def test_cv_scores_differ_beyond_the_larger_spread_and_the_floor():
    assert stats.cv_scores_differ(0.9, 0.01, 0.8, 0.05)
    assert not stats.cv_scores_differ(0.9, 0.01, 0.8, 0.1)  # 0.1 is not > 0.1
    assert not stats.cv_scores_differ(0.9, 0.1, 0.8, 0.01)
    assert not stats.cv_scores_differ(0.9, 0.0, 0.89, 0.0, floor=0.02)
    assert stats.cv_scores_differ(0.9, 0.0, 0.89, 0.0)


def test_epochs_to_rises_and_half_fall_on_a_written_out_curve():
    curve = [1.0, 0.8, 0.9, 0.5, 0.4, 0.45, 0.2]
    assert stats.epochs_to(curve, 0.5) == 4  # first at or below, counted from 1
    assert stats.epochs_to(curve, 0.8) == 2
    assert stats.epochs_to(curve, 0.1) is None
    assert stats.rises(curve) == 2
    # Half of the fall from 1.0 to 0.2 is reached at 0.6: epoch 4.
    assert stats.half_fall_epoch(curve) == 4
    assert stats.half_fall_epoch([1.0, 0.6, 0.2]) == 2


# ------------------------------------ edges the mutation run found untested
def _losses_with(ce_test, se_test, se_curve):
    runs = {
        "log_loss": LossRun("log_loss", curve(0.70, 0.11, 0.013), 0.97, ce_test),
        "squared_error": LossRun("squared_error", se_curve, 0.967, se_test),
    }
    return LossResult(runs, 1000, 300, 300, True, (0.49, 0.63), None)


def test_claim_losses_when_l2_is_clearly_better_or_no_slower():
    better = k.claim_losses(losses(0.80, 0.95, se_tail=0.10))
    assert better.verdict == k.NOT_REPRODUCED
    # The same shape as cross-entropy's curve: no slower, so no pace is given.
    same = _losses_with(0.943, 0.957, curve(0.70, 0.11, 0.013) / 5)
    assert k.claim_losses(same).reason == (
        "L2 ends as accurate as cross-entropy within the noise and its loss is "
        "still falling: it does not stall"
    )
    behind = _losses_with(0.95, 0.80, curve(0.70, 0.11, 0.013) / 5)
    assert k.claim_losses(behind).reason == (
        "L2 is clearly behind on test accuracy, but its loss is still falling: it "
        "has not stalled"
    )


def _rates(betas, speedups=None, rises=None, kinds=KINDS):
    speedups, rises = speedups or {}, rises or {}
    keys = [(kind, b) for kind in kinds for b in betas]
    return MomentumResult(
        kinds=kinds,
        betas=betas,
        lr=0.001,
        epochs=5000,
        curves={key: np.ones(5) for key in keys},
        target=0.69,
        half=2500,
        reach={key: 100 for key in keys},
        speedup={key: speedups.get(key, 1.0) for key in keys},
        rises={key: rises.get(key, 0) for key in keys},
    )


def test_claim_momentum_speed_edges():
    lone = _rates((0.0, 0.5), {("dampened", 0.5): 1.0}, kinds=("dampened",))
    claim = k.claim_momentum_speed(lone)
    assert claim.measured == "dampened: 1.0× at β = 0.5"
    assert claim.verdict == k.NOT_REPRODUCED
    # Only rates above 0.9 sped up: the fastest of them is named.
    high = _rates(
        (0.0, 0.9, 0.95, 0.99), {("classic", 0.95): 5.0, ("classic", 0.99): 3.0}
    )
    assert k.claim_momentum_speed(high).reason.endswith("5.0× at β = 0.95")
    # A speed-up of exactly 1.2 counts; 1.5 at a single rate is enough.
    edge = _rates((0.0, 0.5, 0.9), {("dampened", 0.5): 1.2})
    assert k.claim_momentum_speed(edge).verdict == k.REPRODUCED
    one = _rates((0.0, 0.5, 0.9), {("dampened", 0.5): 1.5})
    assert k.claim_momentum_speed(one).verdict == k.REPRODUCED
    below = _rates((0.0, 0.5, 0.9), {("dampened", 0.5): 1.19})
    assert k.claim_momentum_speed(below).verdict == k.NOT_REPRODUCED


def test_claim_momentum_smooth_edges():
    no_high = _rates((0.0, 0.5, 0.9), rises={("dampened", 0.9): 3})
    assert k.claim_momentum_smooth(no_high) == Claim(
        "momentum",
        "Above β = 0.9 the loss does not fall smoothly (§3).",
        "dampened: the loss rose in 3 epochs at β = 0.9; classic: the loss never rose",
        k.NOT_APPLICABLE,
        "no momentum rate above 0.9 was tried",
    )
    lone = _rates((0.0, 0.99), rises={("dampened", 0.99): 2}, kinds=("dampened",))
    assert k.claim_momentum_smooth(lone).verdict == k.REPRODUCED
    # Plain gradient descent rising is not momentum's doing.
    plain = _rates(
        (0.0, 0.9, 0.99), rises={("dampened", 0.0): 4, ("dampened", 0.99): 2}
    )
    held = k.claim_momentum_smooth(plain)
    assert held.verdict == k.REPRODUCED
    assert held.measured.startswith("dampened: the loss rose in 2 epochs at β = 0.99;")
    # Rough at 0.9 itself is not "only above 0.9".
    at_edge = _rates(
        (0.0, 0.9, 0.99), rises={("dampened", 0.9): 1, ("dampened", 0.99): 2}
    )
    assert k.claim_momentum_smooth(at_edge).verdict == k.NOT_REPRODUCED


def test_claim_accuracy_counts_a_lab_value_on_the_interval_edge_as_inside():
    for bounds in ((0.92, 0.95), (0.90, 0.92)):
        acc = accuracy(0.970, 0.935)
        net = Score("NumpyMLPClassifier", 0.970, 0.935, bounds)
        edge = AccuracyResult(**{**acc.__dict__, "networks": (net,)})
        assert k.claim_accuracy(edge, bundled=True).verdict == k.REPRODUCED


def test_claim_large_lr_edges():
    only_two = search(
        [[0.97, 0.74]] * 3, std=0.02, lrs=(0.5, 0.1), curves=ends(by_lr((0.12, 0.59)))
    )
    assert k.claim_large_lr(only_two).verdict == k.REPRODUCED
    # Exactly half counts as "half or less"; an equal loss is not lower.
    half = k.claim_large_lr(search(GRID, curves=ends(by_lr((0.25, 0.5)))))
    assert half.verdict == k.REPRODUCED
    tie = {**by_lr((0.12, 0.59)), (3, 0.5): 0.59}
    assert k.claim_large_lr(search(GRID, curves=ends(tie))).reason == (
        "lr = 0.5 ends lower at hidden = 6 and 11, but at half the loss or less "
        "only at 6 and 11"
    )
    not_half = k.claim_large_lr(search(GRID, curves=ends(by_lr((0.40, 0.59)))))
    assert not_half.reason == (
        "lr = 0.5 ends lower at hidden = 3, 6 and 11, but at half the loss or less "
        "at no hidden size"
    )


def test_claim_hidden_edges():
    # 6 units lead, but 11 ties with them: the lowest loss alone is "partly".
    lead = [[0.90, 0.7, 0.5, 0.5], [0.97, 0.7, 0.5, 0.5], [0.965, 0.7, 0.5, 0.5]]
    six_lowest = {(3, 0.5): 0.2, (6, 0.5): 0.1, (11, 0.5): 0.15}
    assert k.claim_hidden(search(lead, curves=ends(six_lowest))).reason == (
        "6 units reach the lowest training loss, but are not clearly ahead in CV "
        "accuracy"
    )
    # A size clearly above 6 is not one that 6 beats.
    s = search(
        [[0.98, 0.7, 0.5, 0.5], [0.95, 0.7, 0.5, 0.5], [0.99, 0.7, 0.5, 0.5]],
        std=0.001,
        curves=ends({(3, 0.5): 0.1, (6, 0.5): 0.2, (11, 0.5): 0.3}),
    )
    s.std[2, 0] = 0.2  # 11's folds spread wide: 6 ties with the best
    assert k.claim_hidden(s).reason == (
        "the lowest training loss at lr = 0.5 is at 3 units, and the CV "
        "accuracies of 3, 6 and 11 units are indistinguishable: this data shows no "
        "sweet spot"
    )
    diverged = k.claim_hidden(search(GRID, curves={}))
    assert diverged.measured.startswith("at lr = 0.5, mean CV accuracy 3 units")


def test_summary_edges():
    from sklearn_mlplab.lab.study import Study

    base = _study(accuracy())
    se_wins = Study(**{**base.__dict__, "losses": losses(0.80, 0.95)})
    assert c.summary(se_wins)[1] == (
        "Squared error does better (0.950 against 0.800) on the test set."
    )
    no_slower = Study(
        **{
            **base.__dict__,
            "losses": _losses_with(0.943, 0.957, curve(0.70, 0.11, 0.013) / 5),
        }
    )
    assert c.summary(no_slower)[1] == (
        "Squared error ends as accurate as cross-entropy, and no slower."
    )
    late = Study(
        **{
            **base.__dict__,
            "momentum": _rates((0.0, 0.5, 0.9, 0.99), {("classic", 0.99): 36.2}),
        }
    )
    assert c.summary(late)[2] == (
        "The lab's dampened momentum rule does not make training faster; the "
        "classic rule does: 36.2× at β = 0.99, where 1/(1-β) = 100."
    )
    assert c.summary(_study(accuracy(), smoke=True)) == [
        "This is a smoke run (--quick): every experiment ran, but for far too few "
        "epochs to say anything about the lab. Run `mlplab lab` without --quick "
        "for the real study."
    ]
    assert c.tally(["reproduced", "partly", "partly", "not applicable"]) == (
        "Of the lab's 4 claims, 1 reproduces, 2 partly reproduce and 1 cannot be "
        "tested here."
    )
    assert c.tally(["not reproduced"]) == (
        "Of the lab's 1 claims, 1 does not reproduce."
    )


def test_loss_findings_gradient_factor_over_any_output_range():
    def factor(lo, hi):
        result = LossResult(losses().runs, 1000, 300, 300, True, (lo, hi), None)
        text = next(t for t in c.loss_findings(result) if t.startswith("At the"))
        return text.split("so p (1 - p) is between ")[1].split(":")[0]

    assert factor(0.3, 0.8) == "0.160 and 0.250"
    assert factor(0.1, 0.6) == "0.090 and 0.250"
    assert factor(0.1, 0.4) == "0.090 and 0.240"
    assert factor(0.6, 0.9) == "0.090 and 0.240"


def test_searches_agree_within_a_millionth_only():
    ones = np.ones((3, 4))
    assert c.searches_agree([search(ones), search(ones + 5e-7)])


def test_stats_at_their_exact_edges():
    lo, hi = stats.wilson_interval(1.0, 1)
    assert hi == 1.0 and lo == pytest.approx(0.2065, abs=1e-4)
    # A gap of exactly the larger spread is not a difference.
    assert not stats.cv_scores_differ(0.75, 0.25, 0.5, 0.0)
    assert stats.tail_drop([0.0, 0.0]) == 0.0
    assert stats.rises([1.0, 1.0, 0.5, 0.5, 0.6]) == 1  # flat epochs do not rise


def test_fold_floor_is_one_validation_row_and_each_cell_keeps_its_spread():
    grid = [[0.97, 0.95, 0.5, 0.5], [0.5] * 4, [0.5] * 4]
    s = search(grid, std=0.001)  # 60 rows a fold: the floor is 1/60
    from sklearn_mlplab.lab import comparisons

    assert comparisons.fold_floor(s) == 1 / 60
    assert comparisons.differ(s, (3, 0.5), (3, 0.1))  # 0.02 > 1/60
    s.std[0, 1] = 0.05
    assert not comparisons.differ(s, (3, 0.5), (3, 0.1))
    assert not comparisons.differ(s, (3, 0.1), (3, 0.5))


def test_claim_small_lr_without_a_faster_run_that_travelled_far_enough():
    # 1000 epochs at 0.005 are 10 epochs at 0.5: too few to compare paths.
    s = search(
        [[0.9, 0.6]] * 3,
        lrs=(0.5, 0.005),
        curves={(h, 0.005): curve(0.70, 0.690, 0.0003) for h in (3, 6, 11)},
    )
    claim = k.claim_small_lr(s)
    assert claim.verdict == k.REPRODUCED
    assert claim.measured == (
        "after 1000 epochs the loss is 0.690 and fell 0.03% in the last tenth"
    )


def test_claim_small_lr_reads_the_last_epoch_and_the_pace():
    slow = np.linspace(0.70, 0.60, 1000)  # a steady fall to the end
    fast = np.linspace(0.70, 0.20, 1000)
    fast[-1] = 0.10
    s = search(
        GRID,
        curves={
            **{(h, 0.005): slow for h in (3, 6, 11)},
            **{(h, 0.1): fast for h in (3, 6, 11)},
        },
    )
    assert k.claim_small_lr(s) == Claim(
        "search",
        "lr = 0.005 found “a local minimum right at the start” (§4.3).",
        "after 1000 epochs the loss is 0.600 and fell 1.62% in the last tenth; "
        "lr = 0.1 was at 0.675 after 50 epochs and ended at 0.100",
        k.NOT_REPRODUCED,
        "the loss kept falling at a steady pace to the end of the run",
    )
    # Half the average pace in the last tenth: slowing, but not a plateau.
    slowing = np.concatenate(
        [np.linspace(0.70, 0.61, 901)[:-1], np.linspace(0.61, 0.605, 100)]
    )
    s = search(GRID, curves={(h, 0.005): slowing for h in (3, 6, 11)})
    assert k.claim_small_lr(s).verdict == k.NOT_REPRODUCED


def test_claim_small_lr_needs_the_faster_run_to_go_further_down():
    # On the same path after 50 epochs, but the faster run ends no lower.
    s = search(GRID, curves=_curves(0.690, 0.6905, 0.688))
    assert k.claim_small_lr(s).verdict == k.REPRODUCED
    # Lower at the end, but not on the same path (1% away after 50 epochs).
    s = search(GRID, curves=_curves(0.690, 0.697, 0.59))
    assert k.claim_small_lr(s).verdict == k.REPRODUCED


def test_claim_hidden_reasons_read_in_full():
    six = [[0.90, 0.7, 0.5, 0.5], [0.97, 0.7, 0.5, 0.5], [0.91, 0.7, 0.5, 0.5]]
    six_lowest = {(3, 0.5): 0.2, (6, 0.5): 0.1, (11, 0.5): 0.15}
    assert k.claim_hidden(search(six, curves=ends(six_lowest))).reason == (
        "6 units reach the lowest loss and are clearly ahead in CV accuracy"
    )
    below = [[0.97, 0.7, 0.5, 0.5], [0.80, 0.7, 0.5, 0.5], [0.97, 0.7, 0.5, 0.5]]
    assert k.claim_hidden(search(below)).reason == (
        "every run at this rate diverged, and 6 units are clearly below 3 in CV "
        "accuracy"
    )


# ------------------------- edges the second mutation run found untested
def test_wilson_interval_ends_exactly_at_0_and_never_leaves_0_1():
    # The formula's centre and half-width at p = 0 agree only up to rounding
    # (n = 3 leaves 5.6e-17): the interval must still start at exactly 0.
    for n in range(1, 61):
        assert stats.wilson_interval(0.0, n)[0] == 0.0
    # Just below p = 1 the rounded upper end can reach 1.0000000000000002.
    for n in range(1, 61):
        for p in (1 - 1e-9, 1 - 1e-12, 1 - 1e-15):
            lo, hi = stats.wilson_interval(p, n)
            assert 0.0 <= lo <= p <= hi <= 1.0


def test_no_momentum_is_never_a_speed_up():
    # A plain run whose loss dipped below the target early and rose again
    # reaches it "sooner" than half way: that is not momentum's doing.
    m = _rates((0.0, 0.5, 0.9), {("dampened", 0.0): 1.5, ("classic", 0.0): 1.5})
    from sklearn_mlplab.lab import comparisons

    assert comparisons.sped_up(m, "dampened") == []
    assert k.claim_momentum_speed(m).verdict == k.NOT_REPRODUCED


def test_claim_losses_a_tenth_of_a_percent_is_levelled_off():
    # 1000/1024 to 999/1024: a last tenth's fall of exactly 0.1%.
    se_curve = np.concatenate(
        [
            np.linspace(2.0, 1000 / 1024, 901)[:-1],
            np.linspace(1000 / 1024, 999 / 1024, 100),
        ]
    )
    assert stats.tail_drop(se_curve) == 1e-3
    claim = k.claim_losses(_losses_with(0.95, 0.80, se_curve))
    assert claim.verdict == k.REPRODUCED
    assert "still fell 0.1% in the last tenth" in claim.measured


def _alone(slow):
    """A search whose only faster rate travelled too few epochs to compare."""
    return search(
        [[0.9, 0.6]] * 3,
        lrs=(0.5, 0.005),
        curves={(h, 0.005): slow for h in (3, 6, 11)},
    )


def _pace(c):
    """The last tenth's fall against an average tenth of the whole run's."""
    return 10 * stats.tail_drop(c) / (1 - c[-1] / c[0])


def test_claim_small_lr_pace_runs_from_the_first_epoch_to_the_last():
    # curve(0.70, 0.60, tail): a whole-run fall of 1/7, so pace = 70 tail.
    under, over = curve(0.70, 0.60, 0.29 / 70), curve(0.70, 0.60, 0.31 / 70)
    assert _pace(under) == pytest.approx(0.29) and _pace(over) == pytest.approx(0.31)
    assert k.claim_small_lr(_alone(under)).verdict == k.REPRODUCED
    assert k.claim_small_lr(_alone(over)).verdict == k.NOT_REPRODUCED
    # A sharp first epoch, 0.80 to 0.70, is part of the run's fall (0.25).
    sharp_start = curve(0.70, 0.60, 0.029 * 0.25)
    sharp_start[0] = 0.80
    assert _pace(sharp_start) == pytest.approx(0.29)
    assert k.claim_small_lr(_alone(sharp_start)).verdict == k.REPRODUCED
    # Flat to the last epoch, whose step is the whole tail's fall.
    knee = 0.69 / (1 - 0.0295 * (1 - 0.69 / 0.70))
    last_step = np.concatenate(
        [np.linspace(0.70, knee, 900), np.full(99, knee), [0.69]]
    )
    assert _pace(last_step) == pytest.approx(0.295)
    assert k.claim_small_lr(_alone(last_step)).verdict == k.REPRODUCED
    # A pace of exactly 0.3 is not below it (this knee, found among the
    # floats next to 0.508 / (1 - 0.03 (1 - 0.508 / 0.7)), hits it exactly).
    edge = np.concatenate(
        [
            np.linspace(0.70, 0.512214796035953, 901)[:-1],
            np.linspace(0.512214796035953, 0.508, 100),
        ]
    )
    assert _pace(edge) == 0.3
    assert k.claim_small_lr(_alone(edge)).verdict == k.NOT_REPRODUCED


def _followed(slow, at_50, end):
    """lr = 0.005's curve ``slow``; lr = 0.1 at ``at_50`` after 50 epochs."""
    fast = np.linspace(slow[0], end, 1000)
    fast[49] = at_50
    return search(
        GRID,
        curves={
            **{(h, 0.005): slow for h in (3, 6, 11)},
            **{(h, 0.1): fast for h in (3, 6, 11)},
        },
    )


def test_claim_small_lr_same_path_is_measured_at_the_last_epoch():
    # From 2.0, flat at 0.70, then a last step to 0.69: still a plateau.
    slow = np.concatenate([np.linspace(2.0, 0.70, 900), np.full(99, 0.70), [0.69]])
    assert _pace(slow) < 0.3
    on_path = k.claim_small_lr(_followed(slow, 0.69, 0.59))
    assert on_path.verdict == k.PARTLY
    assert on_path.measured.startswith("after 1000 epochs the loss is 0.690 and fell")
    # 0.504% away from the last epoch's loss is off the path.
    assert k.claim_small_lr(_followed(slow, 0.69348, 0.59)).verdict == k.REPRODUCED
    # Ending only 0.5% below the last epoch's loss is not going further down.
    assert k.claim_small_lr(_followed(slow, 0.69, 0.68655)).verdict == k.REPRODUCED


def test_claim_small_lr_same_path_at_its_exact_edges():
    slow = curve(0.85, 0.766, 0.0003)
    # |0.76983 - 0.766| is exactly 0.005 x 0.766 in floats: still on the path.
    assert abs(0.76983 - 0.766) == 0.005 * 0.766
    assert k.claim_small_lr(_followed(slow, 0.76983, 0.59)).verdict == k.PARTLY
    # Ending at exactly 99% of the slow run's loss is not 1% lower.
    assert k.claim_small_lr(_followed(slow, 0.766, 0.99 * 0.766)).verdict == (
        k.REPRODUCED
    )


# ------------------------------------------------------- inside the network
def inside(
    errors=(3e-10, 4e-10, 2e-9),
    epochs=(0, 10, 100, 1000),
    accuracy=(0.6, 0.7, 0.96, 0.97),
    suggested=0.8,
    diverged=True,
):
    from types import SimpleNamespace

    from sklearn.utils import Bunch

    from sklearn_mlplab.lab.experiments import GradientCheck

    where = [("numpy", "initial"), ("torch", "initial"), ("numpy", "trained")]
    return SimpleNamespace(
        gradients=tuple(
            GradientCheck(b, w, e, (e, e / 2))
            for (b, w), e in zip(where, errors, strict=True)
        ),
        epochs=epochs,
        snapshot_accuracy=accuracy,
        lr_finder=Bunch(
            lrs=np.geomspace(1e-3, 10, 50),
            suggested_lr=suggested,
            diverged=diverged,
        ),
        lr_range=(1e-3, 10.0),
        tolerance=1e-6,
    )


def test_gradient_finding_gives_the_worst_error_and_what_it_means():
    ok = c.gradient_finding(inside())
    assert ok.startswith(
        "Analytic vs numerical gradient: the largest relative error over the "
        "layers is 2.0e-09 (numpy, trained weights), below 1e-06 for numpy at "
        "its initial weights, torch at its initial weights and numpy at its "
        "trained weights"
    )
    bad = c.gradient_finding(inside(errors=(3e-10, 0.2, 2e-9)))
    assert "relative error 2.0e-01 (torch, initial weights) is above 1e-06" in bad
    assert "should be trusted" in bad


def test_evolution_finding_says_when_the_accuracy_settled():
    settled = c.evolution_finding(inside())
    assert settled.startswith(
        "Training accuracy over the recorded epochs: 0.600 at epoch 0, 0.700 at "
        "epoch 10, 0.960 at epoch 100, 0.970 at epoch 1000."
    )
    assert "within one point of its final 0.970 by epoch 100" in settled
    late = c.evolution_finding(inside(accuracy=(0.6, 0.7, 0.8, 0.97)))
    assert "Only the last recorded epoch, 1000," in late
    assert "after epoch 100 the boundary was still forming" in late
    smoke = c.evolution_finding(inside(), smoke=True)
    assert "final" not in smoke and smoke.endswith("epoch 1000.")


def test_lr_finder_finding_says_whether_it_agrees_with_the_grid():
    grid = search(GRID, std=0.02, curves=_curves(0.690, 0.6905, 0.59))
    pick = grid.pick[1]
    agree = c.lr_finder_finding(inside(suggested=pick * 1.2), grid)
    assert f"search picked lr = {pick}: the two agree." in agree
    assert "suggests lr = " in agree and "divided by 10" in agree
    assert "lower bound" not in agree
    # The suggestion nearest another of the grid's lrs, on a log scale.
    other = [lr for lr in grid.lr_values if lr != pick][0]
    disagree = c.lr_finder_finding(inside(suggested=other), grid)
    assert (
        f"{other} is the nearest to it, but the search picked lr = {pick}" in disagree
    )
    assert "they disagree" in disagree
    bound = c.lr_finder_finding(inside(suggested=pick, diverged=False), grid)
    assert (
        "never diverged up to lr = 10, so the suggestion is only a lower bound" in bound
    )
    smoke = c.lr_finder_finding(inside(suggested=pick), grid, smoke=True)
    assert "agree" not in smoke and "nearest" not in smoke
