"""GRADE's domains computed from the data by the rules written in the certainty schema (gradeRules).

For each line of the Summary of Findings (a row of ``certainty.csv``) this
module gathers the evidence behind it: the study rows the line covers
(stats.selection.line_rows: its studies and outcomes, against its comparator, in its
time frame), one harmonized effect per study (the row that stands for it:
stats.selection.pick), a pooled estimate when at least
two studies share a comparative measure, and the participants. Each domain's
rule then gives a value (0, -1, -2, or None when it cannot be computed) and a
code naming the case that applied, with the numbers behind it:

- **imprecision**: 0 for an uncontrolled rate (no difference to be imprecise
  about); -2 without an estimate with an interval (the pooled one, else each
  study's), or for an interval that
  includes both an important benefit and an important harm; otherwise -1 for an
  interval that includes no effect or one threshold of an important effect, and
  -1 for fewer participants than the optimal information size (at most -2).
- **inconsistency**: pooled, I² of 50% or more (-1) or 75% or more (-2), or a
  prediction interval that crosses no effect while the CI does not (-1);
  unpooled, intervals that exclude no effect on opposite sides (-1), or with
  fewer than two intervals, reported directions that disagree (-1). One study: 0.
- **risk of bias**: the share of the weight (inverse variance when pooled,
  participants otherwise) from studies at high risk: more than half -> -2; else
  less than half from studies at low risk -> -1; else 0.
- **indirectness**: -1 when studies flagged indirect give more than half of the
  participants, else 0 (a judgement beyond that carries its reason).
- **publication bias**: 0 with fewer than 10 studies (not assessable).

Words for all of it live in :mod:`helpers.report.sof`; the comparison of these
values with the judgements in certainty.csv is :mod:`helpers.findings.grading`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from ..data.lines import study_sizes
from ..data.rob import high_risk, low_risk, not_judged
from ..data.rows import split_list
from ..data.schema import load_schema
from ..data.vocabulary import designs
from .effects import COMPARATIVE_MEASURES, RATIO_MEASURES, Z975
from .meta import MetaResult
from .pooling import SENSITIVITY, SHOWN
from .selection import line_results, line_rows, narrow, pick, with_results

#: publication bias cannot be judged from a funnel plot with fewer studies
FUNNEL_MIN_STUDIES = 10
PAIN_UNITS = ("points_0_10", "mm_0_100")


@dataclass(frozen=True)
class Thresholds:
    """The numbers of gradeRules.thresholds in the certainty schema."""

    mid_points: float  # minimal important difference on a 0-10 pain scale
    ratio_benefit: float
    ratio_harm: float
    ois: int  # optimal information size, participants


@cache
def thresholds() -> Thresholds:
    t = load_schema("certainty").raw["gradeRules"]["thresholds"]
    return Thresholds(
        float(t["pain_points_0_10"]["value"]),
        float(t["ratio"]["benefit"]),
        float(t["ratio"]["harm"]),
        int(t["optimal_information_size"]["value"]),
    )


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
    rows: pd.DataFrame  # harmonized effects, one per study that has one (the row that stands for it)
    participants: int
    without_n: int = 0  # studies whose size the table does not give
    n_by_study: dict[str, int] = field(default_factory=dict)
    #: each study's reported direction on the row that stands for it (favours_ketamine, no_difference, ...)
    directions: dict[str, str] = field(default_factory=dict)
    measure: str | None = None
    fit: MetaResult | None = None
    signals: dict[str, Signal] = field(default_factory=dict)
    comparator: str | None = None  # the line's comparator group (data.lines.comparator_group)
    indirect_share: float = 0.0  # share of the participants from studies flagged indirect
    without_size: list[str] = field(default_factory=list)  # the studies counted in without_n
    encounters: dict[str, int] = field(default_factory=dict)  # studies counting encounters, not patients
    wald: MetaResult | None = None  # the normal-interval fit, a sensitivity analysis beside ``fit``

    @property
    def k(self) -> int:
        return len(self.study_ids)


def _participants(rows: pd.DataFrame, ids: list[str]) -> tuple[int, list[str], dict, dict]:
    """Patients summed over studies by GRADE's rules (data.lines.study_size), the studies whose size the table
    does not give, patients by study, and encounters by study (never added to patients)."""
    total, missing, by_study, encounters = 0, [], {}, {}
    sizes = study_sizes(rows)
    for sid in ids:
        size, what = sizes.get(sid, (None, "patients"))
        if size is None:
            missing.append(sid)
        elif what == "encounters":
            encounters[sid] = size
        else:
            total += size
            by_study[sid] = size
    return total, missing, by_study, encounters


def _directions(covered: pd.DataFrame, effects: pd.DataFrame) -> dict[str, str]:
    """Each study's reported direction on the row that stands for it (stats.selection.pick)."""
    stand = pick(with_results(narrow(covered), narrow(effects)))
    return dict(zip(stand["study_id"].astype(str), stand["direction"].astype(str)))


