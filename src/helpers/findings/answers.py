"""The reviewers' answers (data/answers.csv) against the findings they were written for.

Each answer names the lines it speaks for (a primary question: its direct
lines, or else its closest evidence; a harms question: the condition's harms
lines; any other question: its own lines), and the certainty and direction it
was written for: the best certainty among those lines and the one direction
their studies went (``mixed`` when they differ, ``none`` without a line). When
the data change either, ``validate`` names the answer's line and column so a
person re-reads it before it is published (a living review's update rule).
The verb must also fit the certainty it was written for (GRADE's informative
statements: "may" at low, "probably" at moderate, "very uncertain" at very
low). The words that fill its placeholders are the report layer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..data.questions import ALL
from ..data.rows import line_number
from ..errors import Problem, TableError
from .lines import LineFinding, line_findings
from .questions import ORDER, harms_lines, primary_status, question_of

#: the placeholders an answer may hold, filled by helpers.report.answers
PLACEHOLDERS = ("n_studies", "studies", "certainty")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: the words an informative statement needs at each certainty (or it names its certainty as a label,
#: the {certainty} placeholder); a statement at any other certainty must not use them
NEEDS = {
    "very_low": ("very uncertain", "cannot tell", "too weak to tell", "do not know"),
    "low": ("may",),
    "moderate": ("probably",),
}
#: the verbs of high certainty: never in a statement written for less
CONFIDENT = ("reduces", "increases", "improves", "worsens", "prevents")
TEXT_COLUMNS = ("answer", "summary")


@dataclass
class AnswerFacts:
    certainty: str  # the best certainty among the lines, or none
    direction: str  # the one direction of their studies, mixed, or none
    study_ids: list[str]


def answer_lines(question: dict, questions: pd.DataFrame, lines: list[LineFinding]) -> list[LineFinding]:
    """The graded lines an answer to ``question`` (a row of questions.csv) speaks for."""
    kind, cond, qid = str(question["kind"]), str(question["condition"]), str(question["question_id"])
    if kind == "harms":
        return harms_lines(ALL if cond == ALL else cond, questions, lines)
    if kind == "primary":
        status = primary_status(cond, questions, lines)
        return [] if status is None else (status.direct or status.closest)
    return [x for x in lines if question_of(x) == qid]


def answer_facts(chosen: list[LineFinding]) -> AnswerFacts:
    certs = {x.certainty for x in chosen}
    certainty = next((c for c in ORDER if c in certs), "none")
    ids = list(dict.fromkeys(s.study_id for x in chosen for s in x.studies))
    ways = {x.directions.get(s.study_id, "not_reported") for x in chosen for s in x.studies}
    direction = "none" if not ways else (next(iter(ways)) if len(ways) == 1 else "mixed")
    return AnswerFacts(certainty, direction, ids)


def facts_by_question(ds) -> dict[str, AnswerFacts]:
    """Every question's facts, from the data set's graded lines."""
    questions = ds.get("questions")
    lines = line_findings(ds.get("certainty"), ds.studies, ds.get("risk_of_bias"))
    return {str(r["question_id"]): answer_facts(answer_lines(r, questions, lines)) for _, r in questions.iterrows()}


def verb_problem(text: str, certainty: str) -> str | None:
    """What the statement's wording needs at ``certainty``, or None when it fits."""
    low = text.lower()
    need = NEEDS.get(certainty, ())
    others = [w for c, words in NEEDS.items() if c != certainty for w in words if w not in need]
    wrong = [w for w in others + (list(CONFIDENT) if certainty != "high" else []) if re.search(rf"\b{w}\b", low)]
    if wrong:
        return f'wording for {certainty} certainty, not "{wrong[0]}"'
    if need and "{certainty}" not in text and not any(re.search(rf"\b{w}\b", low) for w in need):
        return f'wording for {certainty} certainty: "{need[0]}" or the {{certainty}} label'
    return None


def answer_problems(ds) -> list[Problem]:
    answers, questions = ds.get("answers"), ds.get("questions")
    if answers is None or questions is None:
        return []
    known = set(questions["question_id"].astype(str))
    facts = facts_by_question(ds)
    out = []
    for i, r in enumerate(answers.to_dict("records")):
        line, qid = line_number(answers, i), str(r["question_id"])
        if qid not in known:
            out.append(Problem(line, "question_id", qid, "a question_id of questions.csv", "answer_question"))
            continue
        f = facts[qid]
        for column, value in (("written_for_certainty", f.certainty), ("written_for_direction", f.direction)):
            if str(r[column]) != value:
                out.append(
                    Problem(
                        line,
                        column,
                        str(r[column]),
                        f"{value}, as the findings now say: re-read the answer, then set it",
                        "answer_current",
                    )
                )
        for column in TEXT_COLUMNS:
            text = str(r[column])
            for name in PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    out.append(Problem(line, column, f"{{{name}}}", f"one of {', '.join(PLACEHOLDERS)}", "placeholder"))
            said = verb_problem(text, str(r["written_for_certainty"]))
            if said:
                out.append(Problem(line, column, text[:60], said, "answer_verb"))
    return out


def check_answers(ds) -> None:
    """Raise TableError (answers.csv) for an answer the findings no longer support as written."""
    problems = answer_problems(ds)
    if problems:
        raise TableError(ds.paths["answers"], problems)
