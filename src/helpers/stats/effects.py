"""Harmonized effect sizes, one per row of the study table (like metafor's ``escalc``).

Every row that carries a number gets:

- ``yi``, ``vi``: the effect and its sampling variance on the *analysis scale*
  (log for risk and odds ratios, a proportion difference for risk
  differences, 0-10 points for pain differences, SD units for SMDs);
- ``est``, ``lo``, ``hi``: the same on the *display scale* (ratios
  back-transformed, risk differences and proportions in percent);
- both **oriented so that values below the null favour ketamine**: an outcome
  where higher is better (pain reduction, responders) has its sign flipped
  (ratios inverted) and ``oriented`` is True.

Effects come from arm data when present (``origin = arm_data``), otherwise
from the reported effect and its 95% CI as generic inverse-variance data
(``reported_ci``), otherwise from the point estimate alone (``reported_point``,
shown but never pooled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..data.lines import HARM_PREFIX, comparator_groups
from .selection import pick

#: the level of every study's interval: those the table reports (the SE is taken from them) and those computed
#: from arm data; the pages name it from here (helpers.report.methods.STUDY)
LEVEL = 0.95
Z975 = float(special.ndtri(0.5 + LEVEL / 2))

RATIO_MEASURES = ("risk_ratio", "odds_ratio")
BINARY_MEASURES = ("risk_ratio", "odds_ratio", "risk_difference")
CONTINUOUS_MEASURES = ("mean_difference", "standardized_mean_difference")
#: measures that compare ketamine with a comparator (a proportion does not)
COMPARATIVE_MEASURES = (
    "mean_difference",
    "median_difference",
    "standardized_mean_difference",
    "risk_difference",
    "risk_ratio",
    "odds_ratio",
)

#: each measure's value of no difference and whether it is analysed and drawn on a log scale (the words for
#: each measure are the report layer's: helpers.report.measures)
SCALES = {
    "mean_difference": dict(null=0.0, log=False),
    "median_difference": dict(null=0.0, log=False),
    "standardized_mean_difference": dict(null=0.0, log=False),
    "risk_difference": dict(null=0.0, log=False),
    "risk_ratio": dict(null=1.0, log=True),
    "odds_ratio": dict(null=1.0, log=True),
    "proportion": dict(null=None, log=False),
}

#: to go from a row's unit to the analysis scale, multiply by this
UNIT_FACTOR = {"points_0_10": 1.0, "mm_0_100": 0.1, "percent": 0.01, "sd_units": 1.0, "ratio": 1.0, "other": 1.0}


# ------------------------------------------------------------------ escalc
def escalc_binary(
    measure: str, ai, n1i, ci, n2i, add: float = 0.5, drop00: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Effects from 2x2 counts, as metafor's escalc (add 1/2 only to studies with a zero cell).

    With ``drop00`` (used for ratio measures) studies with no events, or only
    events, in both arms give NaN and so drop out.
    """
    ai, n1i, ci, n2i = (np.asarray(x, dtype=float) for x in (ai, n1i, ci, n2i))
    bi, di = n1i - ai, n2i - ci
    zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    a, b, c, d = (np.where(zero, x + add, x) for x in (ai, bi, ci, di))
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "risk_ratio":
            yi = np.log((a / n1) / (c / n2))
            vi = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure == "odds_ratio":
            yi = np.log((a * d) / (b * c))
            vi = 1 / a + 1 / b + 1 / c + 1 / d
        elif measure == "risk_difference":
            p1, p2 = a / n1, c / n2
            yi = p1 - p2
            vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        else:
            raise ValueError(f"not a binary measure: {measure}")
    if drop00:
        double = ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))
        yi = np.where(double, np.nan, yi)
        vi = np.where(double, np.nan, vi)
    return yi, vi


def absolute_risks(ek, nk, ec, nc) -> tuple[float, float, float, float, float] | None:
    """Per 1,000 patients: the risk with ketamine, with the comparator, and their difference with its Wald
    interval (metafor's risk difference: 1/2 added to every cell of a table with a zero cell); None without
    both arms counted."""
    try:
        ek, nk, ec, nc = (float(x) for x in (ek, nk, ec, nc))
    except (TypeError, ValueError):
        return None
    if not all(np.isfinite([ek, nk, ec, nc])) or nk <= 0 or nc <= 0:
        return None
    yi, vi = escalc_binary("risk_difference", [ek], [nk], [ec], [nc], drop00=False)
    se = float(np.sqrt(vi[0]))
    rd = ek / nk - ec / nc  # the difference itself from the counts as reported
    return (
        1000 * ek / nk,
        1000 * ec / nc,
        1000 * rd,
        1000 * (float(yi[0]) - Z975 * se),
        1000 * (float(yi[0]) + Z975 * se),
    )


def hedges_correction(m) -> np.ndarray:
    """Exact small-sample correction factor J(m) for Hedges' g (metafor's .cmicalc)."""
    m = np.asarray(m, dtype=float)
    return np.exp(special.gammaln(m / 2) - 0.5 * np.log(m / 2) - special.gammaln((m - 1) / 2))


