"""The house style of every figure: palette, markers, axes and the conventions they share.

- Okabe-Ito colours (safe for colour-blind readers), one per verification
  status, never alone: verified markers are filled, not-yet-verified ones
  half filled, and the source article's claims are drawn **hollow** and labelled
  "article claim, not located", so they can never be mistaken for evidence.
- Published meta-analysis estimates are diamonds.
- Comparative effects are oriented so that the left of the null line favours
  ketamine, and the axis says so.
- Titles name the condition; axes carry units.
- Text is text: no figure uses mathtext or LaTeX, so both are off and a
  ``$`` from the data (a citation ``$\\macro$, et al.``) is a dollar sign,
  never a formula matplotlib would try (and fail) to parse.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, NullFormatter

from ...data.vocabulary import designs
from ..numbers import plain

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
#: Shown at 96 dpi (1 pt = 4/3 CSS px), figure text of 10.5 pt is the reports' 14-px body size, as long as the
#: figure is no wider than the report column at 1280 px (COLUMN_PX, measured by the browser test), or it shrinks.
BODY_PX = 14
SCREEN_DPI = 96
TEXT_PT = BODY_PX * 72 / SCREEN_DPI
HEADING_PT = 12
TITLE_PT = 13
COLUMN_PX = 1090


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
            "figure.dpi": SCREEN_DPI,
            "font.size": TEXT_PT,
            "savefig.dpi": SAVE_DPI,
            "axes.titleweight": "bold",
            "axes.titlesize": TITLE_PT,
            "axes.labelsize": TEXT_PT,
            "ytick.labelsize": TEXT_PT,
            "xtick.labelsize": TEXT_PT,
            "legend.fontsize": TEXT_PT,
            "legend.title_fontsize": TEXT_PT,
            # every label, tick, title and legend may hold text from the data: never parsed as a formula
            "text.parse_math": False,
            "text.usetex": False,
            "svg.hashsalt": "ketamine-evidence",
            "path.simplify": True,
        }
    )
    share_text_metrics()


#: rcParams that choose the font file and its hinting: a text's size depends on them as well as on its font
#: properties (matplotlib reads the family lists when it resolves "sans-serif")
FONT_RC = (
    "font.family",
    "font.serif",
    "font.sans-serif",
    "font.cursive",
    "font.fantasy",
    "font.monospace",
    "text.hinting",
    "text.hinting_factor",
    "text.kerning_factor",
)


def share_text_metrics() -> None:
    """Measure each text once per process instead of once per drawing.

    matplotlib keeps the sizes of texts per renderer, and a figure shown inline is measured by three: the
    layout pass, the pass that finds its tight box and the final one, at the cropped size (a new renderer).
    An Agg renderer's measure depends only on the text, its font properties, the font settings and the
    dpi, so the sizes are kept under those, for every Agg renderer of the process: the pixels are the same
    (a test compares them) and a report's figures take about a sixth less time. Formulas and any other
    renderer are measured as matplotlib does. Installed once; a matplotlib without this function is left
    as it is.
    """
    from functools import lru_cache

    from matplotlib import text as mtext
    from matplotlib.backends.backend_agg import RendererAgg

    original = getattr(mtext, "_get_text_metrics_with_cache", None)
    if original is None or getattr(original, "shared", False):
        return
    last: dict = {}

    @lru_cache(maxsize=8192)
    def measured(text, fontprop, dpi, fonts):
        return last["renderer"].get_text_width_height_descent(text, fontprop, ismath=False)

    def metrics(renderer, text, fontprop, ismath, dpi):
        if type(renderer) is not RendererAgg or ismath is not False or renderer.dpi != dpi:
            return original(renderer, text, fontprop, ismath, dpi)
        last["renderer"] = renderer  # measures a text the cache does not hold; let go at once (its buffer)
        try:
            return measured(text, fontprop.copy(), dpi, tuple(map(str, map(plt.rcParams.__getitem__, FONT_RC))))
        finally:
            last.clear()

    metrics.shared = True
    metrics.original = original
    mtext._get_text_metrics_with_cache = metrics


def save(fig: plt.Figure, name: str, figures_dir: str | Path | None) -> Path | None:
    """Write a 300-dpi PNG for manuscripts when a figures folder is given."""
    if not figures_dir:
        return None
    folder = Path(figures_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    fig.savefig(path, dpi=SAVE_DPI, bbox_inches="tight", metadata={"Software": None})
    return path


def is_indirect(value) -> bool:
    """True for a study flagged as indirect evidence (perioperative, children, cluster headache, test session...)."""
    return value is not None and not pd.isna(value) and str(value) not in ("", "none")


def marker_style(verification: str, design: str) -> dict:
    """A study's marker: its shape from its design (a published pooled estimate is a diamond), fill and colour
    from its verification."""
    return marker(verification, design in designs("pooled_estimate"))


def marker(verification: str, pooled: bool) -> dict:
    colour = VERIFICATION_COLOURS.get(verification, OKABE_ITO["grey"])
    claim = verification == "not_found"
    # fill as well as colour tells the status apart: full = verified, half = not yet verified, hollow = claim
    return {
        "marker": "D" if pooled else "o",
        "markersize": 9 if pooled else 7,
        "markeredgecolor": colour,
        "markerfacecolor": "white" if claim else colour,
        "fillstyle": "left" if verification == "unverified" else "full",
        "markerfacecoloralt": "white",
        "markeredgewidth": 1.8,
        "color": colour,
        "linestyle": "none",
    }


def legend_handles(verifications, meta: bool) -> list:
    handles = []
    for v in ("verified", "unverified", "not_found"):
        if v in verifications:
            style = marker(v, pooled=False)
            handles.append(Line2D([], [], label=VERIFICATION_LABELS[v], **style))
    if meta:
        handles.append(Line2D([], [], label="published meta-analysis", **marker("verified", pooled=True)))
    return handles


def favours(ax) -> None:
    """'favours ketamine' left and 'favours comparator' right, just above the plotting area."""
    ax.annotate(
        f"\u2190 {FAVOURS_KETAMINE}",
        xy=(0.0, 1.0),
        xycoords="axes fraction",
        xytext=(0, 2),  # in points, not a fraction of the axes: a tall panel would lift it into its title
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=TEXT_PT,
        color=OKABE_ITO["black"],
    )
    ax.annotate(
        f"{FAVOURS_COMPARATOR} \u2192",
        xy=(1.0, 1.0),
        xycoords="axes fraction",
        xytext=(0, 2),  # in points, not a fraction of the axes: a tall panel would lift it into its title
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=TEXT_PT,
        color=OKABE_ITO["black"],
    )


def claim_label(ax, x: float, y: float, offset: float = 9) -> None:
    """'article claim, not located' beside a point drawn for one of the source article's citations."""
    ax.annotate(
        CLAIM_TAG,
        xy=(x, y),
        xytext=(offset, 0),
        textcoords="offset points",
        va="center",
        fontsize=TEXT_PT,
        color=VERIFICATION_COLOURS["not_found"],
        fontstyle="italic",
    )


