"""One way to write what a page shows, as a checkable contract (tests/env/test_architecture.py): numbers as
text only in report.numbers, an interval's level in words only in report.methods, a report's tables only in
report.html, a study interval's normal quantile only in stats.effects. Read from each module's syntax tree
(support.contract), docstrings aside."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from .contract import modules, parse

#: the layers whose text reaches a page (a report, a figure, its alternative text, the site around them)
SHOWN_LAYERS = ("stats", "findings", "report", "site")
#: the one module that writes numbers as text, and the one that words an interval's level and kind
NUMBERS = "report.numbers"
INTERVALS = "report.methods"
#: a format specification that writes a number: a precision, a grouping, or a float or percent type
_NUMBER_SPEC = re.compile(r"\.|[,_]|[eEfFgGn%]$")
#: a confidence or prediction level typed as text: "95% CI", "90 % confidence", "95% prediction interval"
_LEVEL_TEXT = re.compile(r"\d+(\.\d+)?\s*%\s*(CI|credible|confidence|prediction)", re.I)
#: printf-style conversions that write a number with a precision or as a float
_PRINTF = re.compile(r"%[-+ #0]*\d*(\.\d+)?[eEfFgG]|%[-+ #0]*\d*\.\d+[di]")


def _spec_text(spec: ast.JoinedStr) -> str:
    """The literal part of an f-string's format specification (``.{n}f`` -> ``.f``)."""
    return "".join(v.value for v in spec.values if isinstance(v, ast.Constant) and isinstance(v.value, str))


def _template_specs(template: str) -> list[str]:
    """The format specifications of a str.format template: ``"{x:.2f} {y}"`` -> ``[".2f"]``."""
    try:
        return [spec for _, field, spec, _ in string.Formatter().parse(template) if field is not None and spec]
    except ValueError:
        return []


def _bare_strings(tree: ast.AST) -> set[int]:
    """The ids of string constants that stand alone as a statement: docstrings (they explain, they are not shown)."""
    return {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
    }


def second_formatters(root: Path) -> list[str]:
    """Numbers written as text, or an interval's level typed, outside the modules that do it for every page:
    in the layers whose text is shown (SHOWN_LAYERS), a format specification that writes a number (an f-string's
    ``{x:.2f}``, ``{p:.0%}``, ``{x:g}``; ``format(x, ".1f")``; a str.format or printf template with one)
    anywhere but report.numbers, and a level typed as text ("95% CI") anywhere but report.methods."""
    out = []
    for name, path in modules(root).items():
        if name.split(".")[0] not in SHOWN_LAYERS:
            continue
        tree = parse(path)
        docs = _bare_strings(tree)
        for node in ast.walk(tree):
            found = None
            if name != NUMBERS:
                found = _number_format(node)
            if found is None and name != INTERVALS and isinstance(node, ast.Constant) and id(node) not in docs:
                if isinstance(node.value, str) and _LEVEL_TEXT.search(node.value):
                    found = f"a level typed as text ({_LEVEL_TEXT.search(node.value).group(0)!r}; {INTERVALS} words it)"
            if found:
                out.append(f"{name} (line {node.lineno}): {found}")
    return sorted(set(out))


def _number_format(node: ast.AST) -> str | None:
    """What writes a number at ``node``, or None."""
    where = f"{NUMBERS} writes numbers"
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        spec = _spec_text(node.format_spec)
        if _NUMBER_SPEC.search(spec):
            return f"format specification {spec!r} ({where})"
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name) and f.id == "format" and len(node.args) > 1:
            spec = node.args[1]
            if isinstance(spec, ast.Constant) and isinstance(spec.value, str) and _NUMBER_SPEC.search(spec.value):
                return f"format(..., {spec.value!r}) ({where})"
        if isinstance(f, ast.Attribute) and f.attr == "format" and isinstance(f.value, ast.Constant):
            if isinstance(f.value.value, str):
                specs = [s for s in _template_specs(f.value.value) if _NUMBER_SPEC.search(s)]
                if specs:
                    return f"str.format with {specs[0]!r} ({where})"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        if isinstance(node.left.value, str) and _PRINTF.search(node.left.value):
            return f"printf-style {_PRINTF.search(node.left.value).group(0)!r} ({where})"
    return None


#: the one module that builds a report's tables
TABLES = "report.html"
_TABLE_MARKUP = re.compile(r"<(table|thead|tbody|tr|td|th)\b")


def tables_outside_builder(root: Path) -> list[str]:
    """Table markup (``<table``, ``<tr``, ``<td``, ``<th``...) written by a module of the report layer other than
    report.html, whose ``table`` builds every table of a report."""
    out = []
    for name, path in modules(root).items():
        if not name.startswith("report.") or name == TABLES:
            continue
        tree = parse(path)
        docs = _bare_strings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                m = _TABLE_MARKUP.search(node.value)
                if m:
                    out.append(f"{name} (line {node.lineno}): {m.group(0)}...> outside {TABLES}.table")
    return sorted(set(out))


#: the one module that states a study interval's level and its normal quantile (LEVEL, Z975)
LEVEL_HOME = "stats.effects"


def typed_quantiles(root: Path) -> list[str]:
    """A study interval's normal quantile typed (1.96, 1.959963984540054) or computed (``ndtri(0.975)``) outside
    stats.effects: pages word the level from LEVEL, so an interval made at another level would be misnamed."""
    out = []
    for name, path in modules(root).items():
        if name == LEVEL_HOME or name.split(".")[0] not in SHOWN_LAYERS:
            continue
        for node in ast.walk(parse(path)):
            typed = isinstance(node, ast.Constant) and isinstance(node.value, float) and 1.95 < node.value < 1.97
            computed = (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "ndtri"
                and any(isinstance(a, ast.Constant) for a in node.args)
            )
            if typed or computed:
                out.append(f"{name} (line {node.lineno}): a normal quantile of its own ({LEVEL_HOME}.Z975 is the one)")
    return sorted(set(out))
