"""Study tables kept in Excel: ``--data table.xlsx`` (first sheet) or ``--data table.xlsx#Sheet``.

The sheet is read with openpyxl, turned into the same text the CSV route parses, and validated by
the same rules. A formula cell gives the value Excel last saved for it. What a CSV export would not
hold as it is read is reported by cell, never guessed: a formula with no saved value, a number
formatted as a percentage (75% is stored as 0.75, while the table's percent columns hold 75, as a CSV
export's "75%" is refused too), a value right of the last named column, a hidden first sheet; a date in
a number column is refused by the number's check, which says the cell holds a date. Problems name the
sheet and the cell as a spreadsheet shows them (``Sheet1!D12``) beside the column's name.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from dataclasses import dataclass, field
from functools import partial
from operator import is_not
from pathlib import Path

from ..errors import HelpersError, Problem, TableError
from .csvfile import record_lines

SUFFIXES = (".xlsx", ".xlsm")
#: the first bytes of an OLE2 compound file: an old .xls, or an .xlsx encrypted with a password
OLE = bytes.fromhex("d0cf11e0a1b11ae1")


def split_sheet(path) -> tuple[Path, str | None]:
    """'table.xlsx#Sheet 2' -> (Path('table.xlsx'), 'Sheet 2'); any other path -> (path, None).

    The sheet starts after the first '.xlsx#' whose file exists (else the first), so a sheet name may hold '#'.
    """
    text = str(path)
    if "#" not in text or Path(text).exists():
        return Path(text), None
    splits = [m.end() - 1 for m in re.finditer(r"\.xls[xm]#", text, re.IGNORECASE)]
    if not splits:
        return Path(text), None
    at = next((i for i in splits if Path(text[:i]).is_file()), splits[0])
    return Path(text[:at]), text[at + 1 :]


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


def is_percent_format(number_format: str | None) -> bool:
    """Whether Excel shows a number in this format multiplied by 100 (an unquoted, unescaped %)."""
    if not number_format:
        return False
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)
    return "%" in bare


@dataclass
class SheetText:
    """The sheet as CSV text, where each CSV record came from, and what the reader itself refused."""

    sheet: str
    text: str
    header: list[str]
    rows: list[int]  # worksheet row number of each record; rows[0] is the header's
    problems: list[Problem] = field(default_factory=list)
    #: cells (Sheet1!D12) that hold a date, for the message of a number column's check
    dates: set[str] = field(default_factory=set)
    #: the workbook's other sheets, when none was named and the first one was read
    others: list[str] = field(default_factory=list)


def read_sheet(path) -> SheetText:
    """Read the workbook's sheet (raises TableError, one line naming the file, when it cannot)."""
    file, sheet = split_sheet(path)
    if not file.is_file():
        raise TableError(file, [Problem(None, None, None, "an existing .xlsx workbook (no such file)", "file_missing")])
    try:
        with file.open("rb") as fh:
            head = fh.read(len(OLE))
        if head == OLE:
            raise TableError(file, [_ole_problem(file)])
        return _SheetReader(file, sheet).read()
    except HelpersError:
        raise
    except Exception as exc:  # a damaged workbook can fail anywhere in openpyxl, zipfile, zlib or the XML parser
        why = f"an Excel .xlsx workbook (it could not be read: {_one_line(exc)})"
        raise TableError(file, [Problem(None, None, None, why, "not_a_workbook")]) from None


def _ole_problem(file: Path) -> Problem:
    if "EncryptionInfo".encode("utf-16-le") in file.read_bytes():
        why = "a workbook without a password (this one is password-protected: save a copy without the password)"
    else:
        why = "an Excel .xlsx workbook (this is an older .xls workbook: save it as .xlsx)"
    return Problem(None, None, None, why, "not_a_workbook")


def _one_line(exc: BaseException) -> str:
    """The exception and the one that caused it, each as a name and its message's first line."""
    parts = []
    while exc is not None and len(parts) < 2:
        kind = type(exc)
        name = kind.__name__ if kind.__name__[0].isupper() else f"{kind.__module__}.{kind.__name__}"  # zlib.error
        if name in _XML_REFUSED:
            return "its XML declares entities or a document type, which are refused: Excel never writes them"
        text = str(exc).strip().splitlines()
        parts.append(f"{name}: {text[0]}" if text else name)
        exc = exc.__cause__ or exc.__context__
    return "; ".join(parts)


