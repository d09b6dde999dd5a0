"""A CSV file of the data set as text: size, encoding, header and the line each record starts on.

Every problem names the file's line as a spreadsheet shows it and the column,
so that a user can find the cell; nothing here knows the meaning of a column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import Problem, TableError
from ..paths import STUDIES_PATH
from .schema import Schema, load_schema

#: files larger than this are refused before parsing (the table is a hand-kept sheet)
MAX_BYTES = 100 * 1024 * 1024
BOM = "\ufeff"


def records(text: str):
    """A CSV reader of ``text``. pandas parses fields of any size; the stdlib's reader refuses those over
    131,072 characters unless told otherwise, so the limit is the largest file accepted."""
    if csv.field_size_limit() < MAX_BYTES:
        csv.field_size_limit(MAX_BYTES)
    return csv.reader(io.StringIO(text, newline=""))


def file_problem(expected: str, rule: str, line=None, column=None, value=None) -> Problem:
    return Problem(line, column, value, expected, rule)


def read_text(path: Path) -> str:
    if not path.exists():
        raise TableError(path, [file_problem("an existing CSV file (no such file)", "file_missing")])
    if not path.is_file():
        raise TableError(path, [file_problem("a CSV file, not a folder", "file_missing")])
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TableError(
            path,
            [
                file_problem(
                    f"a file of at most {MAX_BYTES // 2**20} MiB (it has {size / 2**20:.1f} MiB)", "file_too_large"
                )
            ],
        )
    data = path.read_bytes()
    utf16 = _utf16(data)
    if utf16:
        raise TableError(
            path, [file_problem(f"UTF-8 text ({utf16}; re-save the file as 'CSV UTF-8')", "encoding", line=1)]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TableError(path, [encoding_problem(data, exc)]) from None
    if text.startswith(BOM):
        header = next(records(text[1:]), [""])
        raise TableError(
            path,
            [
                file_problem(
                    "no byte-order mark at the start of the file (save as plain 'CSV UTF-8' "
                    "or remove the first three bytes EF BB BF)",
                    "byte_order_mark",
                    line=1,
                    column=header[0] if header else None,
                )
            ],
        )
    return text


def _utf16(data: bytes) -> str | None:
    """Why the bytes look like UTF-16, which decodes as nonsense (or, being ASCII and NULs, as UTF-8)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return f"this file is UTF-16: it starts with the byte-order mark {data[:2].hex(' ')}"
    head = data[:4096]
    if head and head.count(0) * 4 >= len(head):
        return "this file looks like UTF-16 without a byte-order mark: every other byte is 0"
    return None


def encoding_problem(data: bytes, exc: UnicodeDecodeError) -> Problem:
    line = data[: exc.start].count(b"\n") + 1
    bad = data[exc.start : exc.end]
    column = None
    text = data.decode("utf-8", errors="replace")
    rows = list(records(text))
    if rows:
        header = rows[0]
        for row in rows:
            for i, cell in enumerate(row):
                if "\ufffd" in cell:
                    column = header[i] if i < len(header) else f"field {i + 1}"
                    break
            if column:
                break
    return file_problem(
        f"UTF-8 text (found byte {bad.hex(' ')} that is not UTF-8; re-save the file as 'CSV UTF-8')",
        "encoding",
        line=line,
        column=column,
    )


def record_lines(text: str) -> list[int]:
    """The line on which each CSV record starts (index 0 is the header)."""
    reader = records(text)
    starts, prev_end = [], 0
    for row in reader:
        if row:
            starts.append(prev_end + 1)
        prev_end = reader.line_num
    return starts


def header_problems(schema: Schema, header: list[str]) -> list[Problem]:
    problems = []
    known = set(schema.names)
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if sep in header[0]:
                return [
                    file_problem(
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
            problems.append(file_problem("every column to have a name", "header", line=1, value=""))
        elif n > 1:
            problems.append(
                file_problem(f"each column once (it appears {n} times)", "duplicate_column", line=1, column=name)
            )
        elif name not in known and not schema.is_user_column(name):
            problems.append(
                file_problem(
                    f"a column defined in {schema.source} (add new columns there first)"
                    + (
                        f", or a column of your own named x_... (matching {schema.user_column_pattern})"
                        if schema.user_column_pattern
                        else ""
                    ),
                    "unknown_column",
                    line=1,
                    column=name,
                    value=name,
                )
            )
    for name in schema.required_columns:
        if name not in counts:
            problems.append(file_problem("this required column in the header", "missing_column", line=1, column=name))
    return problems


def ragged_problems(text: str, width: int, header: list[str]) -> list[Problem]:
    problems = []
    reader = records(text)
    prev_end = 0
    for i, row in enumerate(reader):
        start = prev_end + 1
        prev_end = reader.line_num
        if i == 0 or not row:
            continue
        if len(row) != width:
            problems.append(
                file_problem(
                    f"{width} fields like the header (this row has {len(row)}; a comma inside an unquoted cell?)",
                    "field_count",
                    line=start,
                    column=header[min(len(row), width) - 1] if len(row) < width else None,
                )
            )
    return problems


def read_raw(
    path: Path | str | None = None, schema: Schema | None = None, text: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Parse the CSV (or ``text`` already read from it) into a frame of text cells, checking the file and its header."""
    path = Path(path) if path is not None else STUDIES_PATH
    schema = schema or load_schema()
    text = read_text(path) if text is None else text
    if not text.strip():
        raise TableError(
            path, [file_problem("a header row and at least one data row (the file is empty)", "empty_file")]
        )
    header = next(records(text))
    problems = header_problems(schema, header)
    if problems:
        raise TableError(path, problems)
    try:
        raw = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=True, engine="c"
        )
    except pd.errors.ParserError:
        raise TableError(path, ragged_problems(text, len(header), header)) from None
    if raw.empty and not schema.may_be_empty:
        raise TableError(path, [file_problem("at least one data row below the header", "no_rows", line=2)])
    short = raw.isna().any(axis=1)
    if short.any():
        problems = ragged_problems(text, len(header), header)
        raise TableError(path, problems)
    return raw, text
