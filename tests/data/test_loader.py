"""The loader returns typed data for a valid table and one report of every problem otherwise."""

import pandas as pd
import pytest

from helpers.cli import main
from helpers.data.loader import load_studies
from helpers.errors import TableError
from support.tables import write_rows


def find(rows, **match) -> int:
    for i, r in enumerate(rows):
        if all(r[k] == v for k, v in match.items()):
            return i
    raise LookupError(match)


def problems_of(path):
    with pytest.raises(TableError) as info:
        load_studies(path)
    return info.value.problems


# ------------------------------------------------------------ the shipped table
def test_shipped_table_validates_with_schema_dtypes():
    d = load_studies(cache=False)
    assert isinstance(d["condition"].dtype, pd.CategoricalDtype)
    assert isinstance(d["verification"].dtype, pd.CategoricalDtype)
    assert str(d["n_ketamine"].dtype) == "Int64"
    assert str(d["followup_days"].dtype) == "float64"
    assert str(d["citation"].dtype) == "string"


def test_all_six_article_citations_are_kept_as_not_found():
    d = load_studies()
    seed = d[d["source"] == "seed_article"]
    assert seed["study_id"].nunique() == 6
    assert set(seed["verification"]) == {"not_found"}
    assert (seed[seed["design"] == "review"]["effect"].isna()).all()
    # the citation covering neck and low back pain has one row per condition
    li = seed[seed["study_id"] == "seed_li2021"]
    assert set(li["condition"]) == {"neck_pain", "low_back_pain"}
    # the one numeric claim
    assert seed["effect"].dropna().tolist() == [75.0]


def test_at_least_twelve_verified_studies_covering_the_three_conditions():
    d = load_studies()
    v = d[(d["source"] == "literature") & (d["verification"] == "verified")]
    assert v["study_id"].nunique() >= 12
    assert {"migraine", "neck_pain", "low_back_pain"} <= set(v["condition"].astype(str))
    assert (v["doi"].notna() | v["pmid"].notna()).all()
    assert v["source_url"].notna().all()


