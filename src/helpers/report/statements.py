"""Findings in the GRADE Working Group's informative statements.

The verb follows from the line's certainty and the size of its effect against
the thresholds of the certainty schema (:func:`helpers.findings.lines.size_code`),
as in GRADE's guidance on communicating findings (Santesso and colleagues,
J Clin Epidemiol 2020): high certainty "reduces", moderate "probably reduces",
low "may reduce", and at very low certainty, or where no effect between the
arms can be estimated, "the evidence is very uncertain about the effect of".
A statement names the comparison, the number of studies of each design and
of participants, and where the studies went different ways, which way each went.
"""

from __future__ import annotations

from ..data.schema import load_schema
from ..data.vocabulary import design_noun
from ..findings.lines import LineFinding
from .html import esc
from .marks import mark
from .numbers import count_word
from .results import direction_phrase
from .words import comparator_words

#: certainty -> (benefit verb, harm verb, no-difference verb); benefit means "favours ketamine"
VERBS = {
    "high": ("improves", "worsens", "makes little or no difference to"),
    "moderate": ("probably improves", "probably worsens", "probably makes little or no difference to"),
    "low": ("may improve", "may worsen", "may make little or no difference to"),
}
#: for a harms outcome, favouring ketamine means fewer events
HARM_VERBS = {
    "high": ("reduces", "increases", "makes little or no difference to"),
    "moderate": ("probably reduces", "probably increases", "probably makes little or no difference to"),
    "low": ("may reduce", "may increase", "may make little or no difference to"),
}
SIZE_SLOT = {"important_benefit": 0, "benefit": 0, "important_harm": 1, "harm": 1, "little_or_no": 2, "no_clear": 2}
VERY_UNCERTAIN = "the evidence is very uncertain about the effect of ketamine on"


def certainty_words(value: str) -> str:
    return load_schema("certainty")["certainty"].label(value).replace("_", " ")


def verb_for(f: LineFinding) -> str:
    """The statement's verb phrase, from the certainty and the size code."""
    slot = SIZE_SLOT.get(f.size)
    if f.certainty == "very_low" or slot is None or f.certainty not in VERBS:
        return VERY_UNCERTAIN
    return (HARM_VERBS if f.is_harm else VERBS)[f.certainty][slot]


def designs_phrase(f: LineFinding) -> str:
    parts = []
    for design, n in f.designs().items():
        parts.append(
            mark(count_word(n) if n < 10 else str(n), n, "studies", key=design, line=f.line)
            + " "
            + design_noun(design, n)
        )
    return " and ".join(parts) if parts else "no study"


def participants_phrase(f: LineFinding, names: dict[str, str]) -> str:
    """'51 participants', with encounters kept apart and studies without a size named."""
    parts = []
    if f.participants:
        parts.append(mark(str(f.participants), f.participants, "participants", line=f.line) + " participants")
    if f.encounters:
        parts.append(f"{f.encounters} treatment encounters (not necessarily distinct patients)")
    if f.without_size:
        named = ", ".join(esc(names.get(s, s)) for s in f.without_size)
        parts.append(f"no size given by {named}")
    return "; ".join(parts) if parts else "participants not reported"


def comparison_words(f: LineFinding) -> str:
    """'placebo', or 'an active placebo (midazolam)' where every placebo of the line is one; the drug otherwise."""
    if f.comparator == "none":
        return "no comparison group"
    if f.comparator == "placebo" and f.covered is not None and "comparator_drug" in f.covered:
        drugs = set(f.covered["comparator_drug"].dropna().astype(str))
        if drugs == {"midazolam_active_placebo"}:
            return "an active placebo (midazolam)"
        if "midazolam_active_placebo" in drugs:
            return "placebo (in some trials an active placebo, midazolam)"
    return comparator_words(f.comparator)


def statement_html(f: LineFinding, names: dict[str, str], with_studies: bool = True) -> str:
    """One informative statement (HTML, facts marked), ending with a full stop."""
    outcome = esc(f.label)
    verb = verb_for(f)
    if f.comparator == "none":
        head = (
            f"Without a comparison group, {VERY_UNCERTAIN} {outcome}"
            if verb == VERY_UNCERTAIN
            else f"Ketamine {verb} {outcome} (uncontrolled)"
        )
    elif verb == VERY_UNCERTAIN:
        head = f"Compared with {esc(comparison_words(f))}, {verb} {outcome}"
    else:
        head = f"Compared with {esc(comparison_words(f))}, ketamine {verb} {outcome}"
    cert = mark(esc(certainty_words(f.certainty)), f.certainty, "certainty", line=f.line)
    text = f"{head[0].upper()}{head[1:]} ({designs_phrase(f)}, {participants_phrase(f, names)}; {cert} certainty)."
    if with_studies and f.comparator != "none":
        text += " " + which_way(f, names)
    return text


def which_way(f: LineFinding, names: dict[str, str]) -> str:
    """Which way each study went: 'Etchison 2018 found no clear difference; Nicolodi 1995 favoured ketamine, ...'."""
    numbered = {r.study_id for r in f.results if r.est is not None}
    parts = []
    for s in f.studies:
        code = f.directions.get(s.study_id, "not_reported")
        phrase = direction_phrase(code, f.comparator)
        if code == "not_reported" and _no_events(f, s.study_id):
            phrase = "counted no event in either arm"
            if f.row.get("zero_events") == "inferred":  # certainty.csv says the zero is worked out, not reported
                phrase = "had no event in either arm, inferred because every patient completed"
        if s.study_id not in numbered and code != "not_reported":
            phrase += " (as its authors report it, without numbers that can be checked)"
        parts.append(f"{esc(names.get(s.study_id, s.study_id))} {phrase}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _no_events(f: LineFinding, sid: str) -> bool:
    if f.covered is None:
        return False
    c = f.covered[f.covered["study_id"].astype(str) == sid]
    counted = c[c["events_ketamine"].notna() & c["events_control"].notna()]
    return (
        not counted.empty
        and (counted["events_ketamine"].astype(float) + counted["events_control"].astype(float)).sum() == 0
    )


def comment_html(f: LineFinding, names: dict[str, str]) -> str:
    """The Summary of Findings' plain-language comment: the statement without the counts its own column gives."""
    verb = verb_for(f)
    outcome = esc(f.label)
    if f.comparator == "none":
        return f"Uncontrolled rates: {VERY_UNCERTAIN} {outcome}."
    if verb == VERY_UNCERTAIN:
        text = f"{verb[0].upper()}{verb[1:]} {outcome} compared with {esc(comparison_words(f))}."
    else:
        text = f"Ketamine {verb} {outcome} compared with {esc(comparison_words(f))}."
    return text + " " + which_way(f, names)


def plain_html(lines: list[LineFinding]) -> str:
    """The findings of one outcome for a plain-language summary: the same verbs, without the counts the
    statements carry; comparisons the evidence is very uncertain about are said together."""
    out, uncertain = [], []
    for f in lines:
        verb = verb_for(f)
        if f.comparator == "none":
            out.append(f"Series without a comparison group cannot tell what ketamine does for {esc(f.label)}.")
        elif verb == VERY_UNCERTAIN:
            uncertain.append(f)
        else:
            out.append(f"Compared with {esc(comparison_words(f))}, ketamine {verb} {esc(f.label)}.")
    if uncertain:
        names = [esc(comparison_words(f)) for f in uncertain]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        out.insert(
            0,
            f"Compared with {joined}, we cannot tell whether ketamine changes {esc(uncertain[0].label)}: "
            "the evidence is very uncertain.",
        )
    return " ".join(out)
