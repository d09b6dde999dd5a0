"""The PRISMA 2020 flow in words, from :func:`helpers.data.prisma.prisma_counts`; the diagram is
:mod:`helpers.report.figures.prisma`. Every number is a count of rows."""

from __future__ import annotations

from ..data.prisma import PrismaCounts
from ..data.schema import load_schema
from .text import plural

SOURCE_LABELS = {
    "evidence_brief": "the project's starting list of studies",
    "literature_pages": "a store of abstracts and open full texts from PubMed, PMC, publishers and registries",
    "literature_docs": "documentation and trial-registry pages",
    "literature_issues": "discussion threads",
    "reference_list": "reference lists of reviews and trials",
}


def source_line(c: PrismaCounts, source: str, n: int) -> str:
    """'a store of abstracts ... (searched 2026-11-25 to 2026-12-01): 320'."""
    dates = c.source_dates.get(source)
    when = (
        ""
        if not dates
        else (f" (searched {dates[0]})" if dates[0] == dates[1] else f" (searched {dates[0]} to {dates[1]})")
    )
    return f"{SOURCE_LABELS.get(source, source)}{when}: {n}"


def citation_check_line(c: PrismaCounts) -> str | None:
    checks = c.searches_by_purpose.get("citation_check", 0)
    if not c.article_citations:
        return None
    return (
        f"the source article's {plural(c.article_citations, 'citation')}, checked in {plural(checks, 'look-up')}: "
        f"{c.article_citations_located} located"
    )


def reason_label(reason: str) -> str:
    """A screening reason in plain words (its label in the schema)."""
    return load_schema("screening")["reason"].label(reason)


#: designs grouped for the 'included' box: its words -> the schema's class of designs (data.vocabulary.designs)
DESIGN_GROUPS = {
    "randomized trials": "randomized",
    "non-randomized studies": "non_randomized",
    "reviews and meta-analyses (context)": "review",
}


def count_lines(counts: dict[str, int], label) -> list[str]:
    return [f"{label(k)}: {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def flow_text(c: PrismaCounts) -> str:
    """The flow in one paragraph of Markdown (for screen readers and for the report's prose)."""
    src = ", ".join(source_line(c, k, n) for k, n in sorted(c.identified_by_source.items(), key=lambda kv: -kv[1]))
    text = (
        f"{plural(c.searches, 'search', 'searches')} found {plural(c.identified, 'record')} ({src}). "
        f"After removing {plural(c.duplicates, 'duplicate')}, {c.screened} were screened and "
        f"{c.excluded_screening_total} set aside on their title; {c.assessed} were read in full or as an abstract, "
        f"{c.excluded_assessment_total} of them excluded, {c.awaiting_total} left awaiting classification (in "
        f"scope, but a fact needed to include them could not be checked), and "
        f"**{plural(c.included, 'study', 'studies')}** {'was' if c.included == 1 else 'were'} included"
    )
    if c.included_here is not None:
        text += f" ({c.included_here} of them about this report's condition)"
    if c.pooled_studies is not None:
        text += f", {c.pooled_studies} of which {'enters' if c.pooled_studies == 1 else 'enter'} a pooled estimate"
    text += "."
    if c.article_citations:
        located = "none was" if not c.article_citations_located else f"{c.article_citations_located} were"
        text += (
            f" Apart from the search, the source article's {plural(c.article_citations, 'citation')} were looked up one "
            f"by one ({plural(c.searches_by_purpose.get('citation_check', 0), 'look-up')}): {located} located."
        )
    if c.full_texts_sought:
        text += (
            f" Full texts (methods or results, not only an abstract) were sought for "
            f"{plural(c.full_texts_sought, 'study', 'studies')} and reached for {c.full_texts_reached}."
        )
    if c.unresolved_lookups:
        text += (
            f" {plural(c.unresolved_lookups, 'look-up')} for an identifier or a cited paper "
            f"could not be resolved; each is recorded in the search log as unresolved."
        )
    return text
