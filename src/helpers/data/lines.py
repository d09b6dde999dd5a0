"""What a Summary of Findings line covers: its studies' rows of its outcomes, against its comparator, in its
time frame. The same comparator groups and time windows decide what may be pooled.

A comparator group is the study table's comparator_drug as its schema's
``poolsAs`` groups it: placebos of every kind together, each active drug (and
a lower dose of ketamine) on its own, so that no line or pooled estimate mixes
two active drugs. Time windows are fixed bands of followup_days.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .rows import split_list
from .vocabulary import designs, pools_as

#: time-point windows, (name, upper bound in days, inclusive)
WINDOWS: tuple[tuple[str, float], ...] = (
    ("up_to_1_day", 1.0),
    ("1_to_14_days", 14.0),
    ("14_to_90_days", 90.0),
    ("over_90_days", math.inf),
)
NO_WINDOW = "not_reported"
#: harms outcomes start with it (the schema's harmOutcomes); they are never pooled or drawn with benefits
HARM_PREFIX = "ae_"


def timepoint_window(days) -> str:
    if days is None or pd.isna(days):
        return NO_WINDOW
    for name, upper in WINDOWS:
        if days <= upper:
            return name
    return WINDOWS[-1][0]


def comparator_group(drug, comparator_class=None) -> str:
    """'placebo' for any placebo, the drug's own code otherwise; the class when a table gives no drug."""
    if drug is None or pd.isna(drug) or str(drug) == "":
        return "none" if str(comparator_class) == "none" else str(comparator_class)
    return pools_as().get(str(drug), str(drug))


def comparator_groups(studies: pd.DataFrame) -> pd.Series:
    drug = studies["comparator_drug"] if "comparator_drug" in studies else pd.Series(None, index=studies.index)
    return pd.Series([comparator_group(d, c) for d, c in zip(drug, studies["comparator_class"])], index=studies.index)


class LineRows:
    """The rows each certainty line covers, for many lines of one study table: its studies, condition and
    outcomes, against its comparator, measured in its time frame (rows without a time count in every frame:
    the source does not say when). The table's key columns are read once, here: every check and page asks
    this of every line, and each pandas step on the wide table costs more than the test itself."""

    def __init__(self, studies: pd.DataFrame, columns: tuple[str, ...] | None = None):
        """``columns``: the only columns a caller reads of the rows (a narrower frame is quicker to cut)."""
        self.studies = studies if columns is None else studies[list(columns)]
        self.study_id = studies["study_id"].astype(str).to_numpy()
        self.condition = studies["condition"].astype(str).to_numpy()
        self.outcome = studies["outcome"].astype(str).to_numpy()
        self.comparator_class = studies["comparator_class"].astype(str).to_numpy()
        drug = studies["comparator_drug"] if "comparator_drug" in studies else [None] * len(studies)
        groups = [comparator_group(d, c) for d, c in zip(drug, studies["comparator_class"])]
        self.comparator = np.array(groups, dtype=object)
        days = studies["followup_days"]
        self.window = np.array([timepoint_window(d) for d in days], dtype=object)
        self.untimed = days.isna().to_numpy()

    def __call__(self, line) -> pd.DataFrame:
        """The rows ``line`` (a row of certainty.csv, as a mapping) covers, in the table's order."""
        ids, outcomes = split_list(line["study_ids"]), split_list(line["outcomes"])
        keep = np.isin(self.study_id, ids) & (self.condition == str(line["condition"]))
        keep &= np.isin(self.outcome, outcomes)
        comparator = line.get("comparator") if hasattr(line, "get") else None
        if comparator is not None and not pd.isna(comparator):
            keep &= self.comparator == str(comparator)
        else:  # a table of lines without comparators: the class decides, as before
            keep &= self.comparator_class == str(line["comparator_class"])
        frame = line.get("time_frame") if hasattr(line, "get") else None
        if frame is not None and not pd.isna(frame) and str(frame) != NO_WINDOW:
            keep &= (self.window == str(frame)) | self.untimed
        return self.studies.iloc[np.flatnonzero(keep)]


def line_rows(studies: pd.DataFrame, line) -> pd.DataFrame:
    """The rows one certainty line covers (:class:`LineRows`; build one of those for many lines)."""
    return LineRows(studies)(line)


def study_size(rows: pd.DataFrame) -> tuple[int | None, str]:
    """(size, what it counts) of one study from its rows, by GRADE's rules: the largest of its rows, each row's
    size its analysed total, else its arms, else its randomized total; a
    crossover's patients are in both arms and count once; encounters are kept apart from patients
    (``what`` is ``patients`` or ``encounters``). None when no row gives a size."""
    if rows.empty:
        return None, "patients"
    return _size_of(_row_sizes(rows).tolist(), _counts_encounters(rows).tolist())


def study_sizes(rows: pd.DataFrame) -> dict[str, tuple[int | None, str]]:
    """:func:`study_size` of each study of ``rows`` (by study_id), computed for all of them at once."""
    if rows.empty:
        return {}
    sizes, encounters = _row_sizes(rows).tolist(), _counts_encounters(rows).tolist()
    at: dict[str, list[int]] = {}
    for i, sid in enumerate(rows["study_id"].astype(str).tolist()):
        at.setdefault(sid, []).append(i)
    return {sid: _size_of([sizes[i] for i in idx], [encounters[i] for i in idx]) for sid, idx in at.items()}


def _row_sizes(rows: pd.DataFrame) -> pd.Series:
    """Each row's size (float, NaN where the row gives none) by the rules of :func:`study_size`."""
    nk = rows["n_ketamine"].astype("Float64")
    nc = rows["n_control"].astype("Float64")
    crossover = rows["design"].astype(str).isin(designs("crossover")).to_numpy()
    per_row = pd.Series(
        [max(a, b) if x else a + b for a, b, x in zip(nk.fillna(0), nc.fillna(0), crossover)], index=rows.index
    )
    per_row = per_row.where(nk.notna().to_numpy() | nc.notna().to_numpy())
    # a total the source gives counts too (a known size is never "not given"): the analysed total first (a
    # crossover's subgroup in its arm cells is not the trial), the per-arm numbers, then the randomized total
    for column, first in (("n_analysed", True), ("n_randomized", False)):
        if column in rows:
            total = rows[column].astype("Float64").astype("float64")
            per_row = total.where(total.notna(), per_row) if first else per_row.where(per_row.notna(), total)
    return per_row.astype("float64")


def _counts_encounters(rows: pd.DataFrame) -> pd.Series:
    if "n_counts" not in rows:
        return pd.Series(False, index=rows.index)
    return (rows["n_counts"].astype("string") == "encounters").fillna(False).astype(bool)


def _size_of(sizes: list[float], encounters: list[bool]) -> tuple[int | None, str]:
    """One study's size from its rows' sizes: the largest, None for none or 0; encounters if any row counts them."""
    known = [v for v in sizes if not math.isnan(v)]
    size = max(known) if known else None
    return (None if size is None or size == 0 else int(size)), ("encounters" if any(encounters) else "patients")
