"""Table cells shared by the report sections: sizes, numbers as reported, notes on cut tables."""

from __future__ import annotations

import pandas as pd

from .figures.style import is_indirect
from .html import esc
from .numbers import decimals, human_duration, interval, plain
from .words import size_words, word

#: long tables are cut to this many rows in the HTML; the full table is written as CSV beside the report
MAX_TABLE_ROWS = 60


def indirect_note(r) -> str:
    """'indirect: perioperative ...' under the design, with the reason, for studies flagged as indirect."""
    if not is_indirect(r.get("indirect")):
        return ""
    reason = r.get("indirect_reason")
    reason = f": {esc(reason)}" if reason is not None and not pd.isna(reason) else ""
    return f'<br><span class="indirect-badge">indirect evidence, {esc(word("indirect", r["indirect"]))}</span>{reason}'


def span(times: pd.Series) -> str:
    lo, hi = human_duration(times.min()), human_duration(times.max())
    return f"at {lo}" if lo == hi else f"from {lo} to {hi}"


def n_text(r) -> str:
    """A study's size as its source gives it (helpers.report.words.size_words), 'not reported' without one."""
    return size_words(r) or "not reported"


def as_reported(r) -> str:
    if pd.isna(r["effect"]):
        if r["origin"] == "arm_data" and bool(r.get("continuity", False)):
            return "from arm data, with 0.5 added to every cell because an arm had no event (as metafor does)"
        return "from arm data" if r["origin"] == "arm_data" else ""
    unit = {"mm_0_100": " mm", "points_0_10": " points", "percent": "%"}.get(str(r["unit"]), "")
    if str(r.get("effect_measure")) == "risk_difference" and unit == "%":
        unit = " percentage points"  # a difference of two percentages, as the oriented column says it
    text = f"{plain(r['effect'])}{unit}"
    if pd.notna(r["ci_lower"]):
        text += f" ({interval(r['ci_lower'], r['ci_upper'], plain)})"
    # a rate the paper rounds differently from its own counts is said once, with the value used (Schwenk 2018:
    # "48 (77%) of 61", where 48 of 61 is 78.7%)
    if (
        r["origin"] == "arm_data"
        and str(r.get("effect_measure")) == "proportion"
        and pd.notna(r.get("est"))
        and abs(float(r["effect"]) - float(r["est"])) >= 0.5
    ):
        text += f" as the paper prints it; its counts give {decimals(float(r['est']), 1)}%, the value used"
    return text


def more_note(n: int) -> str:
    if n <= MAX_TABLE_ROWS:
        return ""
    return (
        f'<p><em>The first {MAX_TABLE_ROWS} of {n} rows are shown; every row is in <a href="studies.csv">studies.csv</a> '
        "beside this report.</em></p>"
    )
