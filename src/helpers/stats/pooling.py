"""Which effects may be pooled, and the pooled estimates.

Rows are pooled only when they share condition, effect measure, comparator
class, time-point window and verification status, are primary studies (a
published meta-analysis is shown beside them, never pooled again), have a
standard error, and there are at least two studies. Every group gets a
sentence saying why it was or was not pooled.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .effects import MISSING_REASONS, RATIO_MEASURES
from .meta import MetaResult, rma

#: time-point windows for pooling, (name, upper bound in days, inclusive)
WINDOWS: tuple[tuple[str, float], ...] = (
    ("up_to_1_day", 1.0),
    ("1_to_14_days", 14.0),
    ("14_to_90_days", 90.0),
    ("over_90_days", math.inf),
)
NO_WINDOW = "not_reported"
#: each window in plain words, for prose
WINDOW_WORDS = {
    "up_to_1_day": "within a day",
    "1_to_14_days": "after 1 to 14 days",
    "14_to_90_days": "after 2 weeks to 3 months",
    "over_90_days": "after more than 3 months",
    NO_WINDOW: "time point not reported",
}
GROUP_KEY = ["condition", "effect_measure", "comparator_class", "timepoint", "verification"]
#: the fits written for every pooled group, in this order
FITS = (("REML", "z"), ("DL", "z"), ("REML", "knha"))

POOLED_COLUMNS = [
    "condition", "effect_measure", "comparator", "timepoint", "k", "method", "estimate", "se",
    "ci_lower", "ci_upper", "tau2", "i2", "pi_lower", "pi_upper",
]


def timepoint_window(days: float) -> str:
    if days is None or pd.isna(days):
        return NO_WINDOW
    for name, upper in WINDOWS:
        if days <= upper:
            return name
    return WINDOWS[-1][0]


REASONS = (
    "claim of the source article that could not be located",
    "published meta-analysis: shown as its own estimate, never pooled with trials",
    "proportion of ketamine-treated patients or no comparator: not a comparison "
    "(single-arm proportions with counts are pooled on their own, by outcome, as uncontrolled rates)",
    "median difference without a standard error",
    "no confidence interval or arm data to give it a weight",
)


def exclusion_reasons(e: pd.DataFrame) -> pd.Series:
    """Vectorized :func:`exclusion_reason` for a whole frame (None where the row can be pooled)."""
    vi = e["vi"].astype(float)
    conditions = [
        (e["source"].astype(str) == "seed_article") | (e["verification"].astype(str) == "not_found"),
        e["design"].astype(str) == "meta_analysis",
        (e["effect_measure"].astype(str) == "proportion") | (e["comparator_class"].astype(str) == "none"),
        e["effect_measure"].astype(str) == "median_difference",
        ~np.isfinite(vi) | (vi <= 0),
    ]
    out = np.select([c.to_numpy() for c in conditions], list(REASONS), default="")
    if "missing_reason" in e:  # say what happened to arm data that gave no weight (double-zero, sd 0, n 1)
        known = e["missing_reason"].notna().to_numpy() & (out == REASONS[-1])
        out = np.where(known, e["missing_reason"].astype(object).to_numpy(), out)
    reasons = pd.Series(out, index=e.index, dtype=object)
    reasons[reasons == ""] = None
    return reasons


def exclusion_reason(row) -> str | None:
    """Why a single row cannot enter any pooled estimate (None when it can)."""
    return exclusion_reasons(pd.DataFrame([row])).iloc[0]


@dataclass
class PoolGroup:
    key: dict
    rows: pd.DataFrame  # every harmonized row of the group, with an 'excluded' reason column
    used: pd.DataFrame  # the rows that enter the model
    fits: list[MetaResult] = field(default_factory=list)
    reason: str = ""

    @property
    def pooled(self) -> bool:
        return bool(self.fits)

    @property
    def k(self) -> int:
        return len(self.used)

    def label(self) -> str:
        """The group in plain words: 'other headache: mean difference against active drugs, within a day'."""
        return group_label(self.key)


def _word(column: str, value) -> str:
    from ..data.schema import load_schema

    return load_schema()[column].label(value)


def against(comparator_class: str) -> str:
    """'against placebo', 'against active drugs', 'without a comparator'."""
    if comparator_class == "none":
        return "without a comparator"
    if comparator_class == "not_reported":
        return "against a comparator that is not reported"
    return f"against {_word('comparator_class', comparator_class)}"


def group_label(key: dict) -> str:
    """A pooling key in plain words, with the verification status when it is not 'verified'."""
    text = _word("condition", key["condition"])
    if "effect_measure" in key:
        text += f": {_word('effect_measure', key['effect_measure'])} {against(key['comparator_class'])}"
        text += f", {WINDOW_WORDS.get(key['timepoint'], key['timepoint'])}"
    if key.get("verification") and key["verification"] != "verified":
        text += f" ({_word('verification', key['verification'])})"
    return text


def pooling_groups(effects: pd.DataFrame) -> list[PoolGroup]:
    """Group harmonized effects and fit random-effects models where pooling is valid."""
    if effects.empty:
        return []
    e = effects.copy()
    e["timepoint"] = e["followup_days"].map(timepoint_window)
    e["excluded"] = exclusion_reasons(e)
    for col in GROUP_KEY:
        e[col] = e[col].astype(str)
    groups = []
    for key, rows in e.groupby(GROUP_KEY, sort=True, observed=True):
        key = dict(zip(GROUP_KEY, key))
        rows = rows.copy()
        eligible = rows[rows["excluded"].isna()]
        # one row per study: the latest time point inside the window
        eligible = eligible.sort_values(["study_id", "followup_days"], na_position="first")
        dup = eligible.duplicated("study_id", keep="last")
        rows.loc[eligible.index[dup], "excluded"] = "another time point or outcome of a study already in this group"
        used = eligible[~dup]
        group = PoolGroup(key, rows, used)
        if len(used) >= 2:
            group.fits = [rma(used["yi"], used["vi"], method=m, test=t) for m, t in FITS]
            group.reason = f"pooled: {len(used)} comparable studies ({_comparable(key)})"
            dropped = int((rows["excluded"] == MISSING_REASONS["double_zero"]).sum())
            if dropped:
                group.reason += (
                    f"; {dropped} double-zero {'study' if dropped == 1 else 'studies'} dropped "
                    "(no events, or only events, in both arms; as metafor's drop00=TRUE)"
                )
        else:
            reasons = sorted(set(rows["excluded"].dropna()))
            if len(used) == 1 and not reasons:
                group.reason = "not pooled: only one study in this group (at least two are needed)"
            elif len(used) == 1:
                group.reason = "not pooled: only one usable study; the others: " + "; ".join(reasons)
            else:
                group.reason = "not pooled: " + "; ".join(reasons)
        groups.append(group)
    return groups


def _comparable(key: dict) -> str:
    return (
        f"same condition, {key['effect_measure'].replace('_', ' ')}, {key['comparator_class']} comparator, "
        f"time point {key['timepoint'].replace('_', ' ')}, all {key['verification']}"
    )


def pooled_table(groups: list[PoolGroup]) -> pd.DataFrame:
    """The machine-readable pooled estimates (tables/pooled_effects.csv).

    Estimates are on the analysis scale (log for ratio measures), oriented so
    that values below the null favour ketamine.
    """
    records = []
    for g in groups:
        for fit in g.fits:
            records.append(
                {
                    "condition": g.key["condition"],
                    "effect_measure": g.key["effect_measure"],
                    "comparator": g.key["comparator_class"],
                    "timepoint": g.key["timepoint"],
                    "k": fit.k,
                    "method": fit.label,
                    "estimate": fit.estimate,
                    "se": fit.se,
                    "ci_lower": fit.ci_lower,
                    "ci_upper": fit.ci_upper,
                    "tau2": fit.tau2,
                    "i2": fit.i2,
                    "pi_lower": fit.pi_lower,
                    "pi_upper": fit.pi_upper,
                    "verification": g.key["verification"],
                    "scale": "log" if g.key["effect_measure"] in RATIO_MEASURES else "identity",
                    "studies": ";".join(g.used["study_id"]),
                }
            )
    cols = POOLED_COLUMNS + ["verification", "scale", "studies"]
    return pd.DataFrame.from_records(records, columns=cols)


def decisions_table(groups: list[PoolGroup]) -> pd.DataFrame:
    """One row per group: what it holds and why it was or was not pooled."""
    return pd.DataFrame(
        [
            {
                **g.key,
                "rows": len(g.rows),
                "studies": g.rows["study_id"].nunique(),
                "k_pooled": g.k if g.pooled else 0,
                "decision": g.reason,
            }
            for g in groups
        ],
        columns=GROUP_KEY + ["rows", "studies", "k_pooled", "decision"],
    )
