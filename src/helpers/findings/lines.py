"""One finding per Summary of Findings line, computed once: every table, sentence and figure reads it.

A finding holds the line's studies with their design labels from the study
table (a review is never a randomized study), participants counted by GRADE's
rules (:func:`helpers.data.lines.study_size`: a crossover's patients once,
encounters never added to patients, studies without a size named), each
study's result in one orientation (below no effect favours ketamine) from the
row that stands for it (:mod:`helpers.stats.selection`), the pooled estimate
(the methods of :data:`helpers.stats.pooling.FITS`: the one shown and its
sensitivity analysis, each with its method record), the absolute effect per
1,000 where the line is dichotomous with events in both arms, and a code for
the size of the effect against the thresholds of the certainty schema. Words
are the report layer's.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.lines import HARM_PREFIX, LineRows
from ..data.schema import load_schema
from ..stats.effects import RATIO_MEASURES, Z975, absolute_risks, harmonize
from ..stats.grade import LineEvidence, compute_signals, important_effects, line_evidence, thresholds
from ..stats.meta import MetaResult
from ..stats.pooling import Record, record_of
from ..stats.selection import line_rows
from .results import StudyResult, interval_direction, result_of


@dataclass(frozen=True)
class StudyRef:
    study_id: str
    design: str  # the study table's design code


@dataclass(frozen=True)
class Absolute:
    """Per 1,000 people: the assumed comparator risk (the median risk of the line's control arms, GRADE's
    default) and the risk with ketamine, with the interval of the relative effect applied to it; or, where no
    relative effect can be estimated (no events in an arm), the risks as counted and their difference with the
    interval of the risk difference (``by_difference``; the risk with ketamine then has no interval of its own)."""

    comparator: float
    ketamine: float
    ketamine_lower: float | None
    ketamine_upper: float | None
    control_arms: int  # how many control arms the assumed risk is the median of
    difference_interval: tuple[float, float] | None = None  # set when by_difference

    @property
    def by_difference(self) -> bool:
        return self.difference_interval is not None

    @property
    def difference(self) -> float:
        return self.ketamine - self.comparator

    @property
    def difference_lower(self) -> float:
        return self.difference_interval[0] if self.by_difference else self.ketamine_lower - self.comparator

    @property
    def difference_upper(self) -> float:
        return self.difference_interval[1] if self.by_difference else self.ketamine_upper - self.comparator


@dataclass
class LineFinding:
    line: int  # the row's line in certainty.csv (the header is line 1)
    row: pd.Series
    evidence: LineEvidence
    studies: list[StudyRef]
    results: list[StudyResult]  # one per study with a result on the line (the row that stands for it: stats.selection)
    #: important_benefit, important_harm, little_or_no, benefit, harm, no_clear, not_pooled, no_estimate, uncontrolled
    size: str
    absolute: Absolute | None = None
    directions: dict[str, str] = field(default_factory=dict)  # each study's direction, from its interval if any
    covered: pd.DataFrame | None = None  # the study-table rows the line covers (stats.selection.line_rows)

    @property
    def certainty(self) -> str:
        return str(self.row["certainty"])

    @property
    def label(self) -> str:
        return str(self.row["outcome_label"])

    @property
    def condition(self) -> str:
        return str(self.row["condition"])

    @property
    def comparator(self) -> str:
        group = self.row.get("comparator")
        if group is None or pd.isna(group):  # a table of lines without comparators
            group = self.row["comparator_class"]
        return str(group)

    @property
    def is_harm(self) -> bool:
        return all(o.startswith(HARM_PREFIX) for o in self.evidence.outcomes)

    @property
    def k(self) -> int:
        return len(self.studies)

    @property
    def participants(self) -> int:
        return self.evidence.participants

    @property
    def encounters(self) -> int:
        return sum(self.evidence.encounters.values())

    @property
    def without_size(self) -> list[str]:
        return list(self.evidence.without_size)

    @property
    def pooled(self) -> MetaResult | None:
        return self.evidence.fit

    @property
    def sensitivity(self) -> MetaResult | None:
        return self.evidence.wald

    @property
    def record(self) -> Record | None:
        """How the pooled estimate was made (stats.pooling.record_of), None when the line is not pooled."""
        return None if self.pooled is None else record_of(self.pooled)

    @property
    def directions_differ(self) -> bool:
        said = set(self.directions.values()) - {"not_reported"}
        return len(said) > 1

    def designs(self) -> dict[str, int]:
        """How many of the line's studies have each design code, in the schema's order."""
        counts: dict[str, int] = {}
        for s in self.studies:
            counts[s.design] = counts.get(s.design, 0) + 1
        return {d: counts[d] for d in load_schema().enum("design") if d in counts}


def size_code(ev: LineEvidence, results: list[StudyResult]) -> str:
    """How large the effect is against the thresholds of an important effect (codes; words live in the report)."""
    if ev.comparator == "none" or (ev.comparator is None and ev.comparator_class == "none"):
        return "uncontrolled"
    if ev.fit is not None:
        est, lo, hi = ev.fit.estimate, ev.fit.ci_lower, ev.fit.ci_upper
    else:
        numbered = [r for r in results if r.yi is not None and r.comparative]
        if not numbered:
            return "no_estimate"
        if len(numbered) > 1:
            return "not_pooled"
        r = numbered[0]
        est, lo, hi = r.yi, r.yi_lower, r.yi_upper
    marks = important_effects(ev, thresholds())
    if marks is not None:
        if est <= marks[0]:
            return "important_benefit"
        if est >= marks[1]:
            return "important_harm"
        return "little_or_no"
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return "no_clear"
    return {"favours_ketamine": "benefit", "favours_comparator": "harm"}.get(interval_direction(lo, hi), "no_clear")


def absolute_effect(ev: LineEvidence, covered: pd.DataFrame) -> Absolute | None:
    """Per 1,000, for a ratio measure with events in both arms of the line's trials; None otherwise."""
    arms = covered[
        covered["events_control"].notna() & covered["n_control"].notna() & (covered["n_control"].astype(float) > 0)
    ]
    if arms.empty or (ev.measure is not None and ev.measure not in RATIO_MEASURES):
        return None
    if (
        ev.rows.empty
        or arms["events_control"].astype(float).sum() == 0
        or arms["events_ketamine"].astype(float).sum() == 0
    ):
        return counted_difference(arms)
    acr = float(np.median(arms["events_control"].astype(float) / arms["n_control"].astype(float)))
    if ev.fit is not None:
        y, lo, hi = ev.fit.estimate, ev.fit.ci_lower, ev.fit.ci_upper
    else:
        r = ev.rows.iloc[0]
        if not np.isfinite(float(r["vi"])):
            return None
        y, se = float(r["yi"]), math.sqrt(float(r["vi"]))
        lo, hi = y - Z975 * se, y + Z975 * se

    def risk(log_ratio: float) -> float:
        ratio = math.exp(log_ratio)
        if ev.measure == "odds_ratio":
            return acr * ratio / (1 - acr + acr * ratio)
        return min(1.0, acr * ratio)

    return Absolute(1000 * acr, 1000 * risk(y), 1000 * risk(lo), 1000 * risk(hi), len(arms))


