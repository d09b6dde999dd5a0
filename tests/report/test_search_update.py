"""The evidence overview's registered trials and reviews' appraisal: built from the tables, the flag and the
confidence computed (a planted change to the data changes what the page shows)."""

from __future__ import annotations

import re

from helpers.data.amstar import ITEMS
from helpers.data.vocabulary import word
from helpers.findings.registrations import registrations_view
from helpers.report.search_update import FLAG, GROUP_WORDS, appraisal_table, registrations_table
from helpers.report.text import plain_text as plain
from support.reports import shipped_report


def rows_of(html: str) -> dict[str, str]:
    """Each table row's text by its header cell."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head:
            out.setdefault(plain(head.group(1)), plain(row))
    return out


def test_registrations_are_shown_by_group_and_the_flag_is_computed():
    r = shipped_report("all")
    reg = r.dataset.get("registrations")
    html = r.overview.registrations_table().data
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    groups = registrations_view(reg)["group"].unique()
    assert [c.split(": ")[1] for c in captions] == [GROUP_WORDS[g].lower() for g in groups]
    assert captions[0].startswith("Registered trials: ongoing")
    rows = rows_of(html)
    assert set(rows) == set(reg["registration_id"].astype(str))
    # the flag is computed from the data, never typed: the shipped completed trials all have a publication
    assert not {k for k, v in rows.items() if FLAG in v}
    unlinked = reg.copy()
    unlinked.loc[unlinked["registration_id"] == "NCT03896256", "linked_study_id"] = None  # completed in 2020
    flagged = {k for k, v in rows_of(registrations_table(unlinked, r.names, "Registered trials")).items() if FLAG in v}
    assert flagged == {"NCT03896256"}


def test_the_reviews_confidence_follows_the_answers():
    r = shipped_report("all")
    app = r.dataset.get("review_appraisal")
    rows = rows_of(r.overview.reviews_table().data.split("<details")[0])
    assert set(rows) == {r.names[s] for s in app["study_id"].astype(str)}
    assert all("critically low" in v for v in rows.values())  # appraised from abstracts: the floor of the scale
    better = app.copy()
    mine = better["study_id"] == "ferraro2025"
    better.loc[mine, "answer"] = "yes"
    shown = rows_of(appraisal_table(better, r.names, "x").split("<details")[0])
    assert "high" in shown[r.names["ferraro2025"]] and "critically" not in shown[r.names["ferraro2025"]]
    assert len(app[app["study_id"] == "ferraro2025"]) == len(ITEMS)


def test_a_condition_report_shows_only_its_registrations():
    html = shipped_report("low_back_pain").overview.registrations_table().data
    ids = set(rows_of(html))
    assert ids and "NCT04814381" not in ids and "NCT06419439" in ids
    assert "No registered trial" in shipped_report("neck_pain").overview.registrations_summary().data


def test_every_follow_up_is_counted_by_what_it_found():
    r = shipped_report("all")
    fol = r.dataset.get("followups")
    text = r.overview.registrations_summary().data
    assert f"{len(fol)} protocols, registrations and conference abstracts met in screening were followed up" in text
    for result, n in fol["result"].astype(str).value_counts().items():
        assert f"{n} {word('result', result, 'followups')}" in text
