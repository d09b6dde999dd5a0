"""Which row stands for a study (helpers.stats.selection): the rule on small planted frames, and the
Summary of Findings, pooling and the placeholders choosing the same row of a study with two time points."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from helpers.data.loader import load_studies
from helpers.findings import lines
from helpers.findings.lines import line_findings
from helpers.report.names import study_names
from helpers.report.placeholders import Filler
from helpers.stats import grade
from helpers.stats.effects import direction_only, harmonize
from helpers.stats.pooling import FITS, SENSITIVITY, SHOWN, pooling_groups, record_of
from helpers.stats.proportions import FITS as RATE_FITS
from helpers.stats.proportions import proportion_groups
from helpers.stats.selection import DIRECTION, ESTIMATE, INTERVAL, NOTHING, chosen, pick, result_rank, shown_fit

NAN = math.nan


def rows(*specs) -> pd.DataFrame:
    """(study_id, followup_days, est, vi, direction) per row, in file order."""
    return pd.DataFrame(specs, columns=["study_id", "followup_days", "est", "vi", "direction"])


def picked(frame: pd.DataFrame, **kw) -> list[int]:
    return list(pick(frame, **kw).index)


# ------------------------------------------------------------------ the rule
def test_a_result_ranks_by_what_it_can_say():
    r = rows(
        ("a", 1, 0.5, 0.1, "no_difference"),  # an estimate with an interval
        ("a", 1, 0.5, NAN, "no_difference"),  # an estimate alone
        ("a", 1, 0.5, 0.0, "no_difference"),  # a zero variance is no interval
        ("a", 1, NAN, NAN, "favours_ketamine"),  # a direction without a number
        ("a", 1, NAN, NAN, "not_reported"),  # nothing
    )
    assert list(result_rank(r)) == [INTERVAL, ESTIMATE, ESTIMATE, DIRECTION, NOTHING]
    # study rows that were not harmonized rank by their direction alone
    assert list(result_rank(r.drop(columns=["est", "vi"]))) == [DIRECTION] * 4 + [NOTHING]


def test_the_latest_follow_up_stands_for_a_study():
    assert picked(rows(("a", 182.6, 5.2, 0.1, "x"), ("a", 365.25, 8.5, 0.1, "x"))) == [1]
    assert picked(rows(("a", 365.25, 8.5, 0.1, "x"), ("a", 182.6, 5.2, 0.1, "x"))) == [0]  # whatever the order


def test_an_unknown_follow_up_counts_as_the_earliest():
    assert picked(rows(("a", NAN, 1.0, 0.1, "x"), ("a", 0.5, 1.0, 0.1, "x"))) == [1]
    assert picked(rows(("a", 0.5, 1.0, 0.1, "x"), ("a", NAN, 1.0, 0.1, "x"))) == [0]
    assert picked(rows(("a", NAN, 1.0, 0.1, "x"))) == [0]  # alone, it stands


def test_ties_go_to_the_row_the_table_lists_first():
    # two outcomes of one line measured at the same time: the first in the file wins, wherever it sits
    two = rows(("a", 30, 1.0, 0.1, "x"), ("a", 30, 2.0, 0.1, "x"))
    assert picked(two) == [0]
    assert picked(two.iloc[::-1]) == [0]  # the index is the file's order, not the frame's
    assert picked(two.set_axis([7, 3])) == [3]


def test_a_row_without_a_result_gives_way_to_an_earlier_one_with_it():
    assert picked(rows(("a", 30, 1.0, 0.1, "x"), ("a", 365, NAN, NAN, "favours_ketamine"))) == [0]
    assert picked(rows(("a", 30, 1.0, 0.1, "x"), ("a", 365, 1.5, NAN, "x"))) == [0]  # no interval
    assert picked(rows(("a", 30, NAN, NAN, "favours_ketamine"), ("a", 365, NAN, NAN, "not_reported"))) == [0]
    # negative control: with nothing better, the row without a result stands
    assert picked(rows(("a", 30, NAN, NAN, "not_reported"), ("a", 365, NAN, NAN, "not_reported"))) == [1]


def test_one_row_per_study_in_the_order_the_table_first_lists_them():
    r = rows(("b", 10, 1.0, 0.1, "x"), ("a", 10, 1.0, 0.1, "x"), ("b", 20, 1.0, 0.1, "x"))
    assert picked(r) == [2, 1]
    assert list(chosen(r)) == [False, True, True]
    assert picked(r.assign(outcome=["o", "o", "p"]), by=("study_id", "outcome")) == [0, 1, 2]
    assert pick(r.iloc[:0]).empty and not chosen(r.iloc[:0]).any()


def test_a_time_window_is_the_callers_choice_of_rows(studies):
    """Pooling picks within each time-point window: a study measured in two windows enters each with its own row."""
    two = planted(studies)  # x: 182.625 and 365.25 days (both over 90 days), y: 365.25 days
    early = two.index[(two["study_id"] == "x") & (two["followup_days"] == 182.625)][0]
    two.loc[early, "followup_days"] = 60.0  # now in 14 to 90 days
    used = {
        g.key["timepoint"]: list(zip(g.used["study_id"], g.used["followup_days"]))
        for g in pooling_groups(harmonize(two))
    }
    assert used == {"14_to_90_days": [("x", 60.0)], "over_90_days": [("x", 365.25), ("y", 365.25)]}


def test_effect_direction_rows_follow_the_rule(studies):
    """direction_only: the latest row that states a direction, else the latest."""
    s = studies[studies["study_id"] == "czarnetzki2020"].copy()
    s[["effect", "ci_lower", "ci_upper"]] = np.nan
    s["direction"] = ["favours_ketamine", "not_reported"]  # the later row states nothing
    assert direction_only(s)["followup_days"].tolist() == [182.625]
    s["direction"] = ["favours_ketamine", "no_difference"]
    assert direction_only(s)["followup_days"].tolist() == [365.25]


# ------------------------------------------------------------------ the fit a page shows
def test_the_fit_shown_is_the_first_registered_method(studies):
    group = next(g for g in pooling_groups(harmonize(planted(studies))) if g.pooled)
    assert [record_of(f).method for f in group.fits] == list(FITS)
    assert SHOWN.made(shown_fit(group)) and record_of(shown_fit(group)).interval == "hartung_knapp"
    assert record_of(group.wald).method == SENSITIVITY and record_of(shown_fit(group)).k == 2
    assert not SHOWN.made(group.wald)  # negative control: a fit of another method is not taken for it
    rates = next(g for g in proportion_groups(studies[studies["outcome"] == "responder_2pt"]) if g.pooled)
    assert shown_fit(rates) is rates.fit("logit", "REML") and shown_fit(rates).record.method == RATE_FITS[0][1]
    assert shown_fit(pooling_groups(harmonize(planted(studies).iloc[:2]))[0]) is None  # one study: not pooled


# ------------------------------------------------------------------ every page picks the same row
@pytest.fixture(scope="module")
def studies():
    return load_studies()


def planted(studies: pd.DataFrame, latest_first: bool = False) -> pd.DataFrame:
    """Czarnetzki 2020's two rows as study x (6 months, then 1 year, in the file), and a twin y measured at
    1 year only, so that the pair is pooled; ``latest_first`` lists x's year first."""
    x = studies[studies["study_id"] == "czarnetzki2020"].assign(study_id="x", citation="X et al. 2020")
    y = x[x["followup_days"] == 365.25].assign(study_id="y", citation="Y et al. 2021", year=2021, effect=2.0)
    x = x.iloc[::-1] if latest_first else x
    return pd.concat([x, y], ignore_index=True)


