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


def write_xlsx(
    path: Path,
    records: list[list[str]],
    sheet: str = "Studies",
    before: dict | None = None,
    edit=None,
    hidden: bool = False,
) -> Path:
    """The table as Excel keeps it: numbers as numbers, text as text; ``before``: sheets placed first (hidden
    with ``hidden``); ``edit(ws)``: a change to the table's sheet before it is saved."""
    types = {f.name: f.type for f in load_schema().fields}
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in (before or {}).items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if hidden:
            ws.sheet_state = "hidden"
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
    if edit is not None:
        edit(ws)
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
            a, b = (re.sub(rb'<nav [^>]*class="report-nav"[^>]*>.*?</nav>', b"", x, flags=re.S) for x in (a, b))
            a, b = (re.sub(rb" The evidence is as found by searches last run on [0-9-]+[.]", b"", x) for x in (a, b))
            # the same date under the page's title, with its out-of-date notice (helpers.site.freshness)
            a, b = (
                re.sub(rb'<p class="search-date">.*?</p>\n?(<p class="stale-notice".*?</p>\n?)?', b"", x, flags=re.S)
                for x in (a, b)
            )
            # nor review questions beside it, which say whether a study answers a main question directly
            a, b = (
                re.sub(
                    rb"; (?:it does not answer|neither answers|none answers|\d+ of them do(?:es)? not answer)"
                    rb" [^.<]*? directly",
                    b"",
                    x,
                )
                for x in (a, b)
            )
            # nor a citation of the project's work: the workbook is a table of the user's own
            cite = rb'\s*<section[^>]*class="report-cite".*?</section>\s*'
            a, b = (re.sub(cite, b"\n", x, flags=re.S) for x in (a, b))
            # nor the version of the project's evidence: the workbook is a table of the user's own
            version = rb"Evidence version [^<]*<a [^>]*>what changed in each version</a>\)\. |These pages show a table "
            a, b = (
                re.sub(version + rb"of your own, which has no version of the project's evidence\. ", b"", x)
                for x in (a, b)
            )
        if f.name == "feed.atom":  # nor the project's answers changed between versions: the workbook has none
            answers = rb"<entry><title>[^<]*: the short answer changed since version .*?</entry>"
            a, b = (re.sub(answers, b"", x, flags=re.S) for x in (a, b))
        if f.suffix == ".html":  # the template's blank lines differ where the neighbours' links were left out
            a, b = (re.sub(rb">\s+<", b"><", x) for x in (a, b))
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
    # and it names the workbook's other sheets, and how to read one
    assert "[first_sheet]" in str(err.value) and "also has Extraction 2" in str(err.value)
    assert "book.xlsx#Extraction 2" in str(err.value)
    with pytest.raises(TableError) as err:
        load_studies(f"{path}#Missing", cache=False)
    assert "'Missing'" in str(err.value) and "Notes, Extraction 2" in str(err.value)


@pytest.mark.integration
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


@pytest.mark.integration
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


# ------------------------------------------------------------------ what a CSV export would not hold as it is read
def small_records() -> list[list[str]]:
    """A small valid table: the header and the rows of two studies (a proportion, and Etchison 2018's)."""
    records = shipped_records()
    return [records[0]] + [r for r in records[1:] if r[0] in ("seed_roberts2014", "etchison2018")]


def col(name: str) -> int:
    return shipped_records()[0].index(name) + 1


def cell_of(name: str, row: int, sheet: str = "Studies") -> str:
    return f"{sheet}!{column_letter(col(name) - 1)}{row}"


def row_of(study_id: str, column: str = "", value: str = "") -> int:
    """The worksheet row of a study's first row (with ``column`` equal to ``value`` when given)."""
    records = small_records()
    return next(
        i + 1
        for i, r in enumerate(records)
        if r[0] == study_id and (not column or r[records[0].index(column)] == value)
    )


def refused(path) -> str:
    """The one message of the TableError the workbook gives (the CLI prints exactly this)."""
    with pytest.raises(TableError) as err:
        load_studies(path, cache=False)
    return str(err.value)


def save_value(path: Path, cell: str, value: str, text: bool = False) -> Path:
    """Give a formula cell the result Excel would have saved with it (openpyxl writes none)."""
    import zipfile

    out = path.with_name("saved-" + path.name)
    ref = cell.split("!")[1]
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                kind = ' t="str"' if text else ""
                data, n = re.subn(
                    rf'<c r="{ref}"><f>(.*?)</f><v ?/>'.encode(),
                    rf'<c r="{ref}"{kind}><f>\1</f><v>{value}</v>'.encode(),
                    data,
                )
                assert n == 1
            zout.writestr(item, data)
    return out


