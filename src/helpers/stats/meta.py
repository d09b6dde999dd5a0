"""Random-effects meta-analysis, matching metafor's ``rma()``.

Implemented by hand because no maintained Python library provides all of it:
statsmodels' ``combine_effects`` has DerSimonian-Laird and Paule-Mandel but no
REML, and does not truncate the DL between-study variance at zero.

- ``method="REML"`` (default) or ``"DL"``; tau^2 is never negative.
- I^2 from tau^2 and metafor's "typical" within-study variance
  s^2 = (k-1) sum(w) / ((sum w)^2 - sum(w^2)), w = 1/v_i.
- ``test="z"`` (normal CI) or ``test="knha"``: Hartung-Knapp-Sidik-Jonkman
  standard error (not truncated) with t(k-1) quantiles.
- Prediction interval as metafor's ``predict()``: estimate +/- q sqrt(se^2 + tau^2),
  q normal for ``z`` and t(k-1) for ``knha``.

Tested against metafor to a relative tolerance of 1e-6 (tests/test_meta.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

METHODS = ("REML", "DL")
TESTS = ("z", "knha")


@dataclass(frozen=True)
class MetaResult:
    k: int
    method: str
    test: str
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_pval: float
    pi_lower: float
    pi_upper: float
    weights: tuple[float, ...]
    level: float = 0.95  # of the confidence and prediction intervals

    @property
    def label(self) -> str:
        return self.method + ("-HKSJ" if self.test == "knha" else "")

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("weights")
        d["label"] = self.label
        return d


def _as_arrays(yi, vi) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("yi and vi must be one-dimensional and of the same length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise ValueError("yi and vi must be finite")
    if np.any(v <= 0):
        raise ValueError("sampling variances must be positive")
    if len(y) < 2:
        raise ValueError("a random-effects model needs at least two studies")
    return y, v


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian-Laird between-study variance, truncated at 0."""
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - mu) ** 2)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, (q - (len(y) - 1)) / c)


def tau2_he(y: np.ndarray, v: np.ndarray) -> float:
    """Hedges' (HE) estimator, truncated at 0: metafor's starting value for REML."""
    k = len(y)
    return max(0.0, float(np.sum((y - y.mean()) ** 2) / (k - 1) - np.mean(v)))


def tau2_reml(y: np.ndarray, v: np.ndarray, threshold: float = 1e-5, max_iter: int = 100) -> float:
    """REML between-study variance by Fisher scoring, as metafor's rma(method="REML").

    Same start (HE), step rule (a step that would leave [0, inf) is halved),
    convergence threshold (1e-5 on the change of tau^2) and iteration limit,
    so the result agrees with metafor to its printed precision.
    """
    tau2 = tau2_he(y, v)
    for _ in range(max_iter):
        # Fisher scoring with P = W - w w'/sum(w), in O(k): no k x k matrix
        w = 1.0 / (v + tau2)
        sw, sw2 = np.sum(w), np.sum(w**2)
        py = w * y - w * np.sum(w * y) / sw
        trace_p = sw - sw2 / sw
        trace_pp = sw2 - 2.0 * np.sum(w**3) / sw + sw2**2 / sw**2
        adj = (py @ py - trace_p) / trace_pp
        step = 1.0
        while tau2 + step * adj < 0.0:
            step /= 2.0
            if step < 1e-300:
                step = 0.0
                break
        new = max(0.0, tau2 + step * adj)
        converged = abs(new - tau2) < threshold
        tau2 = new
        if converged:
            return float(tau2)
    raise ArithmeticError(f"REML estimation of tau^2 did not converge in {max_iter} iterations")


def rma(yi, vi, method: str = "REML", test: str = "z", level: float = 0.95) -> MetaResult:
    """Random-effects model of effects ``yi`` with sampling variances ``vi``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}")
    y, v = _as_arrays(yi, vi)
    k = len(y)
    tau2 = tau2_reml(y, v) if method == "REML" else tau2_dl(y, v)

    w0 = 1.0 / v
    mu0 = np.sum(w0 * y) / np.sum(w0)
    q = float(np.sum(w0 * (y - mu0) ** 2))
    q_pval = float(special.chdtrc(k - 1, q))
    s2 = (k - 1) * np.sum(w0) / (np.sum(w0) ** 2 - np.sum(w0**2))
    i2 = 100.0 * tau2 / (tau2 + s2)
    h2 = (tau2 + s2) / s2

    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    alpha = 1.0 - level
    if test == "knha":
        se = float(np.sqrt(np.sum(w * (y - mu) ** 2) / ((k - 1) * np.sum(w))))
        crit = float(special.stdtrit(k - 1, 1 - alpha / 2))
    else:
        se = float(np.sqrt(1.0 / np.sum(w)))
        crit = float(special.ndtri(1 - alpha / 2))
    pi_half = crit * np.sqrt(se**2 + tau2)
    return MetaResult(
        k=k,
        method=method,
        test=test,
        estimate=mu,
        se=se,
        ci_lower=mu - crit * se,
        ci_upper=mu + crit * se,
        tau2=float(tau2),
        i2=float(i2),
        h2=float(h2),
        q=q,
        q_pval=q_pval,
        pi_lower=float(mu - pi_half),
        pi_upper=float(mu + pi_half),
        weights=tuple(float(x) for x in 100.0 * w / np.sum(w)),
        level=level,
    )