class NamedNull(Formatter):
    """The axis' own tick labels, with "no difference" under the null's: outside the plotting area, where no
    interval can cross the words (a minor tick would not do: matplotlib drops one that sits on a major tick)."""

    def __init__(self, base: Formatter, null: float):
        self.base, self.null = base, null

    def set_axis(self, axis):
        super().set_axis(axis)
        self.base.set_axis(axis)

    def set_locs(self, locs):
        self.base.set_locs(locs)

    def get_offset(self):
        return self.base.get_offset()

    def __call__(self, x, pos=None):
        text = self.base(x, pos)
        return f"{text}\nno difference" if np.isclose(x, self.null) else text


def null_line(ax, null: float) -> None:
    """The line of no effect, named under its tick. Called after the axis' scale and formatter are set."""
    ax.axvline(null, color=OKABE_ITO["black"], linewidth=1.0, linestyle="--", zorder=1)
    ax.xaxis.set_major_formatter(NamedNull(ax.xaxis.get_major_formatter(), null))


def masks_lines() -> dict:
    """A label written over a reference line (the null): an opaque ground above the line, so that the line stops
    at the words instead of striking through them."""
    return {"bbox": {"facecolor": "white", "edgecolor": "none", "pad": 1.5}, "zorder": 2.5}


def log_axis(ax) -> None:
    ax.set_xscale("log")
    ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: plain(x)))
    ax.xaxis.set_minor_formatter(NullFormatter())


#: figures that have nothing to show, with the sentence that says so (a report shows the sentence instead)
_NOTHING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def empty_panel(ax, text: str) -> None:
    """A figure with nothing to draw: the sentence on an empty axis (for a researcher calling the function), and
    registered, so that a report shows the sentence as text instead of a picture of it."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=TEXT_PT)
    ax.set_axis_off()
    _NOTHING[ax.figure] = text


def nothing_to_show(fig) -> str | None:
    """The sentence of a figure drawn by :func:`empty_panel`, else None."""
    return _NOTHING.get(fig)


def limit_rows(rows: pd.DataFrame, sort_cols: list[str]) -> tuple[pd.DataFrame, int]:
    """At most MAX_ROWS_PER_PANEL rows: the most precise first (smallest SE), then the rest by order."""
    if len(rows) <= MAX_ROWS_PER_PANEL:
        return rows, 0
    keep = rows.assign(_se=rows["se"].fillna(np.inf)).nsmallest(MAX_ROWS_PER_PANEL, "_se").drop(columns="_se")
    return keep.sort_values(sort_cols), len(rows) - len(keep)
