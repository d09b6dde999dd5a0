"""Codes of the data in plain words: prose and tables never show a raw code.

The words for a column's values come from the schema (``enumLabels``), so the
data dictionary and the reports agree; this module only combines them.
"""
from __future__ import annotations

from ..data.schema import load_schema
from ..stats.pooling import against, group_label  # noqa: F401  (re-exported for the report modules)


def word(column: str, value, table: str = "studies") -> str:
    """One value of a column in plain words (``word("comparator_class", "active")`` -> "active drugs")."""
    return load_schema(table)[column].label(value)


__all__ = ["word", "against", "group_label"]
