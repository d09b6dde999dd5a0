"""What a build publishes beside the reports that depends on the data alone, and each report's summary.

The build writes these in a thread while the kernels run, and records them in
its state, so that a rebuild of prose only takes them as they are. Each
report's one-line summary is computed here, in this process, from the findings
(:func:`helpers.report.headlines.summary`): never read back from a rendered page.
"""

from __future__ import annotations

from pathlib import Path

from ..report.bottom_line import index_answers, index_harms
from .citations import write_citations
from .tables import write_condition_tables, write_data_tables, write_tables


def report_summaries(ds, jobs) -> dict[str, str]:
    """Each report's one-line summary in plain text, by published name (``job.name``), for the reports
    ``jobs`` (each with its notebook and :class:`helpers.report.params.ReportParams`)."""
    from ..report.context import report_for  # the report sections: only when a build writes its site
    from ..report.headlines import summary

    opened: dict = {}
    out = {}
    for job in jobs:
        if job.params not in opened:  # one report per condition serves all its notebooks
            opened[job.params] = report_for(job.params, ds)
        out[job.name] = summary(opened[job.params], job.notebook)
    return out


def write_data_outputs(ds, folder: Path, jobs, shown) -> dict:
    """Write into ``folder`` what depends on the data only: the data the reports read (``data/``), the
    machine-readable tables (``tables/``), each condition's rows and the citation files (whole table and each
    condition of ``jobs``); return the index's answers and the summaries of the reports ``shown`` on it.

    ``jobs`` are the reports this build makes: one study table, evidence filter and subgroup column.
    """
    params = jobs[0].params
    conditions = sorted({j.params.condition for j in jobs})
    studies = ds.studies
    write_data_tables(ds, Path(params.data_path), folder / "data")
    write_tables(studies, folder / "tables", params.subgroup or None)
    write_condition_tables(studies, folder, conditions, params.evidence)
    write_citations(studies, folder, conditions, params.evidence, params.data_path)
    return {
        "answers": [list(a) for a in index_answers(ds)],
        "harms": index_harms(ds) or "",
        "summaries": report_summaries(ds, shown),
    }