LINE = {
    "condition": "low_back_pain",
    "outcome_label": "neuropathic pain",
    "outcomes": "neuropathic_pain",
    "comparator_class": "placebo",
    "comparator": "placebo",
    "time_frame": "over_90_days",
    "study_ids": "x|y",
    "certainty": "low",
}


def rows_chosen(table: pd.DataFrame) -> dict[str, float]:
    """The follow-up of study x's row as the Summary of Findings, pooling and a placeholder show it."""
    finding = line_findings(pd.DataFrame([LINE]), table)[0]
    sof = next(r.followup_days for r in finding.results if r.study_id == "x")
    group = next(g for g in pooling_groups(harmonize(table)) if g.pooled)
    pooled = float(group.used.loc[group.used["study_id"] == "x", "followup_days"].iloc[0])
    html = Filler(table, study_names(table))("{x.result.neuropathic_pain} {x.followup.neuropathic_pain}")
    days = {float(k) for k in re.findall(r'data-key="neuropathic_pain@([0-9.]+)"', html)}
    assert len(days) == 1, html  # the result and the follow-up come from one row
    return {"sof": sof, "pooling": pooled, "placeholder": days.pop()}


def test_sof_pooling_and_placeholders_choose_the_same_row(studies):
    table = planted(studies)
    assert table.loc[table["study_id"] == "x", "followup_days"].iloc[0] == 182.625  # first in the file is not latest
    assert rows_chosen(table) == {"sof": 365.25, "pooling": 365.25, "placeholder": 365.25}
    assert rows_chosen(planted(studies, latest_first=True)) == {"sof": 365.25, "pooling": 365.25, "placeholder": 365.25}


