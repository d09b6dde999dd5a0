"""What every page says about how current the evidence is: the date it was last searched (the search log's latest
date, read once per page by :func:`helpers.site.colophon.searched_on`), a notice once that date is older than the
protocol allows, how many records wait for a person to screen them, and the link to the Atom feed."""

from __future__ import annotations

import datetime as dt

from ..data.prisma import awaiting_screening
from ..data.protocol import stale_after_days
from ..report.html import esc
from ..report.text import plural
from .colophon import searched_on

#: the feed's file name beside index.html
FEED = "feed.atom"
FEED_TITLE = "Ketamine evidence: new versions and changed answers"


def feed_link(href: str = FEED) -> str:
    """The <link> in every page's head that lets a feed reader find the feed."""
    return f'<link rel="alternate" type="application/atom+xml" title="{esc(FEED_TITLE)}" href="{esc(href)}">'


def days_since(searched: str, today: dt.date) -> int:
    return (today - dt.date.fromisoformat(searched)).days


def out_of_date(searched: str | None, today: dt.date | None = None) -> bool:
    """Whether the last search (``searched``, YYYY-MM-DD) is older than the protocol allows, as of ``today``."""
    limit = stale_after_days()
    if not searched or limit is None:
        return False
    return days_since(searched, today or dt.datetime.now(dt.UTC).date()) > limit


def freshness_html(data_path, today: dt.date | None = None, searched: str | None = None) -> str:
    """'Evidence last searched on D.', and the out-of-date notice when D is more than the protocol's days ago;
    ``searched``: D when the caller read it already (a build reads it once for all its pages)."""
    searched = searched or searched_on(data_path)
    if not searched:
        return ""
    today = today or dt.datetime.now(dt.UTC).date()
    html = (
        f'<p class="search-date">Evidence last searched on <time datetime="{esc(searched)}">{esc(searched)}</time>.</p>'
    )
    limit = stale_after_days()
    age = days_since(searched, today)
    if out_of_date(searched, today):
        html += (
            '<p class="stale-notice" role="note"><strong>This search is out of date.</strong> The evidence was last '
            f"searched {esc(plural(age, 'day'))} ago, longer than the {esc(plural(limit, 'day'))} the review protocol "
            "allows, so studies published since may be missing.</p>"
        )
    return html


def queue_sentence(data_path) -> str:
    """How many records the searches found that nobody has screened yet ("" for a table without a screening
    record)."""
    from ..data.dataset import load_dataset

    try:
        screening = load_dataset(data_path).get("screening")
    except Exception:  # a table without companions, or one the build has already refused
        return ""
    if screening is None:
        return ""
    n = awaiting_screening(screening)
    if n == 0:
        return "No record found by the searches is waiting to be screened."
    return f"{plural(n, 'record')} found by the latest searches {'is' if n == 1 else 'are'} waiting to be screened by a person; until then none of them counts as evidence."
