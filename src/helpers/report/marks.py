"""Facts marked where they are shown: ``<data value=... data-study=... data-field=...>``.

Every number a report states about a study or a Summary of Findings line goes
through :func:`mark`, so a test can read the marks of every built page, compare
them with each other and with the study table, and find a number beside a
study's name that came by another path (tests/report/test_consistency.py).
"""

from __future__ import annotations

import math

from .html import esc
from .numbers import plain

#: the fields a mark may name (the consistency test knows each)
STUDY_FIELDS = (
    "n",
    "effect",
    "lower",
    "upper",
    "events_ketamine",
    "events_control",
    "n_ketamine",
    "n_control",
    "risk_ketamine",  # per 1,000, with the comparator, and their difference with its interval
    "risk_control",
    "risk_difference",
    "risk_difference_lower",
    "risk_difference_upper",
)
LINE_FIELDS = ("participants", "studies", "certainty", "risk_comparator", "risk_ketamine", "estimate")


def value_text(value) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return repr(round(value, 6))
    return str(value)


def mark(
    text: str, value, field: str, study: str | None = None, key: str | None = None, line: int | None = None
) -> str:
    """``text`` (already HTML) marked with the fact it shows: the study (or the certainty line), the field,
    ``key`` (outcome@follow-up days, for a result) and the exact value."""
    attrs = [f'value="{esc(value_text(value))}"', f'data-field="{esc(field)}"']
    if study is not None:
        attrs.append(f'data-study="{esc(study)}"')
    if key is not None:
        attrs.append(f'data-key="{esc(key)}"')
    if line is not None:
        attrs.append(f'data-line="{line}"')
    return f"<data {' '.join(attrs)}>{text}</data>"


def result_key(outcome: str, followup_days) -> str:
    days = (
        ""
        if followup_days is None or (isinstance(followup_days, float) and math.isnan(followup_days))
        else plain(followup_days)
    )
    return f"{outcome}@{days}"
