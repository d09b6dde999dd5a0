"""Which effects may be pooled, and the pooled estimates.

Rows are pooled only when they share condition, kind of outcome (harm or
benefit), effect measure, comparator (placebos together, each active drug on
its own), time-point window and verification status, are primary studies (a
published meta-analysis is shown beside them, never pooled again), have a
standard error, and there are at least two studies; a study enters with the
row that stands for it in the window (:func:`helpers.stats.selection.pick`).
Every group gets a decision code, and every row left out a code saying why
(the report layer words them: :mod:`helpers.report.words`).

Every pooled group is fitted once by each method of :data:`FITS`, and each
fit carries its method record (:func:`record_of`), from which every page names
the method and its interval (:mod:`helpers.report.methods`): a new pooling
method is one entry in :data:`FITS` and its words there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.lines import timepoint_window
from ..data.vocabulary import designs
from .effects import RATIO_MEASURES
from .meta import MetaResult, rma
from .selection import chosen

#: comparator_group keeps each active drug on its own (data.lines); outcome_kind keeps harms apart from benefits
GROUP_KEY = ["condition", "outcome_kind", "effect_measure", "comparator_group", "timepoint", "verification"]
#: interval -> the test of stats.meta.rma: Hartung-Knapp(-Sidik-Jonkman) with t quantiles, or normal (Wald)
INTERVAL_TESTS = {"hartung_knapp": "knha", "normal": "z"}


@dataclass(frozen=True)
class Method:
    """A registered way of pooling: the estimator of the between-study variance (stats.meta.METHODS), the
    kind of interval (INTERVAL_TESTS) and its confidence level."""

    estimator: str
    interval: str
    level: float = 0.95

    def fit(self, yi, vi) -> MetaResult:
        return rma(yi, vi, method=self.estimator, test=INTERVAL_TESTS[self.interval], level=self.level)

    def made(self, fit: MetaResult) -> bool:
        """Whether ``fit`` was made by this method (by its record)."""
        return record_of(fit).method == self


@dataclass(frozen=True)
class Record:
    """The method record a pooled result carries: how it was made and from how many studies. Pages name the
    method, its interval and level from it (helpers.report.methods), never by typing them."""

    method: Method
    k: int

    @property
    def estimator(self) -> str:
        return self.method.estimator

    @property
    def interval(self) -> str:
        return self.method.interval

    @property
    def level(self) -> float:
        return self.method.level


def record_of(fit: MetaResult) -> Record:
    """The method record of a pooled fit (stats.meta.MetaResult)."""
    interval = next(i for i, t in INTERVAL_TESTS.items() if t == fit.test)
    return Record(Method(fit.method, interval, fit.level), fit.k)


#: the fits of every pooled group, in this order: the first every page shows (with few trials the normal
#: interval is overconfident); the others are sensitivity analyses, the second shown beside it
FITS = (Method("REML", "hartung_knapp"), Method("REML", "normal"), Method("DL", "normal"))
SHOWN, SENSITIVITY = FITS[0], FITS[1]

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
        e["design"].astype(str).isin(designs("pooled_estimate")),
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
        """The fit of the SENSITIVITY method (REML, normal interval): what leave-one-out refits are compared with."""
        return next((f for f in self.fits if SENSITIVITY.made(f)), None)

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
        stands = chosen(eligible).to_numpy()  # one row per study: the one that stands for it (stats.selection)
        rows.loc[eligible.index[~stands], "excluded"] = REPEAT
        used = eligible[stands].sort_values("study_id", kind="stable")  # listed by study_id, as the tables are
        group = PoolGroup(key, rows, used)
        if len(used) >= 2:
            group.fits = [m.fit(used["yi"], used["vi"]) for m in FITS]
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