def _indirect_share(rows: pd.DataFrame, by_study: dict[str, int]) -> float:
    if "indirect" not in rows or not by_study:
        return 0.0
    flagged = rows["indirect"].notna() & (rows["indirect"].astype(str) != "none")
    ids = set(rows.loc[flagged, "study_id"].astype(str))
    return sum(n for s, n in by_study.items() if s in ids) / sum(by_study.values())


def line_evidence(
    effects: pd.DataFrame, studies: pd.DataFrame, line, covered: pd.DataFrame | None = None
) -> LineEvidence:
    """The evidence behind one certainty line (a row of certainty.csv, as a mapping); ``effects`` is
    stats.effects.harmonize of ``studies``; ``covered``, the line's rows if already known (selection.line_rows)."""
    ids = split_list(line["study_ids"])
    covered = line_rows(studies, line) if covered is None else covered
    rows = line_results(effects, covered, ids)
    total, missing, by_study, encounters = _participants(covered, ids)
    comparator = line.get("comparator") if hasattr(line, "get") else None
    ev = LineEvidence(
        str(line["condition"]),
        str(line["comparator_class"]),
        split_list(line["outcomes"]),
        ids,
        rows,
        total,
        len(missing),
        by_study,
        _directions(covered, effects),
        comparator=None if comparator is None or pd.isna(comparator) else str(comparator),
        # the share weighs a study counting encounters by them: its size, though not in patients
        indirect_share=_indirect_share(covered, {**by_study, **encounters}),
        without_size=missing,
        encounters=encounters,
    )
    if not rows.empty:
        ev.measure = str(rows["effect_measure"].astype(str).mode().iloc[0])
        usable = rows[(rows["effect_measure"].astype(str) == ev.measure) & np.isfinite(rows["vi"].astype(float))]
        reviews = rows["design"].astype(str).isin(designs("review")).any()
        if (
            len(usable) >= 2 and ev.measure in COMPARATIVE_MEASURES and not reviews
        ):  # meta-analyses are never pooled again
            # the registered methods of every pooled group (stats.pooling.FITS): the one shown, and its sensitivity
            y, v = usable["yi"].astype(float), usable["vi"].astype(float)
            ev.fit = SHOWN.fit(y, v)
            ev.wald = SENSITIVITY.fit(y, v)
    return ev


def intervals(ev: LineEvidence) -> list[tuple[float, float]]:
    """The intervals imprecision is judged by: the pooled one, else each study's that has one."""
    if ev.fit is not None:
        return [(ev.fit.ci_lower, ev.fit.ci_upper)]
    if ev.measure not in COMPARATIVE_MEASURES:
        return []
    r = ev.rows[
        ev.rows["effect_measure"].astype(str).isin(COMPARATIVE_MEASURES) & np.isfinite(ev.rows["vi"].astype(float))
    ]
    se = np.sqrt(r["vi"].astype(float))
    return list(zip(r["yi"].astype(float) - Z975 * se, r["yi"].astype(float) + Z975 * se))


