"""Which effects may be pooled, and the pooled estimates.

Rows are pooled only when they share condition, kind of outcome (harm or
benefit), effect measure, comparator (placebos together, each active drug on
its own), time-point window and verification status, are primary studies (a
published meta-analysis is shown beside them, never pooled again), have a
standard error, and there are at least two studies. Every group gets a
decision code, and every row left out a code saying why (the report layer
words them: :mod:`helpers.report.words`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.lines import timepoint_window
from .effects import RATIO_MEASURES
from .meta import MetaResult, rma

#: comparator_group keeps each active drug on its own (data.lines); outcome_kind keeps harms apart from benefits
GROUP_KEY = ["condition", "outcome_kind", "effect_measure", "comparator_group", "timepoint", "verification"]
#: the fits written for every pooled group, in this order: the first is the estimate every page shows (REML, Hartung-Knapp interval); the others are sensitivity analyses
FITS = (("REML", "knha"), ("REML", "z"), ("DL", "z"))

POOLED_COLUMNS = [
    "condition",
    "effect_measure",
    "comparator",
    "timepoint",
    "k",
    "method",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "tau2",
    "i2",
    "pi_lower",
    "pi_upper",
]


#: why a row cannot enter a pooled estimate, in the order they are tested (besides the codes of
#: effects.MISSING_CODES, which say why arm data gave no weight, and REPEAT)
EXCLUSIONS = ("article_claim", "meta_analysis", "not_comparative", "median_without_se", "no_variance")
#: another time point or outcome of a study already in the group
REPEAT = "repeat_of_study"


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
    out = np.select([c.to_numpy() for c in conditions], list(EXCLUSIONS), default="")
    if "missing_reason" in e:  # say what happened to arm data that gave no weight (double-zero, sd 0, n 1)
        known = e["missing_reason"].notna().to_numpy() & (out == EXCLUSIONS[-1])
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
    #: pooled, or why not: single_study (one study, nothing left out), single_usable (one usable study,
    #: others left out), none_usable
    decision: str = ""

    @property
    def pooled(self) -> bool:
        return bool(self.fits)

    @property
    def k(self) -> int:
        return len(self.used)

    @property
    def wald(self) -> MetaResult | None:
        """REML with the normal (Wald) interval: the sensitivity analysis, and what leave-one-out refits use."""
        return next((f for f in self.fits if f.method == "REML" and f.test == "z"), None)

    @property
    def reasons(self) -> list[str]:
        """The codes of why rows of the group were left out, sorted."""
        return sorted(set(self.rows["excluded"].dropna()))

    @property
    def dropped_double_zero(self) -> int:
        return int((self.rows["excluded"] == "double_zero").sum())


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
        rows.loc[eligible.index[dup], "excluded"] = REPEAT
        used = eligible[~dup]
        group = PoolGroup(key, rows, used)
        if len(used) >= 2:
            group.fits = [rma(used["yi"], used["vi"], method=m, test=t) for m, t in FITS]
            group.decision = "pooled"
        elif len(used) == 1:
            group.decision = "single_usable" if group.reasons else "single_study"
        else:
            group.decision = "none_usable"
        groups.append(group)
    return groups


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
                    "comparator": g.key["comparator_group"],
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