# ------------------------------------------------------------ one test per rule
CASES = {
    "enumeration": (dict(study_id="etchison2018"), {"condition": "migrane"}, "condition", "condition:format"),
    "text_for_number": (dict(study_id="etchison2018"), {"effect": "one"}, "effect", "effect:format"),
    "nan": (dict(study_id="etchison2018"), {"effect": "NaN"}, "effect", "effect:format"),
    "infinity": (dict(study_id="etchison2018"), {"effect": "inf"}, "effect", "effect:format"),
    "fractional_count": (dict(study_id="etchison2018"), {"n_ketamine": "16.5"}, "n_ketamine", "n_ketamine:format"),
    "negative_count": (dict(study_id="etchison2018"), {"n_control": "-18"}, "n_control", "n_control:range"),
    "followup_negative": (
        dict(study_id="seed_kim2011"),
        {"followup_days": "-1"},
        "followup_days",
        "followup_days:range",
    ),
    "followup_twice": (dict(study_id="etchison2018"), {"followup_days": "1"}, "followup_days", "followup_once"),
    "followup_reversed": (
        dict(study_id="etchison2018"),
        {"followup_min": "60", "followup_max": "30"},
        "followup_min",
        "followup_range",
    ),
    "followup_fraction_of_its_unit": (
        dict(study_id="etchison2018", outcome="ae_discomfort"),
        {"followup_min": "0.0208", "followup_max": "0.0208", "followup_unit": "days"},
        "followup_max",
        "followup_range",
    ),
    "future_year": (dict(study_id="seed_kim2011"), {"year": "2999"}, "year", "year:range"),
    "implausible_year": (dict(study_id="seed_kim2011"), {"year": "1850"}, "year", "year:range"),
    "malformed_doi": (dict(study_id="etchison2018"), {"doi": "doi:10.5811/x"}, "doi", "doi:format"),
    "malformed_url": (
        dict(study_id="etchison2018"),
        {"source_url": "javascript:alert(1)"},
        "source_url",
        "source_url:format",
    ),
    "required_missing": (dict(study_id="etchison2018"), {"outcome": ""}, "outcome", "required"),
    "formula": (dict(study_id="etchison2018"), {"notes": '=HYPERLINK("http://x")'}, "notes", "notes:format"),
    "ci_order": (
        dict(study_id="benish2019", outcome="pain_reduction"),
        {"ci_lower": "20", "ci_upper": "-5"},
        "ci_lower",
        "ci_order",
    ),
    "effect_in_ci": (dict(study_id="benish2019", outcome="pain_reduction"), {"effect": "30"}, "effect", "effect_in_ci"),
    "ci_needs_effect": (
        dict(study_id="benish2019", outcome="pain_reduction"),
        {"effect": ""},
        "effect",
        "ci_needs_effect",
    ),
    "verified_has_id": (dict(study_id="mojica2021"), {"doi": "", "pmid": ""}, "doi", "verified_has_id"),
    "verified_has_url": (dict(study_id="mojica2021"), {"source_url": ""}, "source_url", "verified_has_url"),
    "seed_not_verified": (
        dict(study_id="seed_bendtsen2018"),
        {"verification": "verified", "doi": "10.1000/x", "source_url": "https://example.org/x"},
        "verification",
        "seed_not_verified",
    ),
    "effect_has_measure": (
        dict(study_id="etchison2018"),
        {"effect_measure": ""},
        "effect_measure",
        "effect_has_measure",
    ),
    "review_has_no_effect": (
        dict(study_id="seed_bendtsen2018"),
        {"effect": "1", "effect_measure": "mean_difference", "unit": "points_0_10", "better": "lower"},
        "effect",
        "review_has_no_effect",
    ),
    "events_within_n": (
        dict(study_id="benish2019", outcome="admission_headache"),
        {"events_control": "30"},
        "events_control",
        "events_within_n",
    ),
    "ratio_positive": (
        dict(study_id="etchison2018"),
        {"effect_measure": "risk_ratio", "unit": "ratio", "effect": "-1"},
        "effect",
        "ratio_positive",
    ),
    "percent_range": (
        dict(study_id="pomeroy2017", outcome="responder_2pt"),
        {"effect": "171.4"},
        "effect",
        "percent_range",
    ),
    "within_scale": (  # a mean on a 0-100 mm scale
        dict(study_id="benish2019", outcome="pain_reduction"),
        {"mean_ketamine": "143.5"},
        "mean_ketamine",
        "within_scale",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_reports_line_column_value(case, shipped_rows, table_with):
    match, change, column, rule = CASES[case]
    i = find(shipped_rows, **match)
    problems = problems_of(table_with({i: change}))
    hits = [p for p in problems if p.line == i + 2 and p.column == column and p.rule == rule]
    assert hits, f"expected {rule} on line {i + 2}, column {column}; got {problems}"
    # the value as the file has it: an empty cell is '', never a missing value's name such as 'nan'
    assert hits[0].value == change.get(column, shipped_rows[i][column])


def test_duplicate_key_names_both_lines(shipped_rows, tmp_path):
    rows = [dict(r) for r in shipped_rows]
    rows.append(dict(rows[0]))
    problems = problems_of(write_rows(tmp_path / "dup.csv", rows))
    dup = [p for p in problems if p.rule == "unique_key"]
    assert {p.line for p in dup} == {2, len(rows) + 1}
    assert f"line {len(rows) + 1}" in dup[0].expected


def test_study_rows_must_agree_on_citation(shipped_rows, table_with):
    i = find(shipped_rows, study_id="zitek2018")
    problems = problems_of(table_with({i: {"year": "2017"}}))
    assert any(p.rule == "study_consistent" and p.column == "year" for p in problems)


def test_corrupted_copy_reports_every_planted_problem_once(shipped_rows, table_with):
    planted = {
        1: ("condition", {"condition": "back_pain"}),
        3: ("effect", {"effect": "abc"}),
        2: ("year", {"year": "2999"}),  # a single-row study, so no consistency problem follows
        10: ("n_ketamine", {"n_ketamine": "-1"}),  # an efficacy row without events
        18: ("followup_days", {"followup_days": "-2"}),  # a row without a structured follow-up
    }
    path = table_with({i: change for i, (_, change) in planted.items()})
    problems = problems_of(path)
    found = {(p.line, p.column) for p in problems}
    for i, (column, _) in planted.items():
        assert (i + 2, column) in found
    assert len(problems) == len(planted)
    report = str(TableError(path, problems))
    assert report.count("\n") == len(planted)


def test_multiline_cells_keep_spreadsheet_line_numbers(shipped_rows, tmp_path):
    rows = [dict(r) for r in shipped_rows]
    rows[0]["notes"] = "first line\nsecond line\nthird line"
    rows[2]["effect"] = "x"
    problems = problems_of(write_rows(tmp_path / "multi.csv", rows))
    # row 0 occupies lines 2-4, row 1 line 5, row 2 starts on line 6
    assert [(p.line, p.column) for p in problems] == [(6, "effect")]


def test_cache_returns_the_same_table_and_never_hides_errors(shipped_rows, table_with, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPERS_CACHE", str(tmp_path / "cache"))
    fresh = load_studies(cache=False)
    first, second = load_studies(), load_studies()
    pd.testing.assert_frame_equal(first, fresh)
    pd.testing.assert_frame_equal(second, fresh)
    assert len(list((tmp_path / "cache").glob("*.table"))) == 1
    bad = table_with({0: {"condition": "x"}}, name="bad.csv")
    for _ in range(2):
        with pytest.raises(TableError):
            load_studies(bad)


def test_windows_line_endings_simply_work(shipped_rows, tmp_path):
    path = write_rows(tmp_path / "crlf.csv", shipped_rows, newline="\r\n")
    assert b"\r\n" in path.read_bytes()
    assert len(load_studies(path)) == len(shipped_rows)


# ------------------------------------------------------------ the command line (its entry point, in this process)
@pytest.mark.integration
def test_cli_validate_shipped_table_prints_summary(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "studies by condition x verification" in out
    assert "not_found" in out


@pytest.mark.integration
def test_cli_validate_bad_table_exits_1_without_traceback(shipped_rows, table_with, capsys):
    path = table_with({0: {"condition": "migrane"}, 4: {"effect": "nan"}})
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 2, column condition" in err
    assert "line 6, column effect" in err
    assert str(path) in err
