"""Small-study effects: Egger's regression test, as metafor's
``regtest(rma(yi, vi), model = "rma", predictor = "sei")``.

The effects are regressed on their standard errors in a mixed-effects model
(REML); the test is the z statistic of the slope. With fewer than ten studies
the test (and a funnel plot) has too little power to tell asymmetry from
chance (Cochrane Handbook, section 13.3.5.4), so neither is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .metareg import rma_mods
from .synthesis_common import KEY_COLUMNS, key_record

MIN_K = 10
SMALL_STUDY_COLUMNS = KEY_COLUMNS + ["k", "egger_z", "egger_p"]


@dataclass(frozen=True)
class EggerTest:
    k: int
    z: float
    p: float
    slope: float
    intercept: float
    tau2: float


def egger_test(yi, vi, method: str = "REML") -> EggerTest | None:
    """None when the test cannot be done: the standard errors (nearly) all equal, or REML did not converge."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    sei = np.sqrt(v)
    if np.ptp(sei) <= 1e-8 * np.max(sei):
        return None
    x = np.column_stack([np.ones(len(y)), sei])
    try:
        m = rma_mods(y, v, x, method=method)
    except (ArithmeticError, np.linalg.LinAlgError):
        return None
    if not np.all(np.isfinite(m.se)) or m.se[1] <= 0:
        return None
    return EggerTest(k=len(y), z=m.z(1), p=m.p_value(1), slope=m.beta[1], intercept=m.beta[0], tau2=m.tau2)


def small_study_table(groups) -> pd.DataFrame:
    """tables/small_study.csv: Egger's test for every pooled group of at least MIN_K studies."""
    records = []
    for g in groups:
        if g.pooled and g.k >= MIN_K:
            t = egger_test(g.used["yi"], g.used["vi"])
            nan = float("nan")
            records.append({**key_record(g), "k": g.k, "egger_z": t.z if t else nan, "egger_p": t.p if t else nan})
    return pd.DataFrame.from_records(records, columns=SMALL_STUDY_COLUMNS)
