"""Cell and cross-field validation of the study table with pandera.

The checks are built from data/schema.json: one pandera check per constraint
of a field, and one wide check per cross-field rule of the schema. Failures
are turned into :class:`~helpers.errors.Problem` objects.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandera.pandas as pa

from ..errors import Problem
from .record_rules import RULES as RECORD_RULES
from .schema import Field, Schema

#: a finite decimal number; rejects NaN, infinity, thousands separators and text
NUMBER_RE = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
INTEGER_RE = r"^[+-]?\d+$"
#: text that a spreadsheet would run as a formula
FORMULA_RE = r"^[=+\-@\t\r]"

Mask = pd.Series


def _raw_column(f: Field) -> pa.Column:
    checks = []
    if f.type == "integer":
        checks.append(pa.Check.str_matches(INTEGER_RE, error="a whole number"))
    elif f.type == "number":
        checks.append(pa.Check.str_matches(NUMBER_RE, error="a finite number (not text, NaN or infinity)"))
    elif f.enum:
        checks.append(pa.Check.isin(list(f.enum), error="one of " + ", ".join(f.enum)))
    else:
        if f.pattern:
            checks.append(pa.Check.str_matches(f.pattern, error=f"{f.description.rstrip('.')} (matching {f.pattern})"))
        else:
            checks.append(
                pa.Check(
                    lambda s: ~s.str.match(FORMULA_RE),
                    element_wise=False,
                    error="text that does not start with =, +, -, @, tab or carriage return (a spreadsheet would run it as a formula)",
                )
            )
        if f.max_length:
            checks.append(pa.Check.str_length(max_value=f.max_length, error=f"at most {f.max_length} characters"))
    return pa.Column(str, checks=checks, nullable=not f.required, required=False)


def _typed_column(f: Field) -> pa.Column | None:
    checks = []
    if f.exclusive_minimum is not None:
        checks.append(pa.Check.gt(f.exclusive_minimum, error=f"a number greater than {f.exclusive_minimum:g}"))
    if f.minimum is not None:
        checks.append(pa.Check.ge(f.minimum, error=f"at least {f.minimum:g}"))
    if f.maximum is not None:
        checks.append(pa.Check.le(f.maximum, error=f"at most {f.maximum:g}"))
    if not checks:
        return None
    return pa.Column(checks=checks, nullable=True, required=False)


# ---------------------------------------------------------------- cross-field rules
# Each rule returns {column: mask} where the mask is True for rows that pass.


def _ci_order(d):
    lo, hi = d["ci_lower"], d["ci_upper"]
    return {"ci_lower": lo.isna() | hi.isna() | (lo <= hi)}


def _effect_in_ci(d):
    e, lo, hi = d["effect"], d["ci_lower"], d["ci_upper"]
    ordered = lo <= hi
    return {"effect": e.isna() | lo.isna() | hi.isna() | ~ordered | ((lo <= e) & (e <= hi))}


def _ci_needs_effect(d):
    e, lo, hi = d["effect"], d["ci_lower"], d["ci_upper"]
    has_ci = lo.notna() | hi.notna()
    return {
        "ci_lower": ~has_ci | lo.notna(),
        "ci_upper": ~has_ci | hi.notna(),
        "effect": ~has_ci | e.notna(),
    }


def _verified(d):
    return d["verification"] == "verified"


def _verified_has_id(d):
    return {"doi": ~_verified(d) | d["doi"].notna() | d["pmid"].notna()}


def _verified_has_url(d):
    return {"source_url": ~_verified(d) | d["source_url"].notna()}


def _seed_not_verified(d):
    return {"verification": ~((d["source"] == "seed_article") & _verified(d))}


_ARM_COLUMNS = ("events_ketamine", "events_control", "mean_ketamine", "sd_ketamine", "mean_control", "sd_control")


def _effect_has_measure(d):
    has_data = d["effect"].notna()
    for c in _ARM_COLUMNS:
        has_data = has_data | d[c].notna()
    return {
        "effect_measure": ~has_data | d["effect_measure"].notna(),
        "unit": ~has_data | d["unit"].notna(),
        "better": ~has_data | d["better"].notna(),
    }


def _review_has_no_effect(d):
    return {"effect": (d["design"] != "review") | d["effect"].isna()}


def _events_within_n(d):
    out = {}
    for arm in ("ketamine", "control"):
        ev, n = d[f"events_{arm}"], d[f"n_{arm}"]
        out[f"events_{arm}"] = ev.isna() | n.isna() | (ev <= n)
    return out


def _ratio_positive(d):
    is_ratio = d["effect_measure"].isin(["risk_ratio", "odds_ratio"])
    return {c: ~is_ratio | d[c].isna() | (d[c] > 0) for c in ("effect", "ci_lower", "ci_upper")}


def _percent_range(d):
    m = d["effect_measure"]
    out = {}
    for c in ("effect", "ci_lower", "ci_upper"):
        v = d[c]
        bad = ((m == "proportion") & ((v < 0) | (v > 100))) | ((m == "risk_difference") & (v.abs() > 100))
        out[c] = ~bad.fillna(False)
    return out


def _study_consistent(d):
    out = {}
    for c in ("citation", "year", "source", "verification"):
        first = d.groupby("study_id", sort=False, dropna=False)[c].transform("first")
        out[c] = (d[c] == first).fillna(d[c].isna() & first.isna()) | d["study_id"].isna()
    return out


def _indirect_has_reason(d):
    indirect = d["indirect"].astype("string")
    reason = d["indirect_reason"]
    needs = indirect.notna() & (indirect != "none")
    return {"indirect_reason": (needs & reason.notna()) | (~needs & reason.isna())}


RULES: dict[str, Callable[[pd.DataFrame], dict[str, Mask]]] = {
    "ci_order": _ci_order,
    "effect_in_ci": _effect_in_ci,
    "ci_needs_effect": _ci_needs_effect,
    "verified_has_id": _verified_has_id,
    "verified_has_url": _verified_has_url,
    "seed_not_verified": _seed_not_verified,
    "effect_has_measure": _effect_has_measure,
    "review_has_no_effect": _review_has_no_effect,
    "events_within_n": _events_within_n,
    "ratio_positive": _ratio_positive,
    "percent_range": _percent_range,
    "study_consistent": _study_consistent,
    "indirect_has_reason": _indirect_has_reason,
}
RULES.update(RECORD_RULES)  # the rules of the tables beside the study table

#: rules enforced by pandera itself rather than a function above
BUILTIN_RULES = {"unique_key"}


def _wide_check(rule_id: str, column: str, fn) -> pa.Check:
    def check(d: pd.DataFrame) -> pd.Series:
        return fn(d)[column].astype(bool)

    return pa.Check(check, error=f"{rule_id}|{column}", name=f"{rule_id}|{column}")


def typed_schema(schema: Schema, present: list[str]) -> pa.DataFrameSchema:
    columns = {}
    for f in schema.fields:
        if f.name in present:
            col = _typed_column(f)
            if col is not None:
                columns[f.name] = col
    checks = []
    sample = pd.DataFrame({n: pd.Series(dtype="float64") for n in schema.names})
    for rule in schema.rules:
        if rule.id in BUILTIN_RULES:
            continue
        fn = RULES[rule.id]
        for column in fn(sample):
            checks.append(_wide_check(rule.id, column, fn))
    return pa.DataFrameSchema(columns, checks=checks, unique=list(schema.primary_key), report_duplicates="all")


def raw_schema(schema: Schema, present: list[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema({f.name: _raw_column(f) for f in schema.fields if f.name in present})


def _failures(pa_schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        pa_schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


def raw_problems(schema: Schema, raw: pd.DataFrame, line_of) -> list[Problem]:
    problems = []
    fc = _failures(raw_schema(schema, list(raw.columns)), raw)
    for row in fc.itertuples(index=False):
        column, check, idx = row.column, str(row.check), row.index
        if check == "not_nullable":
            expected, rule, value = "a value (this column is required)", "required", ""
        else:
            expected, rule, value = check, f"{column}:format", raw.at[idx, column]
        problems.append(Problem(line_of(idx), column, value, expected, rule))
    return problems


def typed_problems(schema: Schema, typed: pd.DataFrame, raw: pd.DataFrame, line_of) -> list[Problem]:
    fc = _failures(typed_schema(schema, list(typed.columns)), typed)
    problems = []
    seen = set()
    for row in fc.itertuples(index=False):
        check, idx = str(row.check), row.index
        if idx is None or (isinstance(idx, float) and np.isnan(idx)):
            continue
        if check == "multiple_fields_uniqueness":
            key = ("unique_key", idx)
            if key in seen:
                continue
            seen.add(key)
            values = ", ".join(f"{c}={raw.at[idx, c]}" for c in schema.primary_key)
            problems.append(
                Problem(
                    line_of(idx),
                    schema.primary_key[0],
                    values,
                    _describe_duplicate(schema, typed, idx, line_of),
                    "unique_key",
                )
            )
            continue
        if "|" in check:
            rule_id, column = check.split("|", 1)
            key = (rule_id, column, idx)
            if key in seen:
                continue
            seen.add(key)
            expected = schema.rule(rule_id).description
        else:
            column, rule_id, expected = row.column, f"{row.column}:range", check
        value = raw.at[idx, column]
        problems.append(Problem(line_of(idx), column, "" if value is None else str(value), expected, rule_id))
    return problems


def _describe_duplicate(schema: Schema, typed: pd.DataFrame, idx, line_of) -> str:
    key = list(schema.primary_key)
    keys = typed[key].astype("string").fillna("<empty>")
    dup = keys.eq(keys.loc[idx]).all(axis=1)
    lines = [str(line_of(i)) for i in typed.index[dup] if i != idx]
    return f"a unique ({', '.join(key)}); the same key is on line {', '.join(lines)}"
