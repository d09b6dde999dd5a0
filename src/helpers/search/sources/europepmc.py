"""Europe PMC's REST search, paged with cursorMark; the date limit is part of the query sent.

Documented at https://europepmc.org/RestfulWebService (search: query, resultType=lite, format=json, pageSize up
to 1000, cursorMark from * until nextCursorMark repeats or no result comes back).
"""

from __future__ import annotations

from ..found import Found
from ..http import field
from . import SourceRun, year_of

SOURCE = "Europe PMC"
PAGE = 1000


def query(q: str, date_field: str, start, end) -> str:
    return f"({q}) AND ({date_field}:[{start:%Y-%m-%d} TO {end:%Y-%m-%d}])"


def run(client, settings, strategy, start, end) -> SourceRun:
    sent = query(strategy["query"], strategy["date_field"], start, end)
    url = f"{settings.europepmc_url}/search"
    cursor, hits, found = "*", None, []
    while True:
        params = {"query": sent, "format": "json", "resultType": "lite", "pageSize": PAGE, "cursorMark": cursor}
        body = client.json(SOURCE, url, params)
        if hits is None:
            hits = field(body, SOURCE, url, "hitCount", kind=int)
        results = field(body, SOURCE, url, "resultList", "result", kind=list)
        for r in results:
            if not isinstance(r, dict):
                continue
            authors = str(r.get("authorString", ""))
            found.append(
                Found(
                    source="europepmc",
                    title=str(r.get("title", "")).strip(),
                    first_author=authors.split(",")[0].split(" ")[0].strip(". "),
                    year=year_of(r.get("pubYear")),
                    doi=str(r.get("doi", "")),
                    pmid=str(r.get("pmid", "")),
                    pmcid=str(r.get("pmcid", "")),
                )
            )
        nxt = body.get("nextCursorMark")
        if not results or not nxt or nxt == cursor or len(found) >= hits:
            break
        cursor = nxt
    return SourceRun(strategy["strategy_id"], "europepmc", sent, start, end, strategy["date_field"], hits, found)
