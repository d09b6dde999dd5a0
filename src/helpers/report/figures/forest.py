"""metafor-style forest plot of one pooled group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Polygon

from ..measures import DISPLAY
from ..names import short_name
from ..params import condition_label
from ..words import against
from .style import MAX_ROWS_PER_PANEL, OKABE_ITO, VERIFICATION_COLOURS, favours, log_axis, null_line


# ---------------------------------------------------------------- forest
def forest_plot(group, measure_label: str | None = None) -> plt.Figure:
    """metafor-style forest plot of one pooled group (see :mod:`helpers.stats.pooling`)."""
    fit = group.fits[0]
    used = group.used.assign(_w=fit.weights)
    hidden = max(0, len(used) - MAX_ROWS_PER_PANEL)
    if hidden:
        used = used.nlargest(MAX_ROWS_PER_PANEL, "_w")
    used = used.sort_values(["year", "study_id"]).reset_index(drop=True)
    wald = group.wald
    measure = group.key["effect_measure"]
    spec = DISPLAY[measure]
    back = np.exp if spec["log"] else (lambda x: np.asarray(x) * (100 if measure == "risk_difference" else 1))
    k = len(used)
    fig, (ax, axt) = plt.subplots(
        1, 2, figsize=(11, 0.45 * k + 3.0), sharey=True, gridspec_kw={"width_ratios": [3, 2], "wspace": 0.02}
    )
    ys = np.arange(k)[::-1] + 2
    weights = used["_w"].to_numpy()
    if hidden:
        ax.text(
            0.0,
            -0.12,
            f"{hidden} smaller studies not drawn; the pooled estimate uses all {fit.k}.",
            transform=ax.transAxes,
            fontsize=8,
            fontstyle="italic",
            va="top",
        )
    for y, (_, r), w in zip(ys, used.iterrows(), weights):
        lo, hi = r["yi"] - 1.959963984540054 * r["se"], r["yi"] + 1.959963984540054 * r["se"]
        ax.plot(back([lo, hi]), [y, y], color=OKABE_ITO["black"], linewidth=1.2, zorder=2)
        size = 40 + 400 * w / 100
        ax.scatter(
            back([r["yi"]]),
            [y],
            marker="s",
            s=size,
            color=VERIFICATION_COLOURS.get(str(r["verification"]), "k"),
            zorder=3,
        )
    # pooled diamond and prediction interval
    est, lo, hi = back([fit.estimate, fit.ci_lower, fit.ci_upper])
    pil, piu = back([fit.pi_lower, fit.pi_upper])
    ax.add_patch(
        Polygon([[lo, 0.8], [est, 1.1], [hi, 0.8], [est, 0.5]], closed=True, color=OKABE_ITO["black"], zorder=3)
    )
    ax.plot([pil, piu], [0.2, 0.2], color=OKABE_ITO["black"], linewidth=1.0, zorder=2)
    for x in (pil, piu):
        ax.plot([x, x], [0.1, 0.3], color=OKABE_ITO["black"], linewidth=1.0)
    null = spec["null"]
    null_line(ax, null)
    if spec["log"]:
        log_axis(ax)
    labels = [f"{short_name(r['citation'], r['year'])}" for _, r in used.iterrows()]
    ax.set_yticks(list(ys) + [0.8, 0.2])
    ax.set_yticklabels(labels + [f"RE model ({fit.method}, Hartung-Knapp), k = {k}", "95% prediction interval"])
    # text columns in their own axes, sharing the rows
    axt.set_xlim(0, 1)
    axt.axis("off")
    head_y = k + 2.2
    if used["n_ketamine"].isna().any() or used["n_control"].isna().any():
        axt.text(0.02, -0.25, "n/r: not reported", fontsize=7.5, va="center", color=".35")
    for x, text in ((0.02, "n (ket / comp)"), (0.32, "effect [95% CI]"), (0.82, "weight")):
        axt.text(x, head_y, text, fontsize=8.5, fontweight="bold", va="center")
    for y, (_, r), w in zip(ys, used.iterrows(), weights):
        e, low, high = back([r["yi"], r["yi"] - 1.959963984540054 * r["se"], r["yi"] + 1.959963984540054 * r["se"]])
        nk = "n/r" if pd.isna(r["n_ketamine"]) else int(r["n_ketamine"])
        nc = "n/r" if pd.isna(r["n_control"]) else int(r["n_control"])
        axt.text(0.02, y, f"{nk} / {nc}", va="center", fontsize=8.5)
        axt.text(0.32, y, f"{e:.2f} [{low:.2f}, {high:.2f}]", va="center", fontsize=8.5)
        axt.text(0.82, y, f"{w:.1f}%", va="center", fontsize=8.5)
    axt.text(0.32, 0.8, f"{est:.2f} [{lo:.2f}, {hi:.2f}]", va="center", fontsize=8.5, fontweight="bold")
    axt.text(0.32, 0.2, f"[{pil:.2f}, {piu:.2f}]", va="center", fontsize=8.5)
    ax.set_ylim(-0.3, k + 2.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(measure_label or spec["label"])
    favours(ax)
    het = f"tau\u00b2 = {fit.tau2:.3g}, I\u00b2 = {fit.i2:.0f}%"
    if wald is not None:
        kl, kh = back([wald.ci_lower, wald.ci_upper])
        het += f"; Hartung-Knapp interval shown; sensitivity, normal 95% CI [{kl:.2f}, {kh:.2f}]"
    fig.suptitle(
        f"{condition_label(group.key['condition']).capitalize()}: {measure.replace('_', ' ')}, "
        f"{against(group.key['comparator_group'])}, {group.key['timepoint'].replace('_', ' ')}\n{het}",
        x=0.01,
        ha="left",
        fontsize=10.5,
        fontweight="bold",
    )
    h = fig.get_figheight()
    fig.subplots_adjust(left=0.2, right=0.98, top=1 - 0.95 / h, bottom=0.6 / h)
    return fig
