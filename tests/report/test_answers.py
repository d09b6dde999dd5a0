"""Every answer opens with its primary question's status, derived here from questions.csv and certainty.csv
on their own, mentions harms, and every line with events in both arms shows absolute effects per 1,000."""

from __future__ import annotations

import re

import pytest

from helpers.data.dataset import load_dataset
from helpers.findings.lines import line_findings
from helpers.report.bottom_line import bottom_line_for, index_answers
from helpers.report.sof import absolute_cells
from helpers.report.text import plain_text
from support.reports import shipped_report

PICO = ("direct_population", "direct_intervention", "direct_comparator", "direct_outcome")


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def shipped_answers(ds):
    return answers(ds)


@pytest.fixture(scope="module")
def shipped_summaries(ds):
    """Each condition's plain-language summary, from the same bottom lines the index answers come from."""
    from helpers.report.names import study_names

    whole = bottom_line_for("all", "all conditions", ds.studies, ds.studies, ds, study_names(ds.studies))
    return {b.condition: plain_text(b.plain_summary()) for b in whole.per_condition()}


@pytest.fixture(scope="module")
def lines(ds):
    return line_findings(ds.get("certainty"), ds.studies, ds.get("risk_of_bias"))


def expected_claims(ds) -> dict[str, str]:
    """Each condition's first claim, from the two tables alone: answered directly (at which certainty) or not."""
    q, cert = ds.get("questions"), ds.get("certainty")
    out = {}
    for r in q[q["kind"].astype(str) == "primary"].itertuples(index=False):
        mine = cert[cert["question"].astype(str) == r.question_id]
        direct = mine[(mine[list(PICO)].astype(str) == "yes").all(axis=1)]
        if direct.empty:
            claim = "No study answers this directly."
        else:
            best = next(c for c in ("high", "moderate", "low", "very_low") if c in set(direct["certainty"]))
            claim = f"Direct evidence exists, at {best.replace('_', ' ')} certainty."
        out[str(r.condition)] = f"{r.question} {claim}"
    return out


def answers(ds) -> dict[str, str]:
    from helpers.data.schema import load_schema

    labels = {load_schema()["condition"].label(c): c for c in load_schema().enum("condition")}
    return {labels[label]: plain_text(html) for label, html, *_ in index_answers(ds)}


def neck_answer(ds) -> str:
    """One condition's answer, built the way the index builds it (bottom_line_for), without the others."""
    from helpers.report.names import study_names

    selected = ds.studies[ds.studies["condition"].astype(str) == "neck_pain"]
    b = bottom_line_for("neck_pain", "neck pain", ds.studies, selected, ds, study_names(ds.studies))
    return plain_text(b.answer())


def test_each_answer_opens_with_its_primary_question_status(ds, shipped_answers, shipped_summaries):
    got, want = shipped_answers, expected_claims(ds)
    assert set(want) <= set(got)
    for condition, first in want.items():
        assert got[condition].startswith(first), (condition, got[condition][:200])
        assert shipped_summaries[condition].startswith(first), (condition, shipped_summaries[condition][:200])
    # the short answer on each condition's page is the same answer (BottomLine.headline is answer())
    # the page's short answer is the same answer (BottomLine.headline is answer()): one condition's page read
    page = plain_text(shipped_report("low_back_pain").appraisal.headline().data)
    assert page.removeprefix("Short answer.").strip().startswith(want["low_back_pain"]), page[:200]


def test_marking_a_line_direct_changes_the_first_sentence(ds, shipped_answers):
    cert = ds.get("certainty").copy()
    line = cert.index[cert["question"].astype(str) == "neck_pain_laboratory"][0]
    cert.loc[line, "question"] = "neck_pain_primary"
    for c in PICO:
        cert.loc[line, c] = "yes"
    planted = type(ds)(ds.studies, dict(ds.tables, certainty=cert), ds.paths)
    before, after = shipped_answers["neck_pain"], neck_answer(planted)
    assert "No study answers this directly." in before
    assert "Direct evidence exists, at very low certainty." in after
    assert after.startswith(expected_claims(planted)["neck_pain"])


def test_every_answer_says_what_is_known_about_harms(shipped_answers):
    for condition, text in shipped_answers.items():
        assert "Harms" in text, condition


def test_every_line_with_events_in_both_arms_shows_absolute_effects(lines):
    counted = 0
    for f in lines:
        c = f.covered
        both = c[c["events_ketamine"].notna() & c["events_control"].notna()]
        if both.empty:
            continue
        counted += 1
        comparator, ketamine = (plain_text(x) for x in absolute_cells(f))
        assert re.match(r"\d+ per 1,000", comparator), (f.label, comparator)
        # the risk with ketamine, then the difference per 1,000 with its interval
        assert re.match(r"\d+ per 1,000.*: (0|\d+ (more|fewer)) per 1,000 \(.+ to .+\)$", ketamine), (f.label, ketamine)
        if f.row.get("zero_events") == "inferred":
            assert "inferred" in comparator
    assert counted >= 5


def test_every_result_with_counts_in_both_arms_has_its_risks_per_1000(ds):
    from helpers.findings.results import study_results
    from helpers.report.results import result_html

    results = [r for rs in study_results(ds.studies).values() for r in rs]
    rows = ds.studies[
        ds.studies["events_ketamine"].notna()
        & ds.studies["events_control"].notna()
        & ds.studies["n_ketamine"].notna()
        & ds.studies["n_control"].notna()
        & ds.studies["effect_measure"].astype(str).isin(["risk_ratio", "odds_ratio", "risk_difference"])
    ]
    keys = {(str(r.study_id), str(r.outcome)) for r in rows.itertuples()}
    shown = [r for r in results if (r.study_id, r.outcome) in keys]
    assert len(shown) == len(keys) >= 5
    for r in shown:
        text = plain_text(result_html(r))
        assert re.search(
            r"\d+ per 1,000 with ketamine, \d+ with the comparator: .+ per 1,000 \(95% CI .+ to .+\)", text
        ), text


def test_footnote_marks_do_not_run_out():
    """The all-conditions table has more downgrades than 52 letters (its build stopped at the 53rd)."""
    from helpers.report.html import footnote_letters

    marks = list(footnote_letters())
    assert len(marks) > 52 and len(set(marks)) == len(marks) and marks[:2] == ["a", "b"]


def test_every_condition_with_reported_adverse_events_has_graded_harms_lines(ds, lines):
    from helpers.findings.questions import harms_lines

    s = ds.studies
    reported = s[
        s["outcome"].astype(str).str.startswith("ae_")
        & (s["source"].astype(str) == "literature")
        & (s["comparator_class"].astype(str) != "none")  # a comparison: an uncontrolled rate grades no effect
        & ((s["direction"].astype(str) != "not_reported") | s["events_control"].notna())
    ]
    conditions = set(reported["condition"].astype(str))
    assert conditions >= {"migraine", "headache_other", "low_back_pain", "chronic_pain_mixed"}
    for condition in conditions:
        assert harms_lines(condition, ds.get("questions"), lines), condition
    # negative control: without the harms questions' lines, a condition has none
    assert harms_lines("migraine", ds.get("questions"), [x for x in lines if not x.is_harm]) == []
