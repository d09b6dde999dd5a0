"""metafor-style forest plot of one pooled group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Polygon

from ...stats.effects import Z975
from ...stats.pooling import record_of
from ...stats.selection import shown_fit
from ..measures import DISPLAY
from ..methods import STUDY, ci_words, estimator_words, interval_name, prediction_words
from ..names import short_name
from ..numbers import bracketed, decimals, percent, significant
from ..params import condition_label
from ..words import WINDOW_WORDS, against
from .style import (
    COLUMN_PX,
    HEADING_PT,
    MAX_ROWS_PER_PANEL,
    OKABE_ITO,
    SCREEN_DPI,
    TEXT_PT,
    VERIFICATION_COLOURS,
    favours,
    log_axis,
    null_line,
)


# ---------------------------------------------------------------- forest
def forest_plot(group, measure_label: str | None = None) -> plt.Figure:
    """metafor-style forest plot of one pooled group (see :mod:`helpers.stats.pooling`)."""
    fit = shown_fit(group)
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
    ci = [back([r["yi"] - Z975 * r["se"], r["yi"], r["yi"] + Z975 * r["se"]]) for _, r in used.iterrows()]
    sizes = [
        f"{'n/r' if pd.isna(r['n_ketamine']) else int(r['n_ketamine'])} / "
        f"{'n/r' if pd.isna(r['n_control']) else int(r['n_control'])}"
        for _, r in used.iterrows()
    ]
    effects = [f"{decimals(e)} {bracketed(low, high)}" for low, e, high in ci]
    effect_head, pi_label = f"effect [{ci_words(STUDY)}]", prediction_words(record_of(fit))
    labels = [f"{short_name(r['citation'], r['year'])}" for _, r in used.iterrows()]
    # columns as wide as their longest text (DejaVu Sans digits are 0.64 em), so no column runs into the next
    em = TEXT_PT * SCREEN_DPI / 72
    n_px = max(len(t) for t in sizes + ["patients"]) * 0.64 * em + em
    effect_px = max(len(t) for t in effects + [effect_head]) * 0.64 * em + em
    table_px = n_px + effect_px + 4.5 * em
    label_px = max(len(t) for t in labels + [pi_label]) * 0.6 * em + em
    plot_px = max(COLUMN_PX - 40 - label_px - table_px, 300)
    width_px = label_px + plot_px + table_px + 30
    fig, (ax, axt) = plt.subplots(
        1,
        2,
        figsize=(width_px / SCREEN_DPI, 0.45 * k + 3.0),
        sharey=True,
        gridspec_kw={"width_ratios": [plot_px, table_px], "wspace": 0.02},
    )
    x_effect, x_weight = n_px / table_px, (n_px + effect_px) / table_px
    ys = np.arange(k)[::-1] + 2
    weights = used["_w"].to_numpy()
    if hidden:
        ax.annotate(
            f"{hidden} smaller studies not drawn; the pooled estimate uses all {fit.k}.",
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0, -44),
            textcoords="offset points",
            fontsize=TEXT_PT,
            fontstyle="italic",
            va="top",
        )
    for y, (_, r), w in zip(ys, used.iterrows(), weights):
        lo, hi = r["yi"] - Z975 * r["se"], r["yi"] + Z975 * r["se"]
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
    if spec["log"]:
        log_axis(ax)
    null_line(ax, null)  # after the scale: it names the null under the scale's own tick
    ax.set_yticks(list(ys) + [0.8, 0.2])
    ax.set_yticklabels(labels + [f"Random effects, {fit.k} studies", pi_label])
    # text columns in their own axes, sharing the rows
    axt.set_xlim(0, 1)
    axt.axis("off")
    head_y = k + 2.2
    key = "patients: ketamine / comparator"
    if used["n_ketamine"].isna().any() or used["n_control"].isna().any():
        key += "; n/r: not reported"
    # one em right of the column's edge: the effect axis' last tick label reaches a little past it
    axt.annotate(
        key, (0.0, -0.45), xytext=(TEXT_PT, 0), textcoords="offset points", fontsize=TEXT_PT, va="top", color=".35"
    )
    for x, text in ((0.0, "patients"), (x_effect, effect_head), (x_weight, "weight")):
        axt.text(x, head_y, text, fontsize=TEXT_PT, fontweight="bold", va="center")
    for y, n_text, effect_text, w in zip(ys, sizes, effects, weights):
        axt.text(0.0, y, n_text, va="center", fontsize=TEXT_PT)
        axt.text(x_effect, y, effect_text, va="center", fontsize=TEXT_PT)
        axt.text(x_weight, y, percent(w), va="center", fontsize=TEXT_PT)
    axt.text(x_effect, 0.8, f"{decimals(est)} {bracketed(lo, hi)}", va="center", fontsize=TEXT_PT, fontweight="bold")
    axt.text(x_effect, 0.2, bracketed(pil, piu), va="center", fontsize=TEXT_PT)
    ax.set_ylim(-0.3, k + 2.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(measure_label or spec["label"])
    favours(ax)
    heading = spec["label"].split(",")[0].replace(" (log scale)", "").lower()
    timepoint = str(group.key["timepoint"])
    rec = record_of(fit)
    het = f"{estimator_words(rec)}: tau\u00b2 = {significant(fit.tau2)}, I\u00b2 = {percent(fit.i2, 0)}"
    if wald is not None:
        kl, kh = back([wald.ci_lower, wald.ci_upper])
        het += f"; {interval_name(rec)} interval shown; sensitivity, {ci_words(record_of(wald), named=True)} "
        het += bracketed(kl, kh)
    fig.suptitle(
        f"{condition_label(group.key['condition']).capitalize()}: {heading}, "
        f"{against(group.key['comparator_group'])}, {WINDOW_WORDS.get(timepoint, timepoint)}\n{het}",
        x=0.01,
        ha="left",
        fontsize=HEADING_PT,
        fontweight="bold",
    )
    h = fig.get_figheight()
    fig.subplots_adjust(
        left=label_px / width_px, right=1 - 10 / width_px, top=1 - 0.95 / h, bottom=(0.75 + 0.3 * bool(hidden)) / h
    )
    return fig