#: defusedxml's refusals of a billion-laughs or XXE document, which openpyxl raises inside its own ValueError
_XML_REFUSED = ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden")


class _SheetReader:
    """One pass over the cells the file holds (never the padding up to the dimension it states), and a second
    one for the saved values of formulas when the sheet has any."""

    def __init__(self, file: Path, sheet: str | None):
        self.file, self.sheet = file, sheet
        self.problems: list[Problem] = []
        self.dates: set[str] = set()

    def read(self) -> SheetText:
        from openpyxl import load_workbook

        wb = load_workbook(self.file, read_only=True, data_only=False)  # formulas as formulas: see _saved
        try:
            ws = self._worksheet(wb)
            self.title = ws.title
            others = [n for n in wb.sheetnames if n != ws.title] if self.sheet is None else []
            header, width, grid = self._grid(ws)
        finally:
            wb.close()
        if not grid:
            return SheetText(self.title, "", [], [], others=others)
        formulas = {(r, i) for r, cells in grid for i, c in enumerate(cells) if c.data_type == "f"}
        saved = self._saved(formulas) if formulas else {}
        records = [header] + [
            [self._text(r, i, c, saved, header) for i, c in enumerate(cells)] for r, cells in grid[1:]
        ]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(records)
        rows = [r for r, _ in grid]
        return SheetText(self.title, buf.getvalue(), header, rows, self.problems, self.dates, others)

    def _worksheet(self, wb):
        if self.sheet is not None:
            if self.sheet not in wb.sheetnames:
                expected = f"a sheet of the workbook ({', '.join(wb.sheetnames)})"
                raise TableError(self.file, [Problem(None, None, self.sheet, expected, "sheet_missing")])
            return wb[self.sheet]  # a hidden sheet named on purpose is read
        ws = wb.worksheets[0]
        if ws.sheet_state != "visible":
            visible = [w.title for w in wb.worksheets if w.sheet_state == "visible"]
            expected = (
                f"a visible first sheet (the first sheet, {ws.title}, is hidden; name the sheet to read after "
                f"the file, as {self.file.name}#{visible[0] if visible else ws.title})"
            )
            raise TableError(self.file, [CellProblem(None, None, None, expected, "hidden_sheet", sheet=ws.title)])
        return ws

    def _grid(self, ws) -> tuple[list[str], int, list[tuple[int, tuple]]]:
        """(header, width, [(row number, cells within the header's width)]) of the rows holding a value;
        a value right of the header is a problem of its own, and its row is not a record for it."""
        from openpyxl.cell.read_only import EMPTY_CELL

        ws.reset_dimensions()  # a stated dimension of A1:XFD1048576 would pad every row to 16,384 cells
        header: list[str] | None = None
        width, grid = 0, []
        for row in ws.iter_rows():  # each row holds the cells up to its own last one
            if not row:
                continue
            if header is None:
                names = [_cell_text(c.value) for c in row]
                while names and names[-1] == "":
                    names.pop()
                if not names:
                    continue
                header, width = names, len(names)
                self._check_header(header, row[-1].row)
                grid.append((row[-1].row, ()))
                continue
            far = [c for c in filter(partial(is_not, EMPTY_CELL), row[width:]) if c.value is not None]
            for c in far:
                expected = f"nothing right of the last named column, {column_letter(width - 1)} (name the column in the header, or clear the cell)"
                self.problems.append(
                    self._problem(c.row, c.column - 1, _cell_text(c.value), expected, "outside_header", header)
                )
            near = row[:width]
            if any(c is not EMPTY_CELL and c.value is not None for c in near):
                grid.append((row[-1].row, tuple(near) + (EMPTY_CELL,) * (width - len(near))))
        return header or [], width, grid

    def _check_header(self, header: list[str], row: int) -> None:
        """An unnamed column inside the header is refused here, before any row is padded to its width."""
        blank = [i for i, name in enumerate(header) if name == ""]
        if blank:
            expected = (
                f"every column up to the last named one, {column_letter(len(header) - 1)}{row}, to have a name "
                f"({len(blank)} {'has' if len(blank) == 1 else 'have'} none)"
            )
            raise TableError(self.file, [self._problem(row, blank[0], "", expected, "header", None)])

    def _saved(self, formulas: set[tuple[int, int]]) -> dict[tuple[int, int], object]:
        """The value Excel last saved for each formula cell (None where there is none)."""
        from openpyxl import load_workbook

        rows = {r for r, _ in formulas}
        wb = load_workbook(self.file, read_only=True, data_only=True)
        try:
            ws = wb[self.title]
            ws.reset_dimensions()
            saved = {}
            for row in ws.iter_rows():
                if row and row[-1].row in rows:
                    r = row[-1].row
                    for i, c in enumerate(row):
                        if (r, i) in formulas:
                            saved[r, i] = c.value
        finally:
            wb.close()
        return saved

    def _text(self, r: int, i: int, c, saved: dict, header: list[str]) -> str:
        value = c.value
        if c.data_type == "f":
            value = saved.get((r, i))
            if value is None:
                expected = (
                    "a value, not a formula without a saved result (the workbook was written by a program that does "
                    "not calculate: open and save it in Excel, or type the value)"
                )
                self.problems.append(self._problem(r, i, str(c.value), expected, "formula_without_value", header))
                return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and is_percent_format(c.number_format):
            shown = f"{value * 100:g}%"
            expected = (
                f"a plain number (the cell shows {shown} and holds {value!r}; the table records {shown} as "
                f"{value * 100:g}: format the cell as a number and type that)"
            )
            self.problems.append(self._problem(r, i, shown, expected, "percent_format", header))
            return shown  # as a CSV export writes it, which the number's check refuses too
        if isinstance(value, (_dt.date, _dt.time)):
            self.dates.add(self._cell(r, i))
        return _cell_text(value)

    def _cell(self, row: int, index: int) -> str:
        return f"{_sheet_ref(self.title)}!{column_letter(index)}{row}"

    def _problem(self, row, index, value, expected, rule, header) -> CellProblem:
        column = header[index] if header and index < len(header) else None
        return CellProblem(row, column, value, expected, rule, sheet=self.title, cell=self._cell(row, index))


