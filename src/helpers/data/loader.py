"""Load the study table: read, validate against the schema, return typed columns.

>>> from helpers.data.loader import load_studies
>>> studies = load_studies()            # the bundled data/studies.csv
>>> studies["condition"].dtype          # enumerations are categoricals
CategoricalDtype(...)

Invalid input raises :class:`~helpers.errors.TableError`, which lists every
problem with the line number a spreadsheet shows, the column, the value and
the rule that was broken.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, TableError
from ..paths import ROOT, STUDIES_PATH
from .schema import Schema, load_schema, schema_path

#: files larger than this are refused before parsing (the table is a hand-kept sheet)
MAX_BYTES = 100 * 1024 * 1024
BOM = "\ufeff"


def _file_problem(expected: str, rule: str, line=None, column=None, value=None) -> Problem:
    return Problem(line, column, value, expected, rule)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise TableError(path, [_file_problem("an existing CSV file (no such file)", "file_missing")])
    if not path.is_file():
        raise TableError(path, [_file_problem("a CSV file, not a folder", "file_missing")])
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TableError(
            path,
            [_file_problem(f"a file of at most {MAX_BYTES // 2**20} MiB (it has {size / 2**20:.1f} MiB)", "file_too_large")],
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TableError(path, [_encoding_problem(data, exc)]) from None
    if text.startswith(BOM):
        header = next(csv.reader(io.StringIO(text[1:], newline="")), [""])
        raise TableError(
            path,
            [
                _file_problem(
                    "no byte-order mark at the start of the file (save as plain 'CSV UTF-8' "
                    "or remove the first three bytes EF BB BF)",
                    "byte_order_mark",
                    line=1,
                    column=header[0] if header else None,
                )
            ],
        )
    return text


def _encoding_problem(data: bytes, exc: UnicodeDecodeError) -> Problem:
    line = data[: exc.start].count(b"\n") + 1
    bad = data[exc.start : exc.end]
    column = None
    text = data.decode("utf-8", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if rows:
        header = rows[0]
        for row in rows:
            for i, cell in enumerate(row):
                if "\ufffd" in cell:
                    column = header[i] if i < len(header) else f"field {i + 1}"
                    break
            if column:
                break
    return _file_problem(
        f"UTF-8 text (found byte {bad.hex(' ')} that is not UTF-8; re-save the file as 'CSV UTF-8')",
        "encoding",
        line=line,
        column=column,
    )


def _record_lines(text: str) -> list[int]:
    """The line on which each CSV record starts (index 0 is the header)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts, prev_end = [], 0
    for row in reader:
        if row:
            starts.append(prev_end + 1)
        prev_end = reader.line_num
    return starts


def _header_problems(schema: Schema, header: list[str]) -> list[Problem]:
    problems = []
    known = set(schema.names)
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if sep in header[0]:
                return [
                    _file_problem(
                        f"comma-separated columns (the header is separated by {name}; re-save as CSV with commas)",
                        "delimiter",
                        line=1,
                        value=header[0],
                    )
                ]
    counts: dict[str, int] = {}
    for name in header:
        counts[name] = counts.get(name, 0) + 1
    for name, n in counts.items():
        if name == "":
            problems.append(_file_problem("every column to have a name", "header", line=1, value=""))
        elif n > 1:
            problems.append(_file_problem(f"each column once (it appears {n} times)", "duplicate_column", line=1, column=name))
        elif name not in known and not schema.is_user_column(name):
            problems.append(
                _file_problem(
                    f"a column defined in {schema.source} (add new columns there first)"
                    + (f", or a column of your own named x_... (matching {schema.user_column_pattern})"
                       if schema.user_column_pattern else ""),
                    "unknown_column",
                    line=1,
                    column=name,
                    value=name,
                )
            )
    for name in schema.required_columns:
        if name not in counts:
            problems.append(_file_problem("this required column in the header", "missing_column", line=1, column=name))
    return problems


def _ragged_problems(text: str, width: int, header: list[str]) -> list[Problem]:
    problems = []
    reader = csv.reader(io.StringIO(text, newline=""))
    prev_end = 0
    for i, row in enumerate(reader):
        start = prev_end + 1
        prev_end = reader.line_num
        if i == 0 or not row:
            continue
        if len(row) != width:
            problems.append(
                _file_problem(
                    f"{width} fields like the header (this row has {len(row)}; a comma inside an unquoted cell?)",
                    "field_count",
                    line=start,
                    column=header[min(len(row), width) - 1] if len(row) < width else None,
                )
            )
    return problems


def read_raw(path: Path | str | None = None, schema: Schema | None = None, text: str | None = None) -> tuple[pd.DataFrame, str]:
    """Parse the CSV (or ``text`` already read from it) into a frame of text cells, checking the file and its header."""
    path = Path(path) if path is not None else STUDIES_PATH
    schema = schema or load_schema()
    text = _read_text(path) if text is None else text
    if not text.strip():
        raise TableError(path, [_file_problem("a header row and at least one data row (the file is empty)", "empty_file")])
    header = next(csv.reader(io.StringIO(text, newline="")))
    problems = _header_problems(schema, header)
    if problems:
        raise TableError(path, problems)
    try:
        raw = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=True, engine="c"
        )
    except pd.errors.ParserError:
        raise TableError(path, _ragged_problems(text, len(header), header)) from None
    if raw.empty:
        raise TableError(path, [_file_problem("at least one data row below the header", "no_rows", line=2)])
    short = raw.isna().any(axis=1)
    if short.any():
        problems = _ragged_problems(text, len(header), header)
        raise TableError(path, problems)
    return raw, text


