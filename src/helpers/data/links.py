"""A study's links: the first one a reader follows is built from its identifiers (DOI, else PubMed); the page its
numbers were checked against (source_url) is provenance, and a secondary copy where its host is one of the
schema's secondaryHosts (aggregators, catalogues, mirrors: the one list of them)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlparse

import pandas as pd

from .vocabulary import extension


@lru_cache(maxsize=1)
def secondary_hosts() -> tuple[str, ...]:
    return tuple(extension("source_url").get("secondaryHosts", ()))


def is_secondary(url) -> bool:
    """True where the page is a copy on an aggregator, catalogue or mirror, not the publisher's or PubMed's."""
    if url is None or pd.isna(url):
        return False
    host = (urlparse(str(url)).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in secondary_hosts())


def first_link(doi, pmid) -> str | None:
    """The reader's first link for a study, from its identifiers: doi.org, else PubMed; None without either."""
    if doi is not None and not pd.isna(doi) and str(doi):
        return "https://doi.org/" + str(doi)
    if pmid is not None and not pd.isna(pmid) and str(pmid):
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    return None


def page_kind(url) -> str | None:
    """What kind of page a source_url is: 'pubmed', 'pmc', 'doi', 'secondary' (aggregator, catalogue or mirror) or
    'other' (a journal's or an institution's own page); None without one."""
    if url is None or pd.isna(url):
        return None
    host = (urlparse(str(url)).hostname or "").lower()
    if is_secondary(url):
        return "secondary"
    if host in ("pmc.ncbi.nlm.nih.gov",) or "/pmc/" in str(url):
        return "pmc"
    if host in ("pubmed.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "www.pubmed.gov", "pubmed.gov"):
        return "pubmed"
    if host in ("doi.org", "dx.doi.org"):
        return "doi"
    return "other"
