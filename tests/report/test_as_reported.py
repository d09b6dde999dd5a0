"""The 'as the paper reports it' cell says one thing once: a rate the paper rounds differently from its own counts
names the value used, a zero-cell correction is said, and a risk difference is in percentage points."""

from __future__ import annotations

import pandas as pd

from helpers.report.cells import as_reported

BASE = {"ci_lower": None, "ci_upper": None, "continuity": False}


def row(**cells):
    return pd.Series({**BASE, **cells})


def test_a_rate_rounded_unlike_its_counts_names_the_value_used():
    # Schwenk 2018: "48 (77%) of 61"; 48 of 61 is 78.7%
    text = as_reported(row(effect=77.0, unit="percent", effect_measure="proportion", origin="arm_data", est=78.69))
    assert text == "77% as the paper prints it; its counts give 78.7%, the value used"
    # negative control: a rate its counts give to within rounding is printed as it is
    same = as_reported(row(effect=71.4, unit="percent", effect_measure="proportion", origin="arm_data", est=71.43))
    assert same == "71.4%"


def test_a_zero_cell_correction_is_said_beside_the_number():
    corrected = row(effect=None, unit="percent", effect_measure="risk_difference", origin="arm_data", continuity=True)
    assert "0.5 added to every cell" in as_reported(corrected)
    plain = row(effect=None, unit="percent", effect_measure="risk_difference", origin="arm_data", continuity=False)
    assert as_reported(plain) == "from arm data"


def test_a_risk_difference_is_in_percentage_points():
    text = as_reported(
        row(
            effect=5.2,
            ci_lower=-10.7,
            ci_upper=21.1,
            unit="percent",
            effect_measure="risk_difference",
            origin="reported_ci",
            est=5.2,
        )
    )
    assert text.startswith("5.2 percentage points")


def test_the_shipped_zero_cell_row_is_the_one_marked():
    from helpers.data.loader import load_studies
    from helpers.stats.effects import harmonize

    e = harmonize(load_studies())
    marked = set(zip(e.loc[e["continuity"], "study_id"], e.loc[e["continuity"], "outcome"]))
    assert ("benish2019", "ed_return_48_72h") in marked  # 0 of 27 against 3 of 26
    assert ("benish2019", "admission_headache") not in marked  # 1 of 27 against 3 of 26: no zero cell
