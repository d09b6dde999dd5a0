"""Subgroup analyses of a pooled group by a categorical column, as RevMan and metafor do them.

For each subgroup: the random-effects estimate (REML; a subgroup of one study
gives that study's estimate). The test for subgroup differences is RevMan's: a
fixed-effect (inverse-variance) fit to the subgroup estimates and their
standard errors, Q with (subgroups - 1) degrees of freedom. The mixed-effects
model is metafor's ``rma(yi, vi, mods = ~ factor(x), method = "REML")``: the
Wald test QM of the subgroup coefficients, its p value and the residual tau^2.
Studies with an empty subgroup cell are left out of the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from .effects import Z975
from .meta import rma
from .metareg import rma_mods
from .synthesis_common import KEY_COLUMNS, display_value, key_record

SUBGROUP_COLUMNS = KEY_COLUMNS + [
    "subgroup_by",
    "subgroup",
    "k",
    "estimate",
    "ci_lower",
    "ci_upper",
    "tau2",
    "q_between",
    "df_between",
    "p_between",
    "qm",
    "qm_p",
    "tau2_residual",
]


@dataclass(frozen=True)
class Subgroup:
    level: str
    k: int
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    tau2: float


@dataclass(frozen=True)
class SubgroupTest:
    subgroups: tuple[Subgroup, ...]
    q_between: float
    df_between: int
    p_between: float
    qm: float
    qm_p: float
    tau2_residual: float
    left_out: int  # studies with an empty subgroup cell


def subgroup_fit(yi, vi, level: str, method: str = "REML") -> Subgroup:
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    if len(y) == 1:
        se = float(np.sqrt(v[0]))
        return Subgroup(level, 1, float(y[0]), se, float(y[0]) - Z975 * se, float(y[0]) + Z975 * se, 0.0)
    f = rma(y, v, method=method)
    return Subgroup(level, f.k, f.estimate, f.se, f.ci_lower, f.ci_upper, f.tau2)


def subgroup_test(yi, vi, labels, method: str = "REML") -> SubgroupTest:
    """Subgroup estimates, RevMan's test for subgroup differences and the moderator model."""
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    lab = pd.Series(list(labels), dtype=object)
    known = lab.notna().to_numpy() & (lab.astype(str) != "").to_numpy()
    y, v, lab = y[known], v[known], lab[known].astype(str).to_numpy()
    levels = sorted(set(lab))  # R's factor(): levels in sorted order, the first is the reference
    subs = tuple(subgroup_fit(y[lab == g], v[lab == g], g, method) for g in levels)
    nan = float("nan")
    q = df = p = qm = qm_p = tau2_res = nan
    if len(subs) >= 2:
        e = np.array([s.estimate for s in subs])
        w = 1.0 / np.array([s.se for s in subs]) ** 2
        q = float(np.sum(w * (e - np.sum(w * e) / np.sum(w)) ** 2))
        df = len(subs) - 1
        p = float(special.chdtrc(df, q))
        if len(y) > len(levels):
            x = np.column_stack([np.ones(len(y))] + [(lab == g).astype(float) for g in levels[1:]])
            m = rma_mods(y, v, x, method="REML")
            qm, qm_p, tau2_res = m.qm, m.qm_p, m.tau2
    return SubgroupTest(subs, q, df, p, qm, qm_p, tau2_res, int((~known).sum()))


def subgroup_test_of(group, column: str) -> SubgroupTest:
    used = group.used
    return subgroup_test(used["yi"], used["vi"], used[column].astype(object).where(used[column].notna(), None))


def subgroup_table(groups, column: str) -> pd.DataFrame:
    """tables/subgroups.csv: one row per subgroup of every pooled group (ratios exponentiated)."""
    records = []
    for g in groups:
        if not g.pooled:
            continue
        t = subgroup_test_of(g, column)
        m = g.key["effect_measure"]
        for s in t.subgroups:
            records.append(
                {
                    **key_record(g),
                    "subgroup_by": column,
                    "subgroup": s.level,
                    "k": s.k,
                    "estimate": display_value(m, s.estimate),
                    "ci_lower": display_value(m, s.ci_lower),
                    "ci_upper": display_value(m, s.ci_upper),
                    "tau2": s.tau2,
                    "q_between": t.q_between,
                    "df_between": t.df_between if t.df_between == t.df_between else None,
                    "p_between": t.p_between,
                    "qm": t.qm,
                    "qm_p": t.qm_p,
                    "tau2_residual": t.tau2_residual,
                }
            )
    df = pd.DataFrame.from_records(records, columns=SUBGROUP_COLUMNS)
    df["df_between"] = df["df_between"].astype("Int64")
    return df