def test_a_formula_without_a_saved_value_is_refused_by_cell(tmp_path):
    """Cases 35 and 36: a formula no program calculated was read as an empty cell."""
    r = row_of("etchison2018")

    def formulas(ws):
        ws.cell(r, col("n_ketamine")).value = "=8+8"
        ws.cell(r, col("notes")).value = '=HYPERLINK("https://example.org","x")'

    path = write_xlsx(tmp_path / "formulas.xlsx", small_records(), edit=formulas)
    err = refused(path)
    assert "2 problems found" in err, err
    for name, formula in (("n_ketamine", "'=8+8'"), ("notes", "'=HYPERLINK")):
        assert f"cell {cell_of(name, r)}, column {name}: value {formula}" in err, err
    assert err.count("[formula_without_value]") == 2
    # the negative control: with the values Excel saves beside them, the formulas give those values
    saved = save_value(save_value(path, cell_of("n_ketamine", r), "16"), cell_of("notes", r), "x", text=True)
    table = load_studies(saved, cache=False)
    assert table["n_ketamine"].iloc[r - 2] == 16 and table["notes"].iloc[r - 2] == "x"


def test_a_number_shown_as_a_percentage_is_refused(tmp_path):
    """Case 50: 75% is stored as 0.75; the table records 75 (a CSV export's '75%' is refused too)."""
    r = row_of("seed_roberts2014", "effect_measure", "proportion")

    def percent(ws):
        c = ws.cell(r, col("effect"))
        c.value, c.number_format = 0.75, "0%"

    err = refused(write_xlsx(tmp_path / "percent.xlsx", small_records(), edit=percent))
    assert f"cell {cell_of('effect', r)}, column effect: value '75%'" in err, err
    assert "holds 0.75" in err and "[percent_format]" in err and "1 problem found" in err, err

    def plain(ws):  # the negative control: the figure as a plain number
        ws.cell(r, col("effect")).value = 75.0

    table = load_studies(write_xlsx(tmp_path / "plain.xlsx", small_records(), edit=plain), cache=False)
    assert table["effect"].iloc[r - 2] == 75.0


@pytest.mark.parametrize(
    "fmt,percent", [("0%", True), ("0.00%", True), ("[Red]0.0%;-0%", True), ('0"%"', False), ("0\\%", False)]
)
def test_percent_formats(fmt, percent):
    from helpers.data.spreadsheet import is_percent_format

    assert is_percent_format(fmt) is percent
    assert not is_percent_format("General") and not is_percent_format(None)


def test_a_date_in_a_number_column_is_refused_and_a_text_cell_16_newline_too(tmp_path):
    import datetime

    r = row_of("etchison2018")

    def faults(ws):
        ws.cell(r, col("n_ketamine")).value = datetime.datetime(1900, 1, 16)  # 16, formatted as a date
        ws.cell(r + 1, col("n_control")).value = "18\n"  # a text cell with Alt+Enter
        ws.cell(r + 2, col("notes")).value = datetime.datetime(2018, 1, 5)  # a date in text: its text

    err = refused(write_xlsx(tmp_path / "dates.xlsx", small_records(), edit=faults))
    assert "2 problems found" in err, err
    assert f"cell {cell_of('n_ketamine', r)}, column n_ketamine: value '1900-01-16'" in err
    assert "holds a date" in err
    assert f"cell {cell_of('n_control', r + 1)}, column n_control: value '18\\n'" in err
    assert "notes" not in err  # the negative control: a date in a text column is its text


def test_a_hidden_first_sheet_is_not_read_silently(tmp_path):
    """Case 40: an old copy in a hidden first sheet was read as the table."""
    old = small_records()[:3]
    path = write_xlsx(tmp_path / "hidden.xlsx", small_records(), before={"Old": old}, hidden=True)
    err = refused(path)
    assert "sheet Old" in err and "hidden" in err and "hidden.xlsx#Studies" in err, err
    assert len(load_studies(f"{path}#Old", cache=False)) == 2  # named on purpose, a hidden sheet is read
    assert len(load_studies(f"{path}#Studies", cache=False)) == len(small_records()) - 1