def load_studies(path: Path | str | None = None, cache: bool = True) -> pd.DataFrame:
    """Return the validated study table with schema dtypes (categoricals for enumerations).

    Raises :class:`TableError` listing every problem when the table is invalid.
    A table that validated once is kept in a cache keyed by its bytes, the
    schema and the validation code, so the many kernels of a report build do
    not validate the same file again.
    """
    return load_table(Path(path) if path is not None else STUDIES_PATH, "studies", cache)


def load_table(path: Path | str, name: str, cache: bool = True) -> pd.DataFrame:
    """Load and validate one table of the data set (``name`` as in data/schemas/); a CSV, or an .xlsx sheet."""
    from .spreadsheet import split_sheet

    path = Path(path)
    file, sheet = split_sheet(path)
    key = _cache_key(file, name, sheet or "") if cache and file.is_file() else None
    if key is not None:
        cached = _cache_get(key)
        if cached is not None:
            cached.attrs.update(source_path=str(path), cache_key=key)
            return cached
    table = _validate(path, load_schema(name))
    if key is not None:
        _cache_put(key, table)
        table.attrs["cache_key"] = key  # what the data set's cached cross-checks are keyed by
    return table


def _validate(path: Path, schema: Schema | None = None, text: str | None = None) -> pd.DataFrame:
    from .spreadsheet import is_spreadsheet, validate_workbook
    from .validation import raw_problems, typed_problems

    schema = schema or load_schema()
    if text is None and is_spreadsheet(path):  # .xlsx: the same rules, problems named by cell
        return validate_workbook(path, lambda file, sheet_text: _validate(file, schema, sheet_text))
    raw, text = read_raw(path, schema, text)
    for name in schema.names:
        if name not in raw.columns:
            raw[name] = ""
    user = [c for c in raw.columns if c not in schema.names and schema.is_user_column(c)]
    extra = raw[user].astype(object).apply(lambda s: s.str.strip()) if user else None
    raw = raw[schema.names].astype(object)
    raw = raw.where(raw != "", None)
    raw.index = pd.RangeIndex(len(raw))

    starts: list[int] | None = None

    def line_of(idx) -> int:
        nonlocal starts
        if starts is None:
            starts = _record_lines(text)
        i = int(idx) + 1
        return starts[i] if i < len(starts) else i + 1

    problems = raw_problems(schema, raw, line_of)
    typed = _convert(schema, raw)
    problems += typed_problems(schema, typed, raw, line_of)
    problems = _one_message_per_cell(problems)
    if problems:
        raise TableError(path, problems)
    if extra is not None:  # the user's own x_... columns, as text
        extra.index = typed.index
        for c in user:
            typed[c] = extra[c].where(extra[c] != "", None).astype("string")
    typed.attrs["source_path"] = str(path)
    typed.attrs["lines"] = LineNumbers(line_of(i) for i in range(len(typed)))
    return typed


class LineNumbers(tuple):
    """The file line of each row, kept in ``DataFrame.attrs``.

    pandas deep-copies ``attrs`` into the result of nearly every operation; a
    plain list made each of them cost time in proportion to the table's rows
    (a 10,000-row table spent most of its report time copying it). Being
    immutable, it is shared instead of copied.
    """

    __slots__ = ()

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _one_message_per_cell(problems: list[Problem]) -> list[Problem]:
    """A cell whose value broke its own format gets that message only: a cross-field rule that failed
    because the bad value became missing (e.g. an unknown effect_measure) would only repeat it wrongly."""
    bad_cells = {(p.line, p.column) for p in problems if p.rule.endswith(":format")}
    return [p for p in problems if p.rule.endswith(":format") or (p.line, p.column) not in bad_cells]


# ------------------------------------------------------------------ cache of validated tables
def cache_dir() -> Path:
    return Path(os.environ.get("HELPERS_CACHE") or (ROOT / ".cache" / "tables"))


def _cache_key(path: Path, name: str = "studies", sheet: str = "") -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        h = hashlib.sha256(path.read_bytes())
    except OSError:
        return None
    h.update(sheet.encode())
    for code in ("loader.py", "validation.py", "schema.py", "record_rules.py", "spreadsheet.py"):
        h.update((Path(__file__).parent / code).read_bytes())
    h.update(name.encode())
    h.update(schema_path(name).read_bytes())
    h.update(str(_dt.date.today().year).encode())  # the year rule moves with the calendar
    h.update(pd.__version__.encode())
    return h.hexdigest()[:32]


def _cache_get(key: str) -> pd.DataFrame | None:
    f = cache_dir() / f"{key}.pkl"
    try:
        with open(f, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def _cache_put(key: str, table: pd.DataFrame) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pkl")
    except OSError:
        pass  # a cache that cannot be written only costs time


def _convert(schema: Schema, raw: pd.DataFrame) -> pd.DataFrame:
    """Cast text cells to schema dtypes; cells that do not parse become missing (already reported)."""
    out = {}
    for f in schema.fields:
        col = raw[f.name]
        if f.type == "number":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
            out[f.name] = out[f.name].where(np.isfinite(out[f.name]))
        elif f.type == "integer":
            num = pd.to_numeric(col.where(col.fillna("").str.fullmatch(r"[+-]?\d+")), errors="coerce")
            out[f.name] = num.astype("Int64")
        elif f.enum:
            out[f.name] = pd.Categorical(col.where(col.isin(f.enum)), categories=list(f.enum))
        else:
            out[f.name] = col.astype("string")
    return pd.DataFrame(out, index=raw.index)
