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
    out = pd.Series(pd.NA, index=cells.index, dtype="Int64")
    valid = cells[_fullmatch(cells, INTEGER)]
    if len(valid):
        out[valid.index] = pd.to_numeric(valid).astype("int64")
    return out


def parse_number(cells: pd.Series) -> pd.Series:
    """Finite numbers below MAX_MAGNITUDE in size (float64); NaN where a cell is empty or is not one."""
    out = pd.Series(float("nan"), index=cells.index, dtype="float64")
    valid = cells[_fullmatch(cells, NUMBER)]
    if len(valid):
        values = pd.to_numeric(valid).astype("float64")  # '1e999' gives inf, refused below
        out[valid.index] = values.where(values.abs() < MAX_MAGNITUDE)
    return out


def convert(f: Field, cells: pd.Series) -> pd.Series | pd.Categorical:
    """A column's text cells (str or None) as the field's values; a cell that does not parse is missing."""
    if f.type == "integer":
        return parse_integer(cells)
    if f.type == "number":
        return parse_number(cells)
    if f.enum:
        return pd.Categorical(cells.where(cells.isin(f.enum)), categories=list(f.enum))
    return cells.astype("string")


def _fullmatch(cells: pd.Series, pattern: str) -> pd.Series:
    return cells.str.fullmatch(pattern, flags=re.ASCII).fillna(False).astype(bool)


# ------------------------------------------------------------------ text cells
def text_checks(f: Field) -> list[tuple[str | object, object]]:
    """(expected, check) for a text column's cells, in order: a cell that fails one is not checked again.
    ``check`` gives True for the cells that pass; ``expected`` is a phrase, or a function of the cell."""
    if f.type != "string" or f.enum:
        return []  # their cells are checked by convert: a cell that gives no value is the error
    checks: list = []
    if f.pattern:
        checks.append((_code_fault, lambda s: pd.Series([_is_code(v) for v in s], index=s.index, dtype=bool)))
        described = f"{f.description.rstrip('.')} (matching {f.pattern})"
        checks.append((described, lambda s: s.str.fullmatch(f.pattern, flags=re.ASCII)))
    else:
        checks.append(control_check())
        formula = (
            "text that does not start with =, +, -, @, tab or carriage return (a spreadsheet would run it as a formula)"
        )
        checks.append((formula, lambda s: ~s.str.match(FORMULA)))
    if f.max_length:
        checks.append((f"at most {f.max_length} characters", lambda s: s.str.len() <= f.max_length))
    return checks


def control_check() -> tuple:
    """(expected, check) of the rule every text cell meets, the user's own columns' too: no control character
    other than tab and line breaks."""
    return _control, lambda s: pd.Series([_no_control(v) for v in s], index=s.index, dtype=bool)


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
