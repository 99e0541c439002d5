"""How numbers read in the report: as a person writes them."""

import numpy as np


def fmt(x, digits=3):
    """A number to ``digits`` decimals; ``n/a`` for None or not finite."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:.{digits}f}"


def pct(x, digits=1):
    """A share as a percentage: ``0.157`` is ``15.7%``."""
    return f"{100 * x:.{digits}f}%"


def times(x):
    """A speed-up: ``9.88`` is ``9.9×``."""
    return "n/a" if x is None else f"{x:.1f}×"


def plain(value):
    """A value as written in prose: ``0.5``, ``3``, ``'a'``."""
    if isinstance(value, np.generic):
        value = value.item()
    return str(value)


def join(items, conjunction="and"):
    """``a``, ``a and b``, ``a, b and c``: a list in a sentence."""
    items = [plain(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def interval(p, bounds, digits=3):
    """An accuracy with its 95% interval: ``0.943 (0.911–0.964)``."""
    lo, hi = bounds
    return f"{fmt(p, digits)} ({fmt(lo, digits)}–{fmt(hi, digits)})"


def cell(mean, std):
    """A mean CV score and its fold spread: ``0.967 ± 0.015``."""
    return f"{fmt(mean)} ± {fmt(std)}"
