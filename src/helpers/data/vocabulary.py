"""The schemas' vocabulary: classes of codes and the words shown for them, read from one place.

Which designs are randomized, crossover, non-randomized, single-arm series or
reviews, which comparator drugs pool together, and the words a page shows for
a code (a design's nouns, a route's figure label, an outcome code spelt out)
are facts of the data, kept in the schemas (``enumLabels``, ``poolsAs``,
``classOf``, ``harmOutcomes`` and each field's ``x-helpers``). Code asks this
module for them and never lists codes itself (tests/env/test_architecture.py
fails on a literal list of design codes anywhere else).

Everything here is derived from :func:`helpers.data.schema.load_schema`'s
cached schemas and recomputed when they are reloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .schema import EXTENSION, load_schema

_MEMO: dict[tuple, tuple[object, Any]] = {}


def derived(table: str, key: str, build: Callable[[], Any]) -> Any:
    """``build()``, computed once per loaded schema of ``table`` (a reloaded schema computes it again)."""
    schema = load_schema(table)
    hit = _MEMO.get((table, key))
    if hit is None or hit[0] is not schema:
        hit = _MEMO[(table, key)] = (schema, build())
    return hit[1]


def field_raw(column: str, table: str = "studies") -> dict:
    """A field of a schema as written, with the keys this package adds (``enumLabels``, ``poolsAs``, ...)."""
    return derived(
        table, f"field:{column}", lambda: next(f for f in load_schema(table).raw["fields"] if f["name"] == column)
    )


def extension(column: str, table: str = "studies") -> dict:
    """A field's ``x-helpers`` key: what the project says of it beyond Table Schema."""
    return field_raw(column, table).get(EXTENSION, {})


# ------------------------------------------------------------------ words for codes
def word(column: str, value, table: str = "studies") -> str:
    """One value of a column in plain words (``word("comparator_class", "active")`` -> "active drugs")."""
    return load_schema(table)[column].label(value)


def figure_label(column: str, value, table: str = "studies") -> str:
    """A value in the few words a figure's label has room for (``figureLabels``), else its code spelt out."""
    value = str(value)
    return extension(column, table).get("figureLabels", {}).get(value, value.replace("_", " "))


# ------------------------------------------------------------------ designs
def designs(kind: str) -> tuple[str, ...]:
    """The design codes of a class (randomized, crossover, non_randomized, single_arm, review,
    pooled_estimate), in the schema's order."""
    return derived("studies", f"designs:{kind}", lambda: _design_class(kind))


def _design_class(kind: str) -> tuple[str, ...]:
    classes = extension("design").get("classes", {})
    if kind not in classes:
        raise KeyError(f"no design class {kind!r} in data/schema.json (it has {', '.join(classes)})")
    members = set(classes[kind])
    return tuple(d for d in load_schema().enum("design") if d in members)


def design_noun(design: str, n: int) -> str:
    """A design as a noun for ``n`` studies: 'randomized trial', 'randomized trials'."""
    one, many = extension("design").get("nouns", {}).get(str(design), ("study", "studies"))
    return one if n == 1 else many


# ------------------------------------------------------------------ comparators
def comparator_classes(kind: str) -> tuple[str, ...]:
    """The comparator classes of a kind (``controlled``: those with a control group)."""
    return tuple(extension("comparator_class")["classes"][kind])


def pools_as() -> dict[str, str]:
    """comparator_drug -> the group it is compared and pooled in (placebos of every kind together)."""
    return field_raw("comparator_drug").get("poolsAs", {})


def class_of() -> dict[str, str]:
    """comparator_drug -> the comparator_class it belongs to."""
    return field_raw("comparator_drug").get("classOf", {})


def comparator_words(group: str) -> str:
    """A comparator group in words: 'placebo', 'prochlorperazine', 'a lower dose of ketamine'.

    A group is a comparator_drug code as its schema pools it (data.lines.comparator_group), or a
    comparator_class (placebo, for the pooled placebos) where a table gives no drug."""
    drug = load_schema()["comparator_drug"]
    if group in (drug.enum or ()):
        return drug.label(group)
    return word("comparator_class", group)


# ------------------------------------------------------------------ outcomes
def harm_outcomes() -> dict[str, str]:
    """Harm outcome codes (ae_...) and their words, as the schema's harmOutcomes lists them."""
    return load_schema().raw.get("harmOutcomes", {})


def _spelling() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p), w) for p, w in extension("outcome").get("spelling", []))


def outcome_words(outcome: str) -> str:
    """An outcome code in words: a harm by the schema's harmOutcomes, other codes spelt out by its ``spelling``
    (responder_50pct -> 'responder 50%')."""
    harms = harm_outcomes()
    if outcome in harms:
        return harms[outcome]
    text = outcome.replace("_", " ")
    for pattern, words in derived("studies", "spelling", _spelling):
        text = pattern.sub(words, text)
    return text
