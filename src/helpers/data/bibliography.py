"""The bibliographic metadata of the published studies: ``references.csl.json`` beside the study table.

A curated CSL-JSON file (authors, title, journal, year, volume, issue, pages, DOI, PMID), one item per
published study (``id`` = ``study_id``), filled from the pages read to verify each study and saying which in
its ``note``. A field that could not be confirmed is absent, never guessed. The citation files the reports
offer are written from it; the study table's citation columns are checked against it here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, TableError
from .rows import cell_text, line_number

if TYPE_CHECKING:  # pandas is imported by the caller: a build that is up to date never needs it
    import pandas as pd

FILE = "references.csl.json"


#: the mark of an item whose authors were sought and not found (kept in the curated file, never published)
AUTHOR_MARK = "x-author"


def bibliography_path(study_path: Path | str) -> Path:
    return Path(str(study_path).split("#")[0]).parent / FILE


def load_bibliography(path: Path) -> list[dict]:
    """The items of a CSL-JSON file; a file that is not a JSON list of items with an ``id`` is refused."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TableError(path, [Problem(exc.lineno, None, None, f"valid JSON ({exc.msg})", "csl_json")]) from exc
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("id") for i in items):
        raise TableError(path, [Problem(None, None, None, "a JSON list of CSL items, each with an id", "csl_json")])
    return items


def items_by_id(items: list[dict]) -> dict[str, dict]:
    return {str(i["id"]): i for i in items}


def issued_year(item: dict) -> int | None:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    return int(parts[0][0]) if parts and parts[0] else None


def _norm_doi(value) -> str:
    return cell_text(value).lower().removeprefix("https://doi.org/")


def _norm_pmid(value) -> str:
    text = cell_text(value)
    return text[:-2] if text.endswith(".0") else text


def bibliography_problems(studies: pd.DataFrame, items: list[dict]) -> list[Problem]:
    """Where the study table and the metadata disagree: a published study without an item (or an item for no
    published study), and a DOI, PMID, year or first author that differs where both give one."""
    problems = []
    by_id = items_by_id(items)
    published = studies[studies["source"].astype(str) == "literature"]
    first_rows = published.drop_duplicates("study_id")
    for i in first_rows.index:
        row = studies.loc[i]
        sid, line = str(row["study_id"]), line_number(studies, studies.index.get_loc(i))
        item = by_id.get(sid)
        if item is None:
            problems.append(Problem(line, "study_id", sid, f"an item with this id in {FILE}", "study_has_metadata"))
            continue
        checks = (
            ("doi", _norm_doi(row["doi"]), _norm_doi(item.get("DOI"))),
            ("pmid", _norm_pmid(row["pmid"]), _norm_pmid(item.get("PMID"))),
            ("year", cell_text(row["year"]), str(issued_year(item) or "")),
        )
        for column, ours, theirs in checks:
            if ours and theirs and ours != theirs:
                problems.append(
                    Problem(line, column, ours, f"{theirs}, as {FILE} gives it for {sid}", "agrees_with_metadata")
                )
        authors = item.get("author") or []
        if bool(authors) == (item.get(AUTHOR_MARK) == "not_found"):
            problems.append(
                Problem(
                    line,
                    "citation",
                    sid,
                    f"the authors in {FILE}, or (only where they were sought and not found) "
                    f'"{AUTHOR_MARK}": "not_found" on its item',
                    "authors_resolved",
                )
            )
        family = cell_text(authors[0].get("family")) if authors else ""
        cited = cell_text(row["citation"]).split(",")[0].split(" ")[0]
        if family and cited and family.lower() != cited.lower():
            problems.append(
                Problem(line, "citation", cited, f"first author {family}, as {FILE} gives it", "agrees_with_metadata")
            )
    ids = set(first_rows["study_id"].astype(str))
    for sid in sorted(set(by_id) - ids):
        problems.append(
            Problem(None, None, sid, f"a published study of the study table for {FILE}'s item", "item_has_study")
        )
    return problems


def check_bibliography(studies: pd.DataFrame, study_path: Path | str) -> list[dict] | None:
    """The metadata beside the table, checked against it (None where there is no file); raises TableError."""
    path = bibliography_path(study_path)
    if not path.is_file():
        return None
    items = load_bibliography(path)
    problems = bibliography_problems(studies, items)
    if problems:
        raise TableError(path, problems)
    return items
