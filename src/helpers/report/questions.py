"""The first sentences of every answer: the primary question's status, then what is known about harms.

The facts come from :mod:`helpers.findings.questions`; this module only puts
them in words, so the short answer, the index answer and the plain-language
summary open with the same claim.
"""

from __future__ import annotations

from ..data.questions import indirect_elements
from ..findings.lines import LineFinding
from ..findings.questions import PrimaryStatus, question_of
from .html import esc
from .marks import mark
from .numbers import count_word, per_1000
from .statements import certainty_words, comparison_words, statement_html
from .words import LOWER_DOSE

#: the sentence a status opens with: the claim a test derives from the data (answered or not)
NOT_ANSWERED = "No study answers this directly."
ANSWERED = "Direct evidence exists, at {certainty} certainty."
HARM_WAYS = {
    "favours_comparator": "more often with ketamine",
    "favours_ketamine": "less often with ketamine",
    "no_difference": "no clear difference",
}
#: against a lower dose of ketamine, both arms had ketamine: a harm is said of the higher dose
DOSE_WAYS = {
    **HARM_WAYS,
    "favours_comparator": "more often with the higher dose",
    "favours_ketamine": "less often with the higher dose",
}


def status_phrase(statuses: list[PrimaryStatus]) -> str:
    """What a bottom line opens with (HTML): for one condition its question and whether a study answers it
    directly; for several, for how many of them one does (a report's one-line summary on the index)."""
    if len(statuses) == 1:
        (s,) = statuses
        return f"{esc(s.question['question'])} {claim_html(s)}"
    answered, n = sum(s.answered for s in statuses), count_word(len(statuses))
    if not answered:
        return f"no study answers the main question of any of the {n} conditions directly"
    return f"studies answer the main question directly for {count_word(answered)} of the {n} conditions"


def claim_html(status: PrimaryStatus) -> str:
    """The status itself: answered directly (at which certainty) or not (HTML)."""
    if status.answered:
        cert = status.certainty
        return ANSWERED.format(certainty=mark(esc(certainty_words(cert)), cert, "certainty"))
    return NOT_ANSWERED


def status_html(status: PrimaryStatus, names: dict[str, str], plain: bool = False) -> str:
    """The question, its status, then the closest evidence marked as indirect (HTML)."""
    question = esc(status.question["question"])
    text = f"<strong>{question}</strong> {claim_html(status)}"
    if status.closest and not plain:
        parts = [_indirect_html(x, status, names) for x in status.closest]
        text += " The closest evidence is indirect. " + " ".join(parts)
    elif status.closest:
        text += " The closest evidence is indirect."
    return text


def _indirect_html(x: LineFinding, status: PrimaryStatus, names: dict[str, str]) -> str:
    """One indirect line's statement, saying why it is indirect for the primary question."""
    own = question_of(x) == status.question["question_id"]
    differs = indirect_elements(x.row) if own else []
    if differs:
        why = f" (its {', '.join(differs)} differs)"
    elif own:  # a line without a comparison group: its statement says so
        why = ""
    else:
        why = " (a narrower question)"
    return f"<em>Indirect{esc(why)}:</em> {statement_html(x, names)}"


def harms_html(lines: list[LineFinding], names: dict[str, str], reported: int) -> str:
    """What is known about harms: each graded harms line's results, or why there is none (HTML)."""
    if not lines:
        if reported:
            return f"<strong>Harms:</strong> {reported} adverse-event results are in the table, but none is graded."
        return "<strong>Harms:</strong> the studies found give no adverse-event results."
    parts = []
    for x in lines:
        ways = []
        for s in x.studies:
            code = x.directions.get(s.study_id, "not_reported")
            way = (DOSE_WAYS if x.comparator == LOWER_DOSE else HARM_WAYS).get(code) or _zero_words(x)
            way = way or "direction not reported"
            ways.append(f"{esc(names.get(s.study_id, s.study_id))}, {way}")
        label = esc(x.label)
        text = f"{label[:1].upper()}{label[1:]} against {esc(comparison_words(x))}"
        if x.absolute is not None and not x.absolute.by_difference:  # before the name: the line's own figures
            a = x.absolute
            k = mark(per_1000(a.ketamine), round(a.ketamine), "risk_ketamine", line=x.line)
            c = mark(per_1000(a.comparator), round(a.comparator), "risk_comparator", line=x.line)
            text += f", {k} per 1,000 with ketamine and {c} with {esc(comparison_words(x))}"
        parts.append(f"{text}: {'; '.join(ways)}.")
    certs = {x.certainty for x in lines}
    how = f"all of {certainty_words(next(iter(certs)))} certainty" if len(certs) == 1 else "of mixed certainty"
    return f"<strong>Harms</strong>, {how}. " + " ".join(parts)


def _zero_words(x: LineFinding) -> str | None:
    said = x.row.get("zero_events")
    if said == "inferred":
        return "no event in either arm (inferred: every patient completed)"
    if said == "reported":
        return "no event in either arm, as the trial reports"
    return None
