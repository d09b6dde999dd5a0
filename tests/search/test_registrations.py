"""A registered trial is flagged as possibly unpublished only when it completed more than two years ago, has no
study of the table linked to it and no posted results; and a registration's number in the study table links it."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helpers.data.unpublished import unpublished_rows as possibly_unpublished
from helpers.search.registry import linked_studies

TODAY = dt.date(2026, 12, 7)


def table(**changes) -> pd.DataFrame:
    row = {
        "registration_id": "NCT99000003",
        "status": "completed",
        "completion_date": "2021-09",
        "linked_study_id": "",
        "has_results": "no",
    }
    return pd.DataFrame([{**row, **changes}])


def test_a_trial_completed_long_ago_without_a_publication_is_flagged():
    assert list(possibly_unpublished(table(), TODAY)["registration_id"]) == ["NCT99000003"]
    assert list(possibly_unpublished(table(completion_date="2024-11-30"), TODAY)["registration_id"]) == ["NCT99000003"]


def test_recent_linked_reported_or_unfinished_trials_are_not_flagged():
    for changes in (
        {"completion_date": "2025-06"},  # completed less than two years ago
        {"completion_date": "2024-12-08"},  # one day short of two years
        {"completion_date": "2024-12"},  # the month may end less than two years ago
        {"linked_study_id": "etchison2018"},
        {"has_results": "yes"},
        {"status": "recruiting"},
        {"status": "terminated"},
        {"completion_date": ""},
    ):
        assert possibly_unpublished(table(**changes), TODAY).empty, changes


def test_a_registration_named_in_the_study_table_links_its_study():
    studies = pd.DataFrame(
        {
            "study_id": ["etchison2018", "other2020"],
            "source_url": ["https://clinicaltrials.gov/study/NCT02697071", "https://doi.org/10.1/x"],
            "notes": ["", "no registration"],
        }
    )
    assert linked_studies(studies) == {"NCT02697071": "etchison2018"}
