"""A record as a source returned it: its identifiers, title, first author and year, and for a registered trial its
status and dates (ClinicalTrials.gov's)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Found:
    source: str  # pubmed, europepmc, clinicaltrials (the search log's codes)
    title: str = ""
    first_author: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""
    nct: str = ""
    pmcid: str = ""
    #: a registered trial's status and dates, in the registrations table's columns
    registration: dict = field(default_factory=dict)

    @property
    def identifier(self) -> str:
        """The identifier the screening record shows: DOI, else PMID, else the registration."""
        return self.doi or self.pmid or self.nct or self.pmcid
