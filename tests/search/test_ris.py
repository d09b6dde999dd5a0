"""The screening queue as RIS and back: decisions from a keyword or a note line are applied, an unknown or already
decided record, two decisions or a reason off the list stop the import in one line with nothing written."""

from __future__ import annotations

import csv
import io

import pytest
import rispy

from helpers.cli import main

LOG = 'S9999,pubmed,scheduled_update,"(ketamine) AND (""2026/01/01""[edat] : ""2026/12/01""[edat])",2026-12-01,2,2,,strategy pubmed_headache,complete\n'
QUEUE = (
    "R9998,S9999,10.9999/test.2026.001,Synthetic test record: a made-up ketamine trial,Testauthor,2026,awaiting_screening,not_yet_screened,,,search_result,Found by PubMed; PMID 99000001; DOI 10.9999/test.2026.001.\n"
    "R9999,S9999,99000002,Synthetic test record: another made-up ketamine report,Other,2026,awaiting_screening,not_yet_screened,,,search_result,Found by PubMed; PMID 99000002.\n"
)


@pytest.fixture
def queued(data):
    with open(data / "search_log.csv", "a", encoding="utf-8") as f:
        f.write(LOG)
    with open(data / "screening.csv", "a", encoding="utf-8") as f:
        f.write(QUEUE)
    return data


def run(data, *args) -> int:
    return main(["search", "--data", str(data / "studies.csv"), *args])


def screening(data) -> dict[str, dict]:
    return {
        r["record_id"]: r for r in csv.DictReader(io.StringIO((data / "screening.csv").read_text(encoding="utf-8")))
    }


def exported(data, tmp_path) -> list[dict]:
    assert run(data, "--export-ris", str(tmp_path / "queue.ris")) == 0
    return rispy.loads((tmp_path / "queue.ris").read_text(encoding="utf-8"))


@pytest.mark.integration
def test_the_queue_goes_out_as_ris_and_comes_back_with_decisions(queued, tmp_path, capsys):
    entries = exported(queued, tmp_path)
    assert [(e["id"], e["title"], e.get("doi")) for e in entries] == [
        ("R9998", "Synthetic test record: a made-up ketamine trial", "10.9999/test.2026.001"),
        ("R9999", "Synthetic test record: another made-up ketamine report", None),
    ]
    entries[0]["keywords"] = ["include"]
    entries[1]["notes"] = [*entries[1]["notes"], "exclude wrong_design"]
    (tmp_path / "decided.ris").write_text(rispy.dumps(entries), encoding="utf-8")
    assert run(queued, "--import-ris", str(tmp_path / "decided.ris")) == 0
    assert "1 passed to the full text, 1 excluded, 0 left awaiting screening" in capsys.readouterr().out
    rows = screening(queued)
    assert (rows["R9998"]["decision"], rows["R9998"]["reason"]) == ("awaiting_classification", "full_text_not_reached")
    assert (rows["R9999"]["decision"], rows["R9999"]["reason"]) == ("excluded_title_abstract", "wrong_design")
    assert run(queued, "--export-ris", str(tmp_path / "empty.ris")) == 0  # the queue is empty now
    assert (tmp_path / "empty.ris").read_text(encoding="utf-8").strip() == ""


@pytest.mark.integration
def test_a_record_without_a_decision_stays_in_the_queue(queued, tmp_path, capsys):
    entries = exported(queued, tmp_path)
    (tmp_path / "none.ris").write_text(rispy.dumps(entries), encoding="utf-8")
    assert run(queued, "--import-ris", str(tmp_path / "none.ris")) == 0
    assert "0 passed to the full text, 0 excluded, 2 left awaiting screening" in capsys.readouterr().out
    assert {r["decision"] for k, r in screening(queued).items() if k in ("R9998", "R9999")} == {"awaiting_screening"}


@pytest.mark.integration
@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda e: e[0].update(id="R0000"), "record 1 (ID R0000): expected the ID of a record of"),
        (
            lambda e: e[0].update(id="R0001"),
            "expected a record awaiting screening, found one already decided (duplicate)",
        ),
        (lambda e: e[0].update(keywords=["exclude because"]), "value 'because': expected 'exclude' and one of"),
        (lambda e: e[0].update(keywords=["include", "exclude wrong_design"]), "expected one decision, found 2"),
    ],
    ids=["unknown id", "already decided", "reason off the list", "two decisions"],
)
def test_an_import_that_cannot_be_applied_is_refused_in_one_line(snapshot, queued, tmp_path, capsys, change, said):
    entries = exported(queued, tmp_path)
    entries[1]["keywords"] = ["exclude wrong_design"]  # a good decision in the same file is not applied either
    change(entries)
    (tmp_path / "bad.ris").write_text(rispy.dumps(entries), encoding="utf-8")
    before = snapshot(queued)
    capsys.readouterr()
    assert run(queued, "--import-ris", str(tmp_path / "bad.ris")) == 1
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1, err
    assert snapshot(queued) == before
