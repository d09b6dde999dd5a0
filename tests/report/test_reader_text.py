"""Reader text without internals: no command, file, column, parameter or code outside a page's colophon; every
page names its condition, and its colophon says how it was made, when the search was run, the evidence's
version and that it is not medical advice."""

from __future__ import annotations

import re

import pytest

from helpers.report.params import condition_label
from helpers.site.colophon import NOT_ADVICE
from support.consistency import segments

#: what a reader should never meet in the text: commands, file names, name=value pairs (a p value is not one),
#: snake_case codes and command-line options
INTERNAL = re.compile(
    r"python -m|\bhelpers\b|\bmake (?:test|report|notebooks|lab|install|unit|figures|validate)\b|\b[\w-]+\.(?:csv|ipynb|json|bib|ris|md|py)\b|\b(?!p=)[a-z_]+=\S"
    r"|\b[a-z]+_[a-z0-9_]+\b|(?<!\w)--[a-z]+"
)
COLOPHON = re.compile(r'<footer[^>]*class="colophon"[^>]*>.*?</footer>', re.S)


def internal_terms(page: str) -> list[str]:
    """The internal terms in a page's reader text (everything but its colophon)."""
    found = []
    for seg in segments(COLOPHON.sub(" ", page), keep_marks=True):
        found += [f"{m.group(0)!r} in: {seg[max(0, m.start() - 50) : m.end() + 30]}" for m in INTERNAL.finditer(seg)]
    return found


@pytest.fixture(scope="module")
def pages(shipped) -> dict[str, str]:
    return {str(p.relative_to(shipped)): p.read_text(encoding="utf-8") for p in sorted(shipped.rglob("*.html"))}


def test_no_internal_term_in_reader_text(pages):
    offenders = {name: internal_terms(text) for name, text in pages.items()}
    assert not {n: o for n, o in offenders.items() if o}


def test_a_planted_internal_term_is_found_and_the_colophon_may_hold_one():
    page = '<p>Every query is in <a href="x">the search log</a>.</p><footer class="colophon"><p>data/search_log.csv, python -m helpers build --condition all</p></footer>'
    assert internal_terms(page) == []
    for planted in (
        "every query is in search_log.csv",
        "run python -m helpers build",
        "condition=migraine",
        "the some_concerns judgement",
        "add --subgroup design",
    ):
        assert internal_terms(f"<p>{planted}</p>" + page), planted
    assert internal_terms("<p>discomfort at 30 min (p=0.008)</p>") == []


def test_every_page_names_its_condition_and_says_how_it_was_made(pages):
    from helpers.data.version import package_version

    version = package_version()
    for name, text in pages.items():
        if name == "index.html":
            continue
        condition = name.split("/")[0]
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
        assert condition_label(condition).capitalize() in title, (name, title)
        assert f'<p class="report-condition">{condition_label(condition).capitalize()}</p>' in text
        colophon = COLOPHON.search(text).group(0)
        assert NOT_ADVICE.split(":")[0] in colophon and "last run on 20" in colophon, name
        assert 'href="../data/search_log.csv"' in colophon
        assert f"Evidence version {version}" in colophon and 'href="../data/CHANGELOG.md"' in colophon, name
    index = COLOPHON.search(pages["index.html"]).group(0)
    assert "last run on 20" in index and f"Evidence version {version}" in index
