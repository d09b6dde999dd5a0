"""The answer each bottom-line report gives, checked against the data it is written from."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from helpers.data.dataset import load_dataset
from helpers.data.record_rules import expected_certainty
from helpers.data.rows import split_list as split
from helpers.report import open_report
from helpers.report.bottom_line import index_answers
from helpers.report.names import study_names
from helpers.report.placeholders import Filler
from helpers.report.text import plain_text
from helpers.stats.grade import LineEvidence, imprecision, inconsistency
from helpers.stats.meta import rma
from support.reports import shipped_report

CONDITIONS = ["migraine", "headache_other", "neck_pain", "low_back_pain", "chronic_pain_mixed"]
CERTAINTY = {"high": "high", "moderate": "moderate", "low": "low", "very_low": "very low"}


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def plain(text: str) -> str:
    """What a reader sees of a cell's Markdown or HTML output."""
    return plain_text(text)


def verified_trials(studies: pd.DataFrame, condition: str, cls: str | None = None) -> list[str]:
    s = studies[
        (studies["condition"].astype(str) == condition)
        & (studies["source"].astype(str) == "literature")
        & (studies["verification"].astype(str) == "verified")
        & studies["design"].astype(str).isin(["rct", "crossover_rct"])
    ]
    if cls:
        s = s[s["comparator_class"].astype(str) == ("active" if cls == "lower_dose" else cls)]
    if cls == "active":  # a trial of two ketamine doses is not one against another drug
        s = s[s["comparator_drug"].astype(str) != "ketamine_lower_dose"]
    if cls == "lower_dose":
        s = s[s["comparator_drug"].astype(str) == "ketamine_lower_dose"]
    return sorted(set(s["study_id"].astype(str)))


@pytest.mark.parametrize("condition", CONDITIONS)
def test_bottom_line_names_trials_comparisons_certainty_and_claims(condition, ds):
    r = shipped_report(condition)
    a = r.appraisal
    headline, details = plain(a.headline().data), plain(a.details().data)
    cert = ds.get("certainty")
    mine = cert[cert["condition"].astype(str) == condition]
    # the certainty of the condition's main line is stated in the short answer
    assert f"{CERTAINTY[str(mine['certainty'].iloc[0])]} certainty" in headline
    assert str(mine["outcome_label"].iloc[0]) in headline + details  # the reviewers' answer, then each line
    # every verified randomized trial is named, split by comparison
    trials = verified_trials(ds.studies, condition)
    if trials:
        for sid in trials:
            assert r.names[sid] in details, sid
        comparisons = ("placebo", "against placebo"), ("active", "against active drugs")
        for cls, words in (*comparisons, ("lower_dose", "against a lower dose of ketamine")):
            n = len(verified_trials(ds.studies, condition, cls))
            assert (words in details) == bool(n)
    else:
        assert "No verified randomized trial" in details
    # each graded line has its statement in the short answer or the details
    for _, line in mine.iterrows():
        # "very uncertain about the effect of ketamine on X", "ketamine may increase X": the outcome named
        assert re.search(
            rf"(?:on|increase|reduce|make little or no difference to) {re.escape(line['outcome_label'])}",
            headline + details,
        ), line["outcome_label"]
    # the claims about this condition and their verdicts, counted from claims.csv
    claims = ds.get("claims")
    about = claims[claims["conditions"].astype(str).map(lambda v: condition in split(v))]
    if len(about):
        assert f"It makes {len(about)} claim" in details
        for verdict, n in about["verdict"].astype(str).value_counts().items():
            assert f"{n} {verdict.replace('_', ' ')}" in details
    else:
        assert "makes no claim" in details


def test_index_answers_one_sentence_per_condition_with_certainty(ds):
    answers = index_answers(ds)
    cert = ds.get("certainty")
    assert [label for label, *_ in answers] == [
        {
            "migraine": "migraine",
            "headache_other": "other headache",
            "neck_pain": "neck pain",
            "low_back_pain": "low back pain",
            "chronic_pain_mixed": "mixed chronic pain",
        }[c]
        for c in CONDITIONS
        if (cert["condition"].astype(str) == c).any()
    ]
    for _label, sentence, certainty, _short in answers:
        assert f"{plain(certainty)} certainty" in plain(sentence)


