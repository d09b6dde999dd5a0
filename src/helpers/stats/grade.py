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
judgements and marks where the two differ. Each is a value and a code with the
numbers behind it; :mod:`helpers.report.sof` puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.rows import split_list
from .effects import COMPARATIVE_MEASURES, Z975
from .meta import MetaResult, rma

OIS_PARTICIPANTS = 400
HIGH = {"high", "serious", "critical"}
LOW = {"low"}


@dataclass
class Signal:
    value: int | None  # 0, -1, -2; None when it cannot be computed
    code: str  # which case of the domain's rule applied
    facts: dict = field(default_factory=dict)  # the numbers behind it


@dataclass
class LineEvidence:
    condition: str
    comparator_class: str
    outcomes: list[str]
    study_ids: list[str]
    rows: pd.DataFrame  # harmonized effects, one per study that has one
    participants: int
    without_n: int = 0  # studies whose size the table does not give
    n_by_study: dict[str, int] = field(default_factory=dict)
    #: each study's reported direction at its latest matching time point (favours_ketamine, no_difference, ...)
    directions: dict[str, str] = field(default_factory=dict)
    measure: str | None = None
    fit: MetaResult | None = None
    signals: dict[str, Signal] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.study_ids)


def _participants(studies: pd.DataFrame, condition: str, ids: list[str], outcomes: list[str]) -> tuple[int, int, dict]:
    """Participants (the larger of the study's rows' n) summed over studies, how many studies give no n, and n by study."""
    total, missing, by_study = 0, 0, {}
    s = studies[(studies["condition"].astype(str) == condition) & studies["study_id"].astype(str).isin(ids)]
    for sid, g in s.groupby(s["study_id"].astype(str), sort=False):
        m = g[g["outcome"].astype(str).isin(outcomes)]
        g = m if not m.empty else g
        n = (g["n_ketamine"].astype("Float64").fillna(0) + g["n_control"].astype("Float64").fillna(0)).max()
        if pd.isna(n) or n == 0:
            missing += 1
        else:
            total += int(n)
            by_study[sid] = int(n)
    return total, missing, by_study


def _directions(studies: pd.DataFrame, condition: str, ids: list[str], outcomes: list[str]) -> dict[str, str]:
    s = studies[
        (studies["condition"].astype(str) == condition)
        & studies["study_id"].astype(str).isin(ids)
        & studies["outcome"].astype(str).isin(outcomes)
    ]
    s = s.assign(_t=s["followup_days"].astype(float).fillna(-1.0)).sort_values("_t", kind="stable")
    out = {}
    for sid, g in s.groupby(s["study_id"].astype(str), sort=False):
        known = g[g["direction"].astype(str) != "not_reported"]
        out[sid] = str((known if not known.empty else g)["direction"].iloc[-1])
    return out


def line_evidence(effects: pd.DataFrame, studies: pd.DataFrame, line) -> LineEvidence:
    """The evidence behind one certainty line (a row of certainty.csv, as a mapping)."""
    cond, cls = str(line["condition"]), str(line["comparator_class"])
    outcomes, ids = split_list(line["outcomes"]), split_list(line["study_ids"])
    e = effects[
        (effects["condition"].astype(str) == cond)
        & (effects["comparator_class"].astype(str) == cls)
        & effects["outcome"].astype(str).isin(outcomes)
        & effects["study_id"].astype(str).isin(ids)
    ]
    e = e[np.isfinite(e["est"].astype(float))].sort_index()
    rows = e.drop_duplicates("study_id", keep="first")
    total, missing, by_study = _participants(studies, cond, ids, outcomes)
    ev = LineEvidence(
        cond, cls, outcomes, ids, rows, total, missing, by_study, _directions(studies, cond, ids, outcomes)
    )
    if not rows.empty:
        ev.measure = str(rows["effect_measure"].astype(str).mode().iloc[0])
        usable = rows[(rows["effect_measure"].astype(str) == ev.measure) & np.isfinite(rows["vi"].astype(float))]
        reviews = rows["design"].astype(str).isin(["meta_analysis", "systematic_review"]).any()
        if (
            len(usable) >= 2 and ev.measure in COMPARATIVE_MEASURES and not reviews
        ):  # meta-analyses are never pooled again
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
    """-1 for an interval that includes no effect, -1 for fewer participants than the OIS (when all are counted)."""
    ci = _interval(ev)
    crosses = None if ci is None else bool(ci[0] < 0 < ci[1])
    value = -1 if crosses else 0
    below = ev.participants < OIS_PARTICIPANTS
    if below and not ev.without_n:
        value -= 1
    facts = {
        "ci_includes_null": crosses,
        "participants": ev.participants,
        "without_n": ev.without_n,
        "below_ois": below,
        "ois": OIS_PARTICIPANTS,
    }
    return Signal(value, "imprecision", facts)


