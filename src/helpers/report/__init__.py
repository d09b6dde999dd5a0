"""Report layer: what the notebooks call (``open_report``), figures, prose and HTML helpers.

``from helpers.report import open_report`` is the notebooks' entry point; it is
imported lazily so that light modules (``helpers.report.html``) stay light.
"""

__all__ = ["lab_tables", "open_report"]


def __getattr__(name):
    if name == "lab_tables":
        from .html import lab_tables

        return lab_tables
    if name == "open_report":
        from .context import open_report

        return open_report
    raise AttributeError(name)