def test_sof_table_has_one_row_per_line_and_a_footnote_per_downgrade(ds):
    r = shipped_report("low_back_pain")
    html = r.appraisal.sof_table().data
    cert = ds.get("certainty")
    mine = cert[cert["condition"].astype(str) == "low_back_pain"]
    assert html.count('<th scope="row">') == len(mine)
    downgrades = int(
        (mine[["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]] < 0).sum().sum()
    )
    assert html.count("<li><sup>") == downgrades


def test_signals_table_marks_where_judgement_and_computation_differ():
    import html as html_lib

    from helpers.data.dataset import load_dataset

    lines = load_dataset().get("certainty")
    departed = lines[lines["departure_reason"].notna()].iloc[0]
    r = shipped_report(str(departed["condition"]))
    html = r.appraisal.certainty_table().data
    assert f"<strong>differs: {html_lib.escape(departed['departure_reason'])}</strong>" in html and "agrees" in html


def test_report_prose_shows_no_raw_codes():
    for condition in ("all", "headache_other"):
        r = shipped_report(condition)
        text = " ".join(
            plain(x)
            for x in (
                r.appraisal.headline().data,
                r.appraisal.details().data,
                r.effect_sizes.pooling_summary().data,
                r.effect_sizes.headline().data,
            )
        )
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text


def test_pooled_group_label_is_plain_words():
    # the shipped table pools nothing since each active drug is its own comparator: a fixture of two trials
    r = open_report("all", data_path="tests/fixtures/metafor/studies/k2_md.csv")
    pooled = [g for g in r.groups if g.pooled]
    text = plain(r.effect_sizes.pooled_text(pooled[0]).data)
    assert "mixed chronic pain: mean difference against placebo, time point not reported (not yet verified)" in text


# ------------------------------------------------------------------ GRADE arithmetic and signals
@pytest.mark.parametrize(
    "start,downs,up,expected",
    [
        ("high", [0, 0, 0, 0, 0], 0, "high"),
        ("high", [-1, 0, 0, -1, 0], 0, "low"),
        ("high", [-2, -1, -1, -2, 0], 0, "very_low"),
        ("low", [0, 0, 0, 0, 0], 1, "moderate"),
        ("low", [-1, 0, 0, 0, 0], 0, "very_low"),
        ("low", [0, 0, 0, 0, 0], 2, "high"),
    ],
)
def test_certainty_arithmetic(start, downs, up, expected):
    assert expected_certainty(start, downs, up) == expected


def evidence(yi, vi, n):
    rows = pd.DataFrame(
        {
            "study_id": [f"s{i}" for i in range(len(yi))],
            "yi": yi,
            "vi": vi,
            "effect_measure": "mean_difference",
            "design": "rct",
        }
    )
    ev = LineEvidence("migraine", "placebo", ["pain"], list(rows["study_id"]), rows, n)
    ev.measure = "mean_difference"
    ev.fit = rma(np.array(yi, float), np.array(vi, float)) if len(yi) >= 2 else None
    return ev


def test_imprecision_signal_counts_null_crossing_and_information_size():
    assert imprecision(evidence([-0.2, 0.1], [0.04, 0.05], 120)).value == -2
    assert imprecision(evidence([-1.5, -1.2], [0.01, 0.01], 120)).value == -1
    assert imprecision(evidence([-1.5, -1.2], [0.01, 0.01], 900)).value == 0


def test_inconsistency_signal_from_i2():
    assert inconsistency(evidence([-2.0, 2.0, 0.0], [0.05, 0.05, 0.05], 300)).value == -2
    assert inconsistency(evidence([-1.0, -1.05], [0.05, 0.05], 300)).value == 0
    assert inconsistency(evidence([-1.0], [0.05], 30)).value == 0


def test_free_text_of_the_appraisal_tables_has_no_raw_codes(ds):
    fill = Filler(ds.studies, study_names(ds.studies))  # placeholders filled, as the reports show them
    texts = list(ds.get("claims")[["claim", "reasoning"]].astype(str).to_numpy().ravel())
    cert = ds.get("certainty")
    texts += list(
        cert[[c for c in cert.columns if c.endswith("_reason") or c == "outcome_label"]]
        .dropna(how="all")
        .astype(str)
        .to_numpy()
        .ravel()
    )
    texts = [plain(fill(t)) for t in texts]
    offenders = [t for t in texts if isinstance(t, str) and re.search(r"\b[a-z]+_[a-z0-9_]+\b", t)]
    assert not offenders, offenders


@pytest.mark.parametrize("condition", ["all", "migraine"])
def test_bottom_line_of_a_table_without_companions(condition, root):
    """A table brought with --data and nothing beside it: the report says what is missing and does not fail."""
    r = open_report(condition, data_path=str(root / "tests" / "fixtures" / "autolink" / "studies.csv"))
    a = r.appraisal
    assert "no summary of findings line has been graded" in plain(a.headline().data).lower()
    details = plain(a.details().data)
    assert "makes no claim" in details or condition == "all"
    assert "No Summary of Findings line" in a.sof_table().data
    assert "No risk-of-bias judgements" in a.rob_table().data
    for tools in ("rob2", "robins_i"):
        assert a.rob_figure(tools) is not None
    assert "no search log" in plain(r.overview.prisma_summary().data)


@pytest.mark.parametrize("condition", ["migraine", "headache_other", "neck_pain", "low_back_pain"])
def test_the_trials_sentence_says_what_the_answer_says_about_directness(condition):
    """Where no line answers the main question directly, the sentence naming the trials calls every one of them
    indirect (it once called two of five indirect, implying the other three answered it)."""
    from helpers.findings.questions import primary_status

    b = shipped_report(condition).appraisal.bottom
    status = primary_status(b.condition, b.questions, b.lines)
    details = plain(b.details())
    assert status is not None and not status.direct and b.trials()
    said = re.search(r"(It answers|All of them answer|\w+ of them answers?) the main question only indirectly", details)
    assert said and said.group(1) in ("It answers", "All of them answer"), details
