"""The Atom feed beside index.html: one entry per released version of the evidence (its changelog entry), and one
per condition whose short answer changed since the previous version (the answer then and now, as the index's
"What changed" computes them). Written with feedgenerator (Pelican's maintained copy of Django's feed writer)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import feedgenerator

from ..data.version import CHANGELOG, ENTRY, evidence_version
from ..files import write_atomic
from .freshness import FEED, FEED_TITLE

#: the tag URI authority of every entry's id (RFC 4151): stable across hosts and copies
TAG = "tag:ketamine-evidence.invalid,2026"


def changelog_entries(path: Path = CHANGELOG) -> list[tuple[str, str | None, str]]:
    """(version, date, text) of each changelog entry, newest first; the text as plain lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    heads = list(ENTRY.finditer(text))
    out = []
    for i, m in enumerate(heads):
        body = text[m.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        out.append((m[1], m[2], re.sub(r"[*`]", "", body).strip()))
    return out


def _when(date: str | None) -> dt.datetime:
    day = dt.date.fromisoformat(date) if date else dt.date(2026, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def feed_xml(changes=None, base: str = "", changelog: Path = CHANGELOG, data_date: str | None = None) -> str:
    """The feed's text; ``changes``: :func:`helpers.site.changes.version_changes` of this build. Its links are
    relative to the feed (beside index.html) unless ``base`` gives the site's address: where the reports are
    published is not known to the build. A changed answer is dated by ``data_date`` (default: the date git gives
    for the data's last change)."""
    site = base.rstrip("/") + "/" if base else ""
    feed = feedgenerator.Atom1Feed(
        title=FEED_TITLE,
        link=site or "index.html",
        description="Each released version of the evidence, and each condition's short answer when it changes.",
        language="en",
        feed_url=site + FEED,
        feed_guid=f"{TAG}:feed",
    )
    entries = changelog_entries(changelog)
    for version, date, text in entries:
        feed.add_item(
            title=f"Evidence version {version}",
            link=site + "data/CHANGELOG.md",
            description=text,
            unique_id=f"{TAG}:version:{version}",
            pubdate=_when(date),
            updateddate=_when(date),
        )
    if changes and changes[2]:
        previous, _, answers = changes
        when = _when(data_date or evidence_version().data_date)
        for label, before, after in answers:
            if before == after:
                continue
            feed.add_item(
                title=f"{label.capitalize()}: the short answer changed since version {previous}",
                link=site + "index.html",
                description=f"Before: {before} Now: {after}",
                unique_id=f"{TAG}:answer:{label}:{when:%Y-%m-%d}",
                pubdate=when,
                updateddate=when,
            )
    return feed.writeString("utf-8")


def write_feed(path: Path, changes=None) -> Path:
    write_atomic(path, feed_xml(changes))
    return path
