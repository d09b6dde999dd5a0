"""References between the tables of the data set, checked after each table validated alone.

Every check returns problems for the file where the fix belongs, with the
line a spreadsheet shows and the column.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from ..errors import Problem, TableError
from ..paths import display_path
from .appraisal_refs import APPRAISAL_CHECKS, Checks
from .companions import REQUIRES
from .questions import QUESTION_CHECKS
from .reader_text import READER_TEXT_CHECKS
from .rows import cell_text, line_number
from .search_refs import SEARCH_CHECKS


def _requires(ds, out: Checks) -> None:
    for name, needed in REQUIRES.items():
        if name in ds and needed not in ds:
            where = ds.paths[name]
            out[name].append(
                Problem(
                    None,
                    None,
                    None,
                    f"{display_path(where.parent / (needed + '.csv'))} beside it ({name}.csv refers to it)",
                    "companion_missing",
                )
            )


def _searches(ds, out: Checks) -> None:
    log, scr = ds.get("search_log"), ds.get("screening")
    if log is None or scr is None:
        return
    ids = set(log["search_id"].astype(str))
    for i, sid in enumerate(scr["search_id"].astype(str)):
        if sid not in ids:
            out["screening"].append(
                Problem(line_number(scr, i), "search_id", sid, "a search_id of data/search_log.csv", "search_exists")
            )
    counts = scr["search_id"].astype(str).value_counts()
    for i, row in enumerate(log.itertuples(index=False)):
        n = int(counts.get(str(row.search_id), 0))
        if pd.notna(row.records) and int(row.records) != n:
            out["search_log"].append(
                Problem(
                    line_number(log, i),
                    "records",
                    str(row.records),
                    f"the number of rows of screening.csv with search_id {row.search_id} ({n})",
                    "records_match",
                )
            )


def _duplicates(ds, out: Checks) -> None:
    scr = ds.get("screening")
    if scr is None:
        return
    ids = set(scr["record_id"].astype(str))
    for i, dup in enumerate(scr["duplicate_of"]):
        if pd.notna(dup) and str(dup) not in ids:
            out["screening"].append(
                Problem(
                    line_number(scr, i),
                    "duplicate_of",
                    str(dup),
                    "the record_id of a record in screening.csv",
                    "duplicate_exists",
                )
            )


def _included_studies(ds, out: Checks) -> None:
    scr, studies = ds.get("screening"), ds.studies
    if scr is None:
        return
    literature = studies[studies["source"].astype(str) == "literature"]
    in_table = set(literature["study_id"].astype(str))
    first_line = {}
    for i, sid in enumerate(studies["study_id"].astype(str)):
        first_line.setdefault(sid, line_number(studies, i))
    included: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(scr.itertuples(index=False)):
        sid = cell_text(row.study_id)
        if not sid:
            continue
        if sid not in in_table:
            out["screening"].append(
                Problem(
                    line_number(scr, i),
                    "study_id",
                    sid,
                    "the study_id of published rows in the study table",
                    "study_exists",
                )
            )
        if str(row.decision) == "included":
            included[sid].append(line_number(scr, i))
    for sid, lines in included.items():
        for line in lines[1:]:
            out["screening"].append(
                Problem(
                    line,
                    "decision",
                    "included",
                    f"one included record per study ({sid} is included on line {lines[0]}; another report of it is "
                    "a duplicate with reason companion_report)",
                    "one_included_record",
                )
            )
    for sid in sorted(in_table - set(included), key=lambda s: first_line[s]):
        out["studies"].append(
            Problem(
                first_line[sid],
                "study_id",
                sid,
                "an included record for this published study in screening.csv",
                "study_screened",
            )
        )


#: every cross-table check, in order; each adds problems to the file where the fix belongs
CHECKS = (
    _requires,
    _searches,
    _duplicates,
    _included_studies,
    *APPRAISAL_CHECKS,
    *SEARCH_CHECKS,
    *QUESTION_CHECKS,
    *READER_TEXT_CHECKS,
)


def check_references(ds) -> list[TableError]:
    """Every cross-table problem of a data set whose tables each validated alone, one TableError per file."""
    out: Checks = defaultdict(list)
    for check in CHECKS:
        check(ds, out)
    errors = []
    for name, problems in out.items():
        if problems:
            path = ds.paths.get(name) or Path(ds.paths["studies"]).parent / f"{name}.csv"
            errors.append(TableError(path, problems))
    return errors
