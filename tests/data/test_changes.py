"""What changed since a revision, by meaning: a study added, a number, a judgement and a verdict changed, each
found with its old and new value; a revision without a table says so; the evidence's version and its state."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from helpers.data.changes import RevisionError, data_changes
from helpers.data.version import evidence_version
from helpers.paths import ROOT
from helpers.report.changes import change_sections, changes_text

pytestmark = pytest.mark.process  # git runs as a process of its own


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def edit(path, change):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    change(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def repo(tmp_path):
    """A repository holding a copy of the data at one commit (tagged v1), with its version and changelog."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "v1")
    git(tmp_path, "tag", "v1")
    return tmp_path


def test_a_study_a_number_a_judgement_and_a_verdict_changed_are_each_found(repo):
    data = repo / "data"

    def studies(rows):
        benish = next(r for r in rows if r["study_id"] == "benish2019" and r["n_ketamine"])
        benish["n_ketamine"] = str(int(benish["n_ketamine"]) + 5)
        rows.append({**benish, "study_id": "newtrial2026", "citation": "Newman A, et al. Headache. 2026;1:1-2"})

    edit(data / "studies.csv", studies)
    edit(
        data / "risk_of_bias.csv",
        lambda rows: rows[-1].update(judgement="high" if rows[-1]["judgement"] != "high" else "low"),
    )
    edit(
        data / "claims.csv",
        lambda rows: rows[0].update(
            verdict="contradicted" if rows[0]["verdict"] != "contradicted" else "not_supported"
        ),
    )
    ch = data_changes("v1", root=repo)
    assert [s for s, _ in ch.studies_added] == ["newtrial2026"] and not ch.studies_removed
    numbers = [(k[0], col, old, new) for k, col, old, new in ch.tables["studies"].changed]
    assert any(s == "benish2019" and col == "n_ketamine" and new == old + 5 for s, col, old, new in numbers), numbers
    assert [col for _, col, _, _ in ch.tables["risk_of_bias"].changed] == ["judgement"]
    assert [col for _, col, _, _ in ch.tables["claims"].changed] == ["verdict"]
    text = changes_text("v1", change_sections(ch))
    assert "Studies added (1)" in text and "Newman A, et al." in text and "Benish 2019" in text
    assert "_" not in text.split("Studies added")[1].split("\n")[1]  # the citation, not a code


def test_unchanged_data_say_so_and_a_missing_table_is_not_compared(repo):
    assert changes_text("v1", change_sections(data_changes("v1", root=repo))) == "The data have not changed since v1."
    git(repo, "rm", "-q", "data/claims.csv")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "no claims")
    shutil.copy(ROOT / "data" / "claims.csv", repo / "data" / "claims.csv")
    ch = data_changes("HEAD", root=repo)
    assert "not there" in ch.tables["claims"].not_compared


def test_an_unknown_revision_is_one_clear_message(repo):
    with pytest.raises(RevisionError, match="no such revision"):
        data_changes("no-such-tag", root=repo)


def test_the_version_says_when_the_data_changed_since_it_was_released(repo):
    evidence_version.cache_clear()
    v = evidence_version(repo)
    assert v.version == "1.0.0" and v.unreleased is False and v.data_date
    edit(repo / "data" / "claims.csv", lambda rows: rows[0].update(reasoning=rows[0]["reasoning"] + " Reworded."))
    evidence_version.cache_clear()
    assert evidence_version(repo).unreleased is True
    evidence_version.cache_clear()


def test_a_new_version_shows_what_changed_since_the_previous_one_with_the_short_answers(repo):
    import json

    from helpers.report.changes import version_changes_html

    package = repo / "data" / "datapackage.json"
    descriptor = json.loads(package.read_text())
    package.write_text(json.dumps({**descriptor, "version": "1.1.0"}, indent=2))
    log = repo / "CHANGELOG.md"
    log.write_text(log.read_text().replace("## 1.0.0", "## 1.1.0 - 2026-12-03\n\n- A changed verdict.\n\n## 1.0.0", 1))
    edit(
        repo / "data" / "claims.csv",
        lambda rows: rows[0].update(
            verdict="contradicted" if rows[0]["verdict"] != "contradicted" else "not_supported"
        ),
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "1.1.0")
    evidence_version.cache_clear()
    v = evidence_version(repo)
    assert (v.version, v.previous, v.unreleased) == ("1.1.0", "1.0.0", False)
    html = version_changes_html(repo / "data" / "studies.csv", root=repo)
    evidence_version.cache_clear()
    assert "What changed since version 1.0.0" in html and "Verdicts on the source article" in html
    assert "Short answers" in html and "as it was" in html  # a verdict changes no condition's short answer


def test_the_tag_of_a_version_marks_its_release(repo):
    edit(repo / "data" / "claims.csv", lambda rows: rows[0].update(reasoning=rows[0]["reasoning"] + " Reworded."))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "reworded")
    evidence_version.cache_clear()
    assert evidence_version(repo).unreleased is True  # the first commit with 1.0.0 released it
    git(repo, "tag", "v1.0.0")
    evidence_version.cache_clear()
    assert evidence_version(repo).unreleased is False  # the tag says this commit did
    evidence_version.cache_clear()
