"""Effect sizes with their intervals, one panel per measure, and results reported only as a direction."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...data.schema import conditions
from ...data.vocabulary import designs, outcome_words
from ..measures import DISPLAY
from ..names import short_name
from ..numbers import human_duration
from ..params import condition_label
from ..words import followup_words
from .style import (
    HEADING_PT,
    MAX_ROWS_LISTED,
    TEXT_PT,
    VERIFICATION_COLOURS,
    VERIFICATION_LABELS,
    claim_label,
    empty_panel,
    favours,
    is_indirect,
    legend_handles,
    limit_rows,
    log_axis,
    marker_style,
    masks_lines,
    null_line,
)


def short_time(r) -> str:
    days = r.get("followup_days")
    if days is not None and not pd.isna(days):
        return human_duration(float(days))
    return followup_words(r)  # a time from admission or discharge has no days: its words


def row_label(r, width: int = 46) -> str:
    """'Author year: outcome, time' in words, wrapped onto more lines rather than cut."""
    time = short_time(r)
    dagger = " \u2020" if bool(r.get("oriented", False)) else ""
    if is_indirect(r.get("indirect")):
        dagger += " \u2021"
    label = f"{short_name(r['citation'], r['year'])}: {outcome_words(str(r['outcome']))}" + (
        f", {time}" if time else ""
    )
    return textwrap.fill(label + dagger, width)


#: what stands on a row that has no estimate to draw (stats.effects.MISSING_CODES), instead of an empty row
NO_ESTIMATE_WORDS = {
    "double_zero": "no events (or only events) in both groups: no ratio",
    "small_arm": "a group of fewer than 2 patients: no estimate",
    "zero_sd": "no spread in either group: no estimate",
}


# ---------------------------------------------------------------- effect sizes
def effect_panels(effects: pd.DataFrame, condition: str, harms: bool = False) -> plt.Figure:
    """One panel per effect measure, every row with a number, claims hollow, meta-analyses as diamonds:
    benefits, or with ``harms`` the adverse events (never on one axis together)."""
    kind = "harm" if harms else "benefit"
    if "outcome_kind" in effects:
        effects = effects[effects["outcome_kind"].astype(str) == kind]
    title = f"{'Adverse events' if harms else 'Effect sizes'}: {condition_label(condition)}"
    measures = [m for m in DISPLAY if m in set(effects["effect_measure"].astype(str))]
    if not measures:
        fig, ax = plt.subplots(figsize=(8, 1.6))
        empty_panel(ax, f"No {'adverse event' if harms else 'result'} of this selection has a number.")
        fig.suptitle(title, fontweight="bold")
        return fig
    sort_cols = ["design_order", "year", "study_id", "followup_days"]
    panels = []
    for m in measures:
        rows = effects[effects["effect_measure"].astype(str) == m].copy()
        rows["design_order"] = rows["design"].astype(str).isin(designs("pooled_estimate")).astype(int)
        rows = rows.sort_values(sort_cols, na_position="first")
        rows, hidden = limit_rows(rows, sort_cols)
        panels.append((m, rows, hidden))
    slotted = [(m, _slots(rows), hidden) for m, rows, hidden in panels]
    heights = [
        max(sum(1 if kind == "head" else row_label(x).count("\n") * 0.6 + 1 for kind, x in slots), 1) * 0.36 + 1.5
        for _, slots, _ in slotted
    ]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, sum(heights) + 1.2), gridspec_kw={"height_ratios": heights}, squeeze=False
    )
    any_oriented = False
    verifs, meta = set(), False
    for ax, (m, slots, hidden) in zip(axes[:, 0], slotted):
        spec = DISPLAY[m]
        rows = pd.DataFrame([x for kind, x in slots if kind == "row"])
        y = np.arange(len(slots))[::-1]
        for yi, (kind, r) in zip(y, slots):
            if kind == "head":
                continue
            style = marker_style(str(r["verification"]), str(r["design"]))
            if not np.isfinite(r["est"]):
                reason = NO_ESTIMATE_WORDS.get(str(r.get("missing_reason", "")), "no estimate reported")
                ax.text(
                    0.02,
                    yi,
                    reason,
                    transform=ax.get_yaxis_transform(),
                    va="center",
                    fontsize=TEXT_PT,
                    fontstyle="italic",
                    color=".3",
                    **masks_lines(),
                )
                continue
            if np.isfinite(r["lo"]) and np.isfinite(r["hi"]):
                ax.plot([r["lo"], r["hi"]], [yi, yi], color=style["color"], linewidth=1.6, zorder=2)
            ax.plot([r["est"]], [yi], zorder=3, **style)
            if r["verification"] == "not_found":
                claim_label(ax, r["est"], yi, 8)
            verifs.add(str(r["verification"]))
            meta |= str(r["design"]) in designs("pooled_estimate")
            any_oriented |= bool(r["oriented"])
        ax.set_yticks(y)
        ax.set_yticklabels([condition_label(x).capitalize() if kind == "head" else row_label(x) for kind, x in slots])
        for (kind, _), tick in zip(slots, ax.get_yticklabels()):
            if kind == "head":
                tick.set_fontweight("bold")
        ax.set_ylim(-0.7, len(slots) - 0.3)
        ax.set_xlabel(spec["label"])
        ax.grid(axis="y", visible=False)
        heading = spec["label"].split(",")[0].replace(" (log scale)", "")
        if not np.isfinite(rows["est"].astype(float)).any():  # only rows without an estimate: no scale to show
            ax.set_xticks([])
            ax.set_xlabel("")
            ax.set_title(heading, loc="left", fontsize=HEADING_PT)
        elif spec["null"] is not None:
            if spec["log"]:
                log_axis(ax)
            null_line(ax, spec["null"])
            _pad_around(ax, rows, spec["null"], spec["log"])
            favours(ax)
            ax.set_title(heading, loc="left", fontsize=HEADING_PT, pad=16)
        else:
            # a rate of 0% or 100% is drawn whole: the axis runs a little past both ends
            ax.set_xlim(-5, 105)
            ax.set_xticks([0, 25, 50, 75, 100])
            ax.set_title("Single-arm results (no comparator: not a comparison)", loc="left", fontsize=HEADING_PT)
        if hidden:  # just under the axis label (not at a share of a tall panel's height)
            ax.annotate(
                f"{hidden} less precise rows not drawn (see the full table)",
                xy=(1.0, 0.0),
                xycoords=("axes fraction", ax.xaxis.label),  # x on the axes, y at the foot of the axis label
                xytext=(0, -2),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=TEXT_PT,
                fontstyle="italic",
            )
    fig.suptitle(title, fontweight="bold", x=0.02, ha="left")
    handles = legend_handles(verifs, meta)
    notes = []
    if any_oriented:
        notes.append("\u2020 outcome where higher is better: sign reversed so that left favours ketamine")
    if "indirect" in effects.columns and effects["indirect"].map(is_indirect).any():
        notes.append(
            "\u2021 indirect evidence (around spine surgery, in children, cluster headache or a single test session)"
        )
    fig.legend(
        handles=handles,
        loc="upper left",
        ncol=min(len(handles), 4),
        frameon=False,
        bbox_to_anchor=(0.01, 0.985 - 0.25 / fig.get_figheight()),
    )
    if notes:
        fig.text(0.01, 0.004, "\n".join(notes), ha="left", va="bottom", fontsize=TEXT_PT)
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.75 / fig.get_figheight()))
    return fig


def _slots(rows: pd.DataFrame) -> list[tuple[str, object]]:
    """A panel's lines from top to bottom: its rows, under a heading per condition where conditions mix."""
    if rows["condition"].astype(str).nunique() < 2:
        return [("row", r) for _, r in rows.iterrows()]
    order = {c: i for i, c in enumerate(conditions())}
    rows = rows.assign(_c=rows["condition"].astype(str).map(order)).sort_values("_c", kind="stable")
    slots, previous = [], None
    for _, r in rows.iterrows():
        if r["condition"] != previous:
            slots.append(("head", str(r["condition"])))
            previous = r["condition"]
        slots.append(("row", r))
    return slots


