"""Checks of the words a reader sees in the data tables, one class of defect each.

- A risk-of-bias support text that names a level of its tool's scale names its own judgement's level too: an
  overall "high" whose support says only that "five domains raise some concerns" contradicts itself.
- No text a reader sees tells the story of its own editing ("Same as the current judgement.", "now reached by
  the algorithm", "changes from some concerns to high") or carries a working note meant for the team ("as named
  in the brief", "TODO"): such words belong in the commit message, never on a page.

Run with the other cross-table checks (:mod:`helpers.data.crossref`); each problem names file, line and column.
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import Problem
from .rob import TOOLS
from .rows import cell_text, line_number

#: how a support text names each judgement of the scales (a level word that is not a level, such as "high dose"
#: or "serious adverse events", is not a naming)
LEVEL_PATTERNS = {
    "low": r"\blow risk\b|^low\b|\bat low\b|\bjudged low\b",
    "some_concerns": r"\bsome concerns?\b",
    "high": r"\bhigh\b(?![- ](?:dose|doses|rates?|levels?|frequency|flow|quality))",
    "moderate": r"\bmoderate\b(?! (?:certainty|doses?|pain))",
    "serious": r"\bserious\b(?! adverse)",
    "critical": r"\bcritical\b",
    "no_information": r"\bno information\b",
}
#: words of an editing history or a working note, in any text column of any table
HISTORY_PATTERNS = (
    r"\bsame as the current\b",
    r"\bsame (?:judgement|level|overall level|rating) as before\b",
    r"\bas before, now\b",
    r"\bnow reached by\b",
    r"\bnow with registry\b",
    r"\bjudgement changes from\b",
    r"\bchanged from \w+ to\b",
    r"\bpreviously (?:judged|rated|graded)\b",
    r"\bin the previous version\b",
    r"\bas named in the brief\b",
    r"\b(?:TODO|FIXME|XXX)\b",
    r"\bresearch memo\b",
    r"\bnot re-read\b",
    r"\bof the search log\b",  # a pointer into the team's bookkeeping, not a reader's words
)
HISTORY = re.compile("|".join(HISTORY_PATTERNS), re.IGNORECASE)
#: the tables whose words a reader sees as the review's own (the search log and screening record are logs: what
#: was done, when, is their content)
TABLES = ("studies", "risk_of_bias", "certainty", "claims", "registrations", "followups", "review_appraisal")


def levels_named(text: str, judgements) -> set[str]:
    return {j for j in judgements if j in LEVEL_PATTERNS and re.search(LEVEL_PATTERNS[j], text, re.I | re.M)}


def _support_names_judgement(ds, out) -> None:
    rob = ds.get("risk_of_bias")
    if rob is None:
        return
    for i, r in enumerate(rob.itertuples(index=False)):
        tool = TOOLS.get(str(r.tool))
        if tool is None or not tool.assessed or pd.isna(r.support):
            continue
        named = levels_named(str(r.support), tool.judgements)
        if named and str(r.judgement) not in named:
            out["risk_of_bias"].append(
                Problem(
                    line_number(rob, i),
                    "support",
                    str(r.support)[:80],
                    f"a support text that names its own judgement ({r.judgement}) where it names a level "
                    f"(it names {', '.join(sorted(named))})",
                    "support_names_judgement",
                )
            )


def _no_editing_history(ds, out) -> None:
    for name in TABLES:
        table = ds.studies if name == "studies" else ds.get(name)
        if table is None:
            continue
        for column in table.columns:
            values = table[column]
            if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
                continue
            text = [cell_text(v) for v in values.tolist()]
            # one search of the whole column first (no pattern spans a line break): most columns have no hit
            if not HISTORY.search("\n".join(text)):
                continue
            for i, cell in enumerate(text):
                hit = HISTORY.search(cell)
                if hit is None:
                    continue
                found = hit.group(0)
                out[name].append(
                    Problem(
                        line_number(table, i),
                        column,
                        found,
                        "text for a reader without an editing history or a working note "
                        "(say what is true now; the history belongs in the commit message)",
                        "no_editing_history",
                    )
                )


READER_TEXT_CHECKS = (_support_names_judgement, _no_editing_history)
