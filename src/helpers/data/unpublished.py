"""The one rule that flags a registered trial as possibly unpublished: completed, with no study of the table
linked to it and no results posted in the registry, two years or more after its completion. It feeds the
judgement of publication bias; the search command, the reports and the evidence overview all read it here."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from .rows import cell_text

#: how long after completion a trial's results are expected in print
UNPUBLISHED_AFTER_YEARS = 2


def registry_date(value) -> dt.date | None:
    """A registry date: '2021-09-30', or '2021-09' read as the month's last day, so that no trial is flagged
    before its two years are surely over; None when empty or not a date."""
    text = cell_text(value)
    try:
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:])
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def completed_on(row) -> dt.date | None:
    """The trial's completion: the study completion date, else the primary completion date."""
    return registry_date(row.get("completion_date")) or registry_date(row.get("primary_completion_date"))


def possibly_unpublished(row, as_of: dt.date | None = None) -> bool:
    """True for a completed trial without a linked study or posted results two years or more after its
    completion, counted to ``as_of`` (by default the day its record was read, ``checked_on``, so that the flag
    does not change with the day a report is built)."""
    if cell_text(row.get("status")) != "completed" or cell_text(row.get("linked_study_id")):
        return False
    if cell_text(row.get("has_results")) == "yes":
        return False
    done = completed_on(row)
    as_of = as_of or registry_date(row.get("checked_on"))
    if done is None or as_of is None:
        return False
    try:
        due = done.replace(year=done.year + UNPUBLISHED_AFTER_YEARS)
    except ValueError:  # 29 February
        due = done.replace(year=done.year + UNPUBLISHED_AFTER_YEARS, day=28)
    return as_of >= due


def unpublished_rows(registrations: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The rows of ``registrations`` possibly unpublished as of ``today``."""
    flags = [possibly_unpublished(r, today) for r in registrations.to_dict("records")]
    return registrations[pd.Series(flags, index=registrations.index, dtype=bool)]
