"""Pooled proportions, subgroups, leave-one-out, cumulative and Egger's test against metafor
(tests/fixtures/metafor/synthesis, made by make_fixtures.R), through the functions and the public path."""

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers.cli import main
from helpers.stats.effects import escalc_binary
from helpers.stats.proportions import escalc_proportion, pool_proportions
from helpers.stats.sensitivity import cumulative, leave_one_out
from helpers.stats.small_study import egger_test
from helpers.stats.subgroups import subgroup_test
from support.metafor import HERE, SYNTHESIS, SYNTHESIS_TABLES, synthesis_expected
from support.tables import run_tables

RTOL = 1e-6
FIT_FIELDS = ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "q", "pi_lower", "pi_upper")
BACK_FIELDS = ("estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper")
TRANSFORMS = {"PLO": "logit", "PFT": "freeman_tukey"}


def close(a, b):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=RTOL, atol=1e-12)


@pytest.fixture(scope="module")
def bcg():
    raw = pd.read_csv(SYNTHESIS / "bcg.csv")
    yi, vi = escalc_binary("risk_ratio", raw.ai, raw.n1i, raw.ci, raw.n2i)
    return raw, yi, vi


# ------------------------------------------------------------------ functions against metafor
@pytest.mark.parametrize("method", ["REML", "DL"])
@pytest.mark.parametrize("measure", ["PLO", "PFT"])
def test_pooled_proportions_match_metafor(measure, method):
    raw = pd.read_csv(SYNTHESIS / "pritz1997.csv")
    want = synthesis_expected("pritz1997")[measure]
    yi, vi = escalc_proportion(TRANSFORMS[measure], raw.xi, raw.ni)
    assert close(yi, want["escalc"]["yi"]) and close(vi, want["escalc"]["vi"])
    got = pool_proportions(raw.xi, raw.ni, TRANSFORMS[measure], method)
    fit = want[method]["fit"]
    assert got.fit.k == fit["k"]
    for f in FIT_FIELDS:
        assert close(getattr(got.fit, f), fit[f]), f
    for f in BACK_FIELDS:  # metafor's proportions, ours in percent
        assert close(getattr(got, f) / 100, want[method]["back_transformed"][f]), f


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_subgroups_and_test_for_differences_match_metafor(bcg, method):
    raw, yi, vi = bcg
    want = synthesis_expected("bcg_subgroups")
    t = subgroup_test(yi, vi, raw.alloc, method=method)
    assert [s.level for s in t.subgroups] == sorted(want["subgroups"][method])
    for s in t.subgroups:
        w = want["subgroups"][method][s.level]
        assert s.k == w["k"]
        for f in ("estimate", "se", "ci_lower", "ci_upper", "tau2"):
            assert close(getattr(s, f), w[f]), (s.level, f)
    between = want["test_for_subgroup_differences"][method]
    assert close(t.q_between, between["q"]) and t.df_between == between["df"] and close(t.p_between, between["p"])


def test_moderator_model_matches_metafor(bcg):
    raw, yi, vi = bcg
    want = synthesis_expected("bcg_subgroups")["moderator"]
    t = subgroup_test(yi, vi, raw.alloc)
    assert close(t.qm, want["qm"]) and close(t.qm_p, want["qm_p"]) and close(t.tau2_residual, want["tau2"])


def test_leave_one_out_matches_metafor(bcg):
    raw, yi, vi = bcg
    want = synthesis_expected("bcg_sensitivity")["leave1out"]
    got = leave_one_out(yi, vi, raw.study)
    assert list(got["omitted"]) == want["omitted"]
    for f in ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "q"):
        assert close(got[f], want[f]), f


def test_cumulative_by_year_matches_metafor(bcg):
    raw, yi, vi = bcg
    want = synthesis_expected("bcg_sensitivity")["cumul"]
    got = cumulative(yi, vi, raw.study, raw.year)
    assert list(got["added"]) == want["added"]  # ties in year (1973) keep the table's order
    for f in ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2"):
        assert close(got[f], want[f]), f


