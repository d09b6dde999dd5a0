"""The PRISMA 2020 flow diagram, drawn from :func:`helpers.data.prisma.prisma_counts`.

Layout of PRISMA 2020's diagram for new reviews: identification, screening
and inclusion run down the left; what was removed at each step sits on the
right, with its reasons counted.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from ...data.prisma import PrismaCounts
from ...data.vocabulary import designs
from ..prisma import DESIGN_GROUPS, citation_check_line, count_lines, reason_label, source_line
from ..text import plural
from .style import HEADING_PT, OKABE_ITO, TEXT_PT

WIDTH_IN, HEIGHT_IN = 10.6, 9.4


def _chars(w: float) -> int:
    """How many characters of body text fit on a line of a box ``w`` of the figure wide (DejaVu Sans averages
    about 0.6 em a character)."""
    return int((w - 0.024) * WIDTH_IN * 72 / (TEXT_PT * 0.6))


def _box(ax, x, y, w, h, title: str, body: list[str], colour: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.005,rounding_size=0.01",
            linewidth=1.2,
            edgecolor=colour,
            facecolor="white",
        )
    )
    ax.text(x + 0.012, y + h - 0.012, title, ha="left", va="top", fontsize=TEXT_PT, fontweight="bold", wrap=True)
    if body:
        ax.text(x + 0.012, y + h - 0.05, "\n".join(body), ha="left", va="top", fontsize=TEXT_PT, linespacing=1.35)


def _arrow(ax, x0, y0, x1, y1) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle="-|>", color=".3", lw=1.1))


def flow_diagram(c: PrismaCounts, label: str = "all conditions") -> plt.Figure:
    """PRISMA 2020 flow diagram (identification, screening, included) from the counts."""
    fig = plt.figure(figsize=(WIDTH_IN, HEIGHT_IN))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    blue, grey = OKABE_ITO["blue"], OKABE_ITO["grey"]
    lx, lw, rx, rw = 0.08, 0.42, 0.56, 0.41
    # stage labels down the left edge
    for stage, y0, y1 in (("Identification", 0.74, 0.95), ("Screening", 0.27, 0.72), ("Included", 0.03, 0.25)):
        ax.add_patch(
            FancyBboxPatch(
                (0.01, y0), 0.045, y1 - y0, boxstyle="round,pad=0.003", facecolor="#d6e6f2", edgecolor="none"
            )
        )
        ax.text(
            0.0325, (y0 + y1) / 2, stage, rotation=90, ha="center", va="center", fontsize=TEXT_PT, fontweight="bold"
        )
    src = [
        textwrap.fill(source_line(c, k, n), _chars(lw), subsequent_indent="  ")
        for k, n in sorted(c.identified_by_source.items(), key=lambda kv: -kv[1])
    ]
    _box(
        ax,
        lx,
        0.76,
        lw,
        0.19,
        f"Records identified (n = {c.identified})",
        src + [f"from {plural(c.searches, 'search', 'searches')}"],
        blue,
    )
    _box(
        ax,
        rx,
        0.75,
        rw,
        0.1,
        f"Duplicate records removed (n = {c.duplicates})",
        ["the same record found again, or another", "report of a study already included"],
        grey,
    )
    checked = citation_check_line(c)
    if checked:  # PRISMA 2020's branch for other methods: the article's own citations, looked up one by one
        _box(ax, rx, 0.865, rw, 0.1, "Citation checks (other methods)", [textwrap.fill(checked, _chars(rw))], grey)
    _box(ax, lx, 0.56, lw, 0.13, f"Records screened (n = {c.screened})", ["title and search result read"], blue)
    ex1 = count_lines(c.excluded_screening, reason_label)
    _box(ax, rx, 0.50, rw, 0.22, f"Records excluded (n = {c.excluded_screening_total})", ex1[:8], grey)
    _box(
        ax,
        lx,
        0.29,
        lw,
        0.15,
        f"Records assessed for eligibility (n = {c.assessed})",
        ["abstract page or full text read"],
        blue,
    )
    ex2 = count_lines(c.excluded_assessment, reason_label)
    _box(ax, rx, 0.31, rw, 0.17, f"Records excluded after reading (n = {c.excluded_assessment_total})", ex2[:6], grey)
    waiting = count_lines(c.awaiting, reason_label)
    _box(ax, rx, 0.09, rw, 0.18, f"Studies awaiting classification (n = {c.awaiting_total})", waiting[:5], grey)
    grouped = {g: sum(c.included_by_design.get(d, 0) for d in designs(kind)) for g, kind in DESIGN_GROUPS.items()}
    design = [f"{g}: {n}" for g, n in grouped.items() if n]
    extra = [] if c.pooled_studies is None else [f"in a pooled estimate: {c.pooled_studies}"]
    if c.included_here is not None:
        extra.insert(0, f"about {label}: {c.included_here}")
    _box(ax, lx, 0.03, lw, 0.22, f"Studies included (n = {c.included})", design[:7] + extra, blue)
    cx = lx + lw / 2
    _arrow(ax, cx, 0.76, cx, 0.69)
    _arrow(ax, cx, 0.56, cx, 0.44)
    _arrow(ax, cx, 0.29, cx, 0.25)
    _arrow(ax, lx + lw, 0.8, rx, 0.8)
    _arrow(ax, lx + lw, 0.625, rx, 0.625)
    _arrow(ax, lx + lw, 0.39, rx, 0.39)
    _arrow(ax, lx + lw, 0.31, rx, 0.18)
    fig.suptitle(f"PRISMA 2020 flow of the search for ketamine studies (report: {label})", y=0.995, fontsize=HEADING_PT)
    return fig
