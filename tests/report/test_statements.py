"""Short answers in GRADE's words: the expected verb is derived here from the study table, the certainty and the
thresholds of the certainty schema, read directly (not through the findings)."""

from __future__ import annotations

import csv
import json
import math

import pytest

from helpers.data.dataset import load_dataset
from helpers.findings.lines import finding_for, line_findings
from helpers.paths import DATA, STUDIES_PATH
from helpers.report.names import study_names
from helpers.report.statements import statement_html
from helpers.report.text import plain_text
from helpers.stats.effects import harmonize
from support.reports import shipped_report

CONDITIONS = ["migraine", "headache_other", "neck_pain", "low_back_pain", "chronic_pain_mixed"]
VERBS = {  # GRADE's informative statements (Santesso 2020): certainty -> better, worse, no important difference
    "high": ("improves", "worsens", "makes little or no difference to"),
    "moderate": ("probably improves", "probably worsens", "probably makes little or no difference to"),
    "low": ("may improve", "may worsen", "may make little or no difference to"),
}
HARM_VERBS = {
    "high": ("reduces", "increases", "makes little or no difference to"),
    "moderate": ("probably reduces", "probably increases", "probably makes little or no difference to"),
    "low": ("may reduce", "may increase", "may make little or no difference to"),
}


def rows() -> list[dict]:
    with open(STUDIES_PATH, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def thresholds() -> dict:
    return json.loads((DATA / "schemas" / "certainty.json").read_text())["gradeRules"]["thresholds"]


def single_numbered(line: dict, table: list[dict]) -> dict | None:
    """The one row behind a line that has a number: a line of one study with means or events in both arms."""
    ids, outcomes = line["study_ids"].split("|"), line["outcomes"].split("|")
    mine = [
        r
        for r in table
        if r["study_id"] in ids
        and r["outcome"] in outcomes
        and r["condition"] == line["condition"]
        and ((r["mean_ketamine"] and r["mean_control"]) or (r["events_ketamine"] and r["events_control"]))
    ]
    return mine[0] if len(ids) == 1 and mine else None


def expected_slot(r: dict) -> int | None:
    """0 favours ketamine importantly, 1 favours the comparator importantly, 2 neither, by the written thresholds;
    None where no effect can be estimated (no events in both arms)."""
    t = thresholds()
    if r["mean_ketamine"]:
        md = float(r["mean_ketamine"]) - float(r["mean_control"])
        if r["unit"] == "mm_0_100":
            md /= 10
        if r["better"] == "higher":
            md = -md
        mid = float(t["pain_points_0_10"]["value"])
        return 0 if md <= -mid else 1 if md >= mid else 2
    if int(r["events_ketamine"]) == 0 and int(r["events_control"]) == 0:
        return None
    rr = (int(r["events_ketamine"]) / int(r["n_ketamine"])) / (int(r["events_control"]) / int(r["n_control"]))
    if r["better"] == "higher":
        rr = 1 / rr
    return 0 if rr <= t["ratio"]["benefit"] else 1 if rr >= t["ratio"]["harm"] else 2


def shipped_lines() -> list[dict]:
    with open(DATA / "certainty.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def effects(ds):
    return harmonize(ds.studies)


PLANTABLE = [(i, line) for i, line in enumerate(shipped_lines()) if single_numbered(line, rows())]


def test_some_lines_have_one_trial_with_numbers():
    slots = [expected_slot(single_numbered(line, rows())) for _, line in PLANTABLE]
    assert {0, 1, 2} & set(slots) and None in slots  # the planted certainties below test estimates and none


@pytest.mark.parametrize("certainty", ["high", "moderate", "low", "very_low"])
@pytest.mark.parametrize("index", [i for i, _ in PLANTABLE])
def test_the_verb_follows_from_certainty_and_effect(index, certainty, ds, effects):
    row = ds.get("certainty").iloc[index].copy()
    row["certainty"] = certainty
    line = shipped_lines()[index]
    finding = finding_for(index + 2, row, effects, ds.studies, ds.get("risk_of_bias"))
    text = plain_text(statement_html(finding, study_names(ds.studies)))
    label = line["outcome_label"]
    slot = expected_slot(single_numbered(line, rows()))
    if certainty == "very_low" or slot is None:
        assert f"the evidence is very uncertain about the effect of ketamine on {label}" in text, text
        return
    harm = all(o.startswith("ae_") for o in line["outcomes"].split("|"))
    verb = (HARM_VERBS if harm else VERBS)[certainty][slot]
    assert f", ketamine {verb} {label}" in text, text


@pytest.mark.parametrize("condition", CONDITIONS)
def test_each_main_line_has_a_statement_naming_comparison_studies_and_participants(condition):
    """The short answer is the reviewers' (data/answers.csv); the details under it give every line's statement."""
    text = plain_text(shipped_report(condition).appraisal.details().data)
    mine = [x for x in shipped_lines() if x["condition"] == condition]
    benefits = [x for x in mine if not x["outcomes"].startswith("ae_")] or mine
    main = [x for x in benefits if x["outcome_label"] == benefits[0]["outcome_label"]]
    assert main
    for line in main:
        assert line["certainty"] == "very_low"  # the shipped lines; other levels are planted above
        words = "Without a comparison group" if line["comparator"] == "none" else "Compared with"
        assert (
            f"{words}" in text
            and f"the evidence is very uncertain about the effect of ketamine on {line['outcome_label']}" in text
        )
        assert "very low certainty" in text
        assert "participants" in text or "no size given" in text
    assert "row" not in text.lower().split()  # counts of rows are never an answer


def test_where_trials_disagree_the_details_say_which_way_each_went():
    # migraine's main line: one trial found no clear difference, the other reported relief
    text = plain_text(shipped_report("migraine").appraisal.details().data)
    assert "Etchison 2018 found no clear difference" in text
    assert "Nicolodi 1995 favoured ketamine" in text


def test_harms_line_with_events_in_both_arms_has_an_absolute_effect(ds):
    found = 0
    for f in line_findings(ds.get("certainty"), ds.studies, ds.get("risk_of_bias")):
        covered = [
            r
            for r in rows()
            if r["study_id"] in {s.study_id for s in f.studies}
            and r["outcome"] in f.evidence.outcomes
            and r["events_ketamine"]
            and r["events_control"]
        ]
        both = (
            covered
            and sum(int(r["events_ketamine"]) for r in covered)
            and sum(int(r["events_control"]) for r in covered)
        )
        if f.evidence.measure in ("risk_ratio", "odds_ratio") and both:
            found += 1
            risks = sorted(int(r["events_control"]) / int(r["n_control"]) for r in covered)
            median = (
                risks[len(risks) // 2] if len(risks) % 2 else sum(risks[len(risks) // 2 - 1 : len(risks) // 2 + 1]) / 2
            )
            assert f.absolute is not None
            assert math.isclose(f.absolute.comparator, 1000 * median)
            html = shipped_report(f.condition).appraisal.sof_table().data
            assert f'data-field="risk_comparator" data-line="{f.line}"' in html
    assert found >= 1
