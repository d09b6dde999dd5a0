"""AMSTAR 2's rule for the overall confidence in a review's results (Shea et al. 2017, BMJ 358:j4008).

The answers live in ``data/review_appraisal.csv`` (one row per review and item); which items are critical
is the item field's ``x-helpers.critical`` in its schema. A critical item answered ``no`` is a critical
flaw, any other item answered ``no`` a non-critical weakness (``partial_yes`` meets an item, as in the
published tool). The rating, as Shea and colleagues give it:

- high: no critical flaw and at most one non-critical weakness;
- moderate: no critical flaw and more than one non-critical weakness;
- low: one critical flaw, with or without non-critical weaknesses;
- critically low: more than one critical flaw.

:func:`confidence` is that rule, and the only place it is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd

from .schema import load_schema
from .vocabulary import extension

ITEMS = tuple(str(i) for i in range(1, 17))
LEVELS = ("high", "moderate", "low", "critically_low")


@cache
def critical_items() -> tuple[str, ...]:
    return tuple(extension("item", "review_appraisal")["critical"])


@dataclass(frozen=True)
class Rating:
    """A review's AMSTAR 2 result: its critical flaws and weaknesses (item numbers) and the confidence."""

    critical_flaws: tuple[str, ...]
    weaknesses: tuple[str, ...]
    confidence: str


def confidence(answers: Mapping[str, str]) -> Rating:
    """The overall confidence from a review's answers ({'1': 'yes', '2': 'no', ...}); every item must be there."""
    missing = [i for i in ITEMS if i not in answers]
    if missing:
        raise ValueError(f"AMSTAR 2 needs all 16 items; missing: {', '.join(missing)}")
    critical = set(critical_items())
    flaws = tuple(i for i in ITEMS if i in critical and answers[i] == "no")
    weak = tuple(i for i in ITEMS if i not in critical and answers[i] == "no")
    if len(flaws) > 1:
        level = "critically_low"
    elif flaws:
        level = "low"
    else:
        level = "moderate" if len(weak) > 1 else "high"
    return Rating(flaws, weak, level)


def ratings(appraisal: pd.DataFrame) -> dict[str, Rating]:
    """Each review's rating, by study_id (reviews without all 16 items are left out: validation names them)."""
    out = {}
    for sid, rows in appraisal.groupby(appraisal["study_id"].astype(str), sort=False):
        answers = dict(zip(rows["item"].astype(str), rows["answer"].astype(str)))
        if all(i in answers for i in ITEMS):
            out[sid] = confidence(answers)
    return out


def label(level: str) -> str:
    """A confidence level in words."""
    return level.replace("_", " ")


def item_text(item: str) -> str:
    return load_schema("review_appraisal")["item"].enum_descriptions.get(str(item), str(item))
