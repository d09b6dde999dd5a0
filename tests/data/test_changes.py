"""What changed since a revision, by meaning: a study added, a number, a judgement and a verdict changed, each
found with its old and new value; a revision without a table says so; the evidence's version and its state."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from helpers.data.changes import RevisionError, data_changes
from helpers.data.version import evidence_version
from helpers.paths import ROOT
from helpers.site.changes import change_sections, changes_text

#: the version the shipped data package carries (data/datapackage.json)
SHIPPED = json.loads((ROOT / "data" / "datapackage.json").read_text())["version"]
_major, _minor, _ = map(int, SHIPPED.split("."))
#: the versions a planted release takes after the shipped one (a minor and a major bump of it)
NEXT_MINOR, NEXT_MAJOR = f"{_major}.{_minor + 1}.0", f"{_major + 1}.0.0"

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
        for total in ("n_randomized", "n_analysed"):  # the totals agree with the arms (validation's sizes_agree)
            benish[total] = str(int(benish[total]) + 5) if benish.get(total) else ""
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


def test_a_revision_with_a_broken_schema_is_not_compared(repo):
    """Probe case 70: a revision whose schema.json is damaged gave a JSONDecodeError traceback."""
    good = (repo / "data" / "schema.json").read_bytes()
    (repo / "data" / "schema.json").write_text('{"fields": [', encoding="utf-8")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "broken schema")
    (repo / "data" / "schema.json").write_bytes(good)
    text = changes_text("HEAD", change_sections(data_changes("HEAD", root=repo)))
    assert "Not compared: at HEAD: its schema there cannot be read (schema.json: JSONDecodeError" in text, text
    assert text.count("Not compared") == 1  # the other tables, intact, are compared


def test_an_unknown_revision_is_one_clear_message(repo):
    with pytest.raises(RevisionError, match="no such revision"):
        data_changes("no-such-tag", root=repo)


def test_the_version_says_when_the_data_changed_since_it_was_released(repo):
    evidence_version.cache_clear()
    v = evidence_version(repo)
    assert v.version == SHIPPED and v.unreleased is False and v.data_date
    edit(repo / "data" / "claims.csv", lambda rows: rows[0].update(reasoning=rows[0]["reasoning"] + " Reworded."))
    evidence_version.cache_clear()
    assert evidence_version(repo).unreleased is True
    evidence_version.cache_clear()


def test_a_new_version_shows_what_changed_since_the_previous_one_with_the_short_answers(repo):
    import json

    from helpers.site.changes import version_changes_html

    package = repo / "data" / "datapackage.json"
    descriptor = json.loads(package.read_text())
    package.write_text(json.dumps({**descriptor, "version": NEXT_MINOR}, indent=2))
    log = repo / "CHANGELOG.md"
    log.write_text(
        log.read_text().replace(
            f"## {SHIPPED}", f"## {NEXT_MINOR} - 2026-12-03\n\n- A changed verdict.\n\n## {SHIPPED}", 1
        )
    )
    edit(
        repo / "data" / "claims.csv",
        lambda rows: rows[0].update(
            verdict="contradicted" if rows[0]["verdict"] != "contradicted" else "not_supported"
        ),
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", NEXT_MINOR)
    evidence_version.cache_clear()
    v = evidence_version(repo)
    assert (v.version, v.previous, v.unreleased) == (NEXT_MINOR, SHIPPED, False)
    html = version_changes_html(repo / "data" / "studies.csv", root=repo)
    evidence_version.cache_clear()
    assert f"What changed since version {SHIPPED}" in html and "Verdicts on the source article" in html
    assert "Short answers" in html and "as it was" in html  # a verdict changes no condition's short answer


def test_a_changed_harms_line_across_the_conditions_is_a_changed_short_answer(repo):
    """The index's harms line over all conditions is compared like each condition's short answer."""
    import json

    from helpers.site.changes import HARMS_LABEL, version_changes_html

    package = repo / "data" / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": NEXT_MINOR}, indent=2))
    log = repo / "CHANGELOG.md"
    log.write_text(
        log.read_text().replace(f"## {SHIPPED}", f"## {NEXT_MINOR} - 2026-12-03\n\n- Reworded.\n\n## {SHIPPED}", 1)
    )
    edit(
        repo / "data" / "answers.csv",
        lambda rows: next(r for r in rows if r["question_id"] == "all_harms").update(
            answer="Harms ({certainty} certainty): side effects may be more common with ketamine."
        ),
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", NEXT_MINOR)
    evidence_version.cache_clear()
    html = version_changes_html(repo / "data" / "studies.csv", root=repo)
    evidence_version.cache_clear()
    assert f"{HARMS_LABEL.capitalize()}, now: Harms (low certainty): side effects may be more common" in html, html


def test_the_index_takes_todays_answers_from_the_build_only_for_the_shipped_study_table(repo):
    """The build computes today's short answers once and hands them to "What changed"; a table of another name
    in data/ (negative control) has answers of its own, so the section computes the shipped table's itself."""
    import json

    from helpers.site.changes import version_changes_html

    package = repo / "data" / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": NEXT_MINOR}, indent=2))
    log = repo / "CHANGELOG.md"
    log.write_text(
        log.read_text().replace(f"## {SHIPPED}", f"## {NEXT_MINOR} - 2026-12-03\n\n- New.\n\n## {SHIPPED}", 1)
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", NEXT_MINOR)
    evidence_version.cache_clear()
    planted = [("migraine", "A planted answer.", "low")]
    given = version_changes_html(repo / "data" / "studies.csv", root=repo, answers=planted)
    other = version_changes_html(repo / "data" / "other.csv", root=repo, answers=planted)
    evidence_version.cache_clear()
    assert "Migraine, now: A planted answer." in given
    assert "A planted answer." not in other and "as it was" in other


def test_the_tag_of_a_version_marks_its_release(repo):
    edit(repo / "data" / "claims.csv", lambda rows: rows[0].update(reasoning=rows[0]["reasoning"] + " Reworded."))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "reworded")
    evidence_version.cache_clear()
    assert evidence_version(repo).unreleased is True  # the first commit with 1.0.0 released it
    git(repo, "tag", f"v{SHIPPED}")
    evidence_version.cache_clear()
    assert evidence_version(repo).unreleased is False  # the tag says this commit did
    evidence_version.cache_clear()


