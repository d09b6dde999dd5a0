"""The review questions (data/questions.csv) and the lines of certainty.csv that belong to them.

Every Summary of Findings line names its question; this module checks, for
the data set, that the question exists, is of the line's condition, and is of
the line's kind (a harms line answers a harms question); that each condition
has one primary question; and that a zero event count on a line says where it
comes from (reported by the source, or inferred from completion figures). The
checks report problems for the file where the fix belongs, as
:mod:`helpers.data.crossref` does.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .appraisal_refs import Checks
from .lines import HARM_PREFIX, LineRows
from .rows import cell_text, line_number, split_list
from .schema import load_schema

ALL = "all"  # the condition of a question over every condition
PICO = ("population", "intervention", "comparator", "outcome")


def is_harm_line(outcomes) -> bool:
    return all(o.startswith(HARM_PREFIX) for o in split_list(outcomes))


def is_direct(row) -> bool:
    """A line answers its question directly when population, intervention, comparator and outcome all match
    (a line without a comparator cannot answer a comparative question directly)."""
    return all(str(row.get(f"direct_{e}")) == "yes" for e in PICO)


def indirect_elements(row) -> list[str]:
    """The elements of a line that do not match its question (codes: population, intervention, ...)."""
    return [e for e in PICO if str(row.get(f"direct_{e}")) == "no"]


def zero_counted(covered: pd.DataFrame) -> bool:
    """Whether a line's rows count zero events in an arm."""
    if covered.empty:
        return False
    arms = [*covered["events_ketamine"].tolist(), *covered["events_control"].tolist()]
    return any(not pd.isna(v) and float(v) == 0 for v in arms)


def _questions(ds, out: Checks) -> None:
    q = ds.get("questions")
    if q is None:
        return
    conditions = set(load_schema().enum("condition"))
    primaries: dict[str, int] = {}
    for i, r in enumerate(q.itertuples(index=False)):
        line = line_number(q, i)
        cond = str(r.condition)
        if cond not in conditions | {ALL}:
            out["questions"].append(
                Problem(line, "condition", cond, f"a condition of the study table or {ALL}", "condition_known")
            )
        if str(r.kind) == "primary":
            if cond in primaries:
                out["questions"].append(
                    Problem(
                        line,
                        "kind",
                        "primary",
                        f"one primary question per condition ({cond} has one on line {primaries[cond]})",
                        "one_primary",
                    )
                )
            primaries.setdefault(cond, line)


def _lines(ds, out: Checks) -> None:
    cert, q = ds.get("certainty"), ds.get("questions")
    if cert is None:
        return
    known = {} if q is None else {str(r.question_id): r for r in q.itertuples(index=False)}
    where = "data/questions.csv beside the table" if q is not None else "a questions.csv beside the table"
    rows_of = LineRows(ds.studies, ("events_ketamine", "events_control"))
    lines = cert.to_dict("records")
    for i, r in enumerate(cert.itertuples(index=False)):
        line = line_number(cert, i)
        qid = cell_text(r.question)
        question = known.get(qid)
        if question is None:
            out["certainty"].append(Problem(line, "question", qid, f"a question_id of {where}", "question_exists"))
        else:
            if str(question.condition) not in (str(r.condition), ALL):
                out["certainty"].append(
                    Problem(
                        line,
                        "question",
                        qid,
                        f"a question of condition {r.condition} (this one is of {question.condition})",
                        "question_of_condition",
                    )
                )
            harm = is_harm_line(r.outcomes)
            if harm != (str(question.kind) == "harms"):
                want = "a harms question" if harm else "a primary or secondary question"
                out["certainty"].append(
                    Problem(line, "question", qid, f"{want} for outcomes {r.outcomes}", "question_of_kind")
                )
        has_zero = zero_counted(rows_of(lines[i]))
        said = cell_text(r.zero_events)
        if has_zero and not said:
            out["certainty"].append(
                Problem(
                    line,
                    "zero_events",
                    "",
                    "reported or inferred: a count of zero stands on this line, so say whether the source "
                    "reports it or it is worked out from completion figures",
                    "zero_says_where",
                )
            )
        elif said and not has_zero:
            out["certainty"].append(
                Problem(line, "zero_events", said, "empty: no count on this line is zero", "zero_says_where")
            )


def _registrations(ds, out: Checks) -> None:
    """A registered trial filed under a question names one that exists (empty: it answers none directly)."""
    regs, q = ds.get("registrations"), ds.get("questions")
    if regs is None or q is None or regs.empty:
        return
    known = set(q["question_id"].astype(str))
    for i, qid in enumerate(regs["question_id"].map(cell_text)):
        if qid and qid not in known:
            line = line_number(regs, i)
            out["registrations"].append(
                Problem(line, "question_id", qid, "a question_id of data/questions.csv, or empty", "question_exists")
            )


QUESTION_CHECKS = (_questions, _lines, _registrations)
