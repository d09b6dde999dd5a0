"""The CSV files the build publishes: text a spreadsheet would run as a formula is made inert."""

import pandas as pd

from helpers.site.tables import neutralize_formulas


def test_formula_neutralization_keeps_numbers():
    df = pd.DataFrame({"t": ["=1+2", "+x", "-y", "@z", "\tq", "ok"], "n": [-1.5, 2, 3, 4, 5, 6]})
    out = neutralize_formulas(df)
    assert list(out["t"]) == ["'=1+2", "'+x", "'-y", "'@z", "'\tq", "ok"]
    assert list(out["n"]) == [-1.5, 2, 3, 4, 5, 6]
