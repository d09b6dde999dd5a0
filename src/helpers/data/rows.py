"""Small readers shared by the checks of every table: a row's line in its file, a cell as text, a list cell."""

from __future__ import annotations

import pandas as pd


def line_number(table: pd.DataFrame, i: int) -> int:
    """The line a spreadsheet shows for row ``i`` (the loader keeps them in ``attrs``; else header + 1)."""
    lines = table.attrs.get("lines")
    return lines[i] if lines and i < len(lines) else i + 2


def cell_text(value) -> str:
    """A cell as text, missing values as ''."""
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def split_list(value) -> list[str]:
    """A '|'-separated list cell ('a|b') as its items; empty or missing as []."""
    text = cell_text(value)
    return [v for v in text.split("|") if v] if text else []
