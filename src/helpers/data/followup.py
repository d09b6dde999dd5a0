"""Follow-up as the source gives it: a time or a range (followup_min to followup_max) in a unit, counted from a
starting point (followup_from). followup_days, which selects rows and time windows, is computed here once from
those values; the words for them are the report layer's (:func:`helpers.report.numbers.followup_words`).

A range counts at its end (the latest time the source reports). A time counted from admission or discharge
is not a time since ketamine, so it gives no followup_days: it is described, never placed in a window.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .vocabulary import designs, extension

COLUMNS = ("followup_min", "followup_max", "followup_unit", "followup_from")


@lru_cache(maxsize=1)
def unit_days() -> dict[str, float]:
    return dict(extension("followup_unit")["days"])


@lru_cache(maxsize=1)
def from_ketamine() -> frozenset[str]:
    return frozenset(extension("followup_from")["fromKetamine"])


def has_structured(d: pd.DataFrame) -> bool:
    return all(c in d.columns for c in COLUMNS)


def followup_days(d: pd.DataFrame) -> pd.Series:
    """followup_days of every row: from followup_max and followup_unit where given (and counted from a point in
    the treatment, or from an unstated point), the row's own followup_days otherwise."""
    given = d["followup_days"].astype("float64") if "followup_days" in d else pd.Series(np.nan, index=d.index)
    if not has_structured(d):
        return given
    factor = d["followup_unit"].astype("string").map(unit_days()).astype("float64")
    start = d["followup_from"].astype("string")
    counts = (start.isna() | start.isin(list(from_ketamine()))).fillna(False).to_numpy()
    computed = d["followup_max"].astype("float64") * factor
    return given.where(d["followup_max"].isna(), computed.where(counts))


# ---------------------------------------------------------------- rules (study table), {column: mask}
def followup_range(d):
    if not has_structured(d):
        return {}
    lo, hi, unit, start = d["followup_min"], d["followup_max"], d["followup_unit"], d["followup_from"]
    both = lo.notna() == hi.notna()
    return {
        "followup_min": both & (lo.isna() | hi.isna() | (lo <= hi)),
        # 30 minutes, not 0.0208 days: a time under one of its unit is given in the smaller unit the source uses
        "followup_max": both & (hi.isna() | (hi == 0) | (hi >= 1)),
        "followup_unit": hi.notna() == unit.notna(),
        "followup_from": start.isna() | hi.notna(),
    }


def followup_once(d):
    if "followup_max" not in d or "followup_days" not in d:
        return {}
    return {"followup_days": d["followup_days"].isna() | d["followup_max"].isna()}


def sizes_agree(d):
    if "n_randomized" not in d or "n_analysed" not in d:
        return {}
    total, analysed = d["n_randomized"].astype("Float64"), d["n_analysed"].astype("Float64")
    nk, nc = d["n_ketamine"].astype("Float64"), d["n_control"].astype("Float64")
    crossover = d["design"].astype("string").isin(designs("crossover")).fillna(False)
    arms = (nk.fillna(0) + nc.fillna(0)).where(~crossover, np.maximum(nk.fillna(0), nc.fillna(0)))
    return {
        "n_analysed": (analysed.isna() | total.isna() | (analysed <= total)).fillna(True),
        "n_ketamine": (total.isna() | (arms <= total)).fillna(True),
    }


RULES = {"followup_range": followup_range, "followup_once": followup_once, "sizes_agree": sizes_agree}


def earliest_days(d: pd.DataFrame) -> pd.Series:
    """The start of each row's time (followup_min in days) where it counts from ketamine, else followup_days."""
    days = d["followup_days"].astype("float64")
    if not has_structured(d):
        return days
    factor = d["followup_unit"].astype("string").map(unit_days()).astype("float64")
    return (d["followup_min"].astype("float64") * factor).where(d["followup_max"].notna() & days.notna(), days)


def states_time(d: pd.DataFrame) -> pd.Series:
    """Rows whose source gives a time (a number, even one counted from discharge)."""
    stated = d["followup_days"].notna()
    return stated | d["followup_max"].notna() if "followup_max" in d else stated


def longest_first(rows: pd.DataFrame) -> list[str]:
    """The study_ids of the rows that reach the longest followup_days, verified studies first (a tie is named
    whole, and an unverified study never stands for it alone), then in file order."""
    timed = rows[rows["followup_days"].notna()]
    if timed.empty:
        return []
    top = timed[timed["followup_days"] == timed["followup_days"].max()]
    rank = (top["verification"].astype("string") != "verified").astype(int)
    order = top.assign(_rank=rank.to_numpy()).sort_values("_rank", kind="stable")
    return list(dict.fromkeys(order["study_id"].astype(str)))
