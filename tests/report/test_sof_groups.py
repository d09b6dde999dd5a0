"""The all-conditions Summary of Findings is grouped by condition: one table per condition, captioned with it; a
condition's own page has one table. Each line sits in the table of its own condition (certainty.csv says which)."""

from __future__ import annotations

import csv
import re

from helpers.data.vocabulary import word
from helpers.paths import DATA
from support.reports import shipped_report


def test_every_line_of_the_all_conditions_summary_sits_under_its_condition():
    html = shipped_report("all").appraisal.sof_table().data
    with open(DATA / "certainty.csv", newline="", encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    tables = re.findall(r'<table class="evidence-table sof"><caption>([^<]*)</caption>(.*?)</table>', html, re.S)
    captions = [c for c, _ in tables]
    assert len(captions) == len(set(captions)) == len({r["condition"] for r in lines})  # one table per condition
    placed = 0
    for caption, body in tables:
        for label in re.findall(r'<th scope="row">(.*?)<br>', body):
            conditions = {word("condition", r["condition"]) for r in lines if r["outcome_label"] == label}
            assert any(caption.endswith(f"ketamine for {c}") for c in conditions), (label, caption)
            placed += 1
    assert placed == len(lines)


def test_a_single_condition_has_one_table():
    html = shipped_report("low_back_pain").appraisal.sof_table().data
    assert html.count('<table class="evidence-table sof">') == 1


def test_a_line_states_its_scale_and_why_no_absolute_effect_from_the_rows_behind_it():
    """Ferraro 2025 (mixed chronic pain) gives a mean difference in units it does not state and a risk ratio
    without counts per arm: its lines say so, and the lines of pain scales keep the 0-10 label."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shipped_report("chronic_pain_mixed").appraisal.sof_table().data))
    pain = text[text.index("pain right after infusions") :][:400]
    assert "Mean difference, on a scale the source does not give as 0-10" in pain and "0-10 scale" not in pain
    harm = text[text.index("any side effect with infusions") :][:400]
    assert "not estimable: no counts per arm" in harm and "no events in one or both arms" not in harm
    assert "Mean difference, points on a 0-10 scale" in text  # Orhurhu's and Michelet's lines
