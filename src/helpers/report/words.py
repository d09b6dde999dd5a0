"""Codes of the data in plain words: prose and tables never show a raw code.

The words for a column's values come from the schema (``enumLabels``), so the
data dictionary and the reports agree; this module only combines them.
"""
from __future__ import annotations

from ..data.schema import load_schema
from ..stats.pooling import WINDOW_WORDS


def word(column: str, value, table: str = "studies") -> str:
    """One value of a column in plain words (``word("comparator_class", "active")`` -> "active drugs")."""
    return load_schema(table)[column].label(value)


def against(comparator_class: str) -> str:
    """'against placebo', 'against active drugs', 'without a comparator'."""
    if comparator_class == "none":
        return "without a comparator"
    if comparator_class == "not_reported":
        return "against a comparator that is not reported"
    return f"against {word('comparator_class', comparator_class)}"


def group_label(key: dict) -> str:
    """A pooling group in words: 'other headache: mean difference against active drugs, within a day'."""
    text = (f"{word('condition', key['condition'])}: {word('effect_measure', key['effect_measure'])} "
            f"{against(key['comparator_class'])}, {WINDOW_WORDS.get(key['timepoint'], key['timepoint'])}")
    if key.get("verification") and key["verification"] != "verified":
        text += f" ({word('verification', key['verification'])})"
    return text
