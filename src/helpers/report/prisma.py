"""The PRISMA 2020 flow diagram and its prose, drawn from :func:`helpers.data.prisma.prisma_counts`.

Layout of PRISMA 2020's diagram for new reviews: identification, screening
and inclusion run down the left; what was removed at each step sits on the
right, with its reasons counted. Every number is a count of rows.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from ..data.prisma import PrismaCounts
from ..data.schema import load_schema
from .plots import OKABE_ITO
from .text import plural

SOURCE_LABELS = {
    "evidence_brief": "starting list (evidence brief)",
    "literature_pages": "literature pages searched",
    "literature_docs": "documentation and registry pages",
    "literature_issues": "discussion threads",
    "reference_list": "reference lists of reviews and trials",
}


def reason_label(reason: str) -> str:
    """A screening reason in plain words (its label in the schema)."""
    return load_schema("screening")["reason"].label(reason)


#: designs grouped for the 'included' box
DESIGN_GROUPS = {
    "randomized trials": ("rct", "crossover_rct"),
    "non-randomized studies": ("crossover", "controlled_cohort", "single_arm_trial", "case_series", "not_reported"),
    "reviews and meta-analyses (context)": ("meta_analysis", "systematic_review", "review"),
}




def _lines(counts: dict[str, int], label) -> list[str]:
    return [f"{label(k)}: {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _box(ax, x, y, w, h, title: str, body: list[str], colour: str) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.005,rounding_size=0.01",
                                linewidth=1.2, edgecolor=colour, facecolor="white"))
    ax.text(x + 0.012, y + h - 0.012, title, ha="left", va="top", fontsize=9.5, fontweight="bold", wrap=True)
    if body:
        ax.text(x + 0.012, y + h - 0.05, "\n".join(body), ha="left", va="top", fontsize=8.2, linespacing=1.35)


def _arrow(ax, x0, y0, x1, y1) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle="-|>", color=".3", lw=1.1))


def flow_diagram(c: PrismaCounts) -> plt.Figure:
    """PRISMA 2020 flow diagram (identification, screening, included) from the counts."""
    fig = plt.figure(figsize=(9.6, 8.4))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    blue, grey = OKABE_ITO["blue"], OKABE_ITO["grey"]
    lx, lw, rx, rw = 0.08, 0.42, 0.56, 0.41
    # stage labels down the left edge
    for label, y0, y1 in (("Identification", 0.74, 0.95), ("Screening", 0.27, 0.72), ("Included", 0.03, 0.25)):
        ax.add_patch(FancyBboxPatch((0.01, y0), 0.045, y1 - y0, boxstyle="round,pad=0.003", facecolor="#d6e6f2",
                                    edgecolor="none"))
        ax.text(0.0325, (y0 + y1) / 2, label, rotation=90, ha="center", va="center", fontsize=9.5, fontweight="bold")
    src = _lines(c.identified_by_source, lambda k: SOURCE_LABELS.get(k, k))
    _box(ax, lx, 0.76, lw, 0.19, f"Records identified (n = {c.identified})",
         src + [f"from {plural(c.searches, 'search', 'searches')}"], blue)
    _box(ax, rx, 0.80, rw, 0.11, f"Duplicate records removed (n = {c.duplicates})",
         ["the same record found again, or another", "report of a study already included"], grey)
    _box(ax, lx, 0.56, lw, 0.13, f"Records screened (n = {c.screened})",
         ["title and search result read"], blue)
    ex1 = _lines(c.excluded_screening, reason_label)
    _box(ax, rx, 0.50, rw, 0.22, f"Records excluded (n = {c.excluded_screening_total})", ex1[:8], grey)
    _box(ax, lx, 0.29, lw, 0.15, f"Records assessed for eligibility (n = {c.assessed})",
         ["abstract page or full text read"], blue)
    ex2 = _lines(c.excluded_assessment, reason_label)
    _box(ax, rx, 0.27, rw, 0.19, f"Records excluded after reading (n = {c.excluded_assessment_total})", ex2[:7], grey)
    grouped = {g: sum(c.included_by_design.get(d, 0) for d in ds) for g, ds in DESIGN_GROUPS.items()}
    design = [f"{g}: {n}" for g, n in grouped.items() if n]
    extra = [] if c.pooled_studies is None else [f"in a pooled estimate: {c.pooled_studies}"]
    _box(ax, lx, 0.03, lw, 0.22, f"Studies included (n = {c.included})", design[:7] + extra, blue)
    cx = lx + lw / 2
    _arrow(ax, cx, 0.76, cx, 0.69)
    _arrow(ax, cx, 0.56, cx, 0.44)
    _arrow(ax, cx, 0.29, cx, 0.25)
    _arrow(ax, lx + lw, 0.855, rx, 0.855)
    _arrow(ax, lx + lw, 0.625, rx, 0.625)
    _arrow(ax, lx + lw, 0.365, rx, 0.365)
    fig.suptitle("PRISMA 2020 flow of the search for ketamine studies (all conditions)", y=0.995, fontsize=11)
    return fig


def flow_text(c: PrismaCounts) -> str:
    """The flow in one paragraph of Markdown (for screen readers and for the report's prose)."""
    src = ", ".join(_lines(c.identified_by_source, lambda k: SOURCE_LABELS.get(k, k)))
    text = (
        f"{plural(c.searches, 'search', 'searches')} found {plural(c.identified, 'record')} ({src}). "
        f"After removing {plural(c.duplicates, 'duplicate')}, {c.screened} were screened and "
        f"{c.excluded_screening_total} set aside on their title; {c.assessed} were read in full or as an abstract, "
        f"{c.excluded_assessment_total} of them excluded, and **{plural(c.included, 'study', 'studies')}** "
        f"{'was' if c.included == 1 else 'were'} included"
    )
    if c.pooled_studies is not None:
        text += f", {c.pooled_studies} of which {'enters' if c.pooled_studies == 1 else 'enter'} a pooled estimate"
    text += "."
    if c.unresolved_lookups:
        text += (f" {plural(c.unresolved_lookups, 'look-up')} for an identifier or a cited paper "
                 f"could not be resolved; each is recorded in the search log as unresolved.")
    return text