def important_effects(ev: LineEvidence, t: Thresholds) -> tuple[float, float] | None:
    """The thresholds of an important benefit and harm on the analysis scale (below 0 favours ketamine), or
    None where no threshold is written for the line's measure and scale."""
    if ev.measure in RATIO_MEASURES:
        return math.log(t.ratio_benefit), math.log(t.ratio_harm)
    units = set(ev.rows["unit"].astype(str)) if "unit" in ev.rows else set()
    if ev.measure == "mean_difference" and units and units <= set(PAIN_UNITS):
        return -t.mid_points, t.mid_points  # harmonize puts millimetres on the 0-10 scale
    return None


def imprecision(ev: LineEvidence, t: Thresholds | None = None) -> Signal:
    """By the rule of gradeRules.domains.imprecision (see the module's docstring)."""
    t = t or thresholds()
    if ev.comparator == "none" or (ev.comparator is None and ev.comparator_class == "none"):
        return Signal(0, "uncontrolled", {"participants": ev.participants, "without_n": ev.without_n})
    cis = intervals(ev)
    below = ev.participants < t.ois
    facts = {
        "ci_includes_null": None if not cis else any(lo < 0 < hi for lo, hi in cis),
        "intervals": len(cis),
        "participants": ev.participants,
        "without_n": ev.without_n,
        "below_ois": below,
        "ois": t.ois,
        "thresholds": None,
    }
    if not cis:
        return Signal(-2, "no_interval", facts)
    marks = important_effects(ev, t)
    crossed = 0
    if marks is not None:
        facts["thresholds"] = marks
        crossed = max(sum(lo < m < hi for m in marks) for lo, hi in cis)
        facts["crossed"] = crossed
        if crossed == 2:
            return Signal(-2, "both_thresholds", facts)
    value = -1 if (facts["ci_includes_null"] or crossed) else 0
    if below and not ev.without_n:
        value -= 1
    return Signal(max(value, -2), "imprecision", facts)


def inconsistency(ev: LineEvidence) -> Signal:
    if ev.fit is not None:
        f = ev.fit
        value = -2 if f.i2 >= 75 else -1 if f.i2 >= 50 else 0
        pi_crosses = f.pi_lower < 0 < f.pi_upper
        if pi_crosses and not (f.ci_lower < 0 < f.ci_upper):
            value = min(value, -1)
        return Signal(value, "pooled", {"i2": f.i2, "k": f.k, "pi_crosses_null": pi_crosses})
    if ev.k <= 1:
        return Signal(0, "one_study", {"k": ev.k})
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
    said = set(ev.directions.values()) - {"not_reported"}
    if len(said) > 1:  # for example one trial favours ketamine and another finds no difference
        return Signal(-1, "directions_disagree", {"k": ev.k})
    if said:
        return Signal(0, "directions_agree", {"k": ev.k})
    return Signal(None, "no_comparable_interval", {"k": ev.k})


def indirectness(ev: LineEvidence) -> Signal:
    value = -1 if ev.indirect_share > 0.5 else 0
    return Signal(value, "indirect_share", {"share": ev.indirect_share})


def publication_bias(ev: LineEvidence) -> Signal:
    if ev.k < FUNNEL_MIN_STUDIES:
        return Signal(0, "few_studies", {"k": ev.k, "minimum": FUNNEL_MIN_STUDIES})
    return Signal(None, "funnel_not_drawn", {"k": ev.k})


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
    judged = {s: j for s, j in judged.items() if j not in not_judged()}
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
    high = sum(w for s, w in weights.items() if judged[s] in high_risk()) / total
    low = sum(w for s, w in weights.items() if judged[s] in low_risk()) / total
    value = -2 if high > 0.5 else -1 if low < 0.5 else 0
    return Signal(value, "shares", {"high": high, "low": low, "basis": basis})


def compute_signals(ev: LineEvidence, rob: pd.DataFrame | None, t: Thresholds | None = None) -> LineEvidence:
    ev.signals = {
        "risk_of_bias": risk_of_bias(ev, rob),
        "inconsistency": inconsistency(ev),
        "indirectness": indirectness(ev),
        "imprecision": imprecision(ev, t),
        "publication_bias": publication_bias(ev),
    }
    return ev
