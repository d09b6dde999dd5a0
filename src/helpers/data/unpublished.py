"""Registered trials that may never have been published: completed over two years ago, with no study of the table
linked to them and no results posted in the registry. They feed the judgement of publication bias."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from .rows import cell_text

#: how long after completion a trial's results are expected in print (the two years the review rule uses)
YEARS = 2


def completed_on(value) -> dt.date | None:
    """A registry date ('2021-09-30', or '2021-09' read as the month's last day, so that no trial is flagged
    before its two years are surely over)."""
    text = cell_text(value)
    try:
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:])
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def possibly_unpublished(registrations: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The rows of ``registrations`` completed more than YEARS before ``today`` without a linked study or results."""
    limit = (
        today.replace(year=today.year - YEARS)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - YEARS, day=28)
    )
    done = registrations["status"].astype(str) == "completed"
    unlinked = registrations["linked_study_id"].map(cell_text) == ""
    no_results = registrations["has_results"].astype(str) != "yes"
    when = registrations["completion_date"].map(completed_on)
    old = when.map(lambda d: d is not None and d < limit)
    return registrations[done & unlinked & no_results & old.astype(bool)]
