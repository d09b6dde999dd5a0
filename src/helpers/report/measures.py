"""How each effect measure is shown: its axis label and unit, beside the scale the statistics use."""

from __future__ import annotations

from ..stats.effects import SCALES
from ..stats.grade import PAIN_UNITS

_WORDS = {
    "mean_difference": dict(label="Mean difference, points on a 0-10 scale", unit="points"),
    "median_difference": dict(label="Median difference, points on a 0-10 scale", unit="points"),
    "standardized_mean_difference": dict(label="Standardized mean difference (Hedges' g), SD units", unit="SD"),
    "risk_difference": dict(label="Risk difference, percentage points", unit="percentage points"),
    "risk_ratio": dict(label="Risk ratio (log scale)", unit=""),
    "odds_ratio": dict(label="Odds ratio (log scale)", unit=""),
    "proportion": dict(label="Patients with the outcome after ketamine, percent", unit="%"),
}
#: per measure: label (axis), null (no difference), log (log axis), unit
DISPLAY = {m: {**_WORDS[m], **SCALES[m]} for m in SCALES}


def scale_label(measure: str, units) -> str:
    """The measure as a Summary of Findings names it: a difference is on the 0-10 scale only when every row
    behind it is a pain scale harmonize puts there (a row in other units keeps the source's own)."""
    label = DISPLAY[measure]["label"].replace(" (log scale)", "")
    if measure in ("mean_difference", "median_difference") and not set(map(str, units)) <= set(PAIN_UNITS):
        return label.split(",")[0] + ", on a scale the source does not give as 0-10"
    return label
