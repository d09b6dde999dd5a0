"""Sensitivity analyses of a pooled group, as metafor's ``leave1out()`` and ``cumul()``.

Both refit the random-effects model (REML) of the group. Leave-one-out omits
each study in turn (it needs at least three studies, so that two remain).
The cumulative meta-analysis adds the studies in order of publication year;
studies of the same year keep the order in which they are given (metafor's
``order=`` is a stable sort), which for a pooled group is the order of study_id.
The first step is the first study alone. Groups of more than MAX_K_SENSITIVITY
studies are not refitted (the cost grows with the square of k).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .effects import Z975
from .meta import rma
from .synthesis_common import KEY_COLUMNS, display_value, key_record

LEAVE_ONE_OUT_COLUMNS = KEY_COLUMNS + ["omitted_study_id", "k", "estimate", "ci_lower", "ci_upper", "tau2", "i2"]
CUMULATIVE_COLUMNS = KEY_COLUMNS + ["added_study_id", "year", "k", "estimate", "ci_lower", "ci_upper", "tau2"]
MIN_K_LEAVE_ONE_OUT = 3
#: groups larger than this are not refitted: both analyses cost k model fits (of up to k studies each),
#: and one study among thousands cannot move the estimate; the reports say which groups were skipped
MAX_K_SENSITIVITY = 1000


def leave_one_out(yi, vi, ids, method: str = "REML") -> pd.DataFrame:
    """One refit per omitted study: omitted, k, estimate, se, ci_lower, ci_upper, tau2, i2, q."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    ids = list(ids)
    rows = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        f = _fit(y[keep], v[keep], method)
        if f is None:  # REML did not converge (metafor stops with an error): an empty row
            rows.append(dict(omitted=ids[i], k=len(y) - 1, **dict.fromkeys(_FIELDS, np.nan)))
            continue
        rows.append(
            dict(
                omitted=ids[i],
                k=f.k,
                estimate=f.estimate,
                se=f.se,
                ci_lower=f.ci_lower,
                ci_upper=f.ci_upper,
                tau2=f.tau2,
                i2=f.i2,
                q=f.q,
            )
        )
    return pd.DataFrame(rows)


_FIELDS = ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "q")


def _fit(y, v, method):
    try:
        return rma(y, v, method=method)
    except ArithmeticError:
        return None


def cumulative(yi, vi, ids, years, method: str = "REML") -> pd.DataFrame:
    """Fits to the first 1, 2, ... studies in order of year: added, year, k, estimate, se, ci_lower, ci_upper, tau2, i2."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    order = np.argsort(np.asarray(years, dtype=float), kind="stable")
    ids, years = np.asarray(list(ids), dtype=object)[order], np.asarray(years, dtype=float)[order]
    y, v = y[order], v[order]
    rows = []
    for j in range(1, len(y) + 1):
        if j == 1:
            se = float(np.sqrt(v[0]))
            est, lo, hi, tau2, i2 = float(y[0]), float(y[0]) - Z975 * se, float(y[0]) + Z975 * se, 0.0, 0.0
        else:
            f = _fit(y[:j], v[:j], method)
            if f is None:  # REML did not converge: an empty row
                est = se = lo = hi = tau2 = i2 = np.nan
            else:
                est, se, lo, hi, tau2, i2 = f.estimate, f.se, f.ci_lower, f.ci_upper, f.tau2, f.i2
        rows.append(
            dict(
                added=ids[j - 1],
                year=int(years[j - 1]),
                k=j,
                estimate=est,
                se=se,
                ci_lower=lo,
                ci_upper=hi,
                tau2=tau2,
                i2=i2,
            )
        )
    return pd.DataFrame(rows)


def _used(group) -> pd.DataFrame:
    return group.used.sort_values("study_id", kind="stable")


def group_leave_one_out(group) -> pd.DataFrame:
    u = _used(group)
    return leave_one_out(u["yi"], u["vi"], u["study_id"].astype(str))


def group_cumulative(group) -> pd.DataFrame:
    u = _used(group)
    return cumulative(u["yi"], u["vi"], u["study_id"].astype(str), u["year"].astype(float))


def _display(df: pd.DataFrame, measure: str) -> pd.DataFrame:
    for c in ("estimate", "ci_lower", "ci_upper"):
        df[c] = display_value(measure, df[c].to_numpy())
    return df


def leave_one_out_table(groups) -> pd.DataFrame:
    """tables/leave_one_out.csv for every pooled group of at least three studies (ratios exponentiated)."""
    parts = []
    for g in groups:
        if g.pooled and MIN_K_LEAVE_ONE_OUT <= g.k <= MAX_K_SENSITIVITY:
            d = _display(group_leave_one_out(g), g.key["effect_measure"]).rename(
                columns={"omitted": "omitted_study_id"}
            )
            parts.append(d.assign(**key_record(g)))
    if not parts:
        return pd.DataFrame(columns=LEAVE_ONE_OUT_COLUMNS)
    return pd.concat(parts, ignore_index=True)[LEAVE_ONE_OUT_COLUMNS]


def cumulative_table(groups) -> pd.DataFrame:
    """tables/cumulative.csv for every pooled group (ratios exponentiated)."""
    parts = []
    for g in groups:
        if g.pooled and g.k <= MAX_K_SENSITIVITY:
            d = _display(group_cumulative(g), g.key["effect_measure"]).rename(columns={"added": "added_study_id"})
            parts.append(d.assign(**key_record(g)))
    if not parts:
        return pd.DataFrame(columns=CUMULATIVE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CUMULATIVE_COLUMNS]