def counted_difference(arms: pd.DataFrame) -> Absolute | None:
    """Without a relative effect (no events in an arm): one study's risks as counted and their difference."""
    arms = arms[arms["events_ketamine"].notna() & arms["n_ketamine"].notna()]
    if len(arms) != 1:  # several studies' counts are not added up: that would be an unweighted pooling
        return None
    r = arms.iloc[0]
    got = absolute_risks(r["events_ketamine"], r["n_ketamine"], r["events_control"], r["n_control"])
    if got is None:
        return None
    k, c, _d, lo, hi = got
    return Absolute(c, k, None, None, 1, (lo, hi))


def finding_for(
    line_no: int,
    row: pd.Series,
    effects: pd.DataFrame,
    studies: pd.DataFrame,
    rob,
    designs: dict | None = None,
    covered: pd.DataFrame | None = None,
) -> LineFinding:
    """The finding of one certainty line; ``designs`` (study_id -> design) and ``covered`` (the line's rows:
    stats.selection.line_rows) if already known."""
    covered = line_rows(studies, row) if covered is None else covered
    ev = compute_signals(line_evidence(effects, studies, row, covered), rob)
    if designs is None:
        designs = dict(zip(studies["study_id"].astype(str), studies["design"].astype(str)))
    refs = [StudyRef(s, designs.get(s, "not_reported")) for s in ev.study_ids]
    results = [result_of(r) for _, r in ev.rows.iterrows()]
    by_study = {r.study_id: r for r in results}
    directions = {}
    for s in ev.study_ids:
        r = by_study.get(s)
        directions[s] = (
            r.direction if r is not None and r.direction != "not_reported" else ev.directions.get(s, "not_reported")
        )
    return LineFinding(
        line_no, row, ev, refs, results, size_code(ev, results), absolute_effect(ev, covered), directions, covered
    )


