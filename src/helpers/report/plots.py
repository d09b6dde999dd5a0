"""Figures: effect sizes, effect directions, follow-up times and forest plots.

Conventions shared by every figure:

- Okabe-Ito colours (safe for colour-blind readers), one per verification
  status, never alone: verified markers are filled, not-yet-verified ones
  half filled, and the source article's claims are drawn **hollow** and labelled
  "article claim, not located", so they can never be mistaken for evidence.
- Published meta-analysis estimates are diamonds.
- Comparative effects are oriented so that the left of the null line favours
  ketamine, and the axis says so.
- Titles name the condition; axes carry units.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Polygon  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator  # noqa: E402

from ..stats.effects import DISPLAY  # noqa: E402
from .params import condition_label  # noqa: E402

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "grey": "#999999",
    "black": "#000000",
}
VERIFICATION_COLOURS = {
    "verified": OKABE_ITO["blue"],
    "unverified": OKABE_ITO["orange"],
    "not_found": OKABE_ITO["vermillion"],
}
VERIFICATION_LABELS = {
    "verified": "published, verified",
    "unverified": "published, not yet verified",
    "not_found": "article claim, not located",
}
CLAIM_TAG = "article claim, not located"
FAVOURS_KETAMINE = "favours ketamine"
FAVOURS_COMPARATOR = "favours comparator"
SAVE_DPI = 300
#: panels never draw more than this many rows; the rest are summarized in a note
MAX_ROWS_PER_PANEL = 20
#: a second cue beside colour for unverified rows in charts that draw areas (colour never carries meaning alone)
VERIFICATION_HATCHES = {"unverified": "...."}
#: above this many studies (or rows), follow-up and direction charts show distributions instead of one line each
MAX_ROWS_LISTED = 60


def apply_style() -> None:
    """The house style: a light grid (seaborn's "whitegrid" values), readable sizes, deterministic output.

    Set through rcParams rather than ``seaborn.set_theme`` so that a report
    kernel does not pay for importing seaborn and scipy.stats on every run.
    """
    from cycler import cycler

    plt.rcParams.update(
        {
            "axes.facecolor": "white",
            "axes.edgecolor": ".8",
            "axes.grid": True,
            "axes.axisbelow": True,
            "axes.labelcolor": ".15",
            "axes.prop_cycle": cycler(color=list(OKABE_ITO.values())),
            "grid.color": ".8",
            "grid.linestyle": "-",
            "text.color": ".15",
            "xtick.color": ".15",
            "ytick.color": ".15",
            "xtick.bottom": False,
            "ytick.left": False,
            "axes.spines.top": True,
            "axes.spines.right": True,
            "font.family": ["sans-serif"],
            "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "sans-serif"],
            "figure.dpi": 90,
            "savefig.dpi": SAVE_DPI,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "axes.labelsize": 10,
            "ytick.labelsize": 9,
            "xtick.labelsize": 9,
            "legend.fontsize": 9,
            "svg.hashsalt": "ketamine-evidence",
            "path.simplify": True,
        }
    )


def save(fig: plt.Figure, name: str, figures_dir: str | Path | None) -> Path | None:
    """Write a 300-dpi PNG for manuscripts when a figures folder is given."""
    if not figures_dir:
        return None
    folder = Path(figures_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    fig.savefig(path, dpi=SAVE_DPI, bbox_inches="tight", metadata={"Software": None})
    return path


# ---------------------------------------------------------------- helpers
def _short_name(citation: str, year) -> str:
    first = str(citation).split(",")[0].split(" et al")[0].strip()
    first = first.split(" ")[0] if first else "?"
    return f"{first} {year}"


def _short_time(r) -> str:
    days = r.get("followup_days")
    if days is not None and not pd.isna(days):
        return human_duration(float(days))
    text = r.get("followup_text")
    if text is None or pd.isna(text) or text == "not stated":
        return ""
    text = str(text)
    return text if len(text) <= 22 else text[:21].rstrip() + "\u2026"


def is_indirect(value) -> bool:
    """True for a study flagged as indirect evidence (perioperative, children, cluster headache, test session...)."""
    return value is not None and not pd.isna(value) and str(value) not in ("", "none")


def row_label(r, width: int = 46) -> str:
    """'Author year: outcome, time' kept short enough to leave room for the plot."""
    outcome = str(r["outcome"]).replace("_", " ")
    time = _short_time(r)
    dagger = " \u2020" if bool(r.get("oriented", False)) else ""
    if is_indirect(r.get("indirect")):
        dagger += " \u2021"
    label = f"{_short_name(r['citation'], r['year'])}: {outcome}" + (f", {time}" if time else "")
    if len(label) > width:
        label = label[: width - 1].rstrip() + "\u2026"
    return label + dagger


def _marker_style(verification: str, design: str) -> dict:
    colour = VERIFICATION_COLOURS.get(verification, OKABE_ITO["grey"])
    claim = verification == "not_found"
    # fill as well as colour tells the status apart: full = verified, half = not yet verified, hollow = claim
    return {
        "marker": "D" if design == "meta_analysis" else "o",
        "markersize": 9 if design == "meta_analysis" else 7,
        "markeredgecolor": colour,
        "markerfacecolor": "white" if claim else colour,
        "fillstyle": "left" if verification == "unverified" else "full",
        "markerfacecoloralt": "white",
        "markeredgewidth": 1.8,
        "color": colour,
        "linestyle": "none",
    }


def _legend_handles(verifications, meta: bool) -> list:
    handles = []
    for v in ("verified", "unverified", "not_found"):
        if v in verifications:
            style = _marker_style(v, "rct")
            handles.append(Line2D([], [], label=VERIFICATION_LABELS[v], **style))
    if meta:
        handles.append(Line2D([], [], label="published meta-analysis", **_marker_style("verified", "meta_analysis")))
    return handles


def _favours(ax) -> None:
    """'favours ketamine' left and 'favours comparator' right, just above the plotting area."""
    ax.annotate(f"\u2190 {FAVOURS_KETAMINE}", xy=(0.0, 1.01), xycoords="axes fraction", ha="left", va="bottom",
                fontsize=8.5, color=OKABE_ITO["black"])
    ax.annotate(f"{FAVOURS_COMPARATOR} \u2192", xy=(1.0, 1.01), xycoords="axes fraction", ha="right", va="bottom",
                fontsize=8.5, color=OKABE_ITO["black"])


def _null_line(ax, null: float) -> None:
    ax.axvline(null, color=OKABE_ITO["black"], linewidth=1.0, linestyle="--", zorder=1)
    ax.annotate("no difference", xy=(null, 0.0), xycoords=("data", "axes fraction"), xytext=(3, 3),
                textcoords="offset points", ha="left", va="bottom", fontsize=7.5, rotation=90, color="#444444")


def _log_axis(ax) -> None:
    ax.set_xscale("log")
    ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=10)
    ax.set_axis_off()


def _limit(rows: pd.DataFrame, sort_cols: list[str]) -> tuple[pd.DataFrame, int]:
    """At most MAX_ROWS_PER_PANEL rows: the most precise first (smallest SE), then the rest by order."""
    if len(rows) <= MAX_ROWS_PER_PANEL:
        return rows, 0
    keep = rows.assign(_se=rows["se"].fillna(np.inf)).nsmallest(MAX_ROWS_PER_PANEL, "_se").drop(columns="_se")
    return keep.sort_values(sort_cols), len(rows) - len(keep)


# ---------------------------------------------------------------- effect sizes
def effect_panels(effects: pd.DataFrame, condition: str) -> plt.Figure:
    """One panel per effect measure, every row with a number, claims hollow, meta-analyses as diamonds."""
    title = f"Effect sizes: {condition_label(condition)}"
    measures = [m for m in DISPLAY if m in set(effects["effect_measure"].astype(str))]
    if not measures:
        fig, ax = plt.subplots(figsize=(8, 1.6))
        _empty(ax, "No row of this selection reports a numeric effect.")
        fig.suptitle(title, fontweight="bold")
        return fig
    sort_cols = ["design_order", "year", "study_id", "followup_days"]
    panels = []
    for m in measures:
        rows = effects[effects["effect_measure"].astype(str) == m].copy()
        rows["design_order"] = (rows["design"].astype(str) == "meta_analysis").astype(int)
        rows = rows.sort_values(sort_cols, na_position="first")
        rows, hidden = _limit(rows, sort_cols)
        panels.append((m, rows, hidden))
    heights = [max(len(r), 1) * 0.36 + 1.5 for _, r, _ in panels]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, sum(heights) + 1.2), gridspec_kw={"height_ratios": heights}, squeeze=False
    )
    any_oriented = False
    verifs, meta = set(), False
    for ax, (m, rows, hidden) in zip(axes[:, 0], panels):
        spec = DISPLAY[m]
        y = np.arange(len(rows))[::-1]
        for yi, (_, r) in zip(y, rows.iterrows()):
            style = _marker_style(str(r["verification"]), str(r["design"]))
            if np.isfinite(r["lo"]) and np.isfinite(r["hi"]):
                ax.plot([r["lo"], r["hi"]], [yi, yi], color=style["color"], linewidth=1.6, zorder=2)
            ax.plot([r["est"]], [yi], zorder=3, **style)
            if r["verification"] == "not_found":
                ax.annotate(CLAIM_TAG, xy=(r["est"], yi), xytext=(8, 0), textcoords="offset points",
                            va="center", fontsize=8, color=VERIFICATION_COLOURS["not_found"], fontstyle="italic")
            verifs.add(str(r["verification"]))
            meta |= r["design"] == "meta_analysis"
            any_oriented |= bool(r["oriented"])
        ax.set_yticks(y)
        ax.set_yticklabels([row_label(r) for _, r in rows.iterrows()])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel(spec["label"])
        ax.grid(axis="y", visible=False)
        if spec["log"]:
            _log_axis(ax)
        if spec["null"] is not None:
            _null_line(ax, spec["null"])
            _pad_around(ax, rows, spec["null"], spec["log"])
            _favours(ax)
            ax.set_title(spec["label"].split(",")[0].replace(" (log scale)", ""), loc="left", fontsize=10, pad=16)
        else:
            ax.set_xlim(0, 100)
            ax.set_title("Single-arm results (no comparator: not a comparison)", loc="left", fontsize=10)
        if hidden:
            ax.text(1.0, -0.3, f"{hidden} less precise rows not drawn (see the full table)", transform=ax.transAxes,
                    ha="right", va="top", fontsize=8, fontstyle="italic")
    fig.suptitle(title, fontweight="bold", x=0.02, ha="left")
    handles = _legend_handles(verifs, meta)
    notes = []
    if any_oriented:
        notes.append("\u2020 outcome where higher is better: sign reversed so that left favours ketamine")
    if "indirect" in effects.columns and effects["indirect"].map(is_indirect).any():
        notes.append("\u2021 indirect evidence (around spine surgery, in children, cluster headache or a single test session)")
    fig.legend(handles=handles, loc="upper left", ncol=min(len(handles), 4), frameon=False, bbox_to_anchor=(0.01, 0.985 - 0.25 / fig.get_figheight()))
    if notes:
        fig.text(0.01, 0.004, "\n".join(notes), ha="left", va="bottom", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.75 / fig.get_figheight()))
    return fig


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
DIRECTION_ORDER = ["favours_comparator", "no_difference", "favours_ketamine", "not_reported"]


def direction_plot(rows: pd.DataFrame, condition: str) -> plt.Figure:
    """Rows that report only a direction: where each source says the result lies."""
    title = f"Reported direction without a number: {condition_label(condition)}"
    if rows.empty:
        fig, ax = plt.subplots(figsize=(8, 1.4))
        _empty(ax, "Every row of this selection reports a number.")
        fig.suptitle(title, fontweight="bold")
        return fig
    if len(rows) > MAX_ROWS_LISTED:
        return _direction_counts(rows, title)
    rows = rows.sort_values(["source", "year", "study_id", "followup_days"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, len(rows) * 0.36 + 1.8))
    y = np.arange(len(rows))[::-1]
    verifs = set()
    for yi, (_, r) in zip(y, rows.iterrows()):
        x = DIRECTION_ORDER.index(str(r["direction"]))
        style = _marker_style(str(r["verification"]), str(r["design"]))
        ax.plot([x], [yi], **style)
        if r["verification"] == "not_found":
            ax.annotate(CLAIM_TAG, xy=(x, yi), xytext=(9, 0), textcoords="offset points", va="center",
                        fontsize=8, color=VERIFICATION_COLOURS["not_found"], fontstyle="italic")
        verifs.add(str(r["verification"]))
    ax.set_yticks(y)
    many = rows["condition"].astype(str).nunique() > 1
    ax.set_yticklabels(
        [row_label(r) + (f" ({str(r['condition']).replace('_', ' ')})" if many else "") for _, r in rows.iterrows()]
    )
    ax.set_xticks(range(len(DIRECTION_ORDER)))
    ax.set_xticklabels(["favours\ncomparator", "no\ndifference", "favours\nketamine", "not\nreported"])
    ax.set_xlim(-0.5, len(DIRECTION_ORDER) + 0.6)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("Direction of the result as the source states it (no effect size reported)")
    ax.grid(axis="y", visible=False)
    ax.set_title(title, loc="left")
    ax.legend(handles=_legend_handles(verifs, False), loc="upper right", frameon=True, fontsize=8)
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
        ax.barh(range(len(counts)), counts[v], left=left, color="white" if claim else colour, edgecolor=colour,
                hatch="///" if claim else ("..." if v == "unverified" else None), label=VERIFICATION_LABELS[v])
        left += counts[v].to_numpy()
    ax.set_yticks(range(len(counts)))
    ax.set_yticklabels([d.replace("_", " ") for d in DIRECTION_ORDER])
    ax.invert_yaxis()
    ax.set_xlabel("Rows reporting only a direction (count)")
    ax.set_title(f"{title} ({len(rows)} rows, counted)", loc="left")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- follow-up
TIME_TICKS = [
    (1 / 1440 * 30, "30 min"),
    (1 / 24 * 2, "2 h"),
    (1.0, "1 day"),
    (7.0, "1 week"),
    (30.44, "1 month"),
    (91.3, "3 months"),
    (365.25, "1 year"),
]


def human_duration(days: float) -> str:
    """A duration in days as a person would say it (30 min, 2 h, 5 days, 6 weeks, 4 months, 1 year)."""
    if days is None or not np.isfinite(days):
        return "not stated"
    minutes = days * 1440
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = days * 24
    if hours < 36:
        return f"{hours:.0f} h"
    if days < 14:
        return f"{days:.0f} days"
    if days < 60:
        return f"{days / 7:.0f} weeks"
    if days < 365:
        return f"{days / 30.44:.0f} months"
    years = days / 365.25
    return f"{years:.0f} year" + ("s" if round(years) != 1 else "")


def followup_plot(studies: pd.DataFrame, condition: str) -> plt.Figure:
    """Every follow-up time point per study on a log time axis, grouped by condition; infusion length as a bar."""
    title = f"Follow-up time points: {condition_label(condition)}"
    d = studies[studies["followup_days"].notna() | studies["infusion_days"].notna()].copy()
    if d.empty:
        fig, ax = plt.subplots(figsize=(8, 1.4))
        _empty(ax, "No row of this selection states a follow-up time or an infusion length.")
        fig.suptitle(title, fontweight="bold")
        return fig
    if d.drop_duplicates(["condition", "study_id"]).shape[0] > MAX_ROWS_LISTED:
        return _followup_distribution(d, title)
    d["label"] = [_short_name(c, y) for c, y in zip(d["citation"], d["year"])]
    order = (
        d.drop_duplicates(["condition", "study_id"])
        .sort_values(["condition", "source", "year", "study_id"])[["condition", "study_id", "label", "verification", "design"]]
    )
    conditions = [c for c in order["condition"].cat.categories if c in set(order["condition"])] if hasattr(order["condition"], "cat") else sorted(set(order["condition"]))
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
            ax.barh(-pos, float(inf.iloc[0]), left=0, height=0.34, color=OKABE_ITO["grey"], alpha=0.55, zorder=1)
            drew_infusion = True
        times = rows["followup_days"].dropna().unique()
        for t in sorted(times):
            style = _marker_style(str(first["verification"]), str(first["design"]))
            ax.plot([t], [-pos], zorder=3, **style)
        if len(times) > 1:
            ax.plot([min(times), max(times)], [-pos, -pos], color=colour, linewidth=1.0, zorder=2)
        if first["verification"] == "not_found":
            at = max(times) if len(times) else (float(inf.iloc[0]) if not inf.empty else None)
            if at is not None:
                ax.annotate(CLAIM_TAG, xy=(at, -pos), xytext=(9, 0), textcoords="offset points", va="center",
                            fontsize=8, color=VERIFICATION_COLOURS["not_found"], fontstyle="italic")
        verifs.add(str(first["verification"]))
    ax.set_xscale("log")
    ax.set_xlim(0.01, 1500)
    ax.xaxis.set_major_locator(FixedLocator([t for t, _ in TIME_TICKS]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: dict(TIME_TICKS).get(x, "")))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks([-p for p in positions.values()])
    ax.set_yticklabels(ylabels)
    for cond, header, end in group_spans:
        ax.annotate(cond.replace("_", " ").capitalize(), xy=(0.005, -header), xycoords=("axes fraction", "data"),
                    va="center", ha="left", fontsize=9.5, fontweight="bold")
        if header:
            ax.axhline(-(header - 0.5), color=OKABE_ITO["grey"], linewidth=0.6)
    ax.set_ylim(-(y - 0.4), 0.6)
    ax.set_xlabel("Time since ketamine was started (log scale)")
    ax.grid(axis="y", visible=False)
    ax.set_title(title, loc="left")
    handles = _legend_handles(verifs, False)
    if drew_infusion:
        handles.append(Patch(facecolor=OKABE_ITO["grey"], alpha=0.55, label="ketamine infusion (length)"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.04), ncol=len(handles), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _hatch_by_colour(ax) -> None:
    """Give the bars drawn in a verification colour that status's hatch (VERIFICATION_HATCHES)."""
    from matplotlib.colors import to_rgba

    wanted = {to_rgba(VERIFICATION_COLOURS[v]): hatch for v, hatch in VERIFICATION_HATCHES.items()}
    for patch in ax.patches:
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
            sns.histplot(data=fu, x="followup_days", hue="verification", hue_order=[v for v in VERIFICATION_COLOURS if v in set(fu["verification"])],
                         palette=VERIFICATION_COLOURS, log_scale=True, bins=40, binrange=(-2.0, np.log10(1500)),
                         multiple="stack", ax=ax, legend=False, edgecolor="white")
            _hatch_by_colour(ax)  # unverified bars also carry a hatch: colour is never the only cue
        else:
            ax.set_xscale("log")
        if not claims.empty:  # the article's claims: hollow and hatched, never mistaken for evidence
            ax.hist(claims["followup_days"], bins=bins, facecolor="white", edgecolor=VERIFICATION_COLOURS["not_found"],
                    hatch="///", linewidth=1.0)
        inf = sub["infusion_days"].dropna()
        if not inf.empty:
            ax.hist(inf, bins=bins, histtype="step", color=OKABE_ITO["black"], linewidth=1.2, linestyle="--")
        ax.set_ylabel("rows")
        ax.set_title(cond.replace("_", " ").capitalize(), loc="left", fontsize=10)
    ax = axes[-1, 0]
    ax.set_xlim(0.01, 1500)
    ax.xaxis.set_major_locator(FixedLocator([t for t, _ in TIME_TICKS]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: dict(TIME_TICKS).get(x, "")))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Time since ketamine was started (log scale)")
    present = set(d["verification"].astype(str))
    handles = [Patch(facecolor=VERIFICATION_COLOURS[v], edgecolor="white", hatch=VERIFICATION_HATCHES.get(v, ""),
                     label=VERIFICATION_LABELS[v]) for v in ("verified", "unverified") if v in present]
    if "not_found" in present:
        handles.append(Patch(facecolor="white", edgecolor=VERIFICATION_COLOURS["not_found"], hatch="///", label=VERIFICATION_LABELS["not_found"]))
    handles.append(Line2D([], [], color=OKABE_ITO["black"], linestyle="--", label="ketamine infusion length"))
    fig.legend(handles=handles, loc="upper right", fontsize=8, frameon=False)
    fig.suptitle(f"{title} ({d['study_id'].nunique()} studies: distribution of time points)", x=0.01, ha="left", fontweight="bold")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    return fig


# ---------------------------------------------------------------- forest
def forest_plot(group, measure_label: str | None = None) -> plt.Figure:
    """metafor-style forest plot of one pooled group (see :mod:`helpers.stats.pooling`)."""
    fit = group.fits[0]
    used = group.used.assign(_w=fit.weights)
    hidden = max(0, len(used) - MAX_ROWS_PER_PANEL)
    if hidden:
        used = used.nlargest(MAX_ROWS_PER_PANEL, "_w")
    used = used.sort_values(["year", "study_id"]).reset_index(drop=True)
    knha = next((f for f in group.fits if f.test == "knha"), None)
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
        ax.text(0.0, -0.12, f"{hidden} smaller studies not drawn; the pooled estimate uses all {fit.k}.",
                transform=ax.transAxes, fontsize=8, fontstyle="italic", va="top")
    for y, (_, r), w in zip(ys, used.iterrows(), weights):
        lo, hi = r["yi"] - 1.959963984540054 * r["se"], r["yi"] + 1.959963984540054 * r["se"]
        ax.plot(back([lo, hi]), [y, y], color=OKABE_ITO["black"], linewidth=1.2, zorder=2)
        size = 40 + 400 * w / 100
        ax.scatter(back([r["yi"]]), [y], marker="s", s=size, color=VERIFICATION_COLOURS.get(str(r["verification"]), "k"), zorder=3)
    # pooled diamond and prediction interval
    est, lo, hi = back([fit.estimate, fit.ci_lower, fit.ci_upper])
    pil, piu = back([fit.pi_lower, fit.pi_upper])
    ax.add_patch(Polygon([[lo, 0.8], [est, 1.1], [hi, 0.8], [est, 0.5]], closed=True, color=OKABE_ITO["black"], zorder=3))
    ax.plot([pil, piu], [0.2, 0.2], color=OKABE_ITO["black"], linewidth=1.0, zorder=2)
    for x in (pil, piu):
        ax.plot([x, x], [0.1, 0.3], color=OKABE_ITO["black"], linewidth=1.0)
    null = spec["null"]
    _null_line(ax, null)
    if spec["log"]:
        _log_axis(ax)
    labels = [f"{_short_name(r['citation'], r['year'])}" for _, r in used.iterrows()]
    ax.set_yticks(list(ys) + [0.8, 0.2])
    ax.set_yticklabels(labels + [f"RE model ({fit.method}), k = {k}", "95% prediction interval"])
    # text columns in their own axes, sharing the rows
    axt.set_xlim(0, 1)
    axt.axis("off")
    head_y = k + 2.2
    if used["n_ketamine"].isna().any() or used["n_control"].isna().any():
        axt.text(0.02, -0.25, "n/r: not reported", fontsize=7.5, va="center", color=".35")
    for x, text in ((0.02, "n (ket / comp)"), (0.32, "effect [95% CI]"), (0.82, "weight")):
        axt.text(x, head_y, text, fontsize=8.5, fontweight="bold", va="center")
    for y, (_, r), w in zip(ys, used.iterrows(), weights):
        e, l, h = back([r["yi"], r["yi"] - 1.959963984540054 * r["se"], r["yi"] + 1.959963984540054 * r["se"]])
        nk = "n/r" if pd.isna(r["n_ketamine"]) else int(r["n_ketamine"])
        nc = "n/r" if pd.isna(r["n_control"]) else int(r["n_control"])
        axt.text(0.02, y, f"{nk} / {nc}", va="center", fontsize=8.5)
        axt.text(0.32, y, f"{e:.2f} [{l:.2f}, {h:.2f}]", va="center", fontsize=8.5)
        axt.text(0.82, y, f"{w:.1f}%", va="center", fontsize=8.5)
    axt.text(0.32, 0.8, f"{est:.2f} [{lo:.2f}, {hi:.2f}]", va="center", fontsize=8.5, fontweight="bold")
    axt.text(0.32, 0.2, f"[{pil:.2f}, {piu:.2f}]", va="center", fontsize=8.5)
    ax.set_ylim(-0.3, k + 2.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(measure_label or spec["label"])
    _favours(ax)
    het = f"tau\u00b2 = {fit.tau2:.3g}, I\u00b2 = {fit.i2:.0f}%"
    if knha is not None:
        kl, kh = back([knha.ci_lower, knha.ci_upper])
        het += f"; Hartung-Knapp 95% CI [{kl:.2f}, {kh:.2f}]"
    fig.suptitle(
        f"{condition_label(group.key['condition']).capitalize()}: {measure.replace('_', ' ')}, "
        f"{group.key['comparator_class']} comparator, {group.key['timepoint'].replace('_', ' ')}\n{het}",
        x=0.01, ha="left", fontsize=10.5, fontweight="bold",
    )
    h = fig.get_figheight()
    fig.subplots_adjust(left=0.2, right=0.98, top=1 - 0.95 / h, bottom=0.6 / h)
    return fig
