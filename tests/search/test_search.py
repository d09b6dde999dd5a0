"""python -m helpers search against a local server answering in each API's documented format: only what no table
knows is queued, a second run queues nothing, every run is logged with its exact query and count, and a refusal,
a timeout or a malformed body ends in one line, exit 1, with every table as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from helpers.cli import main
from helpers.data.loader import load_table
from helpers.data.prisma import prisma_counts
from helpers.search.http import Pace

TODAY = dt.datetime.now(dt.UTC).date().isoformat()


def rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def search(data, *extra) -> int:
    return main(["search", "--data", str(data / "studies.csv"), *extra])


@pytest.mark.integration
def test_a_search_queues_only_the_records_no_table_knows_and_logs_every_run(snapshot, api, data, capsys):
    before = snapshot(data)
    assert search(data) == 0
    screening, log = rows(data / "screening.csv"), rows(data / "search_log.csv")
    new = screening[len(before["screening.csv"].decode().splitlines()) - 1 :]
    # Etchison 2018 (PMID and DOI known) and NCT02492295 (screened) stay out; the made-up record, found by
    # PubMed and again by Europe PMC under the same DOI, is queued once; the new registration once
    assert [(r["identifier"], r["decision"], r["reason"]) for r in new] == [
        ("10.9999/test.2026.001", "awaiting_screening", "not_yet_screened"),
        ("NCT99000002", "awaiting_screening", "not_yet_screened"),
    ]
    assert "PMID 99000001" in new[0]["note"] and "PubMed" in new[0]["note"]
    runs = log[-3:]
    assert [(r["source"], r["hits"], r["records"], r["date"]) for r in runs] == [
        ("pubmed", "2", "1", TODAY),
        ("europepmc", "1", "0", TODAY),
        ("clinicaltrials", "2", "1", TODAY),
    ]
    assert [r["search_id"] for r in new] == [runs[0]["search_id"], runs[2]["search_id"]]
    # the exact query as sent, date range included, is what the log holds and what the server received
    sent = dict(api.requests)
    assert runs[0]["query"].endswith(f'("1962/01/01"[edat] : "{TODAY.replace("-", "/")}"[edat])')
    assert (
        "tool=helpers-ketamine-evidence" in sent["/eutils/esearch.fcgi"]
        and "email=tests%40example.org" in sent["/eutils/esearch.fcgi"]
    )
    assert runs[1]["query"].endswith(f"(FIRST_PDATE:[1962-01-01 TO {TODAY}])")
    assert f"AREA[LastUpdatePostDate]RANGE[2000-01-01,{TODAY}]" in runs[2]["query"]
    # rows are added below the tables' old text, which stays byte for byte; the study table is never touched
    assert (data / "screening.csv").read_bytes().startswith(before["screening.csv"])
    assert (data / "search_log.csv").read_bytes().startswith(before["search_log.csv"])
    assert (data / "studies.csv").read_bytes() == before["studies.csv"]
    regs = rows(data / "registrations.csv")
    assert [(r["registration_id"], r["status"], r["condition"], r["question_id"]) for r in regs] == [
        ("NCT99000002", "recruiting", "migraine", "migraine_primary")
    ]
    # the queue is identified but not screened
    counts = prisma_counts(
        load_table(data / "search_log.csv", "search_log", False), load_table(data / "screening.csv", "screening", False)
    )
    assert counts.awaiting_screening == 2
    assert counts.screened == len(screening) - 2 - sum(r["decision"] == "duplicate" for r in screening)
    out = capsys.readouterr().out
    assert "1 new queued for screening" in out and "wrote" in out


@pytest.mark.integration
def test_a_second_run_queues_nothing_and_is_logged_again(api, data):
    assert search(data) == 0
    after_first = rows(data / "screening.csv")
    assert search(data) == 0
    assert rows(data / "screening.csv") == after_first
    log = rows(data / "search_log.csv")
    assert [(r["source"], r["records"]) for r in log[-3:]] == [
        ("pubmed", "0"),
        ("europepmc", "0"),
        ("clinicaltrials", "0"),
    ]
    assert len({r["search_id"] for r in log}) == len(log)


FAULTS = [
    ("/eutils/esearch.fcgi", ("status", 429), "HTTP 429, rate limited"),
    ("/ctgov/studies", ("status", 429), "HTTP 429, rate limited"),
    ("/europepmc/search", ("delay", 1.0), "did not answer within 0.3 s"),
    ("/eutils/esummary.fcgi", ("body", b"<html>busy</html>"), "malformed response"),
    ("/ctgov/studies", ("body", b'{"studies": [{"protocolSection": {}}]}'), "malformed response"),
    ("/europepmc/search", ("status", 503), "HTTP 503"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("path", "fault", "said"), FAULTS, ids=lambda v: str(v)[:30])
def test_a_refusal_a_timeout_or_a_malformed_body_ends_in_one_line_and_writes_nothing(
    snapshot, api, data, capsys, monkeypatch, path, fault, said
):
    monkeypatch.setenv("HELPERS_SEARCH_TIMEOUT", "0.3")
    before = snapshot(data)
    api.faults[path] = fault
    assert search(data) == 1
    err = capsys.readouterr().err.strip()
    assert said in err and "nothing was written" in err and len(err.splitlines()) == 1, err
    assert snapshot(data) == before  # no table changed, no staging folder left


@pytest.mark.integration
def test_the_same_run_without_a_fault_writes(snapshot, api, data):
    """The negative control of the faults above: the same folder and server, answering well."""
    before = snapshot(data)
    assert search(data, "--source", "pubmed") == 0
    assert snapshot(data) != before


@pytest.mark.integration
def test_a_registration_already_in_the_table_is_read_again_and_flagged_when_unpublished(api, data, capsys):
    header = (data / "registrations.csv").read_text(encoding="utf-8")
    planted = "clinicaltrials_gov,NCT99000003,A planted trial,migraine,migraine_primary,recruiting,2019-03,,,,no,,https://clinicaltrials.gov/study/NCT99000003,2020-01-01,\n"
    (data / "registrations.csv").write_text(header + planted, encoding="utf-8")
    assert search(data, "--source", "clinicaltrials") == 0
    row = next(r for r in rows(data / "registrations.csv") if r["registration_id"] == "NCT99000003")
    assert (row["status"], row["completion_date"], row["checked_on"]) == ("completed", "2021-09", TODAY)
    assert ("/ctgov/studies/NCT99000003", "format=json") in api.requests
    out = capsys.readouterr().out
    assert "possibly unpublished" in out and "NCT99000003" in out
    assert "NCT99000002" not in out.split("possibly unpublished")[1]  # recruiting: not flagged


@pytest.mark.integration
def test_an_invalid_date_or_timeout_is_refused_in_one_line(api, data, capsys, monkeypatch):
    assert search(data, "--since", "2026-13-01") == 1
    assert capsys.readouterr().err.strip() == "search --since 2026-13-01: expected a date as YYYY-MM-DD"
    monkeypatch.setenv("HELPERS_SEARCH_TIMEOUT", "soon")
    assert search(data) == 1
    assert "HELPERS_SEARCH_TIMEOUT='soon'" in capsys.readouterr().err
    assert api.requests == []


def test_the_pace_waits_only_when_a_request_would_come_too_soon():
    now, slept = [0.0], []
    pace = Pace(3.0, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    pace.wait()
    now[0] += 0.1
    pace.wait()  # 0.1 s after the first: waits the rest of a third of a second
    assert slept == [pytest.approx(1 / 3 - 0.1)]
    now[0] += 1.0
    pace.wait()  # long after: no wait (the negative control)
    assert len(slept) == 1


@pytest.mark.integration
def test_help_names_the_sources_and_the_environment(capsys):
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    text = capsys.readouterr().out
    for word in (
        "pubmed",
        "europepmc",
        "clinicaltrials",
        "HELPERS_PUBMED_URL",
        "HELPERS_EUROPEPMC_URL",
        "HELPERS_CTGOV_URL",
        "HELPERS_NCBI_EMAIL",
        "HELPERS_NCBI_API_KEY",
        "--export-ris",
        "--import-ris",
    ):
        assert word in text, word