def inconsistency(ev: LineEvidence) -> Signal:
    if ev.fit is not None:
        f = ev.fit
        value = -2 if f.i2 >= 75 else -1 if f.i2 >= 50 else 0
        pi_crosses = f.pi_lower < 0 < f.pi_upper
        if pi_crosses and not (f.ci_lower < 0 < f.ci_upper):
            value = min(value, -1)
        return Signal(value, "pooled", {"i2": f.i2, "k": f.k, "pi_crosses_null": pi_crosses})
    r = ev.rows[
        ev.rows["effect_measure"].astype(str).isin(COMPARATIVE_MEASURES) & np.isfinite(ev.rows["vi"].astype(float))
    ]
    if len(r) >= 2:
        lo = r["yi"].astype(float) - Z975 * np.sqrt(r["vi"].astype(float))
        hi = r["yi"].astype(float) + Z975 * np.sqrt(r["vi"].astype(float))
        sides = set(np.sign(r["yi"].astype(float)[(lo > 0) | (hi < 0)]))
        if len(sides) > 1:
            return Signal(-1, "opposite_directions", {"k": len(r)})
        return Signal(0, "same_direction", {"k": len(r)})
    if ev.k <= 1:
        return Signal(0, "one_study", {"k": ev.k})
    return Signal(None, "no_comparable_interval", {"k": ev.k})


def risk_of_bias(ev: LineEvidence, rob: pd.DataFrame | None) -> Signal:
    if rob is None or rob.empty:
        return Signal(None, "no_table")
    overall = rob[rob["domain"].astype(str) == "overall"]
    judged = {}
    for sid in ev.study_ids:
        mine = overall[overall["study_id"].astype(str) == sid]
        specific = mine[mine["outcome"].astype(str).isin(ev.outcomes)]
        mine = specific if not specific.empty else mine[mine["outcome"].isna()]
        if not mine.empty:
            judged[sid] = str(mine["judgement"].iloc[0])
    judged = {s: j for s, j in judged.items() if j != "not_assessed"}
    if not judged:
        return Signal(None, "none_judged")
    if ev.fit is not None:
        vi = ev.rows.set_index(ev.rows["study_id"].astype(str))["vi"].astype(float)
        weights = {s: 1.0 / vi[s] for s in judged if s in vi.index and np.isfinite(vi[s])}
        basis = "weight"
    elif all(s in ev.n_by_study for s in judged):
        weights, basis = {s: float(ev.n_by_study[s]) for s in judged}, "participants"
    else:
        weights, basis = dict.fromkeys(judged, 1.0), "studies"
    total = sum(weights.values())
    if not total:
        return Signal(None, "no_weights")
    high = sum(w for s, w in weights.items() if judged[s] in HIGH) / total
    low = sum(w for s, w in weights.items() if judged[s] in LOW) / total
    value = -2 if high > 0.5 else -1 if low < 0.5 else 0
    return Signal(value, "shares", {"high": high, "low": low, "basis": basis})


def compute_signals(ev: LineEvidence, rob: pd.DataFrame | None) -> LineEvidence:
    ev.signals = {
        "risk_of_bias": risk_of_bias(ev, rob),
        "inconsistency": inconsistency(ev),
        "imprecision": imprecision(ev),
    }
    return ev
