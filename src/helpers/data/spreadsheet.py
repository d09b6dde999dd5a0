"""Study tables kept in Excel: ``--data table.xlsx`` (first sheet) or ``--data table.xlsx#Sheet``.

The sheet is read with openpyxl (values, not formulas: a formula cell gives
the value Excel last saved for it), turned into the same text the CSV route
parses, and validated by the same rules. Problems name the sheet and the cell
as a spreadsheet shows them (``Sheet1!D12``) beside the column's name.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, TableError
from .csvfile import record_lines

SUFFIXES = (".xlsx", ".xlsm")


def split_sheet(path) -> tuple[Path, str | None]:
    """'table.xlsx#Sheet 2' -> (Path('table.xlsx'), 'Sheet 2'); any other path -> (path, None)."""
    text = str(path)
    if "#" in text and not Path(text).exists():
        file, _, sheet = text.rpartition("#")
        if file.lower().endswith(SUFFIXES):
            return Path(file), sheet
    return Path(text), None


def is_spreadsheet(path) -> bool:
    return split_sheet(path)[0].suffix.lower() in SUFFIXES


def with_sheet(file: Path, sheet: str | None) -> Path:
    return Path(f"{file}#{sheet}") if sheet else file


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet_ref(sheet: str) -> str:
    """A sheet name as a formula writes it: quoted when it holds anything but letters, digits and _."""
    return sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True, order=True)
class CellProblem(Problem):
    """A problem located in a worksheet: the cell (Sheet1!D12) or the row, and the column's name."""

    sheet: str = ""
    cell: str = ""

    def where(self) -> list[str]:
        where = []
        if self.cell:
            where.append(f"cell {self.cell}")
        elif self.line is not None:
            where.append(f"sheet {_sheet_ref(self.sheet)} row {self.line}")
        elif self.sheet:
            where.append(f"sheet {_sheet_ref(self.sheet)}")
        if self.column:
            where.append(f"column {self.column}")
        return where


def _cell_text(value) -> str:
    """A cell's value as the text a CSV export of the sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


@dataclass
class SheetText:
    """The sheet as CSV text, and where each CSV record came from."""

    sheet: str
    text: str
    header: list[str]
    rows: list[int]  # worksheet row number of each record; rows[0] is the header's


def read_sheet(path) -> SheetText:
    """Read the workbook's sheet (raises TableError naming the file and sheet when it cannot)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    file, sheet = split_sheet(path)
    if not file.is_file():
        raise TableError(file, [Problem(None, None, None, "an existing .xlsx workbook (no such file)", "file_missing")])
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(
            file,
            [Problem(None, None, None, f"an Excel .xlsx workbook (it could not be read: {exc})", "not_a_workbook")],
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise TableError(
                file,
                [Problem(None, None, sheet, f"a sheet of the workbook ({', '.join(wb.sheetnames)})", "sheet_missing")],
            )
        records, rows = [], []
        for row in ws.iter_rows():
            cells = [c for c in row if getattr(c, "value", None) is not None]
            if not cells:
                continue  # blank rows are skipped, as in the CSV route
            values = [_cell_text(getattr(c, "value", None)) for c in row]
            records.append(values)
            rows.append(cells[0].row)
        name = ws.title
    finally:
        wb.close()
    if not records:
        return SheetText(name, "", [], [])
    header = records[0]
    while header and header[-1] == "":
        header = header[:-1]
    width = len(header)
    for i, rec in enumerate(records):
        extra = rec[width:]
        records[i] = rec[:width] + [""] * (width - len(rec[:width]))
        if any(v != "" for v in extra):  # a value right of the last named column
            records[i] = rec[: width + len(extra)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    return SheetText(name, buf.getvalue(), header, rows)


def locate(problems: list[Problem], sheet: SheetText, csv_text: str) -> list[Problem]:
    """Turn the CSV route's line numbers into worksheet cells."""
    starts = {line: i for i, line in enumerate(record_lines(csv_text))}
    out = []
    for p in problems:
        row = None
        if p.line is not None:
            record = starts.get(p.line, p.line - 1)
            row = sheet.rows[record] if 0 <= record < len(sheet.rows) else p.line
        cell = ""
        if row is not None and p.column in sheet.header:
            cell = f"{_sheet_ref(sheet.sheet)}!{column_letter(sheet.header.index(p.column))}{row}"
        out.append(CellProblem(row, p.column, p.value, p.expected, p.rule, sheet=sheet.sheet, cell=cell))
    return out


def validate_workbook(path, validate_text):
    """Validate the sheet with the CSV route's ``validate_text(path, text)``, reporting cells."""
    file, _ = split_sheet(path)
    sheet = read_sheet(path)
    try:
        table = validate_text(file, sheet.text)
    except TableError as exc:
        raise TableError(file, locate(exc.problems, sheet, sheet.text)) from None
    table.attrs["source_path"] = str(path)
    return table
