"""Follow-up time points per study on a log time axis, and their distribution for large tables."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from ...data.vocabulary import figure_label
from ..names import short_name
from ..params import condition_label
from .style import (
    HEADING_PT,
    MAX_ROWS_LISTED,
    OKABE_ITO,
    TEXT_PT,
    VERIFICATION_COLOURS,
    VERIFICATION_HATCHES,
    VERIFICATION_LABELS,
    claim_label,
    empty_panel,
    legend_handles,
    marker_style,
)

#: the time axis' ends in days (log scale); a time of 0 (measured as the infusion ended) sits at the left end
X_MIN, X_MAX = 0.01, 1500
TIME_TICKS = [
    (1 / 1440 * 30, "30 min"),
    (1 / 24 * 2, "2 h"),
    (1.0, "1 day"),
    (7.0, "1 week"),
    (30.44, "1 month"),
    (365.25, "1 year"),
]


def followup_plot(studies: pd.DataFrame, condition: str) -> plt.Figure:
    """Every follow-up time point per study on a log time axis, grouped by condition; infusion length as a bar."""
    title = f"Follow-up time points: {condition_label(condition)}"
    d = studies[studies["followup_days"].notna() | studies["infusion_days"].notna()].copy()
    if d.empty:
        fig, ax = plt.subplots(figsize=(8, 1.4))
        empty_panel(ax, "No row of this selection states a follow-up time or an infusion length.")
        fig.suptitle(title, fontweight="bold")
        return fig
    if d.drop_duplicates(["condition", "study_id"]).shape[0] > MAX_ROWS_LISTED:
        return _followup_distribution(d, title)
    # the form of administration beside each study, from the data: a bar is the time over which it was given
    d["label"] = [
        f"{short_name(c, y)}, {figure_label('route', rt)}" for c, y, rt in zip(d["citation"], d["year"], d["route"])
    ]
    order = d.drop_duplicates(["condition", "study_id"]).sort_values(["condition", "source", "year", "study_id"])[
        ["condition", "study_id", "label", "verification", "design"]
    ]
    conditions = (
        [c for c in order["condition"].cat.categories if c in set(order["condition"])]
        if hasattr(order["condition"], "cat")
        else sorted(set(order["condition"]))
    )
    positions, ylabels, y = {}, [], 0
    group_spans = []
    for cond in conditions:
        block = order[order["condition"] == cond]
        header = y
        y += 1
        for _, r in block.iterrows():
            positions[(cond, r["study_id"])] = y
            ylabels.append(r["label"])
            y += 1
        group_spans.append((cond, header, y - 1))
    fig, ax = plt.subplots(figsize=(9.5, max(y, 1) * 0.36 + 2.0))
    verifs = set()
    drew_infusion = False
    for (cond, sid), pos in positions.items():
        rows = d[(d["condition"] == cond) & (d["study_id"] == sid)]
        first = rows.iloc[0]
        colour = VERIFICATION_COLOURS.get(str(first["verification"]), OKABE_ITO["grey"])
        inf = rows["infusion_days"].dropna()
        if not inf.empty:
            ax.barh(
                -pos, float(inf.iloc[0]) - X_MIN, left=X_MIN, height=0.34, color=OKABE_ITO["grey"], alpha=0.55, zorder=1
            )
            drew_infusion = True
        times = rows["followup_days"].dropna().clip(lower=X_MIN).unique()  # a log axis has no 0
        for t in sorted(times):
            style = marker_style(str(first["verification"]), str(first["design"]))
            ax.plot([t], [-pos], zorder=3, clip_on=False, **style)  # whole on the axis' first tick
        if len(times) > 1:
            ax.plot([min(times), max(times)], [-pos, -pos], color=colour, linewidth=1.0, zorder=2)
        if first["verification"] == "not_found":
            at = max(times) if len(times) else (float(inf.iloc[0]) if not inf.empty else None)
            if at is not None:
                claim_label(ax, at, -pos, 9)
        verifs.add(str(first["verification"]))
    ax.set_xscale("log")
    ax.set_xlim(X_MIN, X_MAX)
    ax.xaxis.set_major_locator(FixedLocator([t for t, _ in TIME_TICKS]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: dict(TIME_TICKS).get(x, "")))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks([-p for p in positions.values()])
    ax.set_yticklabels(ylabels)
    for cond, header, _end in group_spans:
        ax.annotate(
            cond.replace("_", " ").capitalize(),
            xy=(0.005, -header),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize=TEXT_PT,
            fontweight="bold",
        )
        if header:
            ax.axhline(-(header - 0.5), color=OKABE_ITO["grey"], linewidth=0.6)
    ax.set_ylim(-(y - 0.4), 0.6)
    ax.set_xlabel("Time since ketamine was started (log scale)")
    ax.grid(axis="y", visible=False)
    # the title above the key: the key's one row sits on the plot, the title a row higher
    ax.set_title(title, loc="left", pad=TEXT_PT * 2.9)
    handles = legend_handles(verifs, False)
    if drew_infusion:
        handles.append(Patch(facecolor=OKABE_ITO["grey"], alpha=0.55, label="time over which ketamine was given"))
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        borderaxespad=0.2,
        ncol=len(handles),
        frameon=False,
        fontsize=TEXT_PT,
    )
    fig.tight_layout()
    return fig


def _empty_bar(patch) -> bool:
    """An empty bin's bar: it covers nothing, and hatched it took a millisecond to draw (hundreds a figure)."""
    return isinstance(patch, Rectangle) and patch.get_height() == 0


