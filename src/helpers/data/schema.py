"""Table schemas, the single source of truth for every table of the data set.

``data/schema.json`` describes the study table; the tables that sit beside it
(search log, screening record, risk of bias, certainty, claims) have theirs in
``data/schemas/``. Everything that needs to know a column's type, its allowed
values or the list of conditions asks this module, and for the classes of codes and the words for them
:mod:`helpers.data.vocabulary`; nothing else hard-codes them.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..paths import SCHEMA_PATH, SCHEMAS_DIR, display_path

#: pandas dtypes for the Table Schema types used in data/schema.json
PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "float64"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    group: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    enum_descriptions: dict[str, str] = field(default_factory=dict)
    #: short plain words for each value, for prose and tables (never a raw code in a sentence)
    enum_labels: dict[str, str] = field(default_factory=dict)
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    max_length: int | None = None
    unit: str | None = None
    example: str | None = None

    def label(self, value) -> str:
        """A value of this column in plain words."""
        value = str(value)
        return self.enum_labels.get(value, value.replace("_", " "))

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")

    def expected(self) -> str:
        """A short phrase saying what a valid value looks like."""
        parts = []
        if self.enum:
            parts.append("one of " + ", ".join(self.enum))
        elif self.type == "integer":
            parts.append("a whole number")
        elif self.type == "number":
            parts.append("a finite number")
        if self.exclusive_minimum is not None:
            parts.append(f"greater than {_fmt(self.exclusive_minimum)}")
        if self.minimum is not None:
            parts.append(f"at least {_fmt(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"at most {_fmt(self.maximum)}")
        if self.pattern and not self.enum:
            parts.append(f"matching {self.pattern}")
        if self.max_length:
            parts.append(f"at most {self.max_length} characters")
        return ", ".join(parts) if parts else "text"


@dataclass(frozen=True)
class Rule:
    id: str
    columns: tuple[str, ...]
    description: str


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _resolve_bound(value: Any) -> float | None:
    if value is None:
        return None
    if value == "current_year":
        return float(_dt.date.today().year)
    return float(value)


@dataclass(frozen=True)
class Schema:
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    contract_columns: tuple[str, ...]
    rules: tuple[Rule, ...]
    raw: dict = field(repr=False, compare=False, default_factory=dict)
    #: the schema file, as a user reads it (for messages)
    source: str = "data/schema.json"
    #: the table's short name: studies, search_log, screening, ...
    name: str = "studies"
    #: names a user may give extra columns of their own (kept as text), e.g. for subgroups
    user_column_pattern: str | None = None

    def is_user_column(self, name: str) -> bool:
        import re

        return bool(self.user_column_pattern) and re.fullmatch(self.user_column_pattern, name) is not None

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def may_be_empty(self) -> bool:
        """A table whose rows record what was found (registered trials): none found is a true state, not a fault."""
        return bool(self.raw.get("x-helpers", {}).get("mayBeEmpty", False))

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required_columns(self) -> list[str]:
        """Columns that must be present in the header (the contract plus required fields)."""
        req = [f.name for f in self.fields if f.required]
        return [n for n in self.names if n in self.contract_columns or n in req]

    def enum(self, name: str) -> tuple[str, ...]:
        values = self[name].enum
        if values is None:
            raise KeyError(f"{name} has no enumeration")
        return values

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _resolve_enum(value):
    """An enumeration, or a reference ``"@table.column"`` to another schema's (one source of truth)."""
    if isinstance(value, str) and value.startswith("@"):
        table, column = value[1:].split(".", 1)
        return load_schema(table).enum(column)
    return tuple(value)


def _referenced_descriptions(value) -> dict:
    if isinstance(value, str) and value.startswith("@"):
        table, column = value[1:].split(".", 1)
        return load_schema(table)[column].enum_descriptions
    return {}


#: the key of a field's constraints beyond Table Schema's (see parse_schema), and of its vocabulary: classes of
#: codes and words for them, read by helpers.data.vocabulary
EXTENSION = "x-helpers"


def parse_schema(raw: dict, source: str = "data/schema.json") -> Schema:
    fields = []
    for f in raw["fields"]:
        # "x-helpers": the project's constraints that Table Schema cannot state (a bound that moves with the
        # date, an enumeration kept in another schema); frictionless ignores the key, this validator applies it
        c = {**f.get("constraints", {}), **f.get(EXTENSION, {})}
        fields.append(
            Field(
                name=f["name"],
                type=f["type"],
                description=f.get("description", ""),
                group=f.get("group", ""),
                required=bool(c.get("required", False)),
                enum=_resolve_enum(c["enum"]) if "enum" in c else None,
                enum_descriptions=dict(f.get("enumDescriptions") or _referenced_descriptions(c.get("enum"))),
                enum_labels=dict(f.get("enumLabels", {})),
                pattern=c.get("pattern"),
                minimum=_resolve_bound(c.get("minimum")),
                maximum=_resolve_bound(c.get("maximum")),
                exclusive_minimum=_resolve_bound(c.get("exclusiveMinimum")),
                max_length=c.get("maxLength"),
                unit=f.get("unit"),
                example=f.get("example"),
            )
        )
    rules = tuple(Rule(r["id"], tuple(r["columns"]), r["description"]) for r in raw.get("rules", []))
    return Schema(
        title=raw.get("title", ""),
        fields=tuple(fields),
        primary_key=tuple(raw["primaryKey"]),
        contract_columns=tuple(raw.get("contractColumns", [])),
        rules=rules,
        raw=raw,
        source=source,
        name=raw.get("name", "studies"),
        user_column_pattern=raw.get("userColumns", {}).get("pattern"),
    )


def schema_path(name: str = "studies"):
    """The file that describes table ``name``."""
    return SCHEMA_PATH if name == "studies" else SCHEMAS_DIR / f"{name}.json"


@cache
def load_schema(name: str = "studies") -> Schema:
    path = schema_path(name)
    with open(path, encoding="utf-8") as fh:
        return parse_schema(json.load(fh), display_path(path))


def conditions() -> tuple[str, ...]:
    """The conditions a report can be built for, in schema order."""
    return load_schema().enum("condition")
