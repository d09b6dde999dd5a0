"""Mixed-effects meta-regression, matching metafor's ``rma(yi, vi, mods = ...)``.

Used for the moderator test of a subgroup column (``mods = ~ factor(x)``) and
for Egger's regression test (``mods = ~ sei``). The REML iteration is
metafor's: the Hedges-type start computed from the ordinary least-squares fit,
Fisher scoring, a step halved while it would make tau^2 negative, and the same
convergence threshold (1e-5 on the change of tau^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class MetaRegression:
    k: int
    p: int
    method: str
    beta: tuple[float, ...]
    se: tuple[float, ...]
    tau2: float
    qm: float
    qm_df: int
    qm_p: float

    def z(self, j: int) -> float:
        return self.beta[j] / self.se[j]

    def p_value(self, j: int) -> float:
        return float(2.0 * special.ndtr(-abs(self.z(j))))


def _xwx_inv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.linalg.inv(x.T @ (w[:, None] * x))


def _p_parts(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float, float]:
    """P y, tr(P) and tr(P P) for P = W - W X (X'WX)^-1 X'W, in O(k p^2) without forming the k x k matrix."""
    a = _xwx_inv(x, w)
    b2 = x.T @ ((w**2)[:, None] * x)
    b3 = x.T @ ((w**3)[:, None] * x)
    py = w * y - w * (x @ (a @ (x.T @ (w * y))))
    trace_p = float(np.sum(w) - np.trace(a @ b2))
    ab2 = a @ b2
    trace_pp = float(np.sum(w**2) - 2.0 * np.trace(a @ b3) + np.trace(ab2 @ ab2))
    return py, trace_p, trace_pp


def tau2_reml_mods(y: np.ndarray, v: np.ndarray, x: np.ndarray, threshold: float = 1e-5, max_iter: int = 100) -> float:
    k, p = x.shape
    if k - p < 1:
        raise ValueError("a meta-regression needs more studies than coefficients")
    # start: Hedges' estimator from the OLS residuals, truncated at 0 (metafor)
    xtx_inv = np.linalg.inv(x.T @ x)
    resid = y - x @ (xtx_inv @ (x.T @ y))
    trace_hv = float(np.sum(v) - np.trace(xtx_inv @ (x.T @ (v[:, None] * x))))
    tau2 = max(0.0, (float(resid @ resid) - trace_hv) / (k - p))
    for _ in range(max_iter):
        w = 1.0 / (v + tau2)
        py, trace_p, trace_pp = _p_parts(y, x, w)
        adj = (py @ py - trace_p) / trace_pp
        while tau2 + adj < 0.0:
            adj /= 2.0
            if abs(adj) < 1e-300:
                adj = 0.0
                break
        new = tau2 + adj
        change = abs(new - tau2)
        tau2 = new
        if change <= threshold:
            return float(max(tau2, 0.0))
    raise ArithmeticError(f"REML estimation of tau^2 did not converge in {max_iter} iterations")


def rma_mods(yi, vi, x, method: str = "REML") -> MetaRegression:
    """Mixed-effects model of ``yi`` on the design matrix ``x`` (first column the intercept).

    ``qm`` is the Wald test of every coefficient but the intercept, as metafor's QM.
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] != len(y) or len(v) != len(y):
        raise ValueError("x must be a k x p design matrix for k effects")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValueError("yi must be finite and vi positive")
    k, p = x.shape
    if method == "REML":
        tau2 = tau2_reml_mods(y, v, x)
    elif method == "DL":
        py, trace_p, _ = _p_parts(y, x, 1.0 / v)
        q = float(y @ py)
        tau2 = max(0.0, (q - (k - p)) / trace_p)
    else:
        raise ValueError("method must be REML or DL")
    w = 1.0 / (v + tau2)
    vb = _xwx_inv(x, w)
    beta = vb @ (x.T @ (w * y))
    with np.errstate(invalid="ignore"):  # a (numerically) singular design gives NaN, not a warning
        se = np.sqrt(np.diag(vb))
    if p > 1:
        b = beta[1:]
        qm = float(b @ np.linalg.solve(vb[1:, 1:], b))
        qm_p = float(special.chdtrc(p - 1, qm))
    else:
        qm, qm_p = float("nan"), float("nan")
    return MetaRegression(
        k=k,
        p=p,
        method=method,
        beta=tuple(map(float, beta)),
        se=tuple(map(float, se)),
        tau2=float(tau2),
        qm=qm,
        qm_df=p - 1,
        qm_p=qm_p,
    )
