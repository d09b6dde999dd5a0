"""Placeholders in free text: reasons name facts, the findings fill them at build time.

The reasons of ``claims.csv`` (reasoning) and ``certainty.csv`` (every
``*_reason`` column and note) hold no fact the data can give. They refer to
it instead, in braces:

- ``{etchison2018}``: the study's name as the reports write it (Etchison 2018);
- ``{etchison2018.FIELD}`` for a property of the study: ``n`` (its size, by
  GRADE's rules), ``design``, ``route``, ``setting``, ``year``;
- ``{etchison2018.FIELD.OUTCOME}`` for a result of one of its outcomes, all
  from the row that stands for the outcome (:func:`helpers.stats.selection.pick`:
  its latest result with an interval, of any condition): ``direction`` (which
  way it went, from the interval when there is one), ``result`` (the oriented
  result with its interval), ``events`` (events and patients in each arm),
  ``followup`` (when it was measured);
- ``{migraine.trials}``: how many verified randomized trials the study
  table holds for a condition (``trials``), or studies of any design
  (``studies``).

``python -m helpers validate`` reports a placeholder that names an unknown
study, condition, field or outcome with the file, the line and the column
(:func:`placeholder_problems`); the words are the report layer's
(:mod:`helpers.report.placeholders`).
"""

from __future__ import annotations

import re

import pandas as pd

from ..data.dataset import DataSet
from ..data.schema import conditions
from ..errors import Problem, TableError

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?:\.([a-z_]+))?(?:\.([a-z][a-z0-9_]*))?\}")
#: the start of a placeholder left open (other braces, as in CSS or templates, are text)
UNCLOSED = re.compile(r"\{[a-z][a-z0-9_]*\.[a-z_]+(?:\.[a-z0-9_]+)?(?![a-z0-9_.]*\})")
STUDY_FIELDS = ("n", "design", "route", "setting", "year")
OUTCOME_FIELDS = ("direction", "result", "events", "followup")
CONDITION_FIELDS = ("trials", "studies")
RULE = "placeholder"


def text_columns(table: str, frame: pd.DataFrame) -> list[str]:
    """The columns of a table whose text may hold placeholders."""
    if table == "claims":
        return [c for c in ("reasoning",) if c in frame]
    return [c for c in frame.columns if c.endswith("_reason") or c == "note"]


def problem_of(match: re.Match, studies: pd.DataFrame, outcomes: dict[str, set[str]]) -> str | None:
    """What is wrong with one placeholder, or None."""
    target, field, outcome = match.groups()
    if target in conditions():
        if field not in CONDITION_FIELDS:
            return f"a condition's field: one of {', '.join(CONDITION_FIELDS)}"
        return None if outcome is None else "no third part after a condition's field"
    if target not in outcomes:
        return "a study_id of studies.csv, or a condition, before the first dot"
    if field is None:
        return None
    if field in STUDY_FIELDS:
        return None if outcome is None else f"no outcome after {field}"
    if field in OUTCOME_FIELDS:
        if outcome is None:
            return f"an outcome of {target} after {field} (one of {', '.join(sorted(outcomes[target]))})"
        if outcome not in outcomes[target]:
            return f"an outcome of {target} (one of {', '.join(sorted(outcomes[target]))})"
        return None
    return f"a field: one of {', '.join(STUDY_FIELDS + OUTCOME_FIELDS)}"


def placeholder_problems(ds: DataSet, table: str) -> list[Problem]:
    frame = ds.get(table)
    if frame is None or frame.empty:
        return []
    s = ds.studies
    outcomes: dict[str, set[str]] = {}
    for sid, outcome in zip(s["study_id"].astype(str), s["outcome"].astype(str)):
        outcomes.setdefault(sid, set()).add(outcome)
    problems = []
    for column in text_columns(table, frame):
        for i, value in enumerate(frame[column]):
            if not isinstance(value, str):
                continue
            for m in PLACEHOLDER.finditer(value):
                wrong = problem_of(m, s, outcomes)
                if wrong:
                    problems.append(Problem(i + 2, column, m.group(0), wrong, RULE))
            for m in UNCLOSED.finditer(PLACEHOLDER.sub("", value)):
                problems.append(Problem(i + 2, column, m.group(0), "a placeholder closed with }", RULE))
    return problems


def check_placeholders(ds: DataSet) -> None:
    """Raise TableError for the first table whose text holds a placeholder naming something unknown."""
    for table in ("claims", "certainty"):
        problems = placeholder_problems(ds, table)
        if problems:
            raise TableError(ds.paths[table], problems)
