"""Risk-of-bias judgements that follow from their signalling answers.

RoB 2 (Sterne et al. 2019, BMJ 366:l4898) decides each domain from the
answers to its signalling questions (Y, PY, PN, N, NI, NA) by a fixed
algorithm; the crossover variant adds the period and carry-over domain (S.1
to S.3). :func:`rob2_judgement` is that algorithm, so that a judgement in
``risk_of_bias.csv`` can be checked against the answers beside it. For
single-arm series, the tool of Murad et al. 2018 (BMJ Evid Based Med 23:60)
asks eight questions in four domains; :func:`murad_judgement` applies the
project's convention: every answer yes, low; any no, high; otherwise some
concerns.
"""

from __future__ import annotations

import re

YES, NO = {"Y", "PY"}, {"N", "PN"}
ANSWERS = {"Y", "PY", "PN", "N", "NI", "NA"}
#: one answer: a question number (1.1, S.2, Q4) and its answer, separated by ';'
ANSWER_RE = re.compile(r"^(?P<q>(?:[1-7]|S)\.[0-9]{1,2}|Q[1-8])=(?P<a>Y|PY|PN|N|NI|NA)$")


def parse_signalling(text: str | None) -> dict[str, str] | None:
    """'1.1=Y;1.2=NI' -> {'1.1': 'Y', '1.2': 'NI'}; None when the text is not of that form."""
    if text is None or not str(text).strip():
        return {}
    out = {}
    for part in str(text).split(";"):
        m = ANSWER_RE.match(part.strip())
        if not m or m.group("q") in out:
            return None
        out[m.group("q")] = m.group("a")
    return out


def _a(answers: dict, q: str) -> str:
    return answers.get(q, "NI")


def _randomization(a: dict) -> str:
    q1, q2, q3 = _a(a, "1.1"), _a(a, "1.2"), _a(a, "1.3")
    if q2 in NO:
        return "high"
    if q2 in YES:
        if q3 in YES:
            return "some_concerns"
        return "some_concerns" if q1 in NO else "low"
    return "high" if q3 in YES else "some_concerns"


def _deviations(a: dict) -> str:
    if _a(a, "2.1") in NO and _a(a, "2.2") in NO:
        part1 = "low"
    elif _a(a, "2.3") in NO:
        part1 = "low"
    elif _a(a, "2.3") == "NI":
        part1 = "some_concerns"
    elif _a(a, "2.4") in NO:
        part1 = "some_concerns"
    else:
        part1 = "some_concerns" if _a(a, "2.5") in YES else "high"
    if _a(a, "2.6") in YES or _a(a, "2.6") == "NA":
        part2 = "low"
    else:
        part2 = "some_concerns" if _a(a, "2.7") in NO else "high"
    return worst(part1, part2)


def _missing_data(a: dict) -> str:
    if _a(a, "3.1") in YES or _a(a, "3.2") in YES or _a(a, "3.3") in NO:
        return "low"
    return "some_concerns" if _a(a, "3.4") in NO else "high"


def _measurement(a: dict) -> str:
    if _a(a, "4.1") in YES or _a(a, "4.2") in YES:
        return "high"
    best = "low" if _a(a, "4.2") in NO else "some_concerns"  # differences between arms not ruled out
    if _a(a, "4.3") in NO or _a(a, "4.4") in NO:
        return best
    return "some_concerns" if _a(a, "4.5") in NO else "high"


def _reported_result(a: dict) -> str:
    if _a(a, "5.2") in YES or _a(a, "5.3") in YES:
        return "high"
    if _a(a, "5.2") in NO and _a(a, "5.3") in NO:
        return "low" if _a(a, "5.1") in YES else "some_concerns"
    return "some_concerns"


def _period_carryover(a: dict) -> str:
    if _a(a, "S.3") in NO:
        return "high"
    if _a(a, "S.3") in YES and (_a(a, "S.1") in YES or _a(a, "S.2") in YES):
        return "low"
    return "some_concerns"


ROB2_DOMAINS = {
    "randomization": _randomization,
    "period_carryover": _period_carryover,
    "deviations": _deviations,
    "missing_data": _missing_data,
    "measurement": _measurement,
    "reported_result": _reported_result,
}
ORDER = {"low": 0, "some_concerns": 1, "high": 2}


def worst(*judgements: str) -> str:
    return max(judgements, key=ORDER.__getitem__)


def rob2_judgement(domain: str, answers: dict[str, str]) -> str | None:
    """The RoB 2 judgement of a domain from its answers (None for the overall row, decided by the domains)."""
    rule = ROB2_DOMAINS.get(domain)
    return rule(answers) if rule else None


#: the questions of the case-series tool, by domain
MURAD_DOMAINS = {
    "selection": ("Q1",),
    "ascertainment": ("Q2", "Q3"),
    "causality": ("Q4", "Q5", "Q6", "Q7"),
    "reporting": ("Q8",),
}


def murad_judgement(domain: str, answers: dict[str, str]) -> str | None:
    if domain not in MURAD_DOMAINS:
        return None
    given = [answers.get(q, "NI") for q in MURAD_DOMAINS[domain] if answers.get(q) != "NA"]
    if any(x == "N" for x in given):
        return "high"
    return "low" if given and all(x == "Y" for x in given) else "some_concerns"


def follows(tool: str, domain: str, answers: dict[str, str]) -> str | None:
    """The judgement a tool's algorithm gives for a domain, or None where the tool leaves it to judgement."""
    if tool in ("rob2", "rob2_crossover"):
        return rob2_judgement(domain, answers)
    if tool == "murad_case_series":
        return murad_judgement(domain, answers)
    return None
