"""One result per study-table row (study, outcome, time point), in one stated orientation.

Comparative results are oriented as :func:`helpers.stats.effects.harmonize`
orients them: below no effect (0 for differences, 1 for ratios) favours
ketamine, whatever the outcome's own direction; ``flipped`` says when the sign
was changed from the one the paper reports. Single-arm rates are kept as
percentages. A row without a number keeps its reported direction. Words for
all of it are :mod:`helpers.report.results`'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..stats.effects import BINARY_MEASURES, Z975, absolute_risks, harmonize


def _num(x) -> float | None:
    if x is None or pd.isna(x):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def interval_direction(lo: float, hi: float) -> str:
    """The direction an interval on the oriented analysis scale shows (below 0 favours ketamine)."""
    if hi < 0:
        return "favours_ketamine"
    if lo > 0:
        return "favours_comparator"
    return "no_difference"


@dataclass(frozen=True)
class StudyResult:
    study_id: str
    condition: str
    outcome: str
    followup_days: float | None
    measure: str | None  # the effect measure, None for a direction-only row
    comparative: bool
    est: float | None  # display scale (ratios as ratios, risk differences and rates in percent), oriented
    lower: float | None
    upper: float | None
    yi: float | None  # analysis scale (log for ratios), oriented
    yi_lower: float | None
    yi_upper: float | None
    flipped: bool  # the sign differs from the paper's, so that below no effect favours ketamine
    unit: str | None
    direction: str  # from the interval when there is one, else as reported
    missing: str | None = None  # why a row with a measure has no estimate (stats.effects' missing_reason)
    #: per 1,000 (stats.effects.absolute_risks): with ketamine, with the comparator, difference, its interval;
    #: for a dichotomous comparison with events counted in both arms
    absolute: tuple[float, float, float, float, float] | None = None

    @property
    def key(self) -> tuple:
        return (self.study_id, self.condition, self.outcome, self.followup_days)


def result_of(h) -> StudyResult:
    """The result of one harmonized row (stats.effects.harmonize), as a Series or a mapping."""
    comparative = bool(h.get("comparative", False))
    yi, vi = _num(h.get("yi")), _num(h.get("vi"))
    lo_a = hi_a = None
    if yi is not None and vi is not None:
        se = math.sqrt(vi)
        lo_a, hi_a = yi - Z975 * se, yi + Z975 * se
    lower, upper = _num(h.get("lo")), _num(h.get("hi"))
    if yi is not None and vi is None:  # a point without an interval
        lower = upper = None
    direction = str(h.get("direction", "not_reported"))
    if comparative and lo_a is not None:
        direction = interval_direction(lo_a, hi_a)
    return StudyResult(
        str(h["study_id"]),
        str(h["condition"]),
        str(h["outcome"]),
        _num(h.get("followup_days")),
        str(h["effect_measure"]),
        comparative,
        _num(h.get("est")),
        lower,
        upper,
        yi,
        lo_a,
        hi_a,
        bool(h.get("oriented", False)),
        None if pd.isna(h.get("unit")) else str(h.get("unit")),
        direction,
        None if pd.isna(h.get("missing_reason")) else str(h.get("missing_reason")),
        _absolute(h) if comparative else None,
    )


def _absolute(h) -> tuple[float, float, float, float, float] | None:
    if str(h.get("effect_measure")) not in BINARY_MEASURES:
        return None
    counts = [h.get(c) for c in ("events_ketamine", "n_ketamine", "events_control", "n_control")]
    if any(c is None or pd.isna(c) for c in counts):
        return None
    return absolute_risks(*counts)


def direction_result(r) -> StudyResult:
    """A study-table row without a number: its reported direction only."""
    return StudyResult(
        str(r["study_id"]),
        str(r["condition"]),
        str(r["outcome"]),
        _num(r.get("followup_days")),
        None,
        False,
        None,
        None,
        None,
        None,
        None,
        None,
        False,
        None,
        str(r.get("direction", "not_reported")),
    )


def study_results(studies: pd.DataFrame, effects: pd.DataFrame | None = None) -> dict[str, list[StudyResult]]:
    """Every row's result, by study, in the table's order: numbers from harmonize, directions otherwise."""
    effects = harmonize(studies) if effects is None else effects
    numbered = {}
    # rows as plain mappings: a Series per row (iterrows) cost a 10,000-row table 5 s of the 11 s spent here
    for h in effects.to_dict("records"):  # every row with a measure: an estimate, or why it has none
        res = result_of(h)
        numbered[res.key] = res
    out: dict[str, list[StudyResult]] = {}
    for r in studies[["study_id", "condition", "outcome", "followup_days", "direction"]].to_dict("records"):
        key = (str(r["study_id"]), str(r["condition"]), str(r["outcome"]), _num(r.get("followup_days")))
        out.setdefault(key[0], []).append(numbered.get(key) or direction_result(r))
    return out