def line_findings(
    certainty: pd.DataFrame | None,
    studies: pd.DataFrame,
    rob=None,
    condition: str = "all",
) -> list[LineFinding]:
    """The findings of certainty.csv's lines (of one condition, or all), in the file's order.

    A line's finding is computed once for the same content of the line, the study table and the
    risk-of-bias table (:func:`content_key`), and the same object is returned to every later caller: pages,
    checks and the index ask for the same lines many times. Callers treat it as read-only. A table that
    changes has another key, so a notebook whose tables change gets new findings."""
    if certainty is None or certainty.empty:
        return []
    keys = _line_keys(certainty, studies, rob)
    designs: dict | None = None
    out = []
    for i, (_, row) in enumerate(certainty.iterrows()):
        if condition != "all" and str(row["condition"]) != condition:
            continue
        key = keys[i] if keys is not None else None
        if key is not None and key in _MEMO:
            _MEMO.move_to_end(key)
            out.append(_MEMO[key])
            continue
        if designs is None:  # the tables are read only for a line not computed before
            effects = harmonize(studies)
            designs = dict(zip(studies["study_id"].astype(str), studies["design"].astype(str)))
            rows_of = LineRows(studies)
        out.append(finding_for(i + 2, row, effects, studies, rob, designs, rows_of(row)))
        if key is not None:
            _MEMO[key] = out[-1]
            if len(_MEMO) > MEMO_SIZE:
                _MEMO.popitem(last=False)
    return out


#: how many lines' findings are kept (each holds a few rows): every line of several versions of the tables
MEMO_SIZE = 512
_MEMO: OrderedDict = OrderedDict()


def content_key(frame: pd.DataFrame | None) -> tuple | None:
    """What a table holds, as a key: its columns, their types and a digest of its rows in order (index and
    cells). None for no table; raises TypeError for a cell pandas cannot hash."""
    if frame is None:
        return None
    rows = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    digest = hashlib.blake2b(rows.tobytes(), digest_size=16).hexdigest()
    return tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)), digest


def _line_keys(certainty: pd.DataFrame, studies: pd.DataFrame, rob) -> list[tuple] | None:
    """Each certainty line's key: its position and cells, the study and risk-of-bias tables' content, and the
    schemas the rules are read from."""
    try:
        shape = tuple(map(str, certainty.columns)), tuple(map(str, certainty.dtypes))
        # the schemas' rules (thresholds, vocabularies) as loaded now: a test that plants a schema gets its own
        rules = tuple(id(load_schema(name)) for name in ("studies", "certainty", "risk_of_bias"))
        tables = (content_key(studies), content_key(rob), shape, rules)
        rows = pd.util.hash_pandas_object(certainty, index=True).to_numpy()
    except TypeError:  # a cell pandas cannot hash (a list, say): computed every time
        return None
    return [(i, int(h), tables) for i, h in enumerate(rows)]
