"""The update search's tables: follow-ups, registrations and the AMSTAR 2 appraisal of reviews.

The rules are tested on small planted tables in-process (each check with a bad input refused and the good one
passing); one test runs ``validate`` on a copy of the shipped data to see the follow-up check end to end.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict

import pandas as pd
import pytest

from helpers.cli import main
from helpers.data.amstar import ITEMS, confidence, critical_items, ratings
from helpers.data.companions import COMPANIONS
from helpers.data.dataset import DataSet
from helpers.data.record_rules import RULES
from helpers.data.search_refs import SEARCH_CHECKS, needs_follow_up
from helpers.findings.registrations import group, possibly_unpublished, registrations_view
from helpers.paths import DATA
from support.tables import read_rows, write_rows


# ------------------------------------------------------------------ AMSTAR 2's rule
def answers(no: tuple[str, ...] = (), partial: tuple[str, ...] = ()) -> dict[str, str]:
    return {i: "no" if i in no else "partial_yes" if i in partial else "yes" for i in ITEMS}


@pytest.mark.parametrize(
    "no, level",
    [
        ((), "high"),
        (("1",), "high"),  # one non-critical weakness
        (("1", "3"), "moderate"),
        (("2",), "low"),  # one critical flaw
        (("2", "1", "3", "5"), "low"),
        (("2", "4"), "critically_low"),
    ],
)
def test_amstar2_confidence_follows_the_published_rule(no, level):
    assert confidence(answers(no)).confidence == level


def test_partial_yes_meets_an_item_and_flaws_are_named_by_item():
    rating = confidence(answers(no=("7", "10"), partial=("2", "4", "9")))
    assert rating.critical_flaws == ("7",) and rating.weaknesses == ("10",) and rating.confidence == "low"
    assert set(critical_items()) == {"2", "4", "7", "9", "11", "13", "15"}


def test_a_review_with_an_item_missing_is_not_rated():
    partial = dict.fromkeys(ITEMS[:-1], "yes")
    with pytest.raises(ValueError, match="missing: 16"):
        confidence(partial)
    table = pd.DataFrame({"study_id": ["a"] * 15, "item": list(ITEMS[:-1]), "answer": ["yes"] * 15})
    assert ratings(table) == {}


def test_every_shipped_review_is_rated_from_its_answers():
    table = pd.read_csv(DATA / "review_appraisal.csv", dtype=str)
    rated = ratings(table)
    assert set(rated) == set(table["study_id"])
    for sid, rating in rated.items():  # the overall confidence is computed, never a cell of the table
        rows = table[table["study_id"] == sid]
        assert rating == confidence(dict(zip(rows["item"], rows["answer"])))
    assert "confidence" not in table.columns


# ------------------------------------------------------------------ possibly unpublished
def registration(**cells) -> dict:
    return {
        "status": "completed",
        "completion_date": "2020-01-01",
        "primary_completion_date": "",
        "linked_study_id": "",
        "checked_on": "2022-01-01",
        **cells,
    }


def test_a_completed_trial_without_publication_two_years_on_is_flagged():
    assert possibly_unpublished(registration())  # exactly two years later
    assert not possibly_unpublished(registration(checked_on="2021-12-31"))  # a day short
    assert possibly_unpublished(registration(checked_on="2021-06-01"), as_of=dt.date(2023, 1, 1))
    assert possibly_unpublished(registration(completion_date="", primary_completion_date="2019-06"))


@pytest.mark.parametrize(
    "cells",
    [{"linked_study_id": "etchison2018"}, {"status": "recruiting"}, {"status": "terminated"}, {"completion_date": ""}],
)
def test_no_flag_for_a_published_an_ongoing_a_stopped_or_an_undated_trial(cells):
    assert not possibly_unpublished(registration(**cells))


def test_registrations_are_grouped_and_flagged_from_the_table():
    table = pd.DataFrame(
        [
            registration(registration_id="NCT1"),
            registration(registration_id="NCT2", status="recruiting"),
            registration(registration_id="NCT3", status="withdrawn"),
            registration(registration_id="NCT4", linked_study_id="x_study"),
        ]
    )
    view = registrations_view(table)
    assert list(view["registration_id"]) == ["NCT2", "NCT1", "NCT4", "NCT3"]
    assert dict(zip(view["registration_id"], view["possibly_unpublished"])) == {
        "NCT1": True,
        "NCT2": False,
        "NCT3": False,
        "NCT4": False,
    }
    assert group(registration(status="unknown")) == "unknown"


# ------------------------------------------------------------------ cross-table checks, in-process
def dataset(**tables) -> DataSet:
    studies = pd.DataFrame(
        {"study_id": ["trial_a", "review_b"], "design": ["rct", "meta_analysis"], "source": ["literature"] * 2}
    )
    return DataSet(studies=studies, tables={k: pd.DataFrame(v) for k, v in tables.items()})


SCREENING = {
    "record_id": ["R0001", "R0002", "R0003"],
    "decision": ["excluded_title_abstract", "duplicate", "excluded_title_abstract"],
    "reason": ["no_results", "same_record", "wrong_condition"],
}
LOG = {"search_id": ["S001"]}


def problems(ds: DataSet) -> dict[str, list]:
    out = defaultdict(list)
    for check in SEARCH_CHECKS:
        check(ds, out)
    return out


def followup(**cells) -> dict:
    return {"record_id": ["R0001"], "searches": ["S001"], "publication": [None], **{k: [v] for k, v in cells.items()}}


def test_a_screened_registration_without_a_follow_up_fails():
    found = problems(
        dataset(screening=SCREENING, search_log=LOG, followups={"record_id": [], "searches": [], "publication": []})
    )
    assert [(p.line, p.column, p.value, p.rule) for p in found["screening"]] == [
        (2, "record_id", "R0001", "followed_up")
    ]
    assert list(needs_follow_up(pd.DataFrame(SCREENING))) == [True, False, False]  # a duplicate is followed once


def test_a_followed_up_registration_passes():
    assert not problems(dataset(screening=SCREENING, search_log=LOG, followups=followup()))


def test_a_data_set_without_a_follow_up_table_is_not_held_to_it():
    # an earlier revision of the data, or a user's own table with a screening record beside it
    assert not problems(dataset(screening=SCREENING, search_log=LOG))


@pytest.mark.parametrize(
    "cells, column",
    [
        ({"record_id": "R0999"}, "record_id"),
        ({"searches": "S001|S404"}, "searches"),
        ({"publication": "nope"}, "publication"),
    ],
)
def test_a_follow_up_naming_what_does_not_exist_fails(cells, column):
    found = problems(dataset(screening=SCREENING, search_log=LOG, followups=followup(**cells)))
    assert [p.column for p in found["followups"]] == [column]


def test_a_doi_or_a_known_study_is_a_publication():
    for publication in ("10.1002/jcph.1920", "trial_a"):
        assert not problems(dataset(screening=SCREENING, search_log=LOG, followups=followup(publication=publication)))


def test_a_registration_linked_to_an_unknown_study_fails():
    assert not problems(dataset(registrations={"linked_study_id": ["trial_a", None]}))
    found = problems(dataset(registrations={"linked_study_id": ["trial_z"]}))
    assert [(p.column, p.rule) for p in found["registrations"]] == [("linked_study_id", "study_exists")]


def appraisal(study_id: str, items=ITEMS) -> dict:
    return {"study_id": [study_id] * len(items), "item": list(items)}


def test_amstar2_rows_must_appraise_a_review_with_all_16_items():
    assert not problems(dataset(review_appraisal=appraisal("review_b")))
    wrong = problems(dataset(review_appraisal=appraisal("trial_a")))["review_appraisal"]
    assert {p.rule for p in wrong} == {"appraises_a_review"}
    short = problems(dataset(review_appraisal=appraisal("review_b", ITEMS[:12])))["review_appraisal"]
    assert [p.rule for p in short] == ["items_complete"] and "missing: 13, 14, 15, 16" in short[0].expected


# ------------------------------------------------------------------ rules inside one table
def test_not_applicable_only_on_the_meta_analysis_items():
    d = pd.DataFrame({"item": ["3", "11", "12", "15", "3"], "answer": ["not_applicable"] * 4 + ["no"]})
    assert list(RULES["not_applicable_only_where_allowed"](d)["answer"]) == [False, True, True, True, True]


def test_a_published_follow_up_names_its_publication_and_only_then():
    d = pd.DataFrame(
        {"result": ["published", "published", "not_found", "ongoing"], "publication": ["x_study", None, None, "y"]}
    )
    assert list(RULES["published_names_publication"](d)["publication"]) == [True, False, True, False]


# ------------------------------------------------------------------ end to end
@pytest.mark.integration
def test_validate_names_the_screening_line_of_a_registration_left_without_follow_up(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("studies", *COMPANIONS):
        shutil.copy(DATA / f"{name}.csv", folder / f"{name}.csv")
    rows = read_rows(folder / "followups.csv")
    write_rows(folder / "followups.csv", [r for r in rows if r["record_id"] != "R0183"])
    assert main(["validate", str(folder / "studies.csv")]) == 1
    out = capsys.readouterr()
    line = next(i for i, r in enumerate(read_rows(folder / "screening.csv")) if r["record_id"] == "R0183") + 2
    assert (
        f"screening.csv, line {line}, column record_id: value 'R0183': expected a row in followups.csv"
        in out.out + out.err
    )
