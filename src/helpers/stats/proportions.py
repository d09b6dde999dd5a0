"""Pooled single-arm proportions, matching metafor (``measure="PLO"`` and ``"PFT"``).

A proportion of ketamine-treated patients with an outcome is an uncontrolled
rate, not a comparison with anything. Rates are pooled only within one outcome
definition, condition and verification status, from studies that give the
counts (events and patients), one row per study (the one that stands for it:
:func:`helpers.stats.selection.pick`).

- ``logit``: metafor's PLO, yi = log(x / (n - x)), vi = 1/x + 1/(n - x), with 1/2
  added to both cells of a study with 0 or n events; back-transformed with
  ``transf.ilogit``.
- ``freeman_tukey``: the double arcsine PFT, yi = (asin(sqrt(x / (n + 1))) +
  asin(sqrt((x + 1) / (n + 1)))) / 2, vi = 1 / (4n + 2); back-transformed with
  ``transf.ipft.hm``, the inversion at the harmonic mean of the studies' n.

Both with REML and DerSimonian-Laird (:data:`FITS`, each fit carrying its
method record: ``ProportionFit.record``); estimates, confidence and
prediction intervals are returned in percent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from ..data.vocabulary import designs
from .meta import MetaResult
from .pooling import POOLED_COLUMNS, REPEAT, Method, PoolGroup, Record, record_of
from .selection import chosen

TRANSFORMS = ("logit", "freeman_tukey")
METHODS = ("REML", "DL")
#: the fits written for every group of rates, in this order: the first (logit, REML) is the one pages show
FITS = tuple((t, Method(m, "normal")) for t in TRANSFORMS for m in METHODS)
GROUP_KEY = ["condition", "outcome", "verification"]
#: why a row cannot enter a pooled rate (besides pooling.REPEAT), in the order they are tested
EXCLUSIONS = ("article_claim", "meta_analysis", "no_counts")


def escalc_proportion(transform: str, xi, ni, add: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """yi and vi of single-arm proportions, as metafor's escalc PLO or PFT."""
    x = np.asarray(xi, dtype=float)
    n = np.asarray(ni, dtype=float)
    if transform == "logit":
        zero = (x == 0) | (x == n)
        a = np.where(zero, x + add, x)
        b = np.where(zero, n - x + add, n - x)
        return np.log(a / b), 1.0 / a + 1.0 / b
    if transform == "freeman_tukey":
        return 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1)))), 1.0 / (4 * n + 2)
    raise ValueError(f"transform must be one of {TRANSFORMS}")


def ilogit(y):
    """metafor's transf.ilogit."""
    return special.expit(np.asarray(y, dtype=float))


def pft(p, n):
    """metafor's transf.pft: the double arcsine of a proportion p at sample size n."""
    x = np.asarray(p, dtype=float) * n
    return 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))


