"""GRADE's written rules (findings.grading, stats.grade): the computed values and the departures they allow."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pandas as pd
import pytest

from helpers.cli import main
from helpers.paths import ROOT
from helpers.stats.grade import LineEvidence, Thresholds, imprecision, inconsistency

T = Thresholds(mid_points=1.0, ratio_benefit=0.75, ratio_harm=1.25, ois=400)


def evidence(yi, vi, n, measure="mean_difference", unit="points_0_10", comparator="placebo", directions=None):
    rows = pd.DataFrame(
        {
            "study_id": [f"s{i}" for i in range(len(yi))],
            "yi": yi,
            "vi": vi,
            "effect_measure": measure,
            "unit": unit,
            "design": "rct",
        }
    )
    ids = list(rows["study_id"])
    ev = LineEvidence("migraine", "placebo", ["pain"], ids, rows, n, comparator=comparator)
    ev.measure = measure
    ev.directions = directions or {}
    return ev


@pytest.mark.parametrize(
    "yi,se,n,value,code",
    [
        (-2.0, 0.3, 500, 0, "imprecision"),  # clear of no effect and of the threshold, enough participants
        (-2.0, 0.3, 100, -1, "imprecision"),  # the same, under the optimal information size
        (-1.0, 0.2, 500, -1, "imprecision"),  # excludes no effect, crosses the 1-point threshold
        (0.0, 0.8, 500, -2, "both_thresholds"),  # includes an important benefit and an important harm
        (-0.3, 0.4, 100, -2, "imprecision"),  # includes no effect, and too few: capped at -2
    ],
)
def test_imprecision_follows_the_written_rule(yi, se, n, value, code):
    sig = imprecision(evidence([yi], [se**2], n), T)
    assert (sig.value, sig.code) == (value, code)


def test_no_interval_costs_two_levels_and_an_uncontrolled_rate_none():
    assert imprecision(evidence([1.0], [np.nan], 50), T).value == -2
    assert (
        imprecision(evidence([40.0], [np.nan], 50, measure="proportion", comparator="none"), T).code == "uncontrolled"
    )


def test_ratio_thresholds_are_grade_defaults():
    # RR 0.5 (0.3 to 0.8) on the log scale: clear of 1 but crossing 0.75
    lo, hi = np.log(0.3), np.log(0.8)
    se = (hi - lo) / (2 * 1.959964)
    sig = imprecision(evidence([np.log(0.5)], [se**2], 1000, measure="risk_ratio", unit="ratio"), T)
    assert (sig.value, sig.facts["crossed"]) == (-1, 1)


def test_directions_that_disagree_without_intervals_cost_a_level():
    ev = evidence([np.nan, np.nan], [np.nan, np.nan], 80, directions={"s0": "favours_ketamine", "s1": "no_difference"})
    assert inconsistency(ev).code == "directions_disagree" and inconsistency(ev).value == -1
    ev.directions = {"s0": "favours_ketamine", "s1": "favours_ketamine"}
    assert inconsistency(ev).value == 0


LINE = "back pain intensity 1 year after spine surgery"


def planted(tmp_path, **cells):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("README.md"))
    path = data / "certainty.csv"
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    for r in rows:
        if r["outcome_label"] == LINE:
            # the line's own departure (indirectness, judged against its question) stays explained
            cells.setdefault("departure_reason", r["departure_reason"])
            cells["departure_reason"] = " ".join({r["departure_reason"]: 0, cells["departure_reason"]: 0})
            r.update(cells)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return data / "studies.csv"


@pytest.mark.integration
def test_a_departure_with_its_reason_is_accepted_and_without_one_is_not(tmp_path, capsys):
    assert main(["validate", str(planted(tmp_path / "a", imprecision="0", certainty="low"))]) == 1
    assert "column imprecision" in capsys.readouterr().err
    reason = "imprecision: the trial's interval is judged precise enough for this question (a test's reason)."
    assert (
        main(["validate", str(planted(tmp_path / "b", imprecision="0", certainty="low", departure_reason=reason))]) == 0
    )
    capsys.readouterr()
    # a reason explains only the domain it names: one for indirectness leaves the imprecision departure unexplained
    other = "indirectness: a reason about another domain (a test's reason)."
    assert (
        main(["validate", str(planted(tmp_path / "c", imprecision="0", certainty="low", departure_reason=other))]) == 1
    )
    assert "column imprecision" in capsys.readouterr().err


def test_a_line_graded_before_is_graded_again_when_the_study_table_changes(tmp_path):
    """graded_lines keeps each line's evidence by the cache keys of the tables it reads: an edit is never hidden."""
    from helpers.data.dataset import load_dataset
    from helpers.findings.grading import graded_lines

    def size(studies_csv) -> int:
        lines = graded_lines(load_dataset(studies_csv))
        return next(g for g in lines if "czarnetzki2020" in g.row["study_ids"]).evidence.n_by_study["czarnetzki2020"]

    before = size(planted(tmp_path / "a"))
    assert size(planted(tmp_path / "b")) == before  # the same tables: the evidence kept
    edited = planted(tmp_path / "c")  # the same certainty line, the study table edited
    rows = list(csv.DictReader(edited.open(newline="", encoding="utf-8")))
    for r in rows:
        if r["study_id"] == "czarnetzki2020":
            r["n_ketamine"] = str(int(r["n_ketamine"]) + 10)
            r["n_randomized"] = str(int(r["n_randomized"]) + 10)  # the total grows with the arm it holds
    with edited.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    assert size(edited) == before + 10
