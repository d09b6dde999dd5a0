"""Registered trials by what became of them, and the one rule that flags a trial as possibly unpublished.

A completed trial whose study table has no linked publication two years or more after its completion is
possibly unpublished (the two years counted to the day its record was read, ``checked_on``, so that the
flag does not change with the day a report is built). Its status and dates are the registry's, as stored
in ``data/registrations.csv``. The reports and the publication-bias reasoning read the flag from here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data.rows import cell_text

#: how long after completion a trial without a publication counts as possibly unpublished
UNPUBLISHED_AFTER_YEARS = 2

#: the groups the evidence overview shows, in order, by status
ONGOING = ("recruiting", "not_yet_recruiting", "active_not_recruiting", "enrolling_by_invitation", "suspended")
GROUPS = ("ongoing", "completed_unpublished", "completed_published", "stopped", "unknown")


def registry_date(text) -> dt.date | None:
    """'2020-01-01' or '2020-01' (the month's first day, the registry giving only the month) as a date."""
    text = cell_text(text)
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    return dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def completed_on(row) -> dt.date | None:
    """The trial's completion: the study completion date, else the primary completion date."""
    return registry_date(row.get("completion_date")) or registry_date(row.get("primary_completion_date"))


def possibly_unpublished(row, as_of: dt.date | None = None) -> bool:
    """True for a completed trial without a linked publication two years or more after its completion (to
    ``as_of``, by default the day its record was read)."""
    if cell_text(row.get("status")) != "completed" or cell_text(row.get("linked_study_id")):
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


def group(row) -> str:
    """Which group of the overview's table a registration belongs to."""
    status = cell_text(row.get("status"))
    if status in ONGOING:
        return "ongoing"
    if status == "completed":
        return "completed_published" if cell_text(row.get("linked_study_id")) else "completed_unpublished"
    if status in ("terminated", "withdrawn"):
        return "stopped"
    return "unknown"


def registrations_view(registrations: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """The registrations with their group and the possibly-unpublished flag, ordered by group."""
    if registrations.empty:
        return registrations.assign(group=pd.Series(dtype=str), possibly_unpublished=pd.Series(dtype=bool))
    rows = [r for _, r in registrations.iterrows()]
    out = registrations.assign(
        group=[group(r) for r in rows],
        possibly_unpublished=[possibly_unpublished(r, as_of) for r in rows],
    )
    order = {g: i for i, g in enumerate(GROUPS)}
    return out.sort_values(by=["group", "registration_id"], key=lambda s: s.map(order) if s.name == "group" else s)
