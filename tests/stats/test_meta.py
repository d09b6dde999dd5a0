"""Random-effects models and effect sizes against metafor (tests/fixtures/metafor, made by make_fixtures.R)."""

import numpy as np
import pandas as pd
import pytest

from helpers.stats.effects import escalc_binary, escalc_continuous, hedges_correction
from helpers.stats.meta import rma
from support.metafor import HERE, expected, fixture_names

RTOL = 1e-6
MEASURE = {
    "RR": "risk_ratio",
    "OR": "odds_ratio",
    "RD": "risk_difference",
    "MD": "mean_difference",
    "SMD": "standardized_mean_difference",
}
FITS = {"REML": ("REML", "z"), "DL": ("DL", "z"), "REML_knha": ("REML", "knha"), "DL_knha": ("DL", "knha")}
FIELDS = ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "h2", "q", "pi_lower", "pi_upper")


def escalc(name):
    exp = expected(name)
    raw = pd.read_csv(HERE / f"{name}.csv")
    measure = MEASURE[exp["measure"]]
    if "ai" in raw:
        return escalc_binary(measure, raw.ai, raw.n1i, raw.ci, raw.n2i, drop00=measure != "risk_difference")
    return escalc_continuous(measure, raw.m1i, raw.sd1i, raw.n1i, raw.m2i, raw.sd2i, raw.n2i)


def close(actual, wanted):
    if wanted is None:
        return np.isnan(actual)
    return np.isclose(actual, wanted, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("name", fixture_names())
def test_escalc_matches_metafor(name):
    yi, vi = escalc(name)
    exp = expected(name)["escalc"]
    assert all(close(a, b) for a, b in zip(yi, exp["yi"]))
    assert all(close(a, b) for a, b in zip(vi, exp["vi"]))


@pytest.mark.parametrize("fit", sorted(FITS))
@pytest.mark.parametrize("name", fixture_names())
def test_rma_matches_metafor(name, fit):
    yi, vi = escalc(name)
    keep = ~np.isnan(yi)
    method, test = FITS[fit]
    res = rma(yi[keep], vi[keep], method=method, test=test)
    want = expected(name)["fits"][fit]
    assert res.k == want["k"]
    for field in FIELDS:
        assert close(getattr(res, field), want[field]), (
            f"{name} {fit} {field}: {getattr(res, field)!r} vs {want[field]!r}"
        )


def test_dat_bcg_values_quoted_in_the_issue():
    yi, vi = escalc("bcg")
    reml = rma(yi, vi, "REML")
    assert reml.estimate == pytest.approx(-0.7145323484, rel=RTOL)
    assert reml.se == pytest.approx(0.1797815318, rel=RTOL)
    assert reml.tau2 == pytest.approx(0.3132433260, rel=RTOL)
    assert reml.i2 == pytest.approx(92.2213860750, rel=RTOL)
    dl = rma(yi, vi, "DL")
    assert dl.estimate == pytest.approx(-0.7141172221, rel=RTOL)
    assert dl.se == pytest.approx(0.1787420895, rel=RTOL)
    assert dl.tau2 == pytest.approx(0.3087602629, rel=RTOL)
    kh = rma(yi, vi, "REML", test="knha")
    assert (kh.ci_lower, kh.ci_upper) == (
        pytest.approx(-1.1084437230, rel=RTOL),
        pytest.approx(-0.3206209737, rel=RTOL),
    )
    assert (kh.pi_lower, kh.pi_upper) == (pytest.approx(-1.9960169670, rel=RTOL), pytest.approx(0.5669522703, rel=RTOL))


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_homogeneous_studies_give_zero_not_negative(method):
    yi, vi = escalc("homogeneous_md")
    res = rma(yi, vi, method)
    assert res.tau2 == 0.0 and res.i2 == 0.0
    assert res.q < len(yi) - 1  # a DL estimate before truncation would be negative


def test_identical_effects_truncate_at_zero():
    res = rma([0.3, 0.3, 0.3], [0.1, 0.2, 0.05], "REML")
    assert res.tau2 == 0.0 and res.i2 == 0.0


def test_zero_cells_follow_metafor_defaults():
    yi, vi = escalc("zero_cells_rr")
    assert np.isnan(yi).sum() == 1  # the double-zero study is dropped for ratio measures
    yi, vi = escalc("zero_cells_rd")
    assert not np.isnan(yi).any()  # but kept for the risk difference


def test_hedges_correction_is_exact():
    import math

    # J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))
    assert hedges_correction(10) == pytest.approx(math.gamma(5) / (math.sqrt(5) * math.gamma(4.5)), rel=1e-12)
    assert hedges_correction(1000) == pytest.approx(1 - 3 / (4 * 1000 - 1), rel=1e-6)


@pytest.mark.parametrize("bad", [([1.0], [0.1]), ([1.0, np.nan], [0.1, 0.1]), ([1.0, 2.0], [0.1, 0.0])])
def test_rma_refuses_invalid_input(bad):
    with pytest.raises(ValueError):
        rma(*bad)
