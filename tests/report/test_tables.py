"""The written tables: no pooled estimate or Summary of Findings line mixes two active drugs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.data.dataset import load_dataset
from helpers.data.lines import comparator_groups, line_rows, timepoint_window
from helpers.stats.pooling import GROUP_KEY
from support.tables import run_tables, write_rows

PLACEBOS = {"saline_placebo", "midazolam_active_placebo", "placebo_unspecified"}


def drugs_per_group(effects: pd.DataFrame) -> pd.Series:
    """The distinct active drugs (placebos count as one) among the rows of each pooling group."""
    effects = effects.assign(timepoint=effects["followup_days"].map(timepoint_window))
    drug = effects["comparator_drug"].fillna("").astype(str).where(lambda d: ~d.isin(PLACEBOS), "placebo")
    return drug.groupby([effects[c].astype(str) for c in GROUP_KEY]).nunique()


@pytest.fixture(scope="module")
def shipped_tables(tmp_path_factory, shipped_rows) -> Path:
    """The tables command on a copy of the shipped table, once for the tests below."""
    folder = tmp_path_factory.mktemp("shipped-tables")
    return run_tables(write_rows(folder / "studies.csv", shipped_rows), folder / "out")


def pooled_count(out: Path) -> int:
    return int((pd.read_csv(out / "pooling_decisions.csv")["k_pooled"] > 0).sum())


@pytest.mark.integration
def test_no_pooling_group_of_the_shipped_table_mixes_drugs(shipped_tables):
    effects = pd.read_csv(shipped_tables / "effects.csv")
    assert drugs_per_group(effects).max() == 1
    decisions = pd.read_csv(shipped_tables / "pooling_decisions.csv")
    assert not (decisions["comparator_group"].astype(str) == "active").any()


@pytest.mark.integration
def test_two_trials_against_different_drugs_are_not_pooled_and_the_same_drug_is(tmp_path, shipped_rows, shipped_tables):
    """Negative control: the two emergency-department trials of other headaches (prochlorperazine and
    metoclopramide, pain within a day) pool only when the table says they compared the same drug."""
    assert pooled_count(shipped_tables) == 0
    rows = [dict(r) for r in shipped_rows]
    for r in rows:
        if r["study_id"] == "benish2019":
            r["comparator_drug"] = "prochlorperazine"
    assert pooled_count(run_tables(write_rows(tmp_path / "same_drug.csv", rows), tmp_path / "same_drug")) == 1


def test_every_certainty_line_is_one_comparator():
    ds = load_dataset()
    studies, lines = ds.studies, ds.get("certainty")
    for _, line in lines.iterrows():
        rows = line_rows(studies, line)
        assert set(comparator_groups(rows)) <= {str(line["comparator"])}, line["outcome_label"]


def test_every_condition_with_harms_data_has_a_harms_line():
    ds = load_dataset()
    studies, lines = ds.studies, ds.get("certainty")
    literature = studies[studies["source"].astype(str) == "literature"]
    counted = literature[
        literature["outcome"].astype(str).str.startswith("ae_")
        & literature[["events_ketamine", "events_control"]].notna().any(axis=1)
    ]
    harms_lines = lines[lines["outcomes"].astype(str).str.contains(r"(?:^|\|)ae_")]
    assert set(counted["condition"].astype(str)) <= set(harms_lines["condition"].astype(str))
    assert not harms_lines.empty