def test_a_sheet_name_may_hold_a_hash(tmp_path):
    """Case 39: 'My#Sheet' could not be selected."""
    path = write_xlsx(tmp_path / "book.xlsx", small_records(), sheet="My#Sheet", before={"Notes": [["x"]]})
    assert split_sheet(f"{path}#My#Sheet") == (path, "My#Sheet")
    assert len(load_studies(f"{path}#My#Sheet", cache=False)) == len(small_records()) - 1


def test_a_value_far_right_is_reported_by_cell_at_a_bounded_cost(tmp_path, monkeypatch):
    """Case 47: one value at XFD1048576 took 7 minutes (every row padded to 16,384 cells). The reader's work
    is counted in cells it turns into text: at most the table's own cells, whatever the sheet's stated size."""
    from helpers.data import spreadsheet

    calls = []
    real = spreadsheet._cell_text
    monkeypatch.setattr(spreadsheet, "_cell_text", lambda v: calls.append(1) or real(v))
    records = small_records()
    bound = len(records) * len(records[0]) + 10

    def stray(ws):
        ws["XFD1048576"] = "x"
        ws.cell(3, len(records[0]) + 1).value = "just right of the header"

    err = refused(write_xlsx(tmp_path / "far.xlsx", records, edit=stray))
    assert "2 problems found" in err, err
    assert "cell Studies!XFD1048576: value 'x': expected nothing right of the last named column" in err
    assert f"cell Studies!{column_letter(len(records[0]))}3: value 'just right of the header'" in err
    assert len(calls) <= bound, len(calls)
    calls.clear()
    err = refused(write_xlsx(tmp_path / "far_header.xlsx", records, edit=lambda ws: ws.cell(1, 16384, "x")))
    assert "XFD1" in err and f"to have a name ({16384 - len(records[0]) - 1} have none)" in err, err
    assert len(calls) <= 16384 + 10  # the header row's own cells, and no row padded to its width
    calls.clear()
    assert len(load_studies(write_xlsx(tmp_path / "near.xlsx", records), cache=False)) == len(records) - 1
    assert len(calls) <= bound  # the negative control: the same table without the stray cells


def flip_block_type(path: Path, out: Path) -> Path:
    """The workbook with the compressed sheet's first deflate block given the reserved type 11 (invalid)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start] |= 0b110
    out.write_bytes(bytes(data))
    return out


def damaged(path: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Damaged copies of a workbook, and what the one line about each must say."""
    import zipfile

    def sheet_xml(name: str, change) -> Path:
        out = tmp_path / name
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                zout.writestr(item, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
        return out

    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    xxe = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    encrypted = tmp_path / "encrypted.xlsx"  # an OLE2 container holding an EncryptionInfo stream, as Excel writes
    encrypted.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504) + "EncryptionInfo".encode("utf-16-le"))
    old = tmp_path / "old.xlsx"
    old.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return {
        "zlib": (flip_block_type(path, tmp_path / "zlib.xlsx"), "zlib.error"),
        "garbled_xml": (
            sheet_xml("garbled.xlsx", lambda d: d.replace(b"<sheetData>", b"<sheetData><<", 1)),
            "could not be read",
        ),
        "billion_laughs": (sheet_xml("laughs.xlsx", lambda d: laughs + d), "declares entities"),
        "xxe": (sheet_xml("xxe.xlsx", lambda d: xxe + d), "declares entities"),
        "encrypted": (encrypted, "password-protected"),
        "old_xls": (old, "older .xls"),
        "truncated": (truncated, "could not be read"),
    }


@pytest.mark.integration
def test_a_damaged_workbook_ends_in_one_line(tmp_path, capsys):
    """Case 45 (a corrupted compressed sheet gave a zlib.error traceback) and the other damaged workbooks."""
    intact = write_xlsx(tmp_path / "intact.xlsx", small_records())
    for case, (path, fragment) in damaged(intact, tmp_path).items():
        err = refused(path)
        assert err.count("\n") == 1 and path.name in err and fragment in err, (case, err)
        assert "see the exception" not in err, (case, err)
    code, err = validate(tmp_path / "zlib.xlsx", capsys)  # the command: exit 1, the same one line
    assert code == 1 and "Traceback" not in err and err.count("\n") == 2 and "zlib.error" in err, err
    assert len(load_studies(intact, cache=False)) == len(small_records()) - 1  # the negative control