def ipft_hm(y, ni):
    """metafor's transf.ipft.hm: invert the double arcsine at the harmonic mean of ``ni``."""
    y = np.atleast_1d(np.asarray(y, dtype=float))
    nhm = 1.0 / np.mean(1.0 / np.asarray(ni, dtype=float))
    s = np.sin(2 * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = 1 - (s + (s - 1 / s) / nhm) ** 2
        z = 0.5 * (1 - np.sign(np.cos(2 * y)) * np.sqrt(np.where(inner >= 0, inner, np.nan)))
    z = np.where(y > pft(1.0, nhm), 1.0, z)
    z = np.where(y < pft(0.0, nhm), 0.0, z)
    return z


@dataclass(frozen=True)
class ProportionFit:
    transform: str
    fit: MetaResult  # on the transformed scale
    estimate: float  # percent
    ci_lower: float
    ci_upper: float
    pi_lower: float
    pi_upper: float

    @property
    def method(self) -> str:
        return self.fit.label

    @property
    def record(self) -> Record:
        return record_of(self.fit)


def pool_proportions(xi, ni, transform: str = "logit", method: str | Method = "REML") -> ProportionFit:
    """Random-effects pooled proportion (in percent) of events ``xi`` among ``ni``; ``method``, an estimator
    (with the normal interval) or a registered Method."""
    yi, vi = escalc_proportion(transform, xi, ni)
    fit = (method if isinstance(method, Method) else Method(method, "normal")).fit(yi, vi)
    values = np.array([fit.estimate, fit.ci_lower, fit.ci_upper, fit.pi_lower, fit.pi_upper])
    back = ilogit(values) if transform == "logit" else ipft_hm(values, ni)
    est, lo, hi, plo, phi = (float(v) for v in 100.0 * back)
    return ProportionFit(transform, fit, est, lo, hi, plo, phi)


# ------------------------------------------------------------------ groups of a study table
@dataclass
class ProportionGroup(PoolGroup):
    """A group of single-arm proportions (same outcome, condition and verification); ``fits`` are ProportionFits."""

    def fit(self, transform: str = "logit", method: str = "REML") -> ProportionFit:
        return next(f for f in self.fits if f.transform == transform and f.fit.method == method)


def _exclusion(rows: pd.DataFrame) -> pd.Series:
    conditions = [
        (rows["source"].astype(str) == "seed_article") | (rows["verification"].astype(str) == "not_found"),
        rows["design"].astype(str).isin(designs("pooled_estimate")),
        rows["events_ketamine"].isna() | rows["n_ketamine"].isna(),
    ]
    out = pd.Series(
        np.select([c.to_numpy() for c in conditions], list(EXCLUSIONS), default=""), index=rows.index, dtype=object
    )
    out[out == ""] = None
    return out


def proportion_groups(studies: pd.DataFrame) -> list[ProportionGroup]:
    """Group the single-arm proportions of a study table and pool each group with two or more studies."""
    d = studies[studies["effect_measure"].astype(str) == "proportion"].copy()
    if d.empty:
        return []
    d["excluded"] = _exclusion(d)
    for col in GROUP_KEY:
        d[col] = d[col].astype(str)
    groups = []
    for key, rows in d.groupby(GROUP_KEY, sort=True, observed=True):
        key = dict(zip(GROUP_KEY, key))
        rows = rows.copy()
        eligible = rows[rows["excluded"].isna()]
        # one row per study, the one that stands for it (stats.selection); every eligible row gives its counts
        stands = chosen(eligible, rank=pd.Series(0, index=eligible.index)).to_numpy()
        rows.loc[eligible.index[~stands], "excluded"] = REPEAT
        used = eligible[stands].sort_values("study_id", kind="stable")
        g = ProportionGroup(key, rows, used)
        if len(used) >= 2:
            x = used["events_ketamine"].astype(float).to_numpy()
            n = used["n_ketamine"].astype(float).to_numpy()
            g.fits = [pool_proportions(x, n, t, m) for t, m in FITS]
            g.decision = "pooled"
        else:
            g.decision = "single_usable" if len(used) == 1 else "none_usable"
        groups.append(g)
    return groups


#: pooled_effects.csv's columns (stats.pooling.POOLED_COLUMNS), then those only the pooled rates fill
POOLED_PROPORTION_COLUMNS = [*POOLED_COLUMNS, "verification", "scale", "studies", "transform", "outcome"]


def proportion_table(groups: list[ProportionGroup]) -> pd.DataFrame:
    """Rows for tables/pooled_effects.csv: estimates and intervals in percent; tau2 and I2 on the transformed scale."""
    records = []
    for g in groups:
        for f in g.fits:
            records.append(
                {
                    "condition": g.key["condition"],
                    "effect_measure": "proportion",
                    "comparator": "none",
                    "timepoint": "",
                    "k": f.fit.k,
                    "method": f.method,
                    "estimate": f.estimate,
                    "se": float("nan"),
                    "ci_lower": f.ci_lower,
                    "ci_upper": f.ci_upper,
                    "tau2": f.fit.tau2,
                    "i2": f.fit.i2,
                    "pi_lower": f.pi_lower,
                    "pi_upper": f.pi_upper,
                    "verification": g.key["verification"],
                    "scale": "percent",
                    "studies": ";".join(g.used["study_id"].astype(str)),
                    "transform": f.transform,
                    "outcome": g.key["outcome"],
                }
            )
    return pd.DataFrame.from_records(records, columns=POOLED_PROPORTION_COLUMNS)