@pytest.mark.parametrize("method,key", [("REML", "regtest"), ("DL", "regtest_DL")])
def test_egger_regression_test_matches_metafor(method, key):
    raw = pd.read_csv(SYNTHESIS / "hackshaw1998.csv")
    want = synthesis_expected("hackshaw1998")[key]
    t = egger_test(raw.yi, raw.vi, method=method)
    assert close(t.z, want["zval"]) and close(t.p, want["pval"]) and close(t.tau2, want["tau2"])


# ------------------------------------------------------------------ the public path: python -m helpers tables
def tables(tmp_path, name, *extra):
    return run_tables(HERE / "studies" / f"synthesis_{name}.csv", tmp_path / name, *extra)


@pytest.mark.integration
def test_pritz_pooled_proportions_in_pooled_effects(tmp_path):
    pooled = pd.read_csv(tables(tmp_path, "pritz1997") / "pooled_effects.csv")
    props = pooled[pooled["effect_measure"] == "proportion"]
    assert len(props) == 4 and set(props["scale"]) == {"percent"}
    want = synthesis_expected("pritz1997")
    for measure, transform in TRANSFORMS.items():
        for method in ("REML", "DL"):
            row = props[(props["transform"] == transform) & (props["method"] == method)].iloc[0]
            assert row["k"] == 14 and row["outcome"] == "fixture_outcome"
            for f in BACK_FIELDS:
                assert close(row[f] / 100, want[measure][method]["back_transformed"][f]), (measure, method, f)


@pytest.mark.integration
def test_bcg_subgroups_and_sensitivity_csvs(tmp_path):
    out = tables(tmp_path, "bcg", "--subgroup", "x_alloc")
    sub = pd.read_csv(out / "subgroups.csv")
    assert list(sub.columns) == [
        "condition",
        "effect_measure",
        "comparator",
        "timepoint",
        "verification",
        "subgroup_by",
        "subgroup",
        "k",
        "estimate",
        "ci_lower",
        "ci_upper",
        "tau2",
        "q_between",
        "df_between",
        "p_between",
        "qm",
        "qm_p",
        "tau2_residual",
    ]
    want = synthesis_expected("bcg_subgroups")
    for _, r in sub.iterrows():
        w = want["subgroups"]["REML"][r["subgroup"]]
        assert r["subgroup_by"] == "x_alloc" and r["k"] == w["k"]
        for f in ("estimate", "ci_lower", "ci_upper"):  # risk ratios, exponentiated
            assert close(r[f], np.exp(w[f])), f
        assert close(r["tau2"], w["tau2"])
        assert close(r["q_between"], want["test_for_subgroup_differences"]["REML"]["q"]) and r["df_between"] == 2
        assert close(r["qm"], want["moderator"]["qm"]) and close(r["qm_p"], want["moderator"]["qm_p"])
        assert close(r["tau2_residual"], want["moderator"]["tau2"])

    sens = synthesis_expected("bcg_sensitivity")
    loo = pd.read_csv(out / "leave_one_out.csv")
    assert list(loo.columns[5:]) == ["omitted_study_id", "k", "estimate", "ci_lower", "ci_upper", "tau2", "i2"]
    order = [s.split("_", 3)[2] for s in loo["omitted_study_id"]]  # fx_bcg_NN_...: the fixture's row number
    assert order == [f"{i:02d}" for i in range(1, 14)]
    for f in ("estimate", "ci_lower", "ci_upper"):
        assert close(loo[f], np.exp(sens["leave1out"][f])), f
    assert close(loo["tau2"], sens["leave1out"]["tau2"]) and close(loo["i2"], sens["leave1out"]["i2"])

    cum = pd.read_csv(out / "cumulative.csv")
    assert list(cum.columns[5:]) == ["added_study_id", "year", "k", "estimate", "ci_lower", "ci_upper", "tau2"]
    raw = pd.read_csv(SYNTHESIS / "bcg.csv")
    added = [raw.study[int(s.split("_", 3)[2]) - 1] for s in cum["added_study_id"]]
    assert added == sens["cumul"]["added"]
    for f in ("estimate", "ci_lower", "ci_upper"):
        assert close(cum[f], np.exp(sens["cumul"][f])), f
    assert close(cum["tau2"], sens["cumul"]["tau2"])
    small = pd.read_csv(out / "small_study.csv")
    assert list(small["k"]) == [13]


