"""Study tables kept in Excel: the same validation, cell-named messages, the same tables and reports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from helpers.data.loader import load_studies
from helpers.data.schema import load_schema
from helpers.data.spreadsheet import column_letter, split_sheet
from helpers.errors import TableError
from helpers.paths import NOTEBOOKS, STUDIES_PATH
from support.shipped import CONDITIONS


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


def validate(path, capsys) -> tuple[int, str]:
    """``python -m helpers validate PATH`` in this process: exit code and what it printed on stderr."""
    from helpers.cli import main

    code = main(["validate", str(path)])
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xlsx")
    shutil.copy(STUDIES_PATH.parent / "references.csl.json", folder)  # the metadata the citation files come from
    return write_xlsx(folder / "studies.xlsx", shipped_records())


def test_same_table_as_the_csv(xlsx):
    a = load_studies(STUDIES_PATH, cache=False)
    b = load_studies(xlsx, cache=False)
    pd.testing.assert_frame_equal(a, b)
    assert b.attrs["source_path"] == str(xlsx)


def test_same_report_and_tables_from_a_build(xlsx, tmp_path, shipped, builds):
    """A build from the workbook gives the same report, tables and citation files as the build from the CSV."""
    csv_out = shipped
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    stem = "02_effect_sizes"  # the notebook with the most numbers: effects, pooling, forest plots
    (nbdir / f"{stem}.ipynb").write_bytes((NOTEBOOKS / f"{stem}.ipynb").read_bytes())
    out = tmp_path / "xlsx"
    res = builds.build(
        "--data", f"{xlsx}#Studies", "--out", out, "--condition", CONDITIONS[0], "--notebooks", nbdir, "--jobs", "1"
    )
    assert res.returncode == 0, res.stdout + res.stderr
    files = sorted(
        p.relative_to(out)
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != "index.html"
    )  # the index lists the notebooks built, here one
    assert Path(CONDITIONS[0], f"{stem}.html") in files and Path("tables", "effects.csv") in files
    for f in files:
        a, b = (csv_out / f).read_bytes(), (out / f).read_bytes()
        if f.suffix == ".html":  # one notebook and no tables beside the workbook: no neighbours, no search date
            a, b = (
                re.sub(rb'<nav aria-label="Reports" class="report-nav">.*?</nav>', b"", x, flags=re.S) for x in (a, b)
            )
            a, b = (re.sub(rb" The evidence is as found by searches last run on [0-9-]+[.]", b"", x) for x in (a, b))
            # nor the version of the project's evidence: the workbook is a table of the user's own
            version = rb"Evidence version [^<]*<a [^>]*>what changed in each version</a>\)\. |These pages show a table "
            a, b = (
                re.sub(version + rb"of your own, which has no version of the project's evidence\. ", b"", x)
                for x in (a, b)
            )
        assert a == b, f


def test_named_sheet_and_first_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "book.xlsx",
        shipped_records(),
        sheet="Extraction 2",
        before={"Notes": [["read me first"], ["these are not studies"]]},
    )
    table = load_studies(f"{path}#Extraction 2", cache=False)
    assert len(table) == len(shipped_records()) - 1
    with pytest.raises(TableError) as err:  # without a sheet name, the first sheet is read
        load_studies(path, cache=False)
    assert "sheet Notes row 1" in str(err.value)
    with pytest.raises(TableError) as err:
        load_studies(f"{path}#Missing", cache=False)
    assert "'Missing'" in str(err.value) and "Notes, Extraction 2" in str(err.value)


def test_problems_name_sheet_and_cell(tmp_path, capsys):
    records = shipped_records()
    header = records[0]
    records[11][header.index("doi")] = "not a doi"  # worksheet row 12
    records[4][header.index("year")] = "20x8"  # worksheet row 5
    path = write_xlsx(tmp_path / "bad.xlsx", records, sheet="Sheet1")
    code, err = validate(path, capsys)
    assert code == 1
    doi_cell = f"Sheet1!{column_letter(header.index('doi'))}12"
    year_cell = f"Sheet1!{column_letter(header.index('year'))}5"
    assert f"cell {doi_cell}, column doi: value 'not a doi'" in err, err
    assert f"cell {year_cell}, column year: value '20x8'" in err, err
    assert "2 problems found" in err


def test_blank_rows_keep_cell_numbers(tmp_path):
    records = shipped_records()
    header = records[0]
    records[3][header.index("doi")] = "nope"
    rows = records[:2] + [[""] * len(header)] * 2 + records[2:]  # two blank rows: the bad row is now row 6
    path = write_xlsx(tmp_path / "blank.xlsx", rows, sheet="S")
    with pytest.raises(TableError) as err:
        load_studies(path, cache=False)
    assert f"cell S!{column_letter(header.index('doi'))}6" in str(err.value), str(err.value)


def test_not_a_workbook(tmp_path, capsys):
    path = tmp_path / "fake.xlsx"
    path.write_text("study_id,citation\n")
    code, err = validate(path, capsys)
    assert code == 1 and "expected an Excel .xlsx workbook" in err


def test_split_sheet():
    assert split_sheet("a/b.xlsx#My sheet") == (Path("a/b.xlsx"), "My sheet")
    assert split_sheet("a/b.xlsx") == (Path("a/b.xlsx"), None)
    assert split_sheet("a/b#c.csv") == (Path("a/b#c.csv"), None)
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
