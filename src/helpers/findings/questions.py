"""Each condition's primary question and what the graded lines say about it, computed once.

The status of a primary question (data/questions.csv) follows from the lines
that belong to it (certainty.csv's question column) and their directness: it
is answered when at least one line matches the question in population,
intervention, comparator and outcome, at the highest certainty among those
lines. The closest evidence is the question's own indirect lines, then the
first outcome of each of the condition's secondary questions. The
harms of a condition are the lines of its harms questions (every harms line
for all conditions). Words are the report layer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..data.questions import ALL, is_direct
from .lines import LineFinding

#: certainty codes, best first
ORDER = ("high", "moderate", "low", "very_low")


@dataclass
class PrimaryStatus:
    condition: str
    question: dict  # the row of questions.csv (question_id, question, population, ...)
    direct: list[LineFinding] = field(default_factory=list)  # lines that answer it directly
    closest: list[LineFinding] = field(default_factory=list)  # indirect lines, nearest first

    @property
    def answered(self) -> bool:
        return bool(self.direct)

    @property
    def certainty(self) -> str | None:
        """The highest certainty among the direct lines, None when none answers the question directly."""
        found = {x.certainty for x in self.direct}
        return next((c for c in ORDER if c in found), None)


def question_of(line: LineFinding) -> str | None:
    q = line.row.get("question")
    return None if q is None or pd.isna(q) else str(q)


def primary_status(condition: str, questions: pd.DataFrame | None, lines: list[LineFinding]) -> PrimaryStatus | None:
    """The status of a condition's primary question, or None when questions.csv gives it none."""
    if questions is None or questions.empty:
        return None
    q = questions[(questions["condition"].astype(str) == condition) & (questions["kind"].astype(str) == "primary")]
    if q.empty:
        return None
    row = q.iloc[0].to_dict()
    own = [x for x in lines if x.condition == condition and question_of(x) == row["question_id"]]
    direct = [x for x in own if is_direct(x.row)]
    closest = [x for x in own if not is_direct(x.row)]
    secondary = questions[
        (questions["condition"].astype(str) == condition) & (questions["kind"].astype(str) == "secondary")
    ]
    for qid in secondary["question_id"].astype(str):
        mine = [x for x in lines if question_of(x) == qid and not x.is_harm]
        closest.extend(x for x in mine if x.label == mine[0].label)  # each secondary question's first outcome
    return PrimaryStatus(condition, row, direct, closest)


def harms_lines(condition: str, questions: pd.DataFrame | None, lines: list[LineFinding]) -> list[LineFinding]:
    """The graded lines of a condition's harms questions (for all conditions, every harms line)."""
    if condition == ALL:
        return [x for x in lines if x.is_harm]
    if questions is None or questions.empty:
        return [x for x in lines if x.is_harm and x.condition == condition]
    ids = set(
        questions[(questions["condition"].astype(str) == condition) & (questions["kind"].astype(str) == "harms")][
            "question_id"
        ].astype(str)
    )
    return [x for x in lines if question_of(x) in ids]
