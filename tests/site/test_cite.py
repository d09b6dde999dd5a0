""" "Cite this page" on every page (contributors from CITATION.cff, title, version, date, address), and the
release that makes a published version: scripts/release.py bumps, dates, commits and tags."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess

import pytest

from helpers.data.version import package_version
from helpers.paths import ROOT
from helpers.site import cite

spec = importlib.util.spec_from_file_location("release", ROOT / "scripts" / "release.py")
release = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release)

CITE = re.compile(r'<section[^>]*class="report-cite"[^>]*><h2[^>]*>Cite this page</h2><p>(.*?)</p></section>', re.S)


def cite_text(page: str) -> str | None:
    """The citation of a page, when it is the last thing its body holds."""
    m = CITE.search(page)
    if m is None or page.find("<section", m.end()) >= 0 or "<footer" in page[m.end() :]:
        return None
    return m.group(1)


def test_every_shipped_page_ends_with_its_citation_at_the_version_that_built_it(shipped):
    version = package_version()
    pages = sorted(shipped.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        text = cite_text(page.read_text(encoding="utf-8"))
        assert text is not None, page
        assert "The ketamine evidence-table project contributors" in text and f"Version {version}" in text, text
        assert "reproducible evidence analysis" in text, text


def test_a_page_without_the_block_or_with_it_before_the_colophon_is_found():
    block = '<section class="report-cite"><h2 id="cite-h">Cite this page</h2><p>X. Version 1.0.0.</p></section>'
    assert cite_text(f"<p>text</p><footer>colophon</footer>{block}") == "X. Version 1.0.0."
    assert cite_text("<p>text</p><footer>colophon</footer>") is None
    assert cite_text(f"<p>text</p>{block}<footer>colophon</footer>") is None


def test_contributors_are_named_as_the_citation_file_names_them():
    cff = {"authors": [{"given-names": "Ada", "family-names": "Lovelace"}, {"name": "The project"}, "junk"]}
    assert cite.contributors(cff) == "Ada Lovelace and The project"
    assert cite.contributors({}) == ""


@pytest.fixture
def released(monkeypatch):
    """Version 1.0.0, released (without asking git, which is a process)."""
    from helpers.data.version import EvidenceVersion

    monkeypatch.setattr(cite, "evidence_version", lambda: EvidenceVersion("1.0.0", "2026-12-01", "abc", False))


def test_the_address_is_the_base_address_joined_with_the_page(released):
    cff = {"authors": [{"name": "Team"}], "title": "Work", "url": "https://example.org/ketamine/"}
    html = cite.cite_html("migraine/00_bottom_line.html", "Migraine: the bottom line", cff=cff)
    assert 'href="https://example.org/ketamine/migraine/00_bottom_line.html"' in html
    assert "Team. Migraine: the bottom line. Work. Version" in html
    without = cite.cite_html("index.html", "Evidence reports", cff={k: v for k, v in cff.items() if k != "url"})
    assert "href=" not in without and "address is not set" in without


def test_unreleased_data_are_said_to_be_unreleased(monkeypatch):
    from helpers.data.version import EvidenceVersion

    monkeypatch.setattr(cite, "evidence_version", lambda: EvidenceVersion("2.0.0", "2026-12-01", "abc", True))
    html = cite.cite_html("index.html", "Evidence reports", cff={"title": "Work"})
    assert "Version 2.0.0 with unreleased changes to its data (2026-12-01)" in html
    monkeypatch.setattr(cite, "evidence_version", lambda: EvidenceVersion("2.0.0", "2026-12-01", "abc", False))
    assert "unreleased" not in cite.cite_html("index.html", "Evidence reports", cff={"title": "Work"})


def test_a_table_of_ones_own_gets_no_citation_of_the_project(tmp_path, released):
    assert cite.cite_html("index.html", "Evidence reports", tmp_path / "mine.csv", cff={"title": "Work"}) == ""


# ------------------------------------------------------------------ make release
def copy_for_release(tmp_path, entry="## Unreleased\n\n- A study added.\n\n"):
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "datapackage.json", tmp_path / "data" / "datapackage.json")
    shutil.copy(ROOT / "CITATION.cff", tmp_path / "CITATION.cff")
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = text.index("\n## ") + 1
    (tmp_path / "CHANGELOG.md").write_text(text[:first] + entry + text[first:], encoding="utf-8")
    return tmp_path


def test_versions_are_bumped_by_part_or_set_to_a_newer_one():
    assert [release.bumped("1.2.3", p) for p in ("major", "minor", "patch", "1.4.0")] == [
        "2.0.0",
        "1.3.0",
        "1.2.4",
        "1.4.0",
    ]
    for bad in ("1.2.3", "1.0.0", "huge"):
        with pytest.raises(release.ReleaseError):
            release.bumped("1.2.3", bad)


def test_a_release_writes_the_version_everywhere_and_dates_the_changelog_entry(tmp_path):
    import yaml

    root = copy_for_release(tmp_path)
    old = package_version(root / "data" / "datapackage.json")
    new = release.write_release(root, "minor", "2027-01-02")
    assert new == release.bumped(old, "minor")
    assert json.loads((root / "data" / "datapackage.json").read_text())["version"] == new
    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    assert cff["version"] == new and str(cff["date-released"]) == "2027-01-02"
    changelog = (root / "CHANGELOG.md").read_text()
    assert f"## {new} - 2027-01-02\n\n- A study added." in changelog and "\n## Unreleased\n" not in changelog
    assert cite.release_date(new, root / "CHANGELOG.md") == "2027-01-02"


def test_a_release_without_a_changelog_entry_is_refused_and_writes_nothing(tmp_path):
    root = copy_for_release(tmp_path, entry="## Unreleased\n\n")
    before = (root / "data" / "datapackage.json").read_text()
    with pytest.raises(release.ReleaseError, match="no '## Unreleased' entry"):
        release.write_release(root, "patch", "2027-01-02")
    assert (root / "data" / "datapackage.json").read_text() == before


@pytest.mark.process
def test_make_release_commits_and_tags_and_the_check_then_passes(tmp_path):
    root = copy_for_release(tmp_path)

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "data")
    (root / "stray.txt").write_text("x")
    with pytest.raises(release.ReleaseError, match="stray.txt"):
        release.release(root, "patch", "2027-01-02")
    (root / "stray.txt").unlink()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        new = release.release(root, "patch", "2027-01-02")
    assert git("tag", "--list").split() == [f"v{new}"]
    assert git("status", "--porcelain") == ""
    assert git("show", f"v{new}:data/datapackage.json").count(f'"version": "{new}"') == 1
