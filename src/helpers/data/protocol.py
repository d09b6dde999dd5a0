"""The protocol's questions by condition (data/protocol.md): the population, setting, intervention and
comparison a Summary of Findings is headed with, written once in the protocol's own table."""

from __future__ import annotations

import re
from functools import cache

from ..errors import Problem, TableError
from ..paths import DATA

PROTOCOL = DATA / "protocol.md"
HEADING = "## Questions by condition"
COLUMNS = ("condition", "population", "setting", "intervention", "comparison")
#: the one line that sets after how many days a page says the search is out of date
STALE_LINE = "Search out of date after:"
STALE = re.compile(r"^Search out of date after: ([1-9][0-9]{0,3}) days$")


@cache
def stale_after_days(path=PROTOCOL) -> int | None:
    """The number of days after the last search at which pages say it is out of date (None: the protocol sets none)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(STALE_LINE):
            m = STALE.match(line.strip())
            if not m:
                expected = f"'{STALE_LINE} N days' with N a whole number from 1 to 9999"
                raise TableError(path, [Problem(number, None, line, expected, "protocol_stale_after")])
            return int(m[1])
    return None


@cache
def questions(path=PROTOCOL) -> dict[str, dict[str, str]]:
    """{condition: {population, setting, intervention, comparison}} from the protocol's table."""
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(HEADING)
    except ValueError:
        return {}
    out: dict[str, dict[str, str]] = {}
    header = None
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = tuple(cells)
            if header != COLUMNS:
                raise TableError(path, [Problem(number, "header", line, " | ".join(COLUMNS), "protocol_questions")])
            continue
        if set(line) <= set("|-: "):
            continue
        if len(cells) != len(COLUMNS):
            raise TableError(path, [Problem(number, "row", line, f"{len(COLUMNS)} cells", "protocol_questions")])
        row = dict(zip(COLUMNS, cells))
        out[row.pop("condition")] = row
    return out
