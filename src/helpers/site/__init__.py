"""Site layer: what the build assembles around the reports, never called from a notebook.

The index page (one answer per condition, every report with its one-line summary), the colophon and the
frame of each page, the citation files, the published CSV tables and data files, and what changed since the
last version. It reads the findings and the report layer's wording in this process (each report's summary
too: :func:`helpers.report.headlines.summary`), never a rendered notebook; the report layer never imports it.
"""