def _hatch_by_colour(ax) -> None:
    """Give the bars drawn in a verification colour that status's hatch (VERIFICATION_HATCHES)."""
    from matplotlib.colors import to_rgba

    wanted = {to_rgba(VERIFICATION_COLOURS[v]): hatch for v, hatch in VERIFICATION_HATCHES.items()}
    for patch in ax.patches:
        if _empty_bar(patch):
            continue
        hatch = wanted.get(to_rgba(patch.get_facecolor()[:3]))  # seaborn adds its own alpha: compare the colour
        if hatch:
            patch.set_hatch(hatch)


def _followup_distribution(d: pd.DataFrame, title: str) -> plt.Figure:
    """Many studies: the distribution of follow-up times per condition (seaborn), infusion length as an outline."""
    import seaborn as sns

    conds = [c for c in d["condition"].cat.categories if (d["condition"] == c).any()]
    fig, axes = plt.subplots(len(conds), 1, figsize=(9.5, 1.9 * len(conds) + 1.2), sharex=True, squeeze=False)
    bins = np.logspace(np.log10(0.01), np.log10(1500), 40)
    for ax, cond in zip(axes[:, 0], conds):
        sub = d[d["condition"] == cond]
        fu = sub[sub["followup_days"].notna()].assign(verification=lambda x: x["verification"].astype(str))
        claims = fu[fu["verification"] == "not_found"]
        fu = fu[fu["verification"] != "not_found"]
        if not fu.empty:
            sns.histplot(
                data=fu,
                x="followup_days",
                hue="verification",
                hue_order=[v for v in VERIFICATION_COLOURS if v in set(fu["verification"])],
                palette=VERIFICATION_COLOURS,
                log_scale=True,
                bins=40,
                binrange=(-2.0, np.log10(1500)),
                multiple="stack",
                ax=ax,
                legend=False,
                edgecolor="white",
            )
            _hatch_by_colour(ax)  # unverified bars also carry a hatch: colour is never the only cue
        else:
            ax.set_xscale("log")
        if not claims.empty:  # the article's claims: hollow and hatched, never mistaken for evidence
            _, _, bars = ax.hist(
                claims["followup_days"],
                bins=bins,
                facecolor="white",
                edgecolor=VERIFICATION_COLOURS["not_found"],
                hatch="///",
                linewidth=1.0,
            )
            for bar in bars:
                if _empty_bar(bar):
                    bar.set_hatch(None)
        inf = sub["infusion_days"].dropna()
        if not inf.empty:
            ax.hist(inf, bins=bins, histtype="step", color=OKABE_ITO["black"], linewidth=1.2, linestyle="--")
        ax.set_ylabel("rows")
        ax.set_title(cond.replace("_", " ").capitalize(), loc="left", fontsize=HEADING_PT)
    ax = axes[-1, 0]
    ax.set_xlim(X_MIN, X_MAX)
    ax.xaxis.set_major_locator(FixedLocator([t for t, _ in TIME_TICKS]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: dict(TIME_TICKS).get(x, "")))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Time since ketamine was started (log scale)")
    present = set(d["verification"].astype(str))
    handles = [
        Patch(
            facecolor=VERIFICATION_COLOURS[v],
            edgecolor="white",
            hatch=VERIFICATION_HATCHES.get(v, ""),
            label=VERIFICATION_LABELS[v],
        )
        for v in ("verified", "unverified")
        if v in present
    ]
    if "not_found" in present:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=VERIFICATION_COLOURS["not_found"],
                hatch="///",
                label=VERIFICATION_LABELS["not_found"],
            )
        )
    if d["infusion_days"].notna().any():  # drawn only where a row gives one
        handles.append(Line2D([], [], color=OKABE_ITO["black"], linestyle="--", label="ketamine infusion length"))
    height = fig.get_figheight()
    fig.suptitle(
        f"{title} ({d['study_id'].nunique()} studies: distribution of time points)",
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    # the key in a row of its own under the title (beside it, a long title ran under the key)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 1 - 0.32 / height),
        ncol=len(handles),
        fontsize=TEXT_PT,
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / height))
    return fig