def _pad_around(ax, rows: pd.DataFrame, null: float, log: bool) -> None:
    values = pd.concat([rows["lo"], rows["hi"], rows["est"]]).astype(float)
    values = values[np.isfinite(values)]
    if values.empty:
        return
    if log:
        values = np.log(values[values > 0])
        lo, hi = min(values.min(), 0.0), max(values.max(), 0.0)
        span = max(hi - lo, 0.5)
        ax.set_xlim(np.exp(lo - 0.15 * span), np.exp(hi + 0.45 * span))
    else:
        lo, hi = min(values.min(), null), max(values.max(), null)
        span = max(hi - lo, 1.0)
        ax.set_xlim(lo - 0.1 * span, hi + 0.45 * span)


# ---------------------------------------------------------------- directions
#: the scale of the direction plot, left to right as on every effect axis: favours ketamine on the left
DIRECTION_ORDER = ["favours_ketamine", "no_difference", "favours_comparator"]
DIRECTION_TICKS = ["favours\nketamine", "no\ndifference", "favours\ncomparator"]


def direction_plot(rows: pd.DataFrame, condition: str) -> plt.Figure:
    """Benefit results that report only a direction, one per study and outcome: where each source says the
    result lies, favours ketamine on the left as on every effect axis. Results that state no direction are not
    placed on the scale; the figure counts them beneath it."""
    title = f"Reported direction without a number: {condition_label(condition)}"
    unstated = rows[rows["direction"].astype(str) == "not_reported"] if not rows.empty else rows
    rows = rows[rows["direction"].astype(str) != "not_reported"] if not rows.empty else rows
    if rows.empty:
        fig, ax = plt.subplots(figsize=(8, 1.4))
        empty_panel(ax, "No result of this selection is reported as a direction alone.")
        fig.suptitle(title, fontweight="bold")
        return fig
    if len(rows) > MAX_ROWS_LISTED:
        return _direction_counts(rows, title)
    rows = rows.sort_values(["source", "year", "study_id", "outcome"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, len(rows) * 0.36 + 2.0))
    y = np.arange(len(rows))[::-1]
    verifs = set()
    for yi, (_, r) in zip(y, rows.iterrows()):
        x = DIRECTION_ORDER.index(str(r["direction"]))
        style = marker_style(str(r["verification"]), str(r["design"]))
        ax.plot([x], [yi], **style)
        if r["verification"] == "not_found":
            claim_label(ax, x, yi, 9)
        verifs.add(str(r["verification"]))
    ax.set_yticks(y)
    many = rows["condition"].astype(str).nunique() > 1
    ax.set_yticklabels(
        [row_label(r) + (f" ({condition_label(str(r['condition']))})" if many else "") for _, r in rows.iterrows()]
    )
    ax.set_xticks(range(len(DIRECTION_ORDER)))
    ax.set_xticklabels(DIRECTION_TICKS)
    ax.set_xlim(-0.5, len(DIRECTION_ORDER) - 0.5 + 0.9)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    xlabel = "Direction of the result as the source states it (no effect size reported)"
    if len(unstated):
        xlabel += f"\n{len(unstated)} more {'result states' if len(unstated) == 1 else 'results state'} no direction and {'is' if len(unstated) == 1 else 'are'} not drawn"
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.set_title(title, loc="left")
    ax.legend(handles=legend_handles(verifs, False), loc="upper right", frameon=True, fontsize=TEXT_PT)
    fig.tight_layout()
    return fig


