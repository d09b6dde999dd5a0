"""One module per source, each with ``run(client, settings, strategy, start, end) -> SourceRun``: the exact query
it sent (date limit included), the count the source gave and the records it returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..found import Found

#: the search log's name for each source, in the words of messages
NAMES = {"pubmed": "PubMed", "europepmc": "Europe PMC", "clinicaltrials": "ClinicalTrials.gov"}


@dataclass
class SourceRun:
    strategy_id: str
    source: str
    query: str  # exactly as sent, date limit included
    start: dt.date
    end: dt.date
    date_field: str
    hits: int
    found: list[Found] = field(default_factory=list)


def year_of(text) -> int | None:
    """The year at the start of a date as a source writes it ('2019 Mar 5', '2019-03', '2019')."""
    text = str(text or "").strip()
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def runner(source: str):
    """The ``run`` function of ``source``."""
    from . import clinicaltrials, europepmc, pubmed

    return {"pubmed": pubmed.run, "europepmc": europepmc.run, "clinicaltrials": clinicaltrials.run}[source]
