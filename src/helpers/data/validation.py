"""Cell and cross-field validation of the tables, vectorized with pandas.

The checks are built from the schemas: one check per constraint of a field
(on the text cells, then on the typed values), the key's uniqueness, and each
cross-field rule of the schema computed once over the whole table. Failures
are turned into :class:`~helpers.errors.Problem` objects.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import Problem
from .cells import control_check, expected_value, text_checks
from .followup import RULES as FOLLOWUP_RULES
from .lines import HARM_PREFIX
from .record_rules import RULES as RECORD_RULES
from .schema import Field, Schema
from .vocabulary import class_of, extension, harm_outcomes

Mask = pd.Series


def _typed_checks(f: Field) -> list[tuple[str, Callable[[pd.Series], Mask]]]:
    checks = []
    if f.exclusive_minimum is not None:
        checks.append((f"a number greater than {f.exclusive_minimum:g}", lambda s: s > f.exclusive_minimum))
    if f.minimum is not None:
        checks.append((f"at least {f.minimum:g}", lambda s: s >= f.minimum))
    if f.maximum is not None:
        checks.append((f"at most {f.maximum:g}", lambda s: s <= f.maximum))
    return checks


def _failing(cells: pd.Series, check) -> pd.Index:
    """The rows whose (present) cell fails ``check``; missing cells are not checked."""
    if cells.dtype.kind in "iuf":  # numbers (Int64 or float64): one comparison of an array, no Series
        values = cells.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            passed = np.asarray(check(values), dtype=bool)
        return cells.index[present & ~passed]
    present = cells.notna().to_numpy()
    if not present.all():
        cells = cells[present]
    if cells.empty:
        return cells.index
    passed = check(cells)
    if isinstance(passed, np.ndarray) and passed.dtype == bool:
        return cells.index[~passed]
    return cells.index[~np.asarray(pd.Series(passed, index=cells.index).fillna(False), dtype=bool)]


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


_SCALED = ("effect", "ci_lower", "ci_upper", "mean_ketamine", "mean_control", "sd_ketamine", "sd_control")


def _within_scale(d):
    scales = extension("unit").get("scales", {})
    span = d["unit"].astype("string").map({u: hi - lo for u, (lo, hi) in scales.items()}).astype("float64")
    # proportions and risk differences are percent_range's (one message a cell)
    percent = d["effect_measure"].astype("string").isin(["proportion", "risk_difference"]).fillna(False)
    out = {}
    for c in _SCALED:
        if c not in d:
            continue
        bad = (d[c].abs() > span).fillna(False)
        out[c] = ~(bad & ~percent) if c in ("effect", "ci_lower", "ci_upper") else ~bad
    return out


def _study_consistent(d):
    columns = ["citation", "year", "source", "verification"]
    firsts = d.groupby("study_id", sort=False, dropna=False)[columns].transform("first")  # one grouping, not four
    out = {}
    for c in columns:
        first = firsts[c]
        out[c] = (d[c] == first).fillna(d[c].isna() & first.isna()) | d["study_id"].isna()
    return out


def _indirect_has_reason(d):
    indirect = d["indirect"].astype("string")
    reason = d["indirect_reason"]
    needs = indirect.notna() & (indirect != "none")
    return {"indirect_reason": (needs & reason.notna()) | (~needs & reason.isna())}


def _comparator_drug_fits_class(d):
    if "comparator_drug" not in d:
        return {}
    want = d["comparator_drug"].astype("string").map(class_of())
    got = d["comparator_class"].astype("string")
    return {"comparator_drug": (want == got).fillna(True) | d["comparator_drug"].isna()}


def _harm_is_known(d):
    outcome = d["outcome"].astype("string")
    harm = outcome.str.startswith(HARM_PREFIX).fillna(False)
    known = outcome.isin(list(harm_outcomes())).fillna(False)
    lower = (d["better"].astype("string") == "lower").fillna(True)
    return {"outcome": ~harm | known, "better": ~harm | lower}


def _n_says_what_it_counts(d):
    if "n_counts" not in d:  # a table brought with --data may lack it: every n then counts patients
        return {}
    has_n = d["n_ketamine"].notna() | d["n_control"].notna()
    return {"n_counts": has_n | d["n_counts"].isna()}


def _verified_says_where(d):
    if "numbers_from" not in d:
        return {}
    checked = (d["verification"].astype("string") == "verified").fillna(False)
    return {"numbers_from": ~checked | d["numbers_from"].notna()}


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
    "within_scale": _within_scale,
    "study_consistent": _study_consistent,
    "indirect_has_reason": _indirect_has_reason,
    "comparator_drug_fits_class": _comparator_drug_fits_class,
    "harm_is_known": _harm_is_known,
    "verified_says_where": _verified_says_where,
    "n_says_what_it_counts": _n_says_what_it_counts,
}
RULES.update(RECORD_RULES)  # the rules of the tables beside the study table
RULES.update(FOLLOWUP_RULES)

#: rules checked by the key's uniqueness, or by the checks across tables (helpers.data.appraisal_refs) and
#: with the statistics (helpers.findings.grading), rather than by a function above
BUILTIN_RULES = {"unique_key", "line_is_one_comparator", "line_is_one_measure", "departure_has_reason"}


def raw_problems(schema: Schema, raw: pd.DataFrame, line_of) -> list[Problem]:
    """Required cells that are empty, and text cells that do not have their column's form (one message a cell)."""
    problems = []
    for f in schema.fields:
        if f.name not in raw.columns:
            continue
        cells = raw[f.name]
        if f.required and (missing := cells.isna().to_numpy()).any():
            for idx in raw.index[missing]:
                problems.append(Problem(line_of(idx), f.name, "", "a value (this column is required)", "required"))
        for want, check in text_checks(f):
            failed = _failing(cells, check)
            for idx in failed:
                value = raw.at[idx, f.name]
                message = want(value) if callable(want) else want
                problems.append(Problem(line_of(idx), f.name, value, message, f"{f.name}:format"))
            if len(failed):
                cells = cells.drop(failed)
    return problems


