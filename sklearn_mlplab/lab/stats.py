"""The few statistics the report's conclusions rest on.

Experiments call these to turn raw runs into numbers; conclusions call the
comparison rules to decide what the numbers support. Nothing here plots or
writes prose.
"""

import numpy as np

# 95% two-sided normal quantile.
Z95 = 1.959964


def wilson_interval(p, n, z=Z95):
    """The Wilson score interval of an accuracy ``p`` measured on ``n`` rows.

    Unlike ``p ± z se``, it does not collapse to a point at 0 or 1: all 54 of
    54 rows right gives (0.934, 1.0), not 1.0 ± 0.

    Examples
    --------
    >>> lo, hi = wilson_interval(1.0, 54)
    >>> round(lo, 3), hi
    (0.934, 1.0)
    """
    if n <= 0:
        return (0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # Exactly 0 or 1 at the ends, where rounding would leave 0.9999999999999999.
    lo = 0.0 if p == 0 else float(max(0.0, centre - half))
    hi = 1.0 if p == 1 else float(min(1.0, centre + half))
    return (lo, hi)


def accuracy_margin(p_a, p_b, n):
    """Two standard errors of an accuracy near ``(p_a + p_b) / 2`` on ``n`` rows,
    floored at one row: gaps within it are noise."""
    p = (p_a + p_b) / 2
    return max(2 * float(np.sqrt(p * (1 - p) / n)), 1 / n)


def accuracies_differ(p_a, p_b, n):
    """Whether two accuracies on the same ``n`` rows differ beyond the noise."""
    return abs(p_a - p_b) > accuracy_margin(p_a, p_b, n)


def cv_scores_differ(mean_a, std_a, mean_b, std_b, floor=0.0):
    """Whether two mean CV scores differ by more than the folds' spread.

    A gap counts only when it is larger than the larger of the two fold
    standard deviations (and than ``floor``, one validation row's worth of
    accuracy, so that folds that all agree do not make any gap real).
    """
    return abs(mean_a - mean_b) > max(std_a, std_b, floor)


def epochs_to(curve, target):
    """The first epoch (1-based) at which ``curve`` is at or below ``target``."""
    hits = np.flatnonzero(np.asarray(curve) <= target)
    return int(hits[0]) + 1 if hits.size else None


def tail_drop(curve, share=0.1):
    """How much a loss fell over the last ``share`` of the run, relative."""
    curve = np.asarray(curve, dtype=float)
    # At least the last step, however short the run.
    start = curve[max(0, min(len(curve) - 2, int((1 - share) * len(curve))))]
    return float((start - curve[-1]) / start) if start else 0.0


def rises(curve):
    """The number of epochs in which the loss went up."""
    return int((np.diff(np.asarray(curve, dtype=float)) > 0).sum())


def half_fall_epoch(curve):
    """The first epoch (1-based) by which the loss made half its run's fall.

    A scale-free pace: two losses on different scales are compared by how
    soon each covers half of its own drop.
    """
    curve = np.asarray(curve, dtype=float)
    halfway = curve[0] - 0.5 * (curve[0] - curve.min())
    return int(np.flatnonzero(curve <= halfway)[0]) + 1