@pytest.mark.integration
def test_hackshaw_small_study_csv(tmp_path):
    small = pd.read_csv(tables(tmp_path, "hackshaw1998") / "small_study.csv")
    want = synthesis_expected("hackshaw1998")["regtest"]
    assert list(small.columns) == [
        "condition",
        "effect_measure",
        "comparator",
        "timepoint",
        "verification",
        "k",
        "egger_z",
        "egger_p",
    ]
    assert small["k"].tolist() == [37]
    # the table gives each odds ratio with a 95% CI written from metafor's yi and vi: they round-trip to ~1e-15
    assert close(small["egger_z"], want["zval"]) and close(small["egger_p"], want["pval"])


def test_below_ten_studies_small_study_csv_is_empty_and_the_report_says_why():
    from helpers.report import open_report

    s = open_report("all", "all", str(HERE / "studies" / "bcg_rd.csv")).synthesis
    assert s.funnel_groups()  # 13 studies
    s = open_report("all", "all", str(HERE / "studies" / "continuous_md.csv")).synthesis
    assert not s.funnel_groups()
    text = s.small_study_summary().data
    assert "No funnel plot or Egger's test is shown" in text and "largest pooled group has nine studies" in text
    assert "at least 10" in text


@pytest.mark.integration
def test_unknown_subgroup_column_is_refused_with_the_allowed_ones(tmp_path, capsys):
    args = ["tables", "--data", str(HERE / "studies" / "synthesis_bcg.csv"), "--out", str(tmp_path / "t")]
    assert main([*args, "--subgroup", "x_nope"]) == 1
    err = capsys.readouterr().err
    assert "x_nope" in err and "x_alloc" in err and "design" in err
    assert not (tmp_path / "t").exists()


# ------------------------------------------------------------------ no RuntimeWarning from any table
@pytest.mark.parametrize(
    "table", ["shipped"] + [f"synthesis_{n}" for n in SYNTHESIS_TABLES] + ["zero_cells_rr", "continuous_smd"]
)
def test_tables_emit_no_runtime_warning(table, tmp_path):
    from helpers.data.loader import load_studies
    from helpers.paths import STUDIES_PATH
    from helpers.site.tables import write_tables

    studies = load_studies(STUDIES_PATH if table == "shipped" else HERE / "studies" / f"{table}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        written = write_tables(studies, tmp_path, "design")
    assert {"leave_one_out", "cumulative", "small_study", "subgroups"} <= set(written)


# ------------------------------------------------------------------ limits
def test_egger_needs_standard_errors_that_vary():
    assert egger_test([0.1, 0.3, -0.2] * 4, [0.04] * 12) is None
    assert egger_test([0.1, 0.3, -0.2] * 4, [0.04, 0.05, 0.06] * 4) is not None


def test_groups_over_the_refit_limit_are_skipped_and_the_report_says_so(monkeypatch):
    from helpers.report import open_report
    from helpers.report.sections import synthesis
    from helpers.stats import sensitivity

    monkeypatch.setattr(sensitivity, "MAX_K_SENSITIVITY", 12)
    monkeypatch.setattr(synthesis, "MAX_K_SENSITIVITY", 12)
    r = open_report("all", "all", str(HERE / "studies" / "synthesis_bcg.csv"))
    assert sensitivity.leave_one_out_table(r.groups).empty and sensitivity.cumulative_table(r.groups).empty
    s = r.synthesis
    assert s.sensitivity_groups() == []
    assert "of more than 12 studies" in s.sensitivity_summary().data and "not refitted" in s.sensitivity_summary().data
