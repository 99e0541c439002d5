"""The comparisons every conclusion rests on: which scores differ.

Readings of the experiments' result objects, shared by the claims table
(:mod:`.claims`) and the findings (:mod:`.conclusions`): which momentum
rates sped training up, which cells of a grid search differ beyond the
folds' spread, which pair is best and which tie with it.
"""

import numpy as np

from . import stats
from .text import cell, fmt, join, times


def sped_up(momentum, kind):
    """The rates at which ``kind`` reached the target clearly sooner."""
    return [
        b for b in momentum.betas if b > 0 and (momentum.speedup[kind, b] or 0) >= 1.2
    ]


def speeds_text(momentum, kind):
    """Each rate's speed-up in words: ``2.0× at β = 0.5``, ``not reached ...``."""
    parts = [
        f"not reached at β = {b}"
        if momentum.speedup[kind, b] is None
        else f"{times(momentum.speedup[kind, b])} at β = {b}"
        for b in momentum.betas
        if b > 0
    ]
    return join(parts)


def fold_floor(search):
    """One validation row's worth of accuracy: smaller gaps are not real."""
    return 1 / search.fold_rows


def differ(search, a, b):
    """Whether the CV scores of pairs ``a`` and ``b`` differ beyond the noise."""
    (i, j), (k, m) = search.cell(*a), search.cell(*b)
    return stats.cv_scores_differ(
        search.mean[i, j],
        search.std[i, j],
        search.mean[k, m],
        search.std[k, m],
        fold_floor(search),
    )


def score_of(search, pair):
    i, j = search.cell(*pair)
    return search.mean[i, j]


def span(values, digits=3):
    lo, hi = fmt(min(values), digits), fmt(max(values), digits)
    return lo if lo == hi else f"{lo}–{hi}"


def cell_values(search, pair):
    i, j = search.cell(*pair)
    return search.mean[i, j], search.std[i, j]


def best_pair(search):
    i, j = np.unravel_index(np.nanargmax(search.mean), search.mean.shape)
    return search.hidden_values[i], search.lr_values[j]


def ties_with_best(search):
    """Every pair indistinguishable from the best, the best first."""
    best = best_pair(search)
    pairs = [
        (h, lr)
        for h in search.hidden_values
        for lr in search.lr_values
        if np.isfinite(score_of(search, (h, lr)))
    ]
    return [best] + [p for p in pairs if p != best and not differ(search, best, p)]


def pair_text(search, pair):
    return f"hidden = {pair[0]}, lr = {pair[1]} ({cell(*cell_values(search, pair))})"
