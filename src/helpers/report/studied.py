"""Sets of studies in words: how many trials in all, the other designs counted, the routes as a label."""

from __future__ import annotations

import pandas as pd

from ..data.schema import load_schema
from ..data.vocabulary import design_noun, designs
from .html import esc
from .numbers import count_word
from .text import plural
from .words import word


def trials_phrase(n: int) -> str:
    return "no verified randomized trial" if n == 0 else f"{plural(n, 'verified randomized trial')} in all"


def others_phrase(others: pd.DataFrame) -> str:
    """The studies beside the verified randomized trials, each counted under its own design (the schema's
    nouns), a randomized trial not yet verified named as such: 'one randomized trial not yet verified and
    one case series'."""
    parts = []
    order = list(load_schema().enum("design"))
    late = (others["verification"].astype(str) != "verified") & others["design"].astype(str).isin(designs("randomized"))
    rows = others.assign(_unverified=late.to_numpy())
    groups = rows.groupby([rows["design"].astype(str), "_unverified"], sort=False).size()
    for (design, unverified), n in sorted(groups.items(), key=lambda x: (order.index(x[0][0]), x[0][1])):
        noun = design_noun(design, int(n))
        parts.append(f"{count_word(int(n))} {noun}" + (" not yet verified" if unverified else ""))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


UNNAMED_ROUTES = ("mixed", "not_reported")  #: route codes that name no one route


def routes_label(codes: pd.Series) -> str:
    """' Routes: intranasal or intravenous; more than one route for 1 study.' ('' when no study names one)."""
    named = sorted({word("route", r) for r in codes if r not in UNNAMED_ROUTES})
    rest = [f"{word('route', c)} for {plural(int((codes == c).sum()), 'study', 'studies')}" for c in UNNAMED_ROUTES]
    rest = [r for r, c in zip(rest, UNNAMED_ROUTES) if (codes == c).any()]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1] if named else ""
    return f" {'Route' if len(named) == 1 else 'Routes'}: {esc('; '.join([listed, *rest]))}." if named else ""
