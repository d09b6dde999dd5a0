"""Registered trials by what became of them, with the possibly-unpublished flag of
:mod:`helpers.data.unpublished`. Status and dates are the registry's, as stored in ``data/registrations.csv``."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data.rows import cell_text
from ..data.unpublished import possibly_unpublished

#: the groups the evidence overview shows, in order, by status
ONGOING = ("recruiting", "not_yet_recruiting", "active_not_recruiting", "enrolling_by_invitation", "suspended")
GROUPS = ("ongoing", "completed_unpublished", "completed_published", "stopped", "unknown")


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
