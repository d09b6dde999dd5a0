"""What the comparison with metafor found (issue 11, item 6), and the user columns a subgroup may use."""

import csv
import warnings

import pandas as pd
import pytest

from helpers.data.loader import load_studies
from helpers.errors import TableError
from support.metafor import HERE
from support.tables import run_tables, write_rows


def fixture_rows(name):
    with open(HERE / "studies" / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def tables(path, out):
    return run_tables(path, out)


@pytest.mark.integration
@pytest.mark.parametrize("category", [RuntimeWarning, UserWarning])
def test_the_in_process_tables_check_fails_on_a_warning(tmp_path, monkeypatch, category):
    """Negative control for run_tables: a warning raised while the tables are written fails it."""
    import helpers.site.tables as outputs

    real = outputs.write_tables

    def warns(*args, **kwargs):
        warnings.warn("planted", category, stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(outputs, "write_tables", warns)
    with pytest.raises((AssertionError, RuntimeWarning)):
        run_tables(HERE / "studies" / "zero_cells_rr.csv", tmp_path / "t")


@pytest.mark.integration
def test_double_zero_studies_are_named_and_counted(tmp_path):
    out = tables(HERE / "studies" / "zero_cells_rr.csv", tmp_path / "t")
    decisions = pd.read_csv(out / "pooling_decisions.csv")
    assert len(decisions) == 1
    assert decisions["decision"][0].startswith("pooled: 5 comparable studies")
    assert "1 double-zero study dropped" in decisions["decision"][0] and "as metafor does" in decisions["decision"][0]
    effects = pd.read_csv(out / "effects.csv")
    z3 = effects[effects["study_id"].str.contains("z3")].iloc[0]
    assert pd.isna(z3["yi"]) and pd.isna(z3["vi"]) and z3["missing_reason"].startswith("double-zero study")

    rows = [r for r in fixture_rows("zero_cells_rr") if "z3" in r["study_id"]]
    rows.append(dict(rows[0], study_id="fx_zero_cells_rr_07_z7", citation="Z7 double-zero too (test data)"))
    out = tables(write_rows(tmp_path / "all_double_zero.csv", rows), tmp_path / "t2")
    decision = pd.read_csv(out / "pooling_decisions.csv")["decision"][0]
    assert "no confidence interval or arm data" not in decision
    assert decision == (
        "not pooled: double-zero study (no events, or only events, in both arms): dropped for ratio measures, "
        "as metafor does by default"
    )


@pytest.mark.integration
@pytest.mark.parametrize("measure", ["standardized_mean_difference", "mean_difference"])
def test_sd_zero_and_one_patient_arms_give_empty_cells_with_the_reason(tmp_path, measure):
    rows = fixture_rows("continuous_smd")
    for r in rows:
        r["effect_measure"] = measure
        r["unit"] = "sd_units" if measure == "standardized_mean_difference" else "other"  # days in hospital
    rows[0].update(sd_ketamine="0", sd_control="0")
    rows[1].update(n_ketamine="1", n_control="1")
    out = tables(write_rows(tmp_path / "t.csv", rows), tmp_path / "out")
    effects = pd.read_csv(out / "effects.csv")
    assert effects[["yi", "vi"]].iloc[:2].isna().all().all()
    assert effects["missing_reason"][0] == "standard deviation 0 in both arms: no within-study variance to weight it"
    assert effects["missing_reason"][1].startswith("an arm with fewer than 2 patients")
    assert effects["missing_reason"].iloc[2:].isna().all() and effects["yi"].iloc[2:].notna().all()
    decision = pd.read_csv(out / "pooling_decisions.csv")["decision"][0]
    assert decision.startswith("pooled: 7 comparable studies")
    assert "inf" not in (out / "effects.csv").read_text()


def test_an_unsupported_measure_gets_one_message_listing_the_supported_ones(tmp_path):
    rows = fixture_rows("bcg")
    rows[2]["effect_measure"] = "ratio_of_means"
    with pytest.raises(TableError) as err:
        load_studies(write_rows(tmp_path / "t.csv", rows), cache=False)
    problems = err.value.problems
    assert len(problems) == 1
    p = problems[0]
    assert (p.line, p.column, p.value) == (4, "effect_measure", "ratio_of_means")
    assert "one of mean_difference, median_difference, standardized_mean_difference" in p.expected
    assert "effect_has_measure" not in str(err.value) and "unit and better" not in str(err.value)


def test_a_missing_measure_still_gets_the_cross_field_message(tmp_path):
    rows = fixture_rows("bcg")
    rows[2]["effect_measure"] = ""
    with pytest.raises(TableError) as err:
        load_studies(write_rows(tmp_path / "t.csv", rows), cache=False)
    assert [p.rule for p in err.value.problems] == ["effect_has_measure"]


def test_user_columns_are_kept_as_text_and_other_unknown_columns_refused(tmp_path):
    rows = fixture_rows("bcg")
    for i, r in enumerate(rows):
        r["x_dose_band"] = "high" if i % 2 else " low "
    studies = load_studies(write_rows(tmp_path / "ok.csv", rows), cache=False)
    assert list(studies["x_dose_band"][:2]) == ["low", "high"]
    for bad in ("X_dose", "x-dose", "dose_band"):
        table = write_rows(tmp_path / "bad.csv", [dict(r, **{bad: "a"}) for r in fixture_rows("bcg")])
        with pytest.raises(TableError) as err:
            load_studies(table, cache=False)
        assert [p.rule for p in err.value.problems] == ["unknown_column"]
        assert "x_..." in err.value.problems[0].expected
