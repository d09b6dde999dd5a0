"""Pages name a pooled fit's method, interval and level from the record it carries (helpers.report.methods),
so that a method registered once (helpers.stats.pooling.FITS) is named right on every page."""

import dataclasses

import pandas as pd
import pytest

from helpers.data.loader import load_studies
from helpers.findings.lines import line_findings
from helpers.report.methods import ci_words, interval_words, model_words, studies_words
from helpers.report.sections.effect_sizes import EffectSizes
from helpers.report.sof import pooled_html
from helpers.stats.effects import harmonize
from helpers.stats.pooling import FITS, SENSITIVITY, SHOWN, Method, Record, pooling_groups, record_of
from support.metafor import OUT

#: the same method at another level: what a page must say once it is registered
NINETY = Method("REML", "hartung_knapp", 0.9)


def test_words_come_from_the_record():
    assert ci_words(Record(SHOWN, 3), named=True) == "Hartung-Knapp 95% CI"
    assert ci_words(Record(SENSITIVITY, 3)) == "95% CI"
    assert interval_words(SENSITIVITY) == "the normal interval"
    assert interval_words(SENSITIVITY, aka=True) == "the normal (Wald) interval"
    assert interval_words(SHOWN, aka=True) == "the Hartung-Knapp interval"
    assert model_words(FITS[2]) == "random effects, DerSimonian-Laird"
    assert studies_words(Record(SHOWN, 13)) == "13 studies, random effects, REML"
    assert ci_words(Record(NINETY, 3), named=True) == "Hartung-Knapp 90% CI"


def test_a_fit_carries_the_record_of_the_method_that_made_it():
    fit = NINETY.fit([0.1, 0.3, -0.2], [0.04, 0.05, 0.06])
    assert record_of(fit) == Record(NINETY, 3) and NINETY.made(fit) and not SHOWN.made(fit)
    assert fit.ci_upper - fit.ci_lower < (w := SHOWN.fit([0.1, 0.3, -0.2], [0.04, 0.05, 0.06])).ci_upper - w.ci_lower


@pytest.fixture(scope="module")
def bcg():
    """metafor's BCG trials as odds ratios: 13 studies, pooled."""
    return load_studies(OUT / "bcg_or.csv", cache=False)


def test_the_summary_of_findings_names_the_fit_it_shows(bcg):
    line = {
        "condition": str(bcg["condition"].iloc[0]),
        "outcome_label": "the outcome",
        "outcomes": str(bcg["outcome"].iloc[0]),
        "comparator_class": "placebo",
        "comparator": None,
        "time_frame": None,
        "study_ids": "|".join(bcg["study_id"].astype(str)),
        "certainty": "low",
    }
    f = line_findings(pd.DataFrame([line]), bcg)[0]
    text = pooled_html(f)
    assert "(Hartung-Knapp 95% CI 0.32 to 0.71; 13 studies, random effects, REML)" in text
    assert "; sensitivity analysis with the normal interval: 95% CI 0.33 to 0.68" in text
    y, v = f.evidence.rows["yi"], f.evidence.rows["vi"]
    f.evidence.fit = NINETY.fit(y, v)  # as if registered in its place: the words follow, no literal stays
    assert "(Hartung-Knapp 90% CI " in pooled_html(f) and "95% CI 0.33" in pooled_html(f)


def test_the_effect_size_page_names_the_fit_it_shows(bcg):
    group = next(g for g in pooling_groups(harmonize(bcg)) if g.pooled)
    text = EffectSizes(None).pooled_text(group).data
    assert "(Hartung-Knapp 95% CI 0.32 to 0.71; prediction interval 0.13 to 1.79)" in text
    assert "Sensitivity analysis: with the normal (Wald) interval, 95% CI 0.33 to 0.68." in text
    ninety = dataclasses.replace(group, fits=[NINETY.fit(group.used["yi"], group.used["vi"]), *group.fits[1:]])
    assert "(Hartung-Knapp 90% CI " in EffectSizes(None).pooled_text(ninety).data
