"""ClinicalTrials.gov's API version 2: /studies with query.cond, query.intr and a date limit in filter.advanced,
paged with pageToken; /studies/{nctId} for a registration the search did not return.

Documented at https://clinicaltrials.gov/data-api/api (the /studies and /studies/{nctId} endpoints, the study
record's protocolSection modules, the AREA[...]RANGE[...] filter syntax and countTotal).
"""

from __future__ import annotations

from ..found import Found
from ..http import SearchError, field
from . import SourceRun, year_of

SOURCE = "ClinicalTrials.gov"
PAGE = 100
#: the registrations table's statuses (ClinicalTrials.gov's overall status in lower snake case)
STATUSES = (
    "recruiting",
    "not_yet_recruiting",
    "active_not_recruiting",
    "enrolling_by_invitation",
    "completed",
    "terminated",
    "withdrawn",
    "suspended",
    "unknown",
)


def parameters(query: str, date_field: str, start, end) -> dict[str, str]:
    """The strategy's 'name=value & name=value' as parameters, with the date limit added."""
    params = {}
    for part in query.split(" & "):
        name, _, value = part.partition("=")
        params[name.strip()] = value.strip()
    params["filter.advanced"] = f"AREA[{date_field}]RANGE[{start:%Y-%m-%d},{end:%Y-%m-%d}]"
    return params


def run(client, settings, strategy, start, end) -> SourceRun:
    params = parameters(strategy["query"], strategy["date_field"], start, end)
    sent = " & ".join(f"{k}={v}" for k, v in params.items())
    url = f"{settings.ctgov_url}/studies"
    token, hits, found = None, None, []
    while True:
        page = {**params, "format": "json", "pageSize": PAGE, "countTotal": "true"}
        if token:
            page["pageToken"] = token
        body = client.json(SOURCE, url, page)
        if hits is None:
            hits = field(body, SOURCE, url, "totalCount", kind=int)
        for study in field(body, SOURCE, url, "studies", kind=list):
            found.append(record(study, url))
        token = body.get("nextPageToken")
        if not token:
            break
    return SourceRun(strategy["strategy_id"], "clinicaltrials", sent, start, end, strategy["date_field"], hits, found)


def one(client, settings, nct: str) -> Found:
    url = f"{settings.ctgov_url}/studies/{nct}"
    return record(client.json(SOURCE, url, {"format": "json"}), url)


def _date(module: dict, name: str) -> str:
    value = module.get(name, {})
    return str(value.get("date", "")) if isinstance(value, dict) else ""


def record(study, url: str) -> Found:
    if not isinstance(study, dict):
        raise SearchError(
            f"search: {SOURCE} sent a malformed response ({url}): a study is not an object; nothing was written"
        )
    ident = field(study, SOURCE, url, "protocolSection", "identificationModule", kind=dict)
    status = field(study, SOURCE, url, "protocolSection", "statusModule", kind=dict)
    nct = str(field(ident, SOURCE, url, "nctId"))
    overall = str(status.get("overallStatus", "")).lower()
    sponsor = study["protocolSection"].get("sponsorCollaboratorsModule", {}).get("leadSponsor", {}).get("name", "")
    return Found(
        source="clinicaltrials",
        title=str(ident.get("briefTitle") or ident.get("officialTitle") or "").strip(),
        year=year_of(_date(status, "studyFirstPostDateStruct")),
        nct=nct,
        registration={
            "registry": "clinicaltrials_gov",
            "registration_id": nct,
            "title": str(ident.get("briefTitle", "")).strip(),
            "status": overall if overall in STATUSES else "unknown",
            "start_date": _date(status, "startDateStruct"),
            "primary_completion_date": _date(status, "primaryCompletionDateStruct"),
            "completion_date": _date(status, "completionDateStruct"),
            "last_update_posted": _date(status, "lastUpdatePostDateStruct"),
            "has_results": "yes" if study.get("hasResults") else "no",
            "url": f"https://clinicaltrials.gov/study/{nct}",
            "sponsor": str(sponsor),
            "registry_status": overall,
        },
    )
