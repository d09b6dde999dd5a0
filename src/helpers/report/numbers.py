"""Every number a report, a figure or its alternative text shows is written here: effects and their intervals,
percentages, risks per 1,000, p values and heterogeneity, counts in words, durations, table cells.

The statistics return numbers; the pages call these functions for their text, and words about how an interval
was made (its level, its kind) come from :mod:`helpers.report.methods`. No other module of the layers whose text
is shown (stats, findings, report, site) holds a number's format specification (tests/env/test_architecture.py),
so a change of how a kind of number is shown is made once, here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: small counts are written as words in prose
NUMBER_WORDS = {
    0: "none",
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}


# ------------------------------------------------------------------ plain numbers
def plain(x: float) -> str:
    """As short as the number goes (up to six significant digits, no trailing zeros): a value as the paper
    reports it, a table cell, an axis tick, a key. ``2.5``, ``30``, ``0.001``."""
    return f"{x:g}"


def decimals(x: float, places: int = 2) -> str:
    """A fixed number of decimal places: ``2.00``; with ``places=0`` a whole number, ``13``."""
    return f"{x:.{places}f}"


def significant(x: float, digits: int = 3) -> str:
    """Three significant digits, for quantities of any size (tau², a tick): ``0.0123``, ``1.5e-05``."""
    return f"{x:.{digits}g}"


def effect(x: float) -> str:
    """An effect or an interval bound of a study's result or a Summary of Findings line: two decimals below 10,
    one from 10 (``2.00``, ``-12.5``)."""
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def rounded(x: float) -> str:
    """A number for alternative text, read aloud: three significant digits, whole numbers from 1,000."""
    return significant(x) if abs(x) < 1000 else decimals(x, 0)


def cell(value):
    """A table cell's value: a float as :func:`plain`, a missing float as empty; anything else as it is (the
    table builder escapes it)."""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return plain(value)
    return value


# ------------------------------------------------------------------ intervals
def interval(lower: float, upper: float, number=decimals) -> str:
    """``0.28 to 3.72``, each bound written by ``number``."""
    return f"{number(lower)} to {number(upper)}"


def bracketed(lower: float, upper: float, number=decimals) -> str:
    """``[0.28, 3.72]``, as forest plots print an interval."""
    return f"[{number(lower)}, {number(upper)}]"


# ------------------------------------------------------------------ percentages, risks, tests
def percent(x: float, places: int = 1) -> str:
    """A value already in percent (a pooled rate, a weight, I²): ``42.5%``; ``places=0``: ``42%``."""
    return f"{decimals(x, places)}%"


def share(fraction: float) -> str:
    """A fraction as a whole percentage: 0.425 -> ``42%``."""
    return f"{fraction:.0%}"


def level(fraction: float) -> str:
    """A confidence level: 0.95 -> ``95%``."""
    return f"{100 * fraction:g}%"


def per_1000(x: float) -> str:
    """A risk per 1,000 patients, whole: ``125``."""
    return decimals(x, 0)


def p_value(p: float) -> str:
    """A p value to three significant digits: ``0.0412``, ``3.1e-05``."""
    return significant(p)


def statistic(x: float) -> str:
    """A test statistic (z, Q, QM): ``1.96``."""
    return decimals(x, 2)


# ------------------------------------------------------------------ counts and durations
def count_word(n: int) -> str:
    """Small counts as words ('none', 'one' ... 'ten'), larger ones as digits."""
    return NUMBER_WORDS.get(int(n), str(int(n)))


def human_duration(days: float) -> str:
    """A duration in days as a person would say it (30 min, 2 h, 5 days, 6 weeks, 4 months, 1 year)."""
    if days is None or not np.isfinite(days):
        return "not stated"
    minutes = days * 1440
    if minutes < 90:
        return f"{decimals(minutes, 0)} min"
    hours = days * 24
    if hours < 36:
        return f"{decimals(hours, 0)} h"
    if days < 14:
        return f"{decimals(days, 0)} days"
    if days < 60:
        return f"{decimals(days / 7, 0)} weeks"
    if days < 365:
        return f"{decimals(days / 30.44, 0)} months"
    years = days / 365.25
    return f"{decimals(years, 0)} year" + ("s" if round(years) != 1 else "")
