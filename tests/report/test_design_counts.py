"""A study is counted under its own design wherever the reports count studies: an unverified randomized trial
is never among "series, cohorts and reviews" (Czarnetzki 2020), and meta-analyses are named as such."""

from __future__ import annotations

import csv

import pytest

from helpers.data.vocabulary import design_noun, designs
from helpers.paths import DATA
from helpers.report.numbers import count_word
from support.reports import shipped_report

CONDITIONS = ("migraine", "headache_other", "neck_pain", "low_back_pain", "chronic_pain_mixed")


@pytest.mark.parametrize("condition", CONDITIONS)
def test_the_studies_sentence_counts_each_design_from_the_data(condition):
    with open(DATA / "studies.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source"] == "literature" and r["condition"] == condition]
    first = {r["study_id"]: r for r in reversed(rows)}
    randomized = set(designs("randomized"))
    counts: dict[tuple[str, bool], int] = {}
    for r in first.values():
        late = r["verification"] != "verified" and r["design"] in randomized
        if r["design"] in randomized and not late:
            continue
        counts[(r["design"], late)] = counts.get((r["design"], late), 0) + 1
    bottom = next(b for b in shipped_report("all").appraisal.bottom.per_condition() if b.condition == condition)
    text = bottom._studied()
    assert "series, cohorts and reviews" not in text
    for (design, late), n in counts.items():
        assert f"{count_word(n)} {design_noun(design, n)}" + (" not yet verified" if late else "") in text, text


def test_czarnetzki_is_an_unverified_randomized_trial_in_the_count():
    bottom = next(b for b in shipped_report("all").appraisal.bottom.per_condition() if b.condition == "low_back_pain")
    assert "one randomized trial not yet verified" in bottom._studied()
