"""The README's layout is a newcomer's map: it names every package folder, and the files its "where to add"
list names exist."""

from __future__ import annotations

import re

from helpers.paths import ROOT, SRC

WHERE_TO_ADD = {"a condition", "a figure", "a risk-of-bias tool", "a pooling method", "a report section"}


def layout_section(text: str) -> str:
    return text.split("## Layout", 1)[1].split("\n## ", 1)[0]


def unnamed_folders(layout: str, folders: list[str]) -> list[str]:
    return [f for f in folders if not re.search(rf"\b{f}/", layout)]


def where_to_add(layout: str) -> dict[str, set[str]]:
    """Each row of the list: what to add -> the repository paths it names."""
    rows = [line for line in layout.splitlines() if line.startswith("| a ")]
    return {r.split("|")[1].strip(): set(re.findall(r"`((?:src|data)/[^`]+)`", r)) for r in rows}


def missing(paths) -> list[str]:
    return sorted(p for p in paths if not (ROOT / p).exists())


def test_the_layout_names_every_package_folder():
    layout = layout_section((ROOT / "README.md").read_text(encoding="utf-8"))
    folders = sorted(p.parent.name for p in SRC.glob("*/__init__.py"))
    assert {"data", "stats", "findings", "report", "site", "render"} <= set(folders)
    assert unnamed_folders(layout, folders) == []


def test_every_file_the_where_to_add_list_names_exists():
    rows = where_to_add(layout_section((ROOT / "README.md").read_text(encoding="utf-8")))
    assert set(rows) >= WHERE_TO_ADD and all(rows[k] for k in WHERE_TO_ADD)
    assert missing(set().union(*rows.values())) == []


def test_a_missing_folder_or_file_is_found():  # negative control of both checks
    layout = layout_section("## Layout\n| a figure | `src/helpers/report/no_such_file.py` |\n data/ stats/\n## Next")
    assert unnamed_folders(layout, ["data", "findings"]) == ["findings"]
    assert missing(where_to_add(layout)["a figure"]) == ["src/helpers/report/no_such_file.py"]
