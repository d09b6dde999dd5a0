"""Each report's one-line summary: the headline of the section its notebook opens with, from the findings.

The notebook shows the headline in its cell tagged ``summary``; the index (:mod:`helpers.site.index`) lists
its first sentence (a section's first fact, :func:`helpers.report.text.headline_markdown`) as plain text, computed here in the build's own process, never read back from a rendered
page. A notebook named nowhere here has no summary.
"""

from __future__ import annotations

from pathlib import Path

from .text import plain_text

#: the section whose ``headline()`` summarizes each report, by notebook stem
SUMMARY_SECTIONS = {
    "00_bottom_line": "appraisal",
    "01_evidence_overview": "overview",
    "02_effect_sizes": "effect_sizes",
    "03_followup": "followup",
    "04_adverse_events": "harms",
}


def summary(report, notebook: str | Path) -> str:
    """The report's one-line summary as plain text (no markup), or "" for a notebook without one."""
    section = SUMMARY_SECTIONS.get(Path(notebook).stem)
    if section is None:
        return ""
    shown = getattr(report, section)
    facts = shown.headline_facts()  # the first fact of the headline: one short sentence on the index
    if facts is None:
        return plain_text(shown.headline().data)
    label, (lead, *_) = facts
    return plain_text(f"{label}: {lead}" + ("" if lead.endswith((".", "?", "!")) else "."))
