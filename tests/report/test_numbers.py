"""Numbers as the pages write them (helpers.report.numbers), words for an interval's level (helpers.report.methods),
and the one table builder (helpers.report.html.table)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.findings.results import StudyResult
from helpers.report import numbers as n
from helpers.report import results
from helpers.report.html import Html, Row, table, table_html
from helpers.report.methods import STUDY, Reported, ci_words, level_words, prediction_words
from helpers.stats.effects import LEVEL, Z975
from helpers.stats.pooling import SHOWN


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (n.plain(2.5), "2.5"),
        (n.plain(30.0), "30"),
        (n.plain(365), "365"),
        (n.decimals(2.0), "2.00"),
        (n.decimals(12.46, 0), "12"),
        (n.significant(0.012345), "0.0123"),
        (n.significant(1.5e-5), "1.5e-05"),
        (n.effect(2.0), "2.00"),
        (n.effect(-9.996), "-10.00"),  # rounds at two decimals: the bound is tested before rounding
        (n.effect(-12.46), "-12.5"),
        (n.rounded(0.12345), "0.123"),
        (n.rounded(12345.6), "12346"),
        (n.interval(0.28, 3.72), "0.28 to 3.72"),
        (n.interval(-12.0, 4.5, n.effect), "-12.0 to 4.50"),
        (n.bracketed(0.3, 1.2), "[0.30, 1.20]"),
        (n.percent(42.46), "42.5%"),
        (n.percent(42.6, 0), "43%"),
        (n.share(0.425), "42%"),
        (n.level(0.95), "95%"),
        (n.level(0.9), "90%"),
        (n.per_1000(124.6), "125"),
        (n.p_value(0.04123), "0.0412"),
        (n.statistic(1.959964), "1.96"),
        (n.count_word(3), "three"),
        (n.count_word(11), "11"),
        (n.human_duration(1 / 48), "30 min"),
        (n.human_duration(2), "2 days"),
        (n.human_duration(42), "6 weeks"),
        (n.human_duration(365.25), "1 year"),
        (n.human_duration(730.5), "2 years"),
        (n.human_duration(math.nan), "not stated"),
        (n.cell(2.50), "2.5"),
        (n.cell(math.nan), ""),
        (n.cell("<b>"), "<b>"),
    ],
)
def test_each_kind_of_number_is_written_one_way(written, expected):
    assert written == expected


def test_a_study_interval_is_named_at_the_level_of_the_table_intervals():
    assert STUDY.level == LEVEL and Z975 == 1.959963984540054  # the quantile of that level, as before
    assert ci_words(STUDY) == "95% CI" and level_words(STUDY) == "95%"
    assert ci_words(Reported(0.9)) == "90% CI"
    assert prediction_words(SHOWN) == "95% prediction interval"


def test_a_study_result_takes_its_level_from_the_one_place(monkeypatch):
    """Negative control: with another level registered for study intervals, a result says it; no "95%" stays."""
    res = StudyResult(
        "s1", "migraine", "pain", 1.0, "mean_difference", True, 2.0, 0.28, 3.72, 2.0, 0.28, 3.72, False, None, "no"
    )
    assert "(95% CI " in results.result_html(res)
    monkeypatch.setattr(results, "STUDY", Reported(0.9))
    text = results.result_html(res)
    assert "(90% CI " in text and "95%" not in text


def test_the_table_builder_escapes_text_and_keeps_html():
    rows = [Row(["<i>text</i>", Html("<em>kept</em>"), 2.5, math.nan], header="A & B", cls="claim"), ["x", 1, 2, 3]]
    out = table(["Study", "it's", "n", "gap"], rows, "Caption <1>", cls="sof")
    assert out == (
        '<table class="evidence-table sof"><caption>Caption &lt;1&gt;</caption><thead><tr>'
        '<th scope="col">Study</th><th scope="col">it&#x27;s</th><th scope="col">n</th><th scope="col">gap</th>'
        '</tr></thead><tbody><tr class="claim"><th scope="row">A &amp; B</th><td>&lt;i&gt;text&lt;/i&gt;</td>'
        "<td><em>kept</em></td><td>2.5</td><td></td></tr><tr><td>x</td><td>1</td><td>2</td><td>3</td></tr>"
        "</tbody></table>"
    )


def test_a_data_frame_table_is_the_builder_s():
    df = pd.DataFrame({"a": ["<b>"], "b": [0.125]})
    assert table_html(df, "c") == table(["a", "b"], [["<b>", 0.125]], "c")
