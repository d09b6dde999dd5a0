"""The shipped table's reports, opened once per test process for the tests that only read them.

A report computes each section once (its findings, tables and sentences are cached on it), so tests that
read the same condition's report share one; a test that patches the package, or changes what a report
reads, opens its own with ``open_report``.
"""

from __future__ import annotations

from functools import cache

from helpers.report import open_report
from helpers.report.figures import style


def shipped_report(condition: str = "all"):
    """``open_report(condition)`` on the shipped table, the same object for every caller in this process."""
    style.apply_style()  # as open_report does: a test in between may have changed matplotlib's settings
    return _opened(condition)


@cache
def _opened(condition: str):
    return open_report(condition)
