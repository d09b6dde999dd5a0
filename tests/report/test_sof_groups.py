"""The all-conditions Summary of Findings groups its lines under condition headings; a condition's own table
has none. Each line sits under the heading of its own condition (certainty.csv says which)."""

from __future__ import annotations

import csv
import re

from helpers.data.vocabulary import word
from helpers.paths import DATA
from support.reports import shipped_report


def test_every_line_of_the_all_conditions_table_sits_under_its_condition():
    html = shipped_report("all").appraisal.sof_table().data
    with open(DATA / "certainty.csv", newline="", encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    rows = re.findall(r'<tr class="sof-group"><th[^>]*>([^<]*)</th></tr>|<th scope="row">(.*?)<br>', html)
    heading, seen = None, []
    for group, label in rows:
        if group:
            heading = group
            seen.append(group)
            continue
        conditions = {word("condition", r["condition"]).capitalize() for r in lines if r["outcome_label"] == label}
        assert heading in conditions, (label, heading)
    assert len(seen) == len(set(seen)) == len({r["condition"] for r in lines})  # one heading per condition


def test_a_single_condition_table_has_no_headings():
    assert 'class="sof-group"' not in shipped_report("low_back_pain").appraisal.sof_table().data
