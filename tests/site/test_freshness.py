"""Readers are told how current the evidence is: every page gives the date of the last search and, past the
protocol's number of days, a visible out-of-date notice; the index counts the records awaiting screening; the
Atom feed of releases and changed answers validates with feedparser and every page links it."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import feedparser
import nbformat
import pytest

from helpers.data.loader import load_studies
from helpers.data.protocol import stale_after_days
from helpers.errors import TableError
from helpers.paths import ROOT
from helpers.render.export import render_html
from helpers.render.jobs import Job, notebooks
from helpers.report.params import ReportParams
from helpers.site.colophon import searched_on
from helpers.site.feed import feed_xml
from helpers.site.freshness import freshness_html, queue_sentence
from helpers.site.index import write_index

LINK = re.compile(r"<link\b[^>]*>")


def feed_href(html: str) -> str | None:
    """The href of the head's <link rel="alternate" type="application/atom+xml"> (attributes in any order)."""
    head = html.split("</head>")[0]
    for tag in LINK.findall(head):
        if 'rel="alternate"' in tag and 'type="application/atom+xml"' in tag:
            return re.search(r'href="([^"]+)"', tag)[1]
    return None


@pytest.fixture
def old_search(tmp_path):
    """A copy of the data set whose searches were all run on 2020-01-15 (and whose queue holds one record)."""
    for name in ("studies", "search_log", "screening"):
        shutil.copy(ROOT / "data" / f"{name}.csv", tmp_path / f"{name}.csv")
    log = tmp_path / "search_log.csv"
    log.write_text(re.sub(r",20\d\d-\d\d-\d\d,", ",2020-01-15,", log.read_text(encoding="utf-8")), encoding="utf-8")
    with open(log, "a", encoding="utf-8") as f:
        f.write(
            'S9999,pubmed,scheduled_update,"(ketamine) AND (""2020/01/01""[edat] : ""2020/01/15""[edat])",2020-01-15,1,1,,strategy pubmed_headache,complete\n'
        )
    with open(tmp_path / "screening.csv", "a", encoding="utf-8") as f:
        f.write(
            "R9999,S9999,99000001,Synthetic test record: a made-up ketamine trial,Test,2020,awaiting_screening,not_yet_screened,,,search_result,Found by PubMed.\n"
        )
    return tmp_path / "studies.csv"


def test_a_planted_old_search_date_shows_the_out_of_date_notice(old_search):
    assert searched_on(old_search) == "2020-01-15"
    stale = freshness_html(old_search, today=dt.date(2026, 12, 7))
    assert 'datetime="2020-01-15"' in stale and 'class="stale-notice"' in stale
    assert f"longer than the {stale_after_days()} days the review protocol allows" in stale
    # the negative control: the same data, read within the protocol's days
    fresh = freshness_html(old_search, today=dt.date(2020, 1, 15) + dt.timedelta(days=stale_after_days()))
    assert "2020-01-15" in fresh and "stale-notice" not in fresh


def test_the_protocol_sets_the_days_on_one_marked_line(tmp_path):
    assert stale_after_days() == 45
    good = tmp_path / "good.md"
    good.write_text("# Protocol\n\nSearch out of date after: 30 days\n", encoding="utf-8")
    assert stale_after_days(good) == 30
    bad = tmp_path / "bad.md"
    bad.write_text("# Protocol\n\nSearch out of date after: a month\n", encoding="utf-8")
    with pytest.raises(TableError) as exc:
        stale_after_days(bad)
    assert "bad.md, line 3" in str(exc.value) and "N days" in str(exc.value)
    none = tmp_path / "none.md"
    none.write_text("# Protocol\n", encoding="utf-8")
    assert stale_after_days(none) is None


def test_a_report_page_shows_the_date_the_notice_and_the_feed_link(old_search):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# The bottom line\n\nText.")])
    job = Job(str(notebooks()[0]), ReportParams("migraine", "all", str(old_search)))
    html = render_html(nb, job, searched_on(str(old_search)))
    assert feed_href(html) == "../feed.atom"
    body = html.split("<body", 1)[1]
    assert body.index('class="search-date"') < body.index("Text.")  # at the top, before the report
    assert ('class="stale-notice"' in body) == (
        dt.datetime.now(dt.UTC).date() > dt.date(2020, 1, 15) + dt.timedelta(days=stale_after_days())
    )


def test_the_index_counts_the_queue_and_links_the_feed(old_search, tmp_path):
    job = Job(str(notebooks()[0]), ReportParams("migraine", "all", str(old_search)))
    write_index(tmp_path / "index.html", [job], load_studies(old_search), {})
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert feed_href(html) == "feed.atom"
    assert "1 record found by the latest searches is waiting to be screened" in html
    # the negative control: the shipped data, whose queue is empty
    assert queue_sentence(ROOT / "data" / "studies.csv") == "No record found by the searches is waiting to be screened."


def test_the_feed_validates_and_holds_releases_and_changed_answers(tmp_path):
    changes = (
        "1.0.0",
        [],
        [("migraine", "May reduce pain.", "Probably reduces pain."), ("neck pain", "Same.", "Same.")],
    )
    parsed = feedparser.parse(feed_xml(changes, data_date="2026-12-07"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert "Evidence version 1.0.1" in titles and "Evidence version 1.0.0" in titles
    assert "Migraine: the short answer changed since version 1.0.0" in titles
    assert not any(t.startswith("Neck pain") for t in titles)  # an answer that did not change has no entry
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    # the negative control: feedparser does flag a broken feed
    assert feedparser.parse(feed_xml(changes, data_date="2026-12-07").replace("</feed>", "")).bozo


def test_the_last_search_date_counts_searches_for_studies_not_look_ups():
    """A look-up of a known record (follow-up, identifier, full text) does not make the evidence more current."""
    import pandas as pd

    from helpers.report.bottom_line import last_search

    def ds(*rows):
        return type("DS", (dict,), {"get": dict.get})(search_log=pd.DataFrame(rows, columns=["purpose", "date"]))

    topic, lookup = ("topic", "2026-11-01"), ("follow_up", "2026-12-07")
    assert last_search(ds(topic, lookup)) == "2026-11-01"
    assert last_search(ds(topic, ("registry", "2026-12-07"))) == "2026-12-07"  # control: a search for trials counts
    assert last_search(ds(lookup)) is None
