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

from pathlib import Path

import pandas as pd

from ..errors import Problem, TableError
from ..paths import STUDIES_PATH
from . import table_cache
from .cells import convert
from .csvfile import read_raw, record_lines
from .followup import followup_days
from .schema import Schema, load_schema
from .spreadsheet import is_spreadsheet, split_sheet, validate_workbook
from .validation import raw_problems, typed_problems, user_column_problems

#: the code a validated table depends on: this subpackage and the messages of its problems
CODE = (Path(__file__).parent, Path(__file__).parent.parent / "errors.py")


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
    path = Path(path)
    file, sheet = split_sheet(path)
    key = table_cache.table_key(file, name, sheet or "", CODE) if cache and file.is_file() else None
    if key is not None:
        cached = table_cache.get(key)
        if cached is not None:
            lines = LineNumbers(cached.attrs.get("lines", ()))
            cached.attrs.update(source_path=str(path), cache_key=key, lines=lines)
            return cached
    table = _validate(path, load_schema(name))
    if key is not None:
        table_cache.put(key, table)
        table.attrs["cache_key"] = key  # what the data set's cached cross-checks are keyed by
    return table


def load_with_schema(path: Path | str, schema: Schema) -> pd.DataFrame:
    """Validate a table against a schema given as an object (another revision's, say), never cached."""
    return _validate(Path(path), schema)


def _validate(path: Path, schema: Schema | None = None, text: str | None = None) -> pd.DataFrame:
    schema = schema or load_schema()
    if text is None and is_spreadsheet(path):  # .xlsx: the same rules, problems named by cell
        return validate_workbook(path, lambda file, sheet_text: _validate(file, schema, sheet_text))
    raw, text = read_raw(path, schema, text)
    for name in schema.names:
        if name not in raw.columns:
            raw[name] = ""
    user = [c for c in raw.columns if c not in schema.names and schema.is_user_column(c)]
    extra = raw[user].astype(object).apply(lambda s: s.str.strip()) if user else None
    cells = raw[schema.names].to_numpy(dtype=object)  # a copy: one array, not a pandas operation per column
    cells[cells == ""] = None
    raw = pd.DataFrame(cells, columns=schema.names, dtype=object)  # object: a None stays None (not NaN)

    starts: list[int] | None = None

    def line_of(idx) -> int:
        nonlocal starts
        if starts is None:
            starts = record_lines(text)
        i = int(idx) + 1
        return starts[i] if i < len(starts) else i + 1

    problems = raw_problems(schema, raw, line_of)
    if extra is not None:
        problems += user_column_problems(extra, line_of)
    typed = _convert(schema, raw)
    problems += typed_problems(schema, typed, raw, line_of)
    problems = _one_message_per_cell(problems)
    if problems:
        raise TableError(path, problems)
    if "followup_days" in typed:  # computed once from the structured follow-up (helpers.data.followup)
        typed["followup_days"] = followup_days(typed)
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


def _convert(schema: Schema, raw: pd.DataFrame) -> pd.DataFrame:
    """Cast text cells to schema dtypes with the parser that is also their check (helpers.data.cells): a
    non-empty cell that gives no value is reported by typed_problems, never passed on as missing."""
    return pd.DataFrame({f.name: convert(f, raw[f.name]) for f in schema.fields}, index=raw.index)