def locate(problems: list[Problem], sheet: SheetText, csv_text: str) -> list[Problem]:
    """Turn the CSV route's line numbers into worksheet cells."""
    starts = {line: i for i, line in enumerate(record_lines(csv_text))}
    out = []
    for p in problems:
        row = None
        if p.line is not None:
            record = starts.get(p.line, p.line - 1)
            row = sheet.rows[record] if 0 <= record < len(sheet.rows) else p.line
        cell, expected = "", p.expected
        if row is not None and p.column in sheet.header:
            cell = f"{_sheet_ref(sheet.sheet)}!{column_letter(sheet.header.index(p.column))}{row}"
        if cell in sheet.dates and p.rule.endswith(":format"):
            expected += " (the cell holds a date: format it as a number, or as text)"
        out.append(CellProblem(row, p.column, p.value, expected, p.rule, sheet=sheet.sheet, cell=cell))
    return out


#: problems that mean the sheet read may not be the table
_HEADER_RULES = ("missing_column", "unknown_column", "header")


def validate_workbook(path, validate_text):
    """Validate the sheet with the CSV route's ``validate_text(path, text)``, reporting cells; what the reader
    refused is reported with them, in place of what the same cells gave the rules."""
    file, _ = split_sheet(path)
    sheet = read_sheet(path)
    found: list[Problem] = []
    table = None
    try:
        table = validate_text(file, sheet.text)
    except TableError as exc:
        found = locate(exc.problems, sheet, sheet.text)
    if not found and not sheet.problems:
        table.attrs["source_path"] = str(path)
        return table
    refused = {p.cell for p in sheet.problems}
    found = [p for p in found if getattr(p, "cell", "") not in refused]
    if sheet.others and any(p.rule in _HEADER_RULES for p in found):
        expected = (
            f"the table in the first sheet, {sheet.sheet}, which was read (the workbook also has "
            f"{', '.join(sheet.others)}: to read another, name it after the file, as {file.name}#{sheet.others[0]})"
        )
        found.append(CellProblem(None, None, None, expected, "first_sheet", sheet=sheet.sheet))
    raise TableError(file, sheet.problems + found)
