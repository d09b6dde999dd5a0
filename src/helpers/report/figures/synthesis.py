"""Figures of the deeper syntheses: the small leave-one-out and cumulative forests, and the funnel plot.

Same conventions as :mod:`helpers.report.figures.style`: Okabe-Ito colours, titles that
name the condition, units on the axes, ratios on a log axis, and the left of
the null favouring ketamine.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ...stats.effects import RATIO_MEASURES, Z975
from ...stats.pooling import SENSITIVITY
from ...stats.selection import shown_fit
from ..measures import DISPLAY
from ..methods import STUDY, ci_words, level_words, model_words
from ..names import short_name
from ..numbers import p_value, significant, statistic
from ..params import condition_label
from ..words import against
from .style import HEADING_PT, MAX_ROWS_PER_PANEL, OKABE_ITO, TEXT_PT, favours, log_axis, null_line


def back_transform(measure: str):
    """Analysis scale -> the scale the reports show (ratios exponentiated, risk differences in percentage points)."""
    if measure in RATIO_MEASURES:
        return np.exp
    factor = 100.0 if measure == "risk_difference" else 1.0
    return lambda x: np.asarray(x, dtype=float) * factor


def group_title(group) -> str:
    k = group.key
    return (
        f"{condition_label(k['condition']).capitalize()}: {k['effect_measure'].replace('_', ' ')}, "
        f"{against(k['comparator_group'])}, {k['timepoint'].replace('_', ' ')}"
    )


def names_of(group) -> dict[str, str]:
    """study_id -> 'Author year' for the labels."""
    return {str(r["study_id"]): short_name(r["citation"], r["year"]) for _, r in group.used.iterrows()}


def sensitivity_forest(group, table: pd.DataFrame, kind: str) -> plt.Figure:
    """A small forest of refits: ``kind`` is "leave_one_out" (table from leave_one_out) or "cumulative"."""
    measure = group.key["effect_measure"]
    spec = DISPLAY[measure]
    back = back_transform(measure)
    names = names_of(group)
    fit = shown_fit(group)
    rows = table.reset_index(drop=True)
    hidden = 0
    if kind == "leave_one_out" and len(rows) > MAX_ROWS_PER_PANEL:  # the refits that move the estimate most
        rows = (
            rows.assign(_d=(rows["estimate"] - fit.estimate).abs())
            .nlargest(MAX_ROWS_PER_PANEL, "_d")
            .drop(columns="_d")
        )
        hidden = len(table) - len(rows)
    elif kind == "cumulative" and len(rows) > MAX_ROWS_PER_PANEL:
        rows = rows.tail(MAX_ROWS_PER_PANEL)
        hidden = len(table) - len(rows)
    n = len(rows)
    fig, ax = plt.subplots(figsize=(9, 0.34 * n + 2.2))
    ys = np.arange(n)[::-1]
    colour = OKABE_ITO["blue"]
    for y, (_, r) in zip(ys, rows.iterrows()):
        lo, est, hi = back([r["ci_lower"], r["estimate"], r["ci_upper"]])
        ax.plot([lo, hi], [y, y], color=colour, linewidth=1.4)
        ax.plot([est], [y], marker="s", color=colour, markersize=6, linestyle="none")
    ax.axvline(float(back(fit.estimate)), color=OKABE_ITO["vermillion"], linewidth=1.4, linestyle=":")
    if spec["log"]:
        _narrow_log_axis(ax)
    null_line(ax, spec["null"])  # after the scale: it names the null under the scale's own tick
    if kind == "leave_one_out":
        labels = [f"without {names.get(str(s), s)}" for s in rows["omitted"]]
        what = "Leave-one-out: the pooled estimate with each study left out"
    else:
        labels = [f"+ {names.get(str(s), s)} (k = {k})" for s, k in zip(rows["added"], rows["k"])]
        what = "Cumulative meta-analysis: studies added by year"
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=TEXT_PT)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="y", visible=False)
    # the refits are REML fits with normal intervals (stats.sensitivity), as the SENSITIVITY method
    ax.set_xlabel(f"{spec['label']} ({model_words(SENSITIVITY)}, {ci_words(SENSITIVITY)})")
    favours(ax)
    if hidden:  # just under the axis label (not at a share of a tall panel's height)
        ax.annotate(
            f"{hidden} refits not drawn; all are in tables/{kind}.csv.",
            xy=(0.0, 0.0),
            xycoords=("axes fraction", ax.xaxis.label),  # x on the axes, y at the foot of the axis label
            xytext=(0, -2),
            textcoords="offset points",
            fontsize=TEXT_PT,
            fontstyle="italic",
            va="top",
        )
    what += f" (dotted line: all {fit.k} studies)"
    fig.suptitle(f"{group_title(group)}\n{what}", x=0.01, ha="left", fontsize=HEADING_PT, fontweight="bold")
    h = fig.get_figheight()
    fig.subplots_adjust(left=0.3, right=0.97, top=1 - 0.95 / h, bottom=0.75 / h)
    return fig


def _narrow_log_axis(ax) -> None:
    """A log axis; when the values span less than a factor of 10 the fixed 0.1-10 ticks would leave
    only one, so evenly spaced ticks are used instead."""
    log_axis(ax)
    lo, hi = ax.get_xlim()
    if hi / lo < 10:
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: significant(x)))


def funnel_plot(group, egger=None) -> plt.Figure:
    """metafor's funnel(): effects against their standard errors (0 at the top), the pooled estimate
    (REML) and the pseudo 95% confidence region estimate +/- 1.96 SE, white on a grey background."""
    measure = group.key["effect_measure"]
    spec = DISPLAY[measure]
    fit = shown_fit(group)
    scale = 100.0 if measure == "risk_difference" else 1.0
    y = group.used["yi"].to_numpy(dtype=float) * scale
    se = group.used["se"].to_numpy(dtype=float) * scale
    est = fit.estimate * scale
    top = float(np.max(se)) * 1.05
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    ax.set_facecolor("#DDDDDD")
    half = Z975 * top
    ax.fill(
        [est - half, est, est + half],
        [top, 0.0, top],
        color="white",
        zorder=1,
        label=f"pseudo {level_words(STUDY)} confidence region",
    )
    ax.plot(
        [est - half, est, est + half], [top, 0.0, top], color=OKABE_ITO["black"], linestyle=":", linewidth=1.0, zorder=2
    )
    ax.plot(
        [est, est],
        [0.0, top],
        color=OKABE_ITO["black"],
        linewidth=1.0,
        zorder=2,
        label=f"pooled estimate (REML), k = {fit.k}",
    )
    ax.scatter(
        y, se, s=28, color=OKABE_ITO["blue"], edgecolor=OKABE_ITO["black"], linewidth=0.6, zorder=3, label="studies"
    )
    span = max(half, float(np.max(np.abs(y - est)))) * 1.1
    ax.set_xlim(est - span, est + span)
    ax.set_ylim(top, 0.0)
    # no effect tick in the lower corners, where its label would meet the standard error's
    ax.xaxis.set_major_locator(MaxNLocator(7, prune="both"))
    ax.grid(False)
    if measure in RATIO_MEASURES:
        label = f"Log {measure.replace('_', ' ')} (analysis scale; 0 = no difference)"
    else:
        label = spec["label"]
    ax.set_xlabel(label)
    ax.set_ylabel("Standard error" + (" (percentage points)" if scale != 1.0 else ""))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=TEXT_PT, frameon=False)
    sub = ""
    if egger is not None:
        sub = f"\nEgger's regression test (REML, predictor SE): z = {statistic(egger.z)}, p = {p_value(egger.p)}"
    fig.suptitle(f"{group_title(group)}\nFunnel plot{sub}", x=0.01, ha="left", fontsize=HEADING_PT, fontweight="bold")
    fig.subplots_adjust(left=0.12, right=0.97, top=0.84, bottom=0.17)
    return fig
