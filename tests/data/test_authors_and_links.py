"""Authors resolved or marked as not found, and the reader's first link built from a study's identifiers."""

from __future__ import annotations

import copy

from helpers.data.bibliography import AUTHOR_MARK, bibliography_problems, load_bibliography
from helpers.data.loader import load_studies
from helpers.paths import DATA


def test_every_reference_has_authors_or_says_they_were_not_found():
    studies, items = load_studies(), load_bibliography(DATA / "references.csl.json")
    assert not [p for p in bibliography_problems(studies, items) if p.rule == "authors_resolved"]
    marked = {it["id"] for it in items if it.get(AUTHOR_MARK) == "not_found"}
    assert marked == {"whiplash_challenge2005", "whiplash_remifentanil2007", "nicolodi1995"}
    # planted: the mark removed from one item, and a mark left on an item that has its authors
    planted = copy.deepcopy(items)
    for it in planted:
        if it["id"] == "nicolodi1995":
            it.pop(AUTHOR_MARK)
        if it["id"] == "kaube2000":
            it[AUTHOR_MARK] = "not_found"
    found = {p.value for p in bibliography_problems(studies, planted) if p.rule == "authors_resolved"}
    assert found == {"nicolodi1995", "kaube2000"}


def test_the_mark_is_the_curators_and_never_published():
    from helpers.site.citations import references

    items = load_bibliography(DATA / "references.csl.json")
    published = references(load_studies(), items=items)
    assert not [it["id"] for it in published if AUTHOR_MARK in it]


def test_a_readers_first_link_is_built_from_identifiers_and_a_copy_is_named_so():
    from helpers.data.links import first_link, is_secondary
    from helpers.site.citations import references

    assert is_secondary("https://books.allogy.com/v1/x") and is_secondary("https://www.readbyqxmd.com/read/1")
    assert not is_secondary("https://pubs.asahq.org/anesthesiology/article/113") and not is_secondary(None)
    assert first_link("10.1/x", "123") == "https://doi.org/10.1/x" and first_link(None, "123").endswith("/123/")
    items = load_bibliography(DATA / "references.csl.json")
    for it in references(load_studies(), items=items):
        url = it.get("URL")
        assert url is None or not is_secondary(url), it["id"]
        if it.get("DOI"):
            assert url == "https://doi.org/" + it["DOI"], it["id"]


def test_the_overview_shows_each_source_page_as_checked_against():
    from support.reports import shipped_report

    studies = load_studies()
    html = shipped_report("all").overview.studies_table().data
    firsts = studies[studies["source"] == "literature"].drop_duplicates(["study_id", "condition"])  # as its rows
    from helpers.data.links import is_secondary

    secondary = sum(is_secondary(u) for u in firsts["source_url"])
    assert html.count("checked against") == firsts["source_url"].notna().sum()
    assert html.count("a secondary copy (an aggregator") == secondary > 0
    assert '<a href="https://books.allogy' not in html  # provenance is words, never a link to a copy
