"""The reviewers' answers (data/answers.csv) with their placeholders filled from the findings.

The words are the reviewers'; the numbers, names and certainty come from
:mod:`helpers.findings.answers`, so an answer never states a count the data
do not give.
"""

from __future__ import annotations

import re

import pandas as pd

from ..findings.answers import PLACEHOLDER, AnswerFacts, answer_facts, answer_lines
from ..findings.lines import LineFinding
from .html import esc
from .marks import mark
from .numbers import count_word
from .statements import certainty_words
from .text import joined

#: the certainty label an answer may carry, left out where a badge beside it says the same
CERTAINTY_LABEL = re.compile(r"\s*\(\{certainty\} certainty\)")


def fill(text: str, facts: AnswerFacts, names: dict[str, str], badge: bool = False) -> str:
    """The authored text (escaped) with its placeholders replaced by the facts' words; ``badge``: a certainty
    badge stands beside it, so its certainty label is left out."""
    if badge:
        text = CERTAINTY_LABEL.sub("", text)
    n = len(facts.study_ids)
    values = {
        "n_studies": count_word(n) if n < 10 else str(n),
        "studies": joined([names.get(s, s) for s in facts.study_ids]),
        "certainty": certainty_words(facts.certainty) if facts.certainty != "none" else "not graded",
    }
    out = PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    return esc(out[:1].upper() + out[1:])


def authored(
    question_id: str,
    column: str,
    questions: pd.DataFrame | None,
    answers: pd.DataFrame | None,
    lines: list[LineFinding],
    names: dict[str, str],
    badge: bool = False,
) -> str | None:
    """One question's authored text (``answer`` or ``summary``) filled, or None when no answer is written."""
    if answers is None or questions is None:
        return None
    row = answers[answers["question_id"].astype(str) == question_id]
    q = questions[questions["question_id"].astype(str) == question_id]
    if row.empty or q.empty:
        return None
    facts = answer_facts(answer_lines(q.iloc[0].to_dict(), questions, lines))
    return fill(str(row.iloc[0][column]), facts, names, badge)


def certainty_badge(question_id: str, questions, lines: list[LineFinding]) -> str:
    """The certainty an answer speaks at, in words (HTML, marked with the line that gives it): the badge."""
    q = None if questions is None else questions[questions["question_id"].astype(str) == question_id]
    if q is None or q.empty:
        return "not graded"
    chosen = answer_lines(q.iloc[0].to_dict(), questions, lines)
    c = answer_facts(chosen).certainty
    if c == "none":
        return "not graded"
    line = next(x.line for x in chosen if x.certainty == c)
    return mark(esc(certainty_words(c)), c, "certainty", line=line)
