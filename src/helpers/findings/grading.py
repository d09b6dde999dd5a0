"""Each Summary of Findings line graded by GRADE's written rules, beside the reviewers' judgement.

The rules and thresholds are the certainty schema's gradeRules (with their
sources); :mod:`helpers.stats.grade` computes a value per domain from the data.
A judgement in certainty.csv may depart from the computed value, but only with
a departure_reason: a departure without one is a problem reported with the
file, the line and the column, as ``python -m helpers validate`` does after the
schema checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.dataset import DataSet
from ..data.record_rules import DOMAINS
from ..errors import Problem, TableError
from ..stats.grade import LineEvidence
from .lines import line_findings

RULE = "grade_rule"


@dataclass
class Graded:
    line: int  # the row's line in certainty.csv (the header is line 1)
    row: pd.Series
    evidence: LineEvidence

    def departures(self) -> dict[str, int]:
        """The domains whose judgement differs from the computed value: {domain: computed value}."""
        out = {}
        for d in DOMAINS:
            sig = self.evidence.signals.get(d)
            if sig is not None and sig.value is not None and int(self.row[d]) != sig.value:
                out[d] = sig.value
        return out


def graded_lines(ds: DataSet) -> list[Graded]:
    """Each certainty line with the evidence its finding was computed from (the same memo as every page's:
    helpers.findings.lines, keyed by the tables' content, so an edit is never hidden)."""
    certainty = ds.get("certainty")
    if certainty is None or certainty.empty:
        return []
    findings = line_findings(certainty, ds.studies, ds.get("risk_of_bias"))
    return [Graded(f.line, f.row, f.evidence) for f in findings]


def _explained(row, domain: str) -> bool:
    """A departure_reason explains a domain when it names it ('imprecision: ...'): one reason per departed domain."""
    reason = row.get("departure_reason")
    return isinstance(reason, str) and f"{domain.replace('_', ' ')}:" in reason.replace("_", " ")


def grading_problems(ds: DataSet) -> list[Problem]:
    problems = []
    for g in graded_lines(ds):
        for domain, computed in g.departures().items():
            if _explained(g.row, domain):
                continue
            code = g.evidence.signals[domain].code
            problems.append(
                Problem(
                    g.line,
                    domain,
                    str(int(g.row[domain])),
                    f"{computed:+d} by the written rule ({code.replace('_', ' ')}), or a departure_reason naming "
                    f"{domain.replace('_', ' ')}: and saying why not",
                    RULE,
                )
            )
    return problems


def check_grading(ds: DataSet) -> None:
    """Raise TableError (certainty.csv) for judgements that depart from a rule without a reason."""
    problems = grading_problems(ds)
    if problems:
        raise TableError(ds.paths["certainty"], problems)
