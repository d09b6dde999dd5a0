"""What GRADE's domains look like when computed from the data, to set beside the judgements.

For each line of the Summary of Findings (a row of ``certainty.csv``) this
module gathers the evidence behind it (one row per study: the study's first
matching row in the table), pools it when at least two studies share a
comparative measure, counts participants, and computes three signals:

- **imprecision**: the 95% CI (pooled, or of the only study) includes the
  null, and/or fewer participants than an optimal information size of
  :data:`OIS_PARTICIPANTS` (GRADE's rule of thumb for continuous outcomes);
  -1 for each, so 0 to -2.
- **inconsistency**: I² of 50% or more (-1) or 75% or more (-2), or a
  prediction interval that crosses the null while the CI does not (-1);
  for unpooled studies, point estimates on both sides of the null with
  intervals that exclude it (-1). One study: not judged (0).
- **risk of bias**: the share of the evidence's weight (inverse variance when
  pooled, participants otherwise) from studies whose overall risk of bias is
  high (RoB 2) or serious/critical (ROBINS-I): more than half -> -2; else, less
  than half from studies at low risk -> -1; else 0.

They are signals, not verdicts: the report shows them beside the reviewers'
judgements and marks where the two differ.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .effects import COMPARATIVE_MEASURES, Z975
from .meta import MetaResult, rma

OIS_PARTICIPANTS = 400
HIGH = {"high", "serious", "critical"}
LOW = {"low"}


@dataclass
class Signal:
    value: int | None  # 0, -1, -2; None when it cannot be computed
    text: str


@dataclass
class LineEvidence:
    condition: str
    comparator_class: str
    outcomes: list[str]
    study_ids: list[str]
    rows: pd.DataFrame  # harmonized effects, one per study that has one
    participants: int
    measure: str | None = None
    fit: MetaResult | None = None
    signals: dict[str, Signal] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.study_ids)


def split(value) -> list[str]:
    return [v for v in str(value).split("|") if v] if value is not None and not pd.isna(value) else []


def _participants(studies: pd.DataFrame, condition: str, ids: list[str], outcomes: list[str]) -> int:
    total = 0
    s = studies[(studies["condition"].astype(str) == condition) & studies["study_id"].astype(str).isin(ids)]
    for sid, g in s.groupby(s["study_id"].astype(str), sort=False):
        m = g[g["outcome"].astype(str).isin(outcomes)]
        g = m if not m.empty else g
        n = (g["n_ketamine"].astype("Float64").fillna(0) + g["n_control"].astype("Float64").fillna(0)).max()
        total += int(n) if pd.notna(n) else 0
    return total


def line_evidence(effects: pd.DataFrame, studies: pd.DataFrame, line) -> LineEvidence:
    """The evidence behind one certainty line (a row of certainty.csv, as a mapping)."""
    cond, cls = str(line["condition"]), str(line["comparator_class"])
    outcomes, ids = split(line["outcomes"]), split(line["study_ids"])
    e = effects[
        (effects["condition"].astype(str) == cond)
        & (effects["comparator_class"].astype(str) == cls)
        & effects["outcome"].astype(str).isin(outcomes)
        & effects["study_id"].astype(str).isin(ids)
    ]
    e = e[np.isfinite(e["est"].astype(float))].sort_index()
    rows = e.drop_duplicates("study_id", keep="first")
    ev = LineEvidence(cond, cls, outcomes, ids, rows, _participants(studies, cond, ids, outcomes))
    if not rows.empty:
        ev.measure = str(rows["effect_measure"].astype(str).mode().iloc[0])
        usable = rows[(rows["effect_measure"].astype(str) == ev.measure) & np.isfinite(rows["vi"].astype(float))]
        reviews = rows["design"].astype(str).isin(["meta_analysis", "systematic_review"]).any()
        if len(usable) >= 2 and ev.measure in COMPARATIVE_MEASURES and not reviews:  # meta-analyses are never pooled again
            ev.fit = rma(usable["yi"].astype(float), usable["vi"].astype(float), method="REML")
    return ev


def _interval(ev: LineEvidence) -> tuple[float, float] | None:
    if ev.fit is not None:
        return ev.fit.ci_lower, ev.fit.ci_upper
    r = ev.rows[np.isfinite(ev.rows["vi"].astype(float))]
    if len(r) == 1 and ev.measure in COMPARATIVE_MEASURES:
        y, se = float(r["yi"].iloc[0]), float(np.sqrt(r["vi"].iloc[0]))
        return y - Z975 * se, y + Z975 * se
    return None


def imprecision(ev: LineEvidence) -> Signal:
    parts, value = [], 0
    ci = _interval(ev)
    if ci is not None:
        if ci[0] < 0 < ci[1]:
            value -= 1
            parts.append("the 95% CI includes no effect")
        else:
            parts.append("the 95% CI excludes no effect")
    else:
        parts.append("no single interval to judge (no comparison with a standard error)")
    if ev.participants < OIS_PARTICIPANTS:
        value -= 1
        parts.append(f"{ev.participants} participants, fewer than the {OIS_PARTICIPANTS} of an optimal information size")
    else:
        parts.append(f"{ev.participants} participants")
    return Signal(value, "; ".join(parts))


def inconsistency(ev: LineEvidence) -> Signal:
    if ev.fit is not None:
        f = ev.fit
        value = -2 if f.i2 >= 75 else -1 if f.i2 >= 50 else 0
        pi_crosses = f.pi_lower < 0 < f.pi_upper and not (f.ci_lower < 0 < f.ci_upper)
        if pi_crosses:
            value = min(value, -1)
        text = f"I² = {f.i2:.0f}% across {f.k} studies; prediction interval {'crosses' if f.pi_lower < 0 < f.pi_upper else 'excludes'} no effect"
        return Signal(value, text)
    r = ev.rows[ev.rows["effect_measure"].astype(str).isin(COMPARATIVE_MEASURES) & np.isfinite(ev.rows["vi"].astype(float))]
    if len(r) >= 2:
        lo = r["yi"].astype(float) - Z975 * np.sqrt(r["vi"].astype(float))
        hi = r["yi"].astype(float) + Z975 * np.sqrt(r["vi"].astype(float))
        sides = set(np.sign(r["yi"].astype(float)[(lo > 0) | (hi < 0)]))
        if len(sides) > 1:
            return Signal(-1, "studies with intervals that exclude no effect point in opposite directions")
        return Signal(0, f"{len(r)} studies, not pooled; none point clearly in opposite directions")
    if ev.k <= 1:
        return Signal(0, "one study: consistency cannot be judged")
    return Signal(None, "not computable: the studies report no comparable interval")


def risk_of_bias(ev: LineEvidence, rob: pd.DataFrame | None) -> Signal:
    if rob is None or rob.empty:
        return Signal(None, "no risk-of-bias table")
    overall = rob[rob["domain"].astype(str) == "overall"]
    weights, judgements = [], []
    for sid in ev.study_ids:
        mine = overall[overall["study_id"].astype(str) == sid]
        specific = mine[mine["outcome"].astype(str).isin(ev.outcomes)]
        mine = specific if not specific.empty else mine[mine["outcome"].isna()]
        if mine.empty:
            continue
        judgement = str(mine["judgement"].iloc[0])
        row = ev.rows[ev.rows["study_id"].astype(str) == sid]
        if ev.fit is not None and not row.empty and np.isfinite(float(row["vi"].iloc[0])):
            w = 1.0 / float(row["vi"].iloc[0])
        else:
            w = float(_participants_of(ev, sid))
        weights.append(max(w, 0.0))
        judgements.append(judgement)
    if not weights or sum(weights) == 0:
        return Signal(None, "no overall judgement for these studies")
    w = np.asarray(weights) / sum(weights)
    high = float(sum(x for x, j in zip(w, judgements) if j in HIGH))
    low = float(sum(x for x, j in zip(w, judgements) if j in LOW))
    value = -2 if high > 0.5 else -1 if low < 0.5 else 0
    basis = "weight" if ev.fit is not None else "participants"
    return Signal(value, f"{high:.0%} of the {basis} from studies at high risk, {low:.0%} at low risk")


def _participants_of(ev: LineEvidence, sid: str) -> int:
    r = ev.rows[ev.rows["study_id"].astype(str) == sid]
    if r.empty:
        return 1
    n = pd.to_numeric(pd.Series([r["n_ketamine"].iloc[0], r["n_control"].iloc[0]]), errors="coerce").fillna(0).sum()
    return int(n) or 1


def compute_signals(ev: LineEvidence, rob: pd.DataFrame | None) -> LineEvidence:
    ev.signals = {
        "risk_of_bias": risk_of_bias(ev, rob),
        "inconsistency": inconsistency(ev),
        "imprecision": imprecision(ev),
    }
    return ev
