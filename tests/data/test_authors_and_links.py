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
