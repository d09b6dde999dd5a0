"""What a build publishes beside the reports that depends on the data alone, and each report's summary.

The build writes these in a thread while the kernels run, and records them in
its state, so that a rebuild of prose only takes them as they are. Each
report's one-line summary is computed here, in this process, from the findings
(:func:`helpers.report.headlines.summary`): never read back from a rendered page.
So is the index's "What changed since version X" (:mod:`helpers.site.changes`),
which depends on the data, the code and the git history the build key covers.
"""

from __future__ import annotations

from pathlib import Path
from threading import Event

from ..report.bottom_line import index_answers, index_harms
from .changes import changes_html, version_changes
from .citations import write_citations
from .feed import write_feed
from .freshness import FEED
from .tables import write_condition_tables, write_data_tables, write_tables


def report_summaries(ds, jobs, step=None) -> dict[str, str]:
    """Each report's one-line summary in plain text, by published name (``job.name``), for the reports
    ``jobs`` (each with its notebook and :class:`helpers.report.params.ReportParams`); ``step``, called before
    each report's (it raises when the build stops)."""
    from ..report.context import report_for  # the report sections: only when a build writes its site
    from ..report.headlines import summary

    opened: dict = {}
    out = {}
    for job in jobs:
        if step is not None:
            step()
        if job.params not in opened:  # one report per condition serves all its notebooks
            opened[job.params] = report_for(job.params, ds)
        out[job.name] = summary(opened[job.params], job.notebook)
    return out


class Stopped(Exception):
    """The build stopped (a signal, a write that failed) while this was being written: the rest is not."""


def write_data_outputs(ds, folder: Path, jobs, shown, stop: Event | None = None) -> dict:
    """Write into ``folder`` what depends on the data only: the data the reports read (``data/``), the
    machine-readable tables (``tables/``), the Atom feed, each condition's rows and the citation files (whole table and each
    condition of ``jobs``); return the index's answers, the summaries of the reports ``shown`` on it and its
    section on what changed since the previous version (HTML, "" when there is none).

    ``jobs`` are the reports this build makes: one study table, evidence filter and subgroup column. When
    ``stop`` is set (the build is being stopped and waits for this), :class:`Stopped` is raised at the next step.
    """

    def step() -> None:
        if stop is not None and stop.is_set():
            raise Stopped

    params = jobs[0].params
    conditions = sorted({j.params.condition for j in jobs})
    studies = ds.studies
    step()
    write_data_tables(ds, Path(params.data_path), folder / "data")
    write_tables(studies, folder / "tables", params.subgroup or None)
    write_condition_tables(studies, folder, conditions, params.evidence)
    step()
    write_citations(studies, folder, conditions, params.evidence, params.data_path)
    step()  # the index's answers and the bottom-line summaries read the same lines (computed once: line_findings)
    answers = index_answers(ds)
    harms = index_harms(ds) or ""
    summaries = report_summaries(ds, shown, step)
    step()
    changes = version_changes(params.data_path, answers=answers, harms=harms or None)
    write_feed(folder / FEED, changes)  # the releases and the answers that changed: data alone, like the tables
    html = changes_html(changes[0], changes[1]) if changes else ""
    return {"answers": [list(a) for a in answers], "harms": harms, "summaries": summaries, "changes": html}