def _direction_counts(rows: pd.DataFrame, title: str) -> plt.Figure:
    """Many direction-only rows: how many fall in each direction, by verification status."""
    fig, ax = plt.subplots(figsize=(10, 3.6))
    counts = pd.crosstab(rows["direction"].astype(str), rows["verification"].astype(str))
    counts = counts.reindex(index=DIRECTION_ORDER, fill_value=0)
    left = np.zeros(len(counts))
    for v in ("verified", "unverified", "not_found"):
        if v not in counts.columns:
            continue
        colour = VERIFICATION_COLOURS[v]
        claim = v == "not_found"
        ax.barh(
            range(len(counts)),
            counts[v],
            left=left,
            color="white" if claim else colour,
            edgecolor=colour,
            hatch="///" if claim else ("..." if v == "unverified" else None),
            label=VERIFICATION_LABELS[v],
        )
        left += counts[v].to_numpy()
    ax.set_yticks(range(len(counts)))
    ax.set_yticklabels([d.replace("\n", " ") for d in DIRECTION_TICKS])
    ax.invert_yaxis()
    ax.set_xlabel("Rows reporting only a direction (count)")
    ax.set_title(f"{title} ({len(rows)} rows, counted)", loc="left")
    ax.legend(loc="lower right", fontsize=TEXT_PT)
    fig.tight_layout()
    return fig
