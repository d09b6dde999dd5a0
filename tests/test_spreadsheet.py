"""Study tables kept in Excel: the same validation, cell-named messages, the same tables and reports."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from helpers.data.loader import load_studies
from helpers.data.schema import load_schema
from helpers.data.spreadsheet import column_letter, split_sheet
from helpers.errors import TableError
from helpers.paths import NOTEBOOKS, ROOT, STUDIES_PATH


def shipped_records() -> list[list[str]]:
    import csv

    with open(STUDIES_PATH, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_xlsx(path: Path, records: list[list[str]], sheet: str = "Studies", before: dict | None = None) -> Path:
    """The table as Excel keeps it: numbers as numbers, text as text; ``before``: sheets placed first."""
    types = {f.name: f.type for f in load_schema().fields}
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in (before or {}).items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    ws = wb.create_sheet(sheet)
    header = records[0]
    ws.append(header)
    for rec in records[1:]:
        row = []
        for name, value in zip(header, rec):
            try:
                if value != "" and types.get(name) == "integer":
                    value = int(value)
                elif value != "" and types.get(name) == "number":
                    value = float(value)
            except ValueError:
                pass  # a typo stays text, as Excel keeps it
            row.append(value)
        ws.append(row)
    wb.save(path)
    return path


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory) -> Path:
    return write_xlsx(tmp_path_factory.mktemp("xlsx") / "studies.xlsx", shipped_records())


def test_same_table_as_the_csv(xlsx):
    a = load_studies(STUDIES_PATH, cache=False)
    b = load_studies(xlsx, cache=False)
    pd.testing.assert_frame_equal(a, b)
    assert b.attrs["source_path"] == str(xlsx)


def test_same_tables_from_the_command_line(xlsx, tmp_path):
    for data, out in ((STUDIES_PATH, tmp_path / "csv"), (xlsx, tmp_path / "xlsx")):
        res = cli("tables", "--data", data, "--out", out)
        assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "xlsx").iterdir()) and len(names) == 3
    for name in names:
        assert (tmp_path / "csv" / name).read_bytes() == (tmp_path / "xlsx" / name).read_bytes(), name


def test_same_report_and_tables_from_a_build(xlsx, tmp_path):
    """One notebook, one condition, built from each: identical HTML, tables and citation files."""
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    (nbdir / "02_effect_sizes.ipynb").write_bytes((NOTEBOOKS / "02_effect_sizes.ipynb").read_bytes())
    outs = {}
    for name, data in (("csv", STUDIES_PATH), ("xlsx", f"{xlsx}#Studies")):
        outs[name] = tmp_path / name
        res = cli("build", "--data", data, "--out", outs[name], "--condition", "low_back_pain", "--notebooks", nbdir, "--jobs", "1")
        assert res.returncode == 0, res.stdout + res.stderr
    files = sorted(p.relative_to(outs["csv"]) for p in outs["csv"].rglob("*") if p.is_file() and not p.name.startswith("."))
    assert files == sorted(p.relative_to(outs["xlsx"]) for p in outs["xlsx"].rglob("*") if p.is_file() and not p.name.startswith("."))
    compared = [f for f in files if f.suffix in (".html", ".csv", ".bib", ".ris", ".json")]
    assert any(f.suffix == ".html" for f in compared) and any(f.name == "effects.csv" for f in compared)
    for f in compared:
        assert (outs["csv"] / f).read_bytes() == (outs["xlsx"] / f).read_bytes(), f


def test_named_sheet_and_first_sheet(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", shipped_records(), sheet="Extraction 2",
                      before={"Notes": [["read me first"], ["these are not studies"]]})
    table = load_studies(f"{path}#Extraction 2", cache=False)
    assert len(table) == len(shipped_records()) - 1
    with pytest.raises(TableError) as err:  # without a sheet name, the first sheet is read
        load_studies(path, cache=False)
    assert "sheet Notes row 1" in str(err.value)
    with pytest.raises(TableError) as err:
        load_studies(f"{path}#Missing", cache=False)
    assert "'Missing'" in str(err.value) and "Notes, Extraction 2" in str(err.value)


def test_problems_name_sheet_and_cell(tmp_path):
    records = shipped_records()
    header = records[0]
    records[11][header.index("doi")] = "not a doi"  # worksheet row 12
    records[4][header.index("year")] = "20x8"  # worksheet row 5
    path = write_xlsx(tmp_path / "bad.xlsx", records, sheet="Sheet1")
    res = cli("validate", path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    doi_cell = f"Sheet1!{column_letter(header.index('doi'))}12"
    year_cell = f"Sheet1!{column_letter(header.index('year'))}5"
    assert f"cell {doi_cell}, column doi: value 'not a doi'" in res.stderr, res.stderr
    assert f"cell {year_cell}, column year: value '20x8'" in res.stderr, res.stderr
    assert "2 problems found" in res.stderr


def test_blank_rows_keep_cell_numbers(tmp_path):
    records = shipped_records()
    header = records[0]
    records[3][header.index("doi")] = "nope"
    rows = records[:2] + [[""] * len(header)] * 2 + records[2:]  # two blank rows: the bad row is now row 6
    path = write_xlsx(tmp_path / "blank.xlsx", rows, sheet="S")
    with pytest.raises(TableError) as err:
        load_studies(path, cache=False)
    assert f"cell S!{column_letter(header.index('doi'))}6" in str(err.value), str(err.value)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("study_id,citation\n")
    res = cli("validate", path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "expected an Excel .xlsx workbook" in res.stderr


def test_split_sheet():
    assert split_sheet("a/b.xlsx#My sheet") == (Path("a/b.xlsx"), "My sheet")
    assert split_sheet("a/b.xlsx") == (Path("a/b.xlsx"), None)
    assert split_sheet("a/b#c.csv") == (Path("a/b#c.csv"), None)
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