def test_a_copy_without_git_names_its_version_and_says_it_cannot_tell_more(tmp_path, monkeypatch):
    from helpers.site import colophon

    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path)
    evidence_version.cache_clear()
    v = evidence_version(tmp_path)
    assert (v.version, v.data_date, v.unreleased) == (SHIPPED, None, None)
    monkeypatch.setattr(colophon, "evidence_version", lambda: v)
    words = colophon.version_words(ROOT / "data" / "studies.csv")
    assert f"Evidence version {SHIPPED}" in words and "no history to tell" in words
    evidence_version.cache_clear()


def test_two_commits_a_new_study_in_every_file_and_a_changed_certainty_are_listed_and_shown(repo):
    """As the issue asks: one commit adds a study with its rows in every file, one changes a certainty; the
    changes command lists both, and once a version is released the index shows them."""
    import json
    import os

    from helpers.site.changes import version_changes_html
    from support.commands import run_helpers

    data = repo / "data"
    new = "newtrial2026"

    def add(name, pick, change):
        def edit_rows(rows):
            rows.extend({**r, **change(r)} for r in [r for r in rows if pick(r)])

        edit(data / name, edit_rows)

    add(
        "studies.csv",
        lambda r: r["study_id"] == "benish2019",
        lambda r: {
            "study_id": new,
            "citation": "Newman A, et al. Headache. 2026;66(1):1-9",
            "year": "2026",
            "doi": "10.9999/newtrial.2026",
            "pmid": "",
        },
    )
    add(
        "search_log.csv",
        lambda r: r["search_id"] == "S131",
        lambda r: {"search_id": "S9001", "hits": "1", "records": "1", "target": "", "result": "one new trial"},
    )
    add(
        "screening.csv",
        lambda r: r["record_id"] == "BRIEF:benish2019",
        lambda r: {
            "record_id": "R9001",
            "search_id": "S9001",
            "identifier": "10.9999/newtrial.2026",
            "title": "A new trial",
            "first_author": "Newman",
            "year": "2026",
            "study_id": new,
        },
    )
    add("risk_of_bias.csv", lambda r: r["study_id"] == "benish2019", lambda r: {"study_id": new})
    edit(
        data / "certainty.csv",
        lambda rows: next(r for r in rows if r["study_ids"] == "benish2019").update(study_ids=f"benish2019|{new}"),
    )
    items = json.loads((data / "references.csl.json").read_text())
    items.append(
        {
            "id": new,
            "type": "article-journal",
            "title": "A new trial of ketamine for headache",
            "DOI": "10.9999/newtrial.2026",
            "issued": {"date-parts": [[2026]]},
        }
    )
    (data / "references.csl.json").write_text(json.dumps(items))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "a new study")

    def raise_it(rows):  # two domains up a level, and the certainty with them (GRADE's arithmetic, as the schema's)
        row = next(r for r in rows if r["study_ids"] == f"benish2019|{new}")
        assert (row["risk_of_bias"], row["imprecision"], row["certainty"]) == ("-1", "-2", "very_low")
        row.update(risk_of_bias="0", imprecision="-1", certainty="moderate")

    edit(data / "certainty.csv", raise_it)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "a certainty changed")

    env = dict(os.environ, HELPERS_ROOT=str(repo))
    out = run_helpers("changes", "--since", "v1", env=env)
    assert out.returncode == 0, out.stderr
    assert "Studies added (1)" in out.stdout and "Newman A, et al." in out.stdout, out.stdout
    assert "GRADE certainty judgements" in out.stdout, out.stdout
    assert "Certainty of the evidence very low \u2192 moderate" in out.stdout, out.stdout

    package = data / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": NEXT_MAJOR}, indent=2))
    log = repo / "CHANGELOG.md"
    log.write_text(
        log.read_text().replace(f"## {SHIPPED}", f"## {NEXT_MAJOR} - 2026-12-03\n\n- A new trial.\n\n## {SHIPPED}", 1)
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", NEXT_MAJOR)
    git(repo, "tag", f"v{NEXT_MAJOR}")
    evidence_version.cache_clear()
    html = version_changes_html(data / "studies.csv", root=repo)
    evidence_version.cache_clear()
    assert f"What changed since version {SHIPPED}" in html and "Newman A, et al." in html
    assert "Certainty of the evidence very low \u2192 moderate" in html


@pytest.mark.kernel
def test_a_build_from_a_copy_without_git_names_its_version(tmp_path):
    """A copy of the repository without its history (an archive, a download) builds, and its pages name the
    evidence's version and say that nothing tells whether its data changed since."""
    import io
    import os
    import tarfile

    from support.commands import run_helpers

    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], capture_output=True, check=True
    )
    copy = tmp_path / "copy"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(copy, filter="data")
    one = tmp_path / "nb"
    one.mkdir()
    shutil.copy(copy / "notebooks" / "03_followup.ipynb", one)
    out = tmp_path / "out"
    env = dict(os.environ, HELPERS_ROOT=str(copy))
    res = run_helpers("build", "--condition", "migraine", "--notebooks", one, "--out", out, "--jobs", "1", env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    page = (out / "migraine" / "03_followup.html").read_text()
    assert f"Evidence version {SHIPPED}" in page and "no history to tell" in page
