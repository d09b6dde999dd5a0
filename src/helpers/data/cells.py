"""One parser per column type: what a cell may hold, and the value it gives.

The check and the conversion of a table are the same function (:func:`convert`): a non-empty cell
whose value comes out missing is the error, named with its line and column by the validator, so a
value that passes can never silently become another one, or none, later. The rules are strict on
purpose: digits are ASCII 0-9 (never other scripts' digits), a cell matches as a whole (a trailing
line break is not "the end"), codes are printable with no space at either end, and no text holds
control characters other than tab and line breaks.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .schema import Field

#: a whole number: ASCII digits, at most 18 of them (every such number fits in a 64-bit integer)
INTEGER = r"[+-]?[0-9]{1,18}"
#: a decimal number in ASCII digits; NaN, infinity, thousands separators and text do not match
NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
#: numbers at least this large are refused: beyond it a float no longer holds every whole number, and squares
#: of such values overflow the statistics
MAX_DIGITS = 15
MAX_MAGNITUDE = 10.0**MAX_DIGITS
#: text that a spreadsheet would run as a formula
FORMULA = r"[=+\-@\t\r]"
_INTEGER, _NUMBER, _FORMULA = (re.compile(p, re.ASCII) for p in (INTEGER, NUMBER, FORMULA))
#: control characters no text may hold: C0 and C1 ones other than tab, line feed and carriage return
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMES = {"\x00": "NUL", "\t": "tab", "\n": "line break", "\r": "carriage return", " ": "space", "\x7f": "DEL"}


def expected_value(f: Field) -> str:
    """What a cell of this column must look like to give a value (the message of a cell that gives none)."""
    if f.type == "integer":
        return "a whole number (digits 0-9 only, at most 18, no spaces or line breaks)"
    if f.type == "number":
        return (
            "a finite number (not text, NaN or infinity; digits 0-9 only, no spaces or line breaks, "
            f"at most {MAX_DIGITS} digits before the decimal point)"
        )
    if f.enum:
        return "one of " + ", ".join(f.enum)
    return "text"


def parse_integer(cells: pd.Series) -> pd.Series:
    """Whole numbers (Int64); missing where a cell is empty or is not one."""
    values, valid = _fullmatch(cells, _INTEGER)
    data = np.zeros(len(values), dtype="int64")
    if valid.any():
        data[valid] = pd.to_numeric(values[valid]).astype("int64")
    return pd.Series(pd.arrays.IntegerArray(data, ~valid), index=cells.index)


def parse_number(cells: pd.Series) -> pd.Series:
    """Finite numbers below MAX_MAGNITUDE in size (float64); NaN where a cell is empty or is not one."""
    values, valid = _fullmatch(cells, _NUMBER)
    data = np.full(len(values), np.nan)
    if valid.any():
        numbers = pd.to_numeric(values[valid]).astype("float64")  # '1e999' gives inf, refused below
        data[valid] = np.where(np.abs(numbers) < MAX_MAGNITUDE, numbers, np.nan)
    return pd.Series(data, index=cells.index)


def convert(f: Field, cells: pd.Series) -> pd.Series | pd.Categorical:
    """A column's text cells (str or None) as the field's values; a cell that does not parse is missing."""
    if f.type == "integer":
        return parse_integer(cells)
    if f.type == "number":
        return parse_number(cells)
    if f.enum:
        # a dictionary look-up per cell, not pandas' isin and where: this runs for every column of every table
        position = {v: i for i, v in enumerate(f.enum)}
        codes = [position.get(v, -1) if isinstance(v, str) else -1 for v in cells.to_numpy(dtype=object)]
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(f.enum)))
    return cells.astype("string")


def _fullmatch(cells: pd.Series, pattern: re.Pattern) -> tuple[np.ndarray, np.ndarray]:
    """The cells as an object array, and which of them match ``pattern`` whole (a missing cell does not)."""
    values = cells.to_numpy(dtype=object)
    match = pattern.fullmatch
    valid = np.fromiter((isinstance(v, str) and match(v) is not None for v in values), bool, len(values))
    return values, valid


# ------------------------------------------------------------------ text cells
def text_checks(f: Field) -> list[tuple[str | object, object]]:
    """(expected, check) for a text column's cells, in order: a cell that fails one is not checked again.
    ``check`` gives True for the cells that pass; ``expected`` is a phrase, or a function of the cell."""
    if f.type != "string" or f.enum:
        return []  # their cells are checked by convert: a cell that gives no value is the error
    checks: list = []
    if f.pattern:
        checks.append((_code_fault, _each(_is_code)))
        described = f"{f.description.rstrip('.')} (matching {f.pattern})"
        pattern = re.compile(f.pattern, re.ASCII)
        checks.append((described, _each(lambda v: pattern.fullmatch(v) is not None)))
    else:
        checks.append(control_check())
        formula = (
            "text that does not start with =, +, -, @, tab or carriage return (a spreadsheet would run it as a formula)"
        )
        checks.append((formula, _each(lambda v: _FORMULA.match(v) is None)))
    if f.max_length:
        checks.append((f"at most {f.max_length} characters", _each(lambda v: len(v) <= f.max_length)))
    return checks


def _each(test):
    """A check of present (str) cells as a boolean array, one call of ``test`` per cell: Python's own string
    functions, without the cost of a pandas string method on every column of every table."""
    return lambda s: np.fromiter((test(v) for v in s.to_numpy(dtype=object)), bool, len(s))


def control_check() -> tuple:
    """(expected, check) of the rule every text cell meets, the user's own columns' too: no control character
    other than tab and line breaks."""
    return _control, _without_control


def _without_control(s: pd.Series) -> np.ndarray:
    values = s.to_numpy(dtype=object)
    joined = " ".join(values)  # a column without any control character, the usual case, is two scans in C
    if joined.isprintable() or CONTROL.search(joined) is None:
        return np.ones(len(values), dtype=bool)
    return np.fromiter((_no_control(v) for v in values), bool, len(values))


def _is_code(value: str) -> bool:
    """A code is printable (no control character, line break, tab or space other than a plain one, nothing
    invisible) and has no space at either end."""
    return value.isprintable() and value[:1] != " " and value[-1:] != " "


def _no_control(value: str) -> bool:
    return value.isprintable() or CONTROL.search(value) is None  # most cells are printable: no regex for them


def _where(text: str, at: int) -> str:
    c = text[at]
    name = _NAMES.get(c) or unicodedata.name(c, "control character")
    place = "at the start" if at == 0 else "at the end" if at == len(text) - 1 else f"at character {at + 1}"
    return f"U+{ord(c):04X} {name} {place}"


def _code_fault(value: str) -> str:
    at = next((i for i, c in enumerate(value) if not c.isprintable()), None)
    if at is None:
        at = 0 if value[:1] == " " else len(value) - 1
    return f"a code of printable characters, without a space at either end (found {_where(value, at)})"


def _control(value: str) -> str:
    return f"text without control characters (found {_where(value, CONTROL.search(value).start())})"
