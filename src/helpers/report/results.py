"""A study's result in words, by one path: every table and sentence that shows a result calls this.

Results come oriented from :mod:`helpers.findings.results` (below no effect
favours ketamine); :data:`ORIENTATION_NOTE` says so, and every page that shows
a result prints it beside the result.
"""

from __future__ import annotations

import pandas as pd

from ..findings.results import StudyResult
from .html import esc
from .marks import mark, result_key
from .measures import DISPLAY
from .methods import STUDY, ci_words
from .numbers import effect, per_1000
from .words import comparator_words, missing_words, word

ORIENTATION_NOTE = (
    "Differences and ratios between the arms are oriented so that values below no effect (0 for differences, 1 for "
    "ratios) favour ketamine, whatever the outcome's own direction; a result whose sign was changed from the paper's "
    "says so. Millimetres of a 0-100 scale are shown as points on a 0-10 scale. Percentages of single-arm series are "
    "uncontrolled rates, not comparisons."
)


def _unit(measure: str) -> str:
    unit = DISPLAY[measure]["unit"]
    if unit == "%":
        return "%"
    return f" {unit}" if unit else ""


def direction_phrase(code: str, comparator: str | None = None) -> str:
    """How a study went, for a sentence: 'favoured ketamine', 'found no clear difference'."""
    other = comparator_words(comparator) if comparator and comparator != "none" else "the comparator"
    return {
        "favours_ketamine": "favoured ketamine",
        "favours_comparator": f"favoured {other}",
        "no_difference": "found no clear difference",
        "not_reported": "did not report how the groups compared",
    }[code]


def result_html(res: StudyResult, with_measure: bool = True, with_absolute: bool = True) -> str:
    """'mean difference 2.00 points (95% CI 0.28 to 3.72)', each number marked, or the direction as reported;
    for counts in both arms, the risks per 1,000 and their difference (unless ``with_absolute`` is False, where
    the line's own absolute effect is shown beside it)."""
    key = result_key(res.outcome, res.followup_days)
    extra = "; " + absolute_html(res, key) if with_absolute and res.absolute is not None else ""
    if res.measure is not None and res.est is None and res.missing:
        return f"no estimate: {esc(missing_words(res.missing))}{extra}"
    if res.measure is None or res.est is None:
        return f"{esc(word('direction', res.direction))} (no number in the source)"
    # a difference on a scale the source does not state (unit other) gets no unit word: never "points" by default
    unit = "" if res.unit == "other" and res.measure in ("mean_difference", "median_difference") else _unit(res.measure)
    text = (esc(word("effect_measure", res.measure)) + " ") if with_measure else ""
    text += mark(esc(effect(res.est) + unit), res.est, "effect", res.study_id, key)
    if res.lower is not None and res.upper is not None:
        lo = mark(esc(effect(res.lower)), res.lower, "lower", res.study_id, key)
        hi = mark(esc(effect(res.upper)), res.upper, "upper", res.study_id, key)
        text += f" ({ci_words(STUDY)} {lo} to {hi})"
    else:
        text += " (no interval reported)"
    if res.flipped:
        text += " (sign changed from the paper's, so that below 0 favours ketamine)"
    return text + extra


def absolute_html(res: StudyResult, key: str) -> str:
    """'80 per 1,000 with ketamine, 34 without: 46 more per 1,000 (95% CI 26 fewer to 118 more)', marked."""
    k, c, d, lo, hi = res.absolute

    def m(x: float, field: str, words: bool = False) -> str:
        shown = f"{per_1000(abs(x))} {'more' if round(x) >= 0 else 'fewer'}" if words else per_1000(x)
        return mark(esc(shown), round(x), field, res.study_id, key)

    return (
        f"{m(k, 'risk_ketamine')} per 1,000 with ketamine, {m(c, 'risk_control')} with the comparator: "
        f"{m(d, 'risk_difference', True)} per 1,000 "
        f"({ci_words(STUDY)} {m(lo, 'risk_difference_lower', True)} to {m(hi, 'risk_difference_upper', True)})"
    )


def study_size_html(study: str, n: int | None, what: str = "patients") -> str:
    if n is None:
        return "size not reported"
    noun = "treatment encounters" if what == "encounters" else "patients"
    return mark(str(n), n, "n", study) + f" {noun}"


def events_html(sid: str, row, comparator: str = "the comparator") -> str:
    """'2 of 25 with ketamine and 1 of 29 with the comparator', each count marked."""
    days = row["followup_days"]
    key = result_key(str(row["outcome"]), None if pd.isna(days) else float(days))
    parts = []
    for arm, words in (("ketamine", "with ketamine"), ("control", f"with {comparator}")):
        e, n = row[f"events_{arm}"], row[f"n_{arm}"]
        if pd.notna(e) and pd.notna(n):
            parts.append(
                f"{mark(str(int(e)), int(e), f'events_{arm}', sid, key)} of "
                f"{mark(str(int(n)), int(n), f'n_{arm}', sid, key)} {words}"
            )
    return " and ".join(parts) if parts else "no counts reported"
