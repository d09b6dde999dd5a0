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

Each tool is one entry (:data:`TOOLS`): what the schema says of it (the
designs it appraises, its domains, its scale of judgements, which of them GRADE
counts as high risk, the words of its figure: ``x-helpers.tools`` of the tool
field in ``data/schemas/risk_of_bias.json``) with its algorithm, if it has one,
from :data:`ALGORITHMS`. Validation, GRADE's risk-of-bias signal, the appraisal
table and the robvis figures read the entry, so adding a tool touches its
schema entry and, for an algorithm, one line here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from .vocabulary import derived, extension, field_raw, word

YES, NO = {"Y", "PY"}, {"N", "PN"}
ANSWERS = {"Y", "PY", "PN", "N", "NI", "NA"}


def answer_pattern() -> re.Pattern:
    """One answer (a question number and its answer), from the signalling column's pattern in the schema:
    ``^ONE(?:;ONE)*$``, with ONE = ``QUESTION=ANSWER``."""
    pattern = field_raw("signalling", "risk_of_bias")["constraints"]["pattern"]
    size = (len(pattern) - len("^(?:;)*$")) // 2
    one = pattern[1 : 1 + size]
    if pattern != f"^{one}(?:;{one})*$" or "=" not in one:
        raise ValueError(f"the signalling pattern of data/schemas/risk_of_bias.json is not ^ONE(?:;ONE)*$: {pattern}")
    question, answer = one.rsplit("=", 1)
    return re.compile(f"^(?P<q>{question})=(?P<a>{answer})$")


def parse_signalling(text: str | None) -> dict[str, str] | None:
    """'1.1=Y;1.2=NI' -> {'1.1': 'Y', '1.2': 'NI'}; None when the text is not of that form."""
    if text is None or not str(text).strip():
        return {}
    answer = derived("risk_of_bias", "answer", answer_pattern)
    out = {}
    for part in str(text).split(";"):
        m = answer.match(part.strip())
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


#: tool -> its algorithm: a domain's judgement from the signalling answers (None: the tool leaves it to judgement)
ALGORITHMS: dict[str, Callable[[str, dict[str, str]], str | None]] = {
    "rob2": rob2_judgement,
    "rob2_crossover": rob2_judgement,
    "murad_case_series": murad_judgement,
}


@dataclass(frozen=True)
class Tool:
    """A risk-of-bias tool: its schema entry and its algorithm."""

    code: str
    designs: tuple[str, ...]  # the study designs it appraises
    domains: tuple[str, ...]  # in the order its figure shows them; "overall" last
    required: tuple[str, ...]  # the domains every appraisal with it gives
    scale: tuple[tuple[str, ...], ...]  # judgements, from the least to the most serious; one level ranks alike
    high_risk: frozenset[str]  # the judgements GRADE counts as at high risk of bias
    assessed: bool  # False for the entry of studies that are not assessed (reviews, the article's claims)
    studies: str  # what it appraises, in words, for its figure's title ("randomized trials")
    name: str  # the tool as its figure's title names it ("RoB 2")
    drawn_with: str | None  # the tool whose figure also draws this one's studies (RoB 2's crossover variant)

    @property
    def judgements(self) -> tuple[str, ...]:
        return tuple(j for level in self.scale for j in level)

    @property
    def low_risk(self) -> frozenset[str]:
        return frozenset(self.scale[0]) if self.assessed else frozenset()

    def rank(self, judgement: str) -> int | None:
        """How serious a judgement is on this tool's scale (0 the least), None when it is not on it."""
        return next((i for i, level in enumerate(self.scale) if judgement in level), None)

    @property
    def algorithm(self) -> Callable[[str, dict[str, str]], str | None] | None:
        return ALGORITHMS.get(self.code)

    def follows(self, domain: str, answers: dict[str, str]) -> str | None:
        """The judgement the tool's algorithm gives for a domain, or None where it leaves it to judgement."""
        return self.algorithm(domain, answers) if self.algorithm else None

    @property
    def title(self) -> str:
        """Its traffic-light figure's title: 'Risk of bias of randomized trials (RoB 2)'."""
        return f"Risk of bias of {self.studies} ({self.name})"


def _tool(code: str, entry: dict) -> Tool:
    figure = entry.get("figure", {})
    return Tool(
        code=code,
        designs=tuple(entry.get("designs", ())),
        domains=tuple(entry["domains"]),
        required=tuple(entry.get("required", entry["domains"])),
        scale=tuple(tuple(level) for level in entry["scale"]),
        high_risk=frozenset(entry.get("highRisk", ())),
        assessed=bool(entry.get("assessed", True)),
        studies=figure.get("studies", ""),
        name=figure.get("name", word("tool", code, "risk_of_bias")),
        drawn_with=figure.get("drawnWith"),
    )


def _tools() -> dict[str, Tool]:
    entries = extension("tool", "risk_of_bias").get("tools", {})
    return {code: _tool(code, e) for code, e in entries.items()}


class _Registry(Mapping):
    """The tools of the schema now loaded (a reloaded schema is read again), in the schema's order."""

    def _now(self) -> dict[str, Tool]:
        return derived("risk_of_bias", "tools", _tools)

    def __getitem__(self, code: str) -> Tool:
        return self._now()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


#: every risk-of-bias tool, by its code in risk_of_bias.csv
TOOLS: Mapping[str, Tool] = _Registry()


def follows(tool: str, domain: str, answers: dict[str, str]) -> str | None:
    """The judgement a tool's algorithm gives for a domain, or None where the tool leaves it to judgement."""
    return TOOLS[tool].follows(domain, answers) if tool in TOOLS else None


def tool_for(design: str, source: str) -> str:
    """The tool a study's design calls for; the article's claims (no located publication) are not assessed."""
    if source == "seed_article":
        return next(t.code for t in TOOLS.values() if not t.assessed)
    found = [t.code for t in TOOLS.values() if design in t.designs]
    if len(found) != 1:
        raise ValueError(f"design {design} is appraised by {len(found)} tools of the schema, not one: {found}")
    return found[0]


def drawn_together(tool: str) -> tuple[str, ...]:
    """A tool and those whose studies its figure also draws (RoB 2 with its crossover variant)."""
    return (tool, *(t.code for t in TOOLS.values() if t.drawn_with == tool))


def figure_domains(tools: tuple[str, ...]) -> list[str]:
    """The domains of tools drawn in one figure, each tool's in its order (a variant's extra domain after the
    one it follows: RoB 2's period and carry-over domain after randomization)."""
    order: list[str] = []
    for code in tools:
        previous = None
        for d in TOOLS[code].domains:
            if d not in order:
                order.insert(order.index(previous) + 1 if previous else 0, d)
            previous = d
    return order


def high_risk() -> frozenset[str]:
    """The judgements of any tool that GRADE counts as at high risk of bias."""
    return frozenset().union(*(t.high_risk for t in TOOLS.values()))


def low_risk() -> frozenset[str]:
    """The judgements of any assessed tool that GRADE counts as at low risk of bias (each scale's first level)."""
    return frozenset().union(*(t.low_risk for t in TOOLS.values()))


def not_judged() -> frozenset[str]:
    """The judgements that say a study was not assessed (reviews, the article's claims)."""
    return frozenset(j for t in TOOLS.values() if not t.assessed for j in t.judgements)
