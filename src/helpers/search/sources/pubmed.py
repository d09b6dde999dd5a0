"""PubMed through NCBI's E-utilities: esearch for the PMIDs of the term (date limit in the term itself, so the
logged query is the one sent), then esummary for their titles, authors, years and DOIs.

Documented at https://www.ncbi.nlm.nih.gov/books/NBK25499/ (parameters, JSON with retmode=json, and the rule of
3 requests a second without an API key, 10 with one, with ``tool`` and ``email`` on every request).
"""

from __future__ import annotations

from ..found import Found
from ..http import SearchError, field
from ..settings import TOOL
from . import SourceRun, year_of

SOURCE = "PubMed"
#: PMIDs asked for per esearch page and per esummary request (NCBI's advice: POST for long id lists)
PAGE, BATCH = 500, 200
#: esearch returns at most this many PMIDs of one query
ESEARCH_LIMIT = 9999


def term(query: str, date_field: str, start, end) -> str:
    return f'({query}) AND ("{start:%Y/%m/%d}"[{date_field}] : "{end:%Y/%m/%d}"[{date_field}])'


def run(client, settings, strategy, start, end) -> SourceRun:
    client.pace(settings.pubmed_url, settings.ncbi_rate)
    common = {"db": "pubmed", "retmode": "json", "tool": TOOL}
    if settings.ncbi_email:
        common["email"] = settings.ncbi_email
    if settings.ncbi_api_key:
        common["api_key"] = settings.ncbi_api_key
    sent = term(strategy["query"], strategy["date_field"], start, end)
    url = f"{settings.pubmed_url}/esearch.fcgi"
    pmids: list[str] = []
    count = None
    while count is None or len(pmids) < count:
        body = client.json(SOURCE, url, {**common, "term": sent, "retmax": PAGE, "retstart": len(pmids)})
        result = field(body, SOURCE, url, "esearchresult", kind=dict)
        try:
            count = int(field(result, SOURCE, url, "count"))
        except (TypeError, ValueError):
            raise SearchError(
                f"search: {SOURCE} sent a malformed response ({url}): count is not a number; nothing was written"
            ) from None
        if count > ESEARCH_LIMIT:
            raise SearchError(
                f"search: {SOURCE} found {count} records for {strategy['strategy_id']}, more than esearch returns "
                f"({ESEARCH_LIMIT}); nothing was written: run a shorter date range (--since, --until)"
            )
        page = [str(p) for p in field(result, SOURCE, url, "idlist", kind=list)]
        if not page:
            break
        pmids += page
    return SourceRun(
        strategy["strategy_id"],
        "pubmed",
        sent,
        start,
        end,
        strategy["date_field"],
        count or 0,
        summaries(client, settings, common, pmids),
    )


def summaries(client, settings, common, pmids: list[str]) -> list[Found]:
    url = f"{settings.pubmed_url}/esummary.fcgi"
    out = []
    for i in range(0, len(pmids), BATCH):
        batch = pmids[i : i + BATCH]
        body = client.json(SOURCE, url, data={**common, "id": ",".join(batch)})
        result = field(body, SOURCE, url, "result", kind=dict)
        for uid in field(result, SOURCE, url, "uids", kind=list):
            doc = field(result, SOURCE, url, str(uid), kind=dict)
            ids = {a.get("idtype"): str(a.get("value", "")) for a in doc.get("articleids", []) if isinstance(a, dict)}
            authors = [a.get("name", "") for a in doc.get("authors", []) if isinstance(a, dict)]
            out.append(
                Found(
                    source="pubmed",
                    title=str(doc.get("title", "")).strip(),
                    first_author=(doc.get("sortfirstauthor") or (authors[0] if authors else "")).split(" ")[0],
                    year=year_of(doc.get("pubdate")),
                    doi=ids.get("doi", ""),
                    pmid=str(uid),
                    pmcid=ids.get("pmc", ""),
                )
            )
    return out