def user_column_problems(extra: pd.DataFrame, line_of) -> list[Problem]:
    """The user's own x_... columns are kept as text, not otherwise checked; like all text, without control
    characters (they are published in the tables and the figures' labels)."""
    problems = []
    want, check = control_check()
    for column in extra.columns:
        cells = extra[column].where(extra[column] != "", None)
        for idx in _failing(cells, check):
            value = extra.at[idx, column]
            problems.append(Problem(line_of(idx), column, value, want(value), f"{column}:format"))
    return problems


def unconverted_problems(schema: Schema, typed: pd.DataFrame, raw: pd.DataFrame, line_of) -> list[Problem]:
    """Every non-empty cell that gave no value: the parser that converts a column is the check of its cells."""
    problems = []
    fields = [f for f in schema.fields if f.name in typed.columns and f.name in raw.columns]
    names = [f.name for f in fields]
    # one mask for the whole table, not one per column: the same cells in the same order, at a fraction of the cost
    lost = raw[names].notna().to_numpy() & typed[names].isna().to_numpy()
    for j in np.flatnonzero(lost.any(axis=0)):
        f = fields[j]
        for idx in raw.index[lost[:, j]]:
            problems.append(Problem(line_of(idx), f.name, raw.at[idx, f.name], expected_value(f), f"{f.name}:format"))
    return problems


def rule_problems(schema: Schema, typed: pd.DataFrame, raw: pd.DataFrame, line_of) -> list[Problem]:
    """The schema's cross-field rules, each computed once over the whole table (a mask per column it checks)."""
    problems = []
    for rule in schema.rules:
        if rule.id in BUILTIN_RULES:
            continue
        for column, mask in RULES[rule.id](typed).items():
            passed = mask.to_numpy() if mask.dtype == bool else mask.fillna(True).astype(bool).to_numpy()
            if passed.all():  # the usual case: no index to build
                continue
            for idx in typed.index[~passed]:  # a rule that cannot tell passes
                value = raw.at[idx, column]
                problems.append(
                    Problem(line_of(idx), column, "" if value is None else str(value), rule.description, rule.id)
                )
    return problems


def typed_problems(schema: Schema, typed: pd.DataFrame, raw: pd.DataFrame, line_of) -> list[Problem]:
    """Cells that gave no value, numbers outside their column's range, rows that repeat the table's key, and the cross-field rules."""
    problems = unconverted_problems(schema, typed, raw, line_of) + rule_problems(schema, typed, raw, line_of)
    for f in schema.fields:
        if f.name not in typed.columns:
            continue
        for expected, check in _typed_checks(f):
            for idx in _failing(typed[f.name], check):
                value = raw.at[idx, f.name]
                problems.append(
                    Problem(line_of(idx), f.name, "" if value is None else str(value), expected, f"{f.name}:range")
                )
    key = list(schema.primary_key)
    if key and all(c in typed.columns for c in key):
        for idx in typed.index[typed.duplicated(key, keep=False).to_numpy()]:
            values = ", ".join(f"{c}={raw.at[idx, c]}" for c in key)
            problems.append(
                Problem(line_of(idx), key[0], values, _describe_duplicate(schema, typed, idx, line_of), "unique_key")
            )
    return problems


def _describe_duplicate(schema: Schema, typed: pd.DataFrame, idx, line_of) -> str:
    key = list(schema.primary_key)
    keys = typed[key].astype("string").fillna("<empty>")
    dup = keys.eq(keys.loc[idx]).all(axis=1)
    lines = [str(line_of(i)) for i in typed.index[dup] if i != idx]
    return f"a unique ({', '.join(key)}); the same key is on line {', '.join(lines)}"