def test_the_first_row_in_the_file_would_disagree(studies, monkeypatch):
    """Negative control: the Summary of Findings' old rule (the first row in the file) shows x's 6-month row
    while pooling uses its year, and the comparison above catches it."""

    def first_in_file(effects, covered, ids):
        e = effects[effects["study_id"].isin(ids) & np.isfinite(effects["est"].astype(float))]
        e = e[e["outcome"].isin(covered["outcome"]) & e["followup_days"].isin(covered["followup_days"])]
        return e.groupby("study_id", sort=False).head(1)

    monkeypatch.setattr(grade, "line_results", first_in_file)
    monkeypatch.setattr(lines, "_MEMO", type(lines._MEMO)())  # findings kept from the real rule are not asked
    chosen_rows = rows_chosen(planted(studies))
    assert chosen_rows["sof"] == 182.625 and chosen_rows["pooling"] == 365.25


def test_czarnetzki_2020_is_shown_at_one_year_on_every_page(studies):
    """The shipped table: the low back pain line of neuropathic pain 6 to 12 months shows the row pooling uses."""
    from helpers.data.dataset import load_dataset

    cert = load_dataset().get("certainty")
    back = studies[studies["condition"] == "low_back_pain"]
    finding = line_findings(cert[cert["study_ids"].astype(str).str.contains("czarnetzki2020")], back)[0]
    assert [r.followup_days for r in finding.results if r.study_id == "czarnetzki2020"] == [365.25]
    used = pd.concat([g.used for g in pooling_groups(harmonize(back))])
    assert used.loc[used["study_id"] == "czarnetzki2020", "followup_days"].tolist() == [365.25]
    html = Filler(back, study_names(back))("{czarnetzki2020.result.neuropathic_pain}")
    assert 'data-key="neuropathic_pain@365.25"' in html


def test_a_filler_chooses_each_study_outcome_once_and_never_mixes_them(studies, monkeypatch):
    """A claims table asks for the same study's row many times: it is chosen once and handed out again, while
    another study or outcome gets its own (the memo is keyed by both)."""
    from helpers.report import placeholders

    table = planted(studies)
    fill = Filler(table, study_names(table))
    calls, real = [], placeholders.pick
    monkeypatch.setattr(placeholders, "pick", lambda rows: calls.append(len(rows)) or real(rows))
    first = fill.stands("x", "neuropathic_pain")
    assert fill.stands("x", "neuropathic_pain") is first and len(calls) == 1
    other = fill.stands("y", "neuropathic_pain")
    assert len(calls) == 2 and other[0]["study_id"] == "y" and first[0]["study_id"] == "x"
    assert fill.stands("x", "no_such_outcome") is None
    fresh = Filler(table, study_names(table)).stands("x", "neuropathic_pain")
    assert fresh[1] == first[1] and fresh[0].equals(first[0])


def test_a_line_is_computed_once_for_the_same_content_and_again_when_a_table_changes(studies, monkeypatch):
    """A line's finding is computed once for the same tables' content, and one computed for all conditions
    serves one condition's; a copy with the same content is served too; a changed cell of the study table, the
    line or the risk-of-bias table (as in a notebook whose tables change) is computed anew."""
    monkeypatch.setattr(lines, "_MEMO", type(lines._MEMO)())
    table = planted(studies)
    cert = pd.DataFrame([LINE])
    calls, real = [], lines.finding_for
    monkeypatch.setattr(lines, "finding_for", lambda *a: calls.append(a[0]) or real(*a))
    (every,) = line_findings(cert, table)
    (one,) = line_findings(cert, table, condition="low_back_pain")
    assert one is every and len(calls) == 1
    (copied,) = line_findings(cert.copy(), table.copy())
    assert copied is every and len(calls) == 1  # the same content
    changed = table.copy()
    changed.loc[changed.index[0], "effect"] = 4.0
    (other,) = line_findings(cert, changed)
    assert other is not every and len(calls) == 2
    (relabelled,) = line_findings(cert.assign(outcome_label="another label"), table)
    assert relabelled.label == "another label" and len(calls) == 3
    rob = pd.DataFrame([{"study_id": "x", "tool": "rob2", "domain": "overall", "judgement": "high", "outcome": None}])
    line_findings(cert, table, rob)
    assert len(calls) == 4
