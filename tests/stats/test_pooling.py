"""Harmonization (units, orientation) and the rules of what may be pooled."""

import numpy as np
import pandas as pd
import pytest

from helpers.data.lines import timepoint_window
from helpers.data.loader import load_studies
from helpers.report.words import pooling_reason
from helpers.stats.effects import harmonize
from helpers.stats.pooling import exclusion_reason, pooled_table, pooling_groups


@pytest.fixture(scope="module")
def studies():
    return load_studies()


@pytest.fixture(scope="module")
def effects(studies):
    return harmonize(studies)


def one(effects, **match):
    sel = effects
    for k, v in match.items():
        sel = sel[sel[k].astype(str) == v]
    assert len(sel) == 1, match
    return sel.iloc[0]


def test_vas_millimetres_become_points_and_improvement_is_flipped(effects):
    # Zitek: VAS improvement 20.0 mm (2.8 to 37.2) favouring the comparator = ketamine - comparator -20 mm
    z = one(effects, study_id="zitek2018", outcome="pain_reduction", followup_text="60 min")
    assert z["oriented"]
    assert z["est"] == pytest.approx(2.0)  # positive = favours comparator after orientation
    assert (z["lo"], z["hi"]) == (pytest.approx(0.28), pytest.approx(3.72))
    assert z["se"] == pytest.approx((3.72 - 0.28) / (2 * 1.959963984540054))


def test_pain_score_is_not_flipped(effects):
    o = one(effects, study_id="orhurhu2019")
    assert not o["oriented"] and o["est"] == pytest.approx(-1.83)


def test_risk_difference_from_percent(effects):
    c = effects[(effects["study_id"] == "czarnetzki2020")].sort_values("followup_days").iloc[0]
    assert c["yi"] == pytest.approx(0.052) and c["est"] == pytest.approx(5.2)


def test_proportion_from_counts(effects):
    w = one(effects, study_id="whiplash_challenge2005")
    # 14 ketamine responders among the 28 patients who did not respond to placebo
    assert w["origin"] == "arm_data" and w["est"] == pytest.approx(100 * 14 / 28)


def test_single_arm_proportions_get_a_wilson_interval(effects):
    lau = one(effects, study_id="lauritsen2016", outcome="target_pain_le3_8h")  # 6 of 6
    assert lau["est"] == pytest.approx(100.0)
    assert lau["lo"] == pytest.approx(60.97, abs=0.01) and lau["hi"] == pytest.approx(100.0)


def test_rows_without_a_measure_are_not_effects(studies, effects):
    assert len(effects) == studies["effect_measure"].notna().sum()


def test_timepoint_windows():
    assert timepoint_window(0.0208) == "up_to_1_day"
    assert timepoint_window(14) == "1_to_14_days"
    assert timepoint_window(30) == "14_to_90_days"
    assert timepoint_window(365.25) == "over_90_days"
    assert timepoint_window(float("nan")) == "not_reported"


def test_nothing_with_different_comparators_or_measures_is_pooled(effects):
    for g in pooling_groups(effects):
        if g.pooled:
            assert g.used["comparator_class"].astype(str).nunique() == 1
            assert g.used["effect_measure"].astype(str).nunique() == 1
            assert g.used["verification"].astype(str).nunique() == 1
            assert (g.used["design"].astype(str) != "meta_analysis").all()
            assert g.used["study_id"].is_unique
        assert pooling_reason(g).startswith("pooled:" if g.pooled else "not pooled:")


def test_every_group_states_why(effects):
    groups = pooling_groups(effects)
    assert groups and all(pooling_reason(g) for g in groups)
    meta = [g for g in groups if "meta-analysis" in pooling_reason(g)]
    assert meta, "published meta-analyses must be kept out of pooling with a reason"


def synthetic(rows):
    base = dict(
        study_id="s",
        citation="S",
        year=2020,
        source="literature",
        verification="verified",
        condition="migraine",
        design="rct",
        route="iv",
        comparator="saline",
        comparator_class="placebo",
        n_ketamine=20,
        n_control=20,
        outcome="pain_score",
        outcome_description="",
        unit="points_0_10",
        better="lower",
        effect_measure="mean_difference",
        effect=-1.0,
        ci_lower=-2.0,
        ci_upper=0.0,
        direction="no_difference",
        followup_days=1.0,
        followup_text="1 day",
    )
    frame = pd.DataFrame([{**base, **r} for r in rows])
    for c in ("events_ketamine", "events_control", "mean_ketamine", "sd_ketamine", "mean_control", "sd_control"):
        frame[c] = np.nan
    return harmonize(frame)


def test_placebo_and_active_comparators_are_never_pooled_together():
    e = synthetic([dict(study_id="a"), dict(study_id="b", comparator_class="active")])
    assert not any(g.pooled for g in pooling_groups(e))


def test_two_comparable_studies_are_pooled_with_three_fits():
    e = synthetic([dict(study_id="a"), dict(study_id="b", effect=-0.5, ci_lower=-1.5, ci_upper=0.5)])
    groups = pooling_groups(e)
    assert [g.pooled for g in groups] == [True]
    table = pooled_table(groups)
    assert list(table["method"]) == ["REML-HKSJ", "REML", "DL"]  # the first is the one every page shows


def test_claims_and_meta_analyses_are_excluded_with_reasons():
    e = synthetic(
        [
            dict(study_id="a"),
            dict(study_id="b", source="seed_article", verification="not_found"),
            dict(study_id="c", design="meta_analysis"),
        ]
    )
    reasons = [exclusion_reason(r) for _, r in e.iterrows()]
    assert reasons[0] is None
    assert reasons[1] == "article_claim"
    assert reasons[2] == "meta_analysis"


def test_one_row_per_study_in_a_group():
    e = synthetic([dict(study_id="a", followup_days=0.02), dict(study_id="a", followup_days=0.04), dict(study_id="b")])
    (g,) = pooling_groups(e)
    assert g.k == 2 and g.used["study_id"].is_unique
