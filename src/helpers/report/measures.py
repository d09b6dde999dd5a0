"""How each effect measure is shown: its axis label and unit, beside the scale the statistics use."""

from __future__ import annotations

from ..stats.effects import SCALES

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
