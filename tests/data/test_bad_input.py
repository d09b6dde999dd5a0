"""The bad-input catalogue: every user mistake gives one clear message, exit 1, no traceback,
and the published reports stay exactly as they were."""

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.data import csvfile
from support.commands import run_helpers
from support.tables import write_rows


def fake_published(folder: Path) -> dict:
    (folder / "all").mkdir(parents=True)
    (folder / "index.html").write_text("<html>published index</html>")
    (folder / "all" / "01_evidence_overview.html").write_text("<html>published report</html>")
    published = ["index.html", "all/01_evidence_overview.html", ".build-state.json"]  # an earlier build's record
    (folder / ".build-state.json").write_text(json.dumps({"reports": {}, "published": published}))
    return digest(folder)


def digest(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rows_text(rows, header=None, delimiter=",", newline="\n") -> str:
    header = header or list(rows[0])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return buf.getvalue()


def ragged(text: str, line: int) -> bytes:
    """The table with one extra field on the given (1-based) line."""
    lines = text.split("\n")
    lines[line - 1] += ",extra"
    return "\n".join(lines).encode()


def find(rows, **match):
    return next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))


def changed(rows, i, **cells):
    rows = [dict(r) for r in rows]
    rows[i].update(cells)
    return rows_text(rows)


def big_table(rows, bad_at_end: bool) -> str:
    """About 50 MB of valid rows, optionally with one bad row as the very last line."""
    header = list(rows[0])
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n")
    w.writeheader()
    head = buf.getvalue()
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n")
    for r in rows:  # one copy of the table, its study ids marked where the copy number goes
        w.writerow(dict(r, study_id=f"{r['study_id'][:50]}_\0"))
    chunk = buf.getvalue()
    copies = -(-50_000_000 // len(chunk))
    text = head + "".join(chunk.replace("\0", str(i)) for i in range(copies))
    if bad_at_end:
        buf = io.StringIO()
        csv.DictWriter(buf, header, lineterminator="\n").writerow(dict(rows[0], study_id="last_row", effect="1,5"))
        text += buf.getvalue()
    return text


# name -> (how to make the file, substrings the message must contain)
def catalogue(rows):
    e = find(rows, study_id="etchison2018")
    b = find(rows, study_id="benish2019", outcome="pain_reduction")
    adm = find(rows, study_id="benish2019", outcome="admission_headache")
    moj = find(rows, study_id="mojica2021")
    kim = find(rows, study_id="seed_kim2011", outcome="pain_score")
    header = list(rows[0])
    latin1 = rows_text(rows).encode("utf-8").replace(b"Etchison AR", "Etchis\xf6n AR".encode("latin-1"), 1)

    def L(i):  # the file line of data row i, as a spreadsheet numbers it
        return f"line {i + 2}"

    return {
        "missing_file": (None, ["no such file"]),
        "empty_file": (b"", ["empty"]),
        "header_only": (
            rows_text(rows)[: rows_text(rows).index("\n") + 1].encode(),
            ["line 2", "at least one data row"],
        ),
        "wrong_delimiter": (rows_text(rows, delimiter=";").encode(), ["line 1", "semicolons", "comma-separated"]),
        "tab_delimiter": (rows_text(rows, delimiter="\t").encode(), ["line 1", "tabs"]),
        "byte_order_mark": (
            b"\xef\xbb\xbf" + rows_text(rows).encode(),
            ["line 1", "column study_id", "byte-order mark"],
        ),
        "not_utf8": (latin1, [f"line {e + 2}", "column citation", "UTF-8", "f6"]),
        "missing_required_column": (
            rows_text(rows, header=[h for h in header if h != "condition"]).encode(),
            ["line 1", "column condition", "required column"],
        ),
        "duplicated_column": (
            rows_text(rows, header=header + ["notes"]).encode(),
            ["line 1", "column notes", "appears 2 times"],
        ),
        "unknown_column": (
            rows_text(rows, header=header + ["colour"]).encode(),
            ["line 1", "column colour", "data/schema.json"],
        ),
        "ragged_row": (ragged(rows_text(rows), 4), ["line 4", "fields like the header"]),
        "unknown_enumeration": (
            changed(rows, e, condition="migrane").encode(),
            [L(e), "column condition", "'migrane'", "one of migraine"],
        ),
        "text_for_number": (
            changed(rows, e, effect="minus one").encode(),
            [L(e), "column effect", "'minus one'", "finite number"],
        ),
        "negative_count": (
            changed(rows, e, n_ketamine="-16").encode(),
            [L(e), "column n_ketamine", "'-16'", "at least 0"],
        ),
        "fractional_count": (
            changed(rows, e, n_ketamine="16.5").encode(),
            [L(e), "column n_ketamine", "'16.5'", "whole number"],
        ),
        "events_over_n": (
            changed(rows, adm, events_ketamine="28").encode(),
            [L(adm), "column events_ketamine", "'28'", "not more than the patients"],
        ),
        "ci_lower_over_upper": (
            changed(rows, b, ci_lower="19.4", ci_upper="-5.8").encode(),
            [L(b), "column ci_lower", "'19.4'", "ci_lower <= ci_upper"],
        ),
        "effect_outside_ci": (
            changed(rows, b, effect="25").encode(),
            [L(b), "column effect", "'25'", "ci_lower <= effect <= ci_upper"],
        ),
        "nan": (changed(rows, b, effect="NaN").encode(), [L(b), "column effect", "'NaN'", "not text, NaN or infinity"]),
        "infinity": (
            changed(rows, b, ci_upper="Infinity").encode(),
            [L(b), "column ci_upper", "'Infinity'", "NaN or infinity"],
        ),
        "verified_without_id": (changed(rows, moj, doi="", pmid="").encode(), [L(moj), "column doi", "DOI or a PMID"]),
        "malformed_doi": (
            changed(rows, e, doi="https://doi.org/10.5811/x").encode(),
            [L(e), "column doi", "'https://doi.org/10.5811/x'", "matching"],
        ),
        "duplicate_key": (
            rows_text([dict(r) for r in rows] + [dict(rows[kim])]).encode(),
            [L(kim), f"line {len(rows) + 2}", "column study_id", "unique"],
        ),
        "followup_negative": (
            changed(rows, kim, followup_days="-1").encode(),
            [L(kim), "column followup_days", "'-1'", "at least 0"],
        ),
        "followup_range_reversed": (
            changed(rows, e, followup_min="60", followup_max="30").encode(),
            [L(e), "column followup_min", "'60'", "followup_min <= followup_max"],
        ),
        "followup_unit_without_number": (
            changed(rows, kim, followup_unit="weeks").encode(),
            [L(kim), "column followup_unit", "'weeks'", "a followup_unit with them and only with them"],
        ),
        "followup_unknown_unit": (
            changed(rows, e, followup_unit="fortnights").encode(),
            [L(e), "column followup_unit", "'fortnights'"],
        ),
        "followup_given_twice": (
            changed(rows, e, followup_days="1").encode(),
            [L(e), "column followup_days", "'1'", "the time is given once"],
        ),
        "analysed_over_randomized": (
            changed(rows, e, n_analysed="40").encode(),
            [L(e), "column n_analysed", "'40'", "n_analysed not more than n_randomized"],
        ),
        "future_year": (changed(rows, kim, year="2999").encode(), [L(kim), "column year", "'2999'", "at most"]),
        "very_long_text": (
            changed(rows, e, notes="x" * 100_000).encode(),
            [L(e), "column notes", "100000 characters", "at most 2000 characters"],
        ),
        "formula_in_text": (
            changed(rows, e, comparator='=HYPERLINK("https://evil.example","x")').encode(),
            [L(e), "column comparator", "formula"],
        ),
        "fifty_megabytes_bad_last_row": ("big", ["column effect", "'1,5'", "finite number"]),
        "utf16_with_bom": (
            rows_text(rows).encode("utf-16"),
            ["line 1", "UTF-16", "byte-order mark ff fe", "CSV UTF-8"],
        ),
        "utf16_without_bom": (rows_text(rows).encode("utf-16-be"), ["line 1", "UTF-16 without a byte-order mark"]),
        "field_over_csv_limit": (  # the stdlib csv reader's default limit is 131,072 characters
            changed(rows, e, notes="x" * 200_000).encode(),
            [L(e), "column notes", "200000 characters", "at most 2000 characters"],
        ),
    }


CASES = sorted(
    [
        "missing_file",
        "empty_file",
        "header_only",
        "wrong_delimiter",
        "tab_delimiter",
        "byte_order_mark",
        "not_utf8",
        "missing_required_column",
        "duplicated_column",
        "unknown_column",
        "ragged_row",
        "unknown_enumeration",
        "text_for_number",
        "negative_count",
        "fractional_count",
        "events_over_n",
        "ci_lower_over_upper",
        "effect_outside_ci",
        "nan",
        "infinity",
        "verified_without_id",
        "malformed_doi",
        "duplicate_key",
        "followup_negative",
        "followup_range_reversed",
        "followup_unit_without_number",
        "followup_unknown_unit",
        "followup_given_twice",
        "analysed_over_randomized",
        "future_year",
        "very_long_text",
        "formula_in_text",
        "fifty_megabytes_bad_last_row",
        "utf16_with_bom",
        "utf16_without_bom",
        "field_over_csv_limit",
    ]
)


@pytest.fixture(scope="module")
def cases(shipped_rows) -> dict:
    """The catalogue, made once for the module's tests (each case writes its own file)."""
    return catalogue(shipped_rows)


@pytest.mark.integration
@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_one_clear_message(case, cases, shipped_rows, tmp_path, capsys):
    content, expected = cases[case]
    path = tmp_path / f"{case}.csv"
    if content == "big":
        text = big_table(shipped_rows, bad_at_end=True)
        path.write_text(text, encoding="utf-8")
        expected = expected + [f"line {text.count(chr(10))}"]
        assert path.stat().st_size >= 50_000_000
    elif content is not None:
        path.write_bytes(content)
    code = main(["validate", str(path)])  # the check the build runs before any kernel starts
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert path.name in err, err
    for fragment in expected:
        assert fragment in err, f"{case}: {fragment!r} not in\n{err}"


@pytest.mark.process  # the build starts its zygote while it validates; this shows nothing else runs
@pytest.mark.parametrize("case", ["byte_order_mark", "events_over_n", "unknown_column"])
def test_the_build_refuses_a_bad_table_before_writing_anything(case, cases, tmp_path, capsys):
    content, expected = cases[case]
    path = tmp_path / f"{case}.csv"
    path.write_bytes(content)
    out = tmp_path / "reports"
    before = fake_published(out)
    code = main(["build", "--data", str(path), "--out", str(out), "--condition", "all"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert all(fragment in err for fragment in expected), err
    assert digest(out) == before


def test_catalogue_is_complete(cases):
    assert len(cases) >= 25
    assert set(CASES) == set(cases)


@pytest.mark.integration
def test_too_large_file_is_refused_before_reading(shipped_rows, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(csvfile, "MAX_BYTES", 1000)
    path = write_rows(tmp_path / "large.csv", shipped_rows)
    assert main(["validate", str(path)]) == 1
    assert "at most" in capsys.readouterr().err


@pytest.mark.integration
def test_a_folder_is_not_a_table(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.integration
def test_windows_line_endings_simply_work(shipped_rows, tmp_path, capsys):
    path = tmp_path / "crlf.csv"
    path.write_bytes(rows_text(shipped_rows, newline="\r\n").encode())
    assert main(["validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


@pytest.mark.process
@pytest.mark.parametrize("case", ["byte_order_mark", "duplicate_key", "not_utf8"])
def test_real_process_prints_no_traceback(case, cases, tmp_path):
    content, expected = cases[case]
    path = tmp_path / f"{case}.csv"
    path.write_bytes(content)
    res = run_helpers("validate", path, timeout=120)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert all(f in res.stderr for f in expected)
