"""Shared pieces of the deeper syntheses (subgroups, sensitivity, small-study effects)."""

from __future__ import annotations

import numpy as np

from .effects import RATIO_MEASURES

#: the key columns of a pooled group, as written in every synthesis table
KEY_COLUMNS = ["condition", "effect_measure", "comparator", "timepoint", "verification"]


def key_record(group) -> dict:
    k = group.key
    return {
        "condition": k["condition"],
        "effect_measure": k["effect_measure"],
        "comparator": k["comparator_group"],
        "timepoint": k["timepoint"],
        "verification": k["verification"],
    }


def display_value(measure: str, x):
    """Estimates and interval bounds for the CSVs and reports: ratios exponentiated, the rest as analysed."""
    x = np.asarray(x, dtype=float)
    out = np.exp(x) if measure in RATIO_MEASURES else x
    return float(out) if out.ndim == 0 else out