def escalc_continuous(measure: str, m1i, sd1i, n1i, m2i, sd2i, n2i) -> tuple[np.ndarray, np.ndarray]:
    """Mean difference or Hedges' g from arm means, SDs and sizes, as metafor's escalc."""
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    if measure == "mean_difference":
        return m1i - m2i, sd1i**2 / n1i + sd2i**2 / n2i
    if measure == "standardized_mean_difference":
        # undefined (NaN, no warning) when an arm has fewer than 2 patients or both SDs are 0
        ok = (n1i >= 2) & (n2i >= 2) & ((sd1i > 0) | (sd2i > 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(ok, n1i + n2i - 2, 2.0)
            sp = np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / m)
            g = np.where(ok, hedges_correction(m) * (m1i - m2i) / np.where(ok, sp, 1.0), np.nan)
        return g, np.where(ok, 1 / n1i + 1 / n2i + g**2 / (2 * (n1i + n2i)), np.nan)
    raise ValueError(f"not a continuous measure: {measure}")


#: why a row with arm data has no effect size or no variance (column missing_reason): a double-zero study under
#: a ratio measure (metafor's drop00), an arm under 2 patients, SD 0 in both arms
MISSING_CODES = ("double_zero", "small_arm", "zero_sd")


def wilson_interval(events, n, z: float = Z975) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (stays inside 0-1 and is not empty at 0/n or n/n)."""
    events, n = np.asarray(events, dtype=float), np.asarray(n, dtype=float)
    p = events / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


# ------------------------------------------------------------------ harmonize
KEEP = [
    "study_id",
    "citation",
    "year",
    "source",
    "verification",
    "condition",
    "design",
    "route",
    "comparator",
    "comparator_class",
    "comparator_drug",
    "n_ketamine",
    "n_control",
    "events_ketamine",
    "events_control",
    "outcome",
    "outcome_description",
    "unit",
    "better",
    "effect_measure",
    "effect",
    "ci_lower",
    "ci_upper",
    "direction",
    "followup_days",
    "followup_text",
    "followup_min",
    "followup_max",
    "followup_unit",
    "followup_from",
    "indirect",
]


def harmonize(studies: pd.DataFrame) -> pd.DataFrame:
    """One row per study-table row that has an effect measure, with yi/vi and display values."""
    d = studies[studies["effect_measure"].notna()].copy()
    extra = [c for c in d.columns if c not in KEEP and (c == "setting" or c.startswith("x_"))]  # for subgroups
    for c in KEEP:  # a table brought with --data may lack optional columns such as indirect
        if c not in d.columns:
            d[c] = pd.NA
    out = d[KEEP + extra].copy()
    out["comparator_group"] = comparator_groups(d)  # placebos together, each active drug on its own
    out["outcome_kind"] = np.where(d["outcome"].astype(str).str.startswith(HARM_PREFIX), "harm", "benefit")
    measure = d["effect_measure"].astype(str)
    factor = d["unit"].astype(str).map(UNIT_FACTOR).fillna(1.0).astype(float)
    is_ratio = measure.isin(RATIO_MEASURES)

    # 1) reported effect and CI -> analysis scale
    eff, lo, hi = (d[c].astype(float) for c in ("effect", "ci_lower", "ci_upper"))
    with np.errstate(divide="ignore", invalid="ignore"):
        y_rep = np.where(is_ratio, np.log(eff), eff * factor)
        lo_a = np.where(is_ratio, np.log(lo), lo * factor)
        hi_a = np.where(is_ratio, np.log(hi), hi * factor)
    v_rep = ((hi_a - lo_a) / (2 * Z975)) ** 2

    # 2) arm data -> analysis scale (takes precedence)
    y_arm = np.full(len(d), np.nan)
    v_arm = np.full(len(d), np.nan)
    missing = np.full(len(d), None, dtype=object)
    continuity = np.zeros(len(d), dtype=bool)
    for m in BINARY_MEASURES:
        sel = (measure == m).to_numpy() & d[
            ["events_ketamine", "n_ketamine", "events_control", "n_control"]
        ].notna().all(axis=1).to_numpy()
        if sel.any():
            s = d[sel]
            y, v = escalc_binary(
                m,
                s["events_ketamine"],
                s["n_ketamine"],
                s["events_control"],
                s["n_control"],
                drop00=m in RATIO_MEASURES,
            )
            y_arm[sel], v_arm[sel] = y, v
            # metafor's 1/2 added to every cell of a study with a zero cell: the page says so beside the number
            cells = s[["events_ketamine", "n_ketamine", "events_control", "n_control"]].astype(float).to_numpy()
            a, n1, c, n2 = cells.T
            zero = (a == 0) | (a == n1) | (c == 0) | (c == n2)
            continuity[sel] = zero & np.isfinite(np.asarray(y, dtype=float))
            if m in RATIO_MEASURES:
                idx = np.flatnonzero(sel)[np.isnan(np.asarray(y, dtype=float))]
                missing[idx] = "double_zero"
    for m in CONTINUOUS_MEASURES:
        cols = ["mean_ketamine", "sd_ketamine", "n_ketamine", "mean_control", "sd_control", "n_control"]
        sel = (measure == m).to_numpy() & d[cols].notna().all(axis=1).to_numpy()
        small = sel & ((d["n_ketamine"].astype(float) < 2) | (d["n_control"].astype(float) < 2)).to_numpy()
        zero_sd = (
            sel & ~small & ((d["sd_ketamine"].astype(float) == 0) & (d["sd_control"].astype(float) == 0)).to_numpy()
        )
        missing[small], missing[zero_sd] = "small_arm", "zero_sd"
        sel = sel & ~small & ~zero_sd
        if sel.any():
            s = d[sel]
            f = factor[sel].to_numpy() if m == "mean_difference" else 1.0
            y, v = escalc_continuous(
                m,
                s["mean_ketamine"] * f,
                s["sd_ketamine"] * f,
                s["n_ketamine"],
                s["mean_control"] * f,
                s["sd_control"] * f,
                s["n_control"],
            )
            y_arm[sel], v_arm[sel] = y, v
            # metafor's 1/2 added to every cell of a study with a zero cell: the page says so beside the number
            cells = s[["events_ketamine", "n_ketamine", "events_control", "n_control"]].astype(float).to_numpy()
            a, n1, c, n2 = cells.T
            zero = (a == 0) | (a == n1) | (c == 0) | (c == n2)
            continuity[sel] = zero & np.isfinite(np.asarray(y, dtype=float))

    sel = (measure == "proportion").to_numpy() & d[["events_ketamine", "n_ketamine"]].notna().all(axis=1).to_numpy()
    if sel.any():  # metafor's "PR": a single-arm proportion
        p = d.loc[sel, "events_ketamine"].astype(float).to_numpy() / d.loc[sel, "n_ketamine"].astype(float).to_numpy()
        y_arm[sel], v_arm[sel] = p, p * (1 - p) / d.loc[sel, "n_ketamine"].astype(float).to_numpy()

    has_arm = ~np.isnan(y_arm)
    has_ci = ~np.isnan(v_rep) & ~np.isnan(y_rep)
    yi = np.where(has_arm, y_arm, y_rep)
    vi = np.where(has_arm, v_arm, np.where(has_ci, v_rep, np.nan))
    origin = np.select([has_arm, has_ci, ~np.isnan(y_rep)], ["arm_data", "reported_ci", "reported_point"], "none")

    # 3) orientation: below the null favours ketamine
    comparative = measure.isin(COMPARATIVE_MEASURES).to_numpy()
    flip = comparative & (d["better"].astype(str) == "higher").to_numpy()
    yi = np.where(flip, -yi, yi)
    ci_lo_a = np.where(has_arm | ~has_ci, yi - Z975 * np.sqrt(vi), np.where(flip, -hi_a, lo_a))
    ci_hi_a = np.where(has_arm | ~has_ci, yi + Z975 * np.sqrt(vi), np.where(flip, -lo_a, hi_a))

    # single-arm proportions from counts: the Wilson score interval for display (a Wald interval collapses at 0% and 100%)
    is_prop_arm = (measure == "proportion").to_numpy() & has_arm
    if is_prop_arm.any():
        lo_w, hi_w = wilson_interval(
            d.loc[is_prop_arm, "events_ketamine"].astype(float).to_numpy(),
            d.loc[is_prop_arm, "n_ketamine"].astype(float).to_numpy(),
        )
        ci_lo_a = np.asarray(ci_lo_a, dtype=float).copy()
        ci_hi_a = np.asarray(ci_hi_a, dtype=float).copy()
        ci_lo_a[is_prop_arm], ci_hi_a[is_prop_arm] = lo_w, hi_w

    # 4) display scale
    def to_display(x):
        x = np.asarray(x, dtype=float)
        return np.select(
            [is_ratio.to_numpy(), measure.isin(["risk_difference", "proportion"]).to_numpy()], [np.exp(x), 100 * x], x
        )

    out["yi"], out["vi"] = yi, vi
    out["se"] = np.sqrt(vi)
    out["est"], out["lo"], out["hi"] = to_display(yi), to_display(ci_lo_a), to_display(ci_hi_a)
    out["origin"] = origin
    out["continuity"] = continuity & (origin == "arm_data")
    out["missing_reason"] = np.where(np.isfinite(vi), None, missing)
    out["oriented"] = flip
    out["comparative"] = comparative
    out["scale"] = np.where(is_ratio, "log", "identity")
    return out.reset_index(drop=True)


def direction_only(studies: pd.DataFrame) -> pd.DataFrame:
    """Benefit results reported as a direction without a number, one per study, condition and outcome (the
    row that stands for it, stats.selection.pick: its latest time point that states a direction, else its
    latest): for the effect-direction plot. Harms are never drawn with benefits; a result that states no
    direction is kept, for the plot to set apart."""
    d = studies[studies["effect"].isna() & studies["events_ketamine"].isna() & studies["mean_ketamine"].isna()]
    d = d[~d["outcome"].astype(str).str.startswith(HARM_PREFIX)]
    if d.empty:
        return d.reset_index(drop=True)
    return pick(d, by=("study_id", "condition", "outcome")).sort_index().reset_index(drop=True)
