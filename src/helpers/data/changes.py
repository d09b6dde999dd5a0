"""What changed in the data since a git revision, by meaning: records matched by their keys, not text lines.

The revision's tables are read with the revision's own schemas (its ``schema.json`` and ``schemas/``); a
table the revision lacks, or one that does not meet its own schema, is reported as not compared, never
guessed. Enumerations that name another schema's (``@studies.condition``) resolve against today's.
"""

from __future__ import annotations

import io
import json
import math
import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import HelpersError, TableError
from ..paths import ROOT
from .companions import companion_paths
from .loader import load_table, load_with_schema
from .rows import cell_text
from .schema import Schema, parse_schema, schema_path
from .version import git

TABLES = ("studies", "search_log", "screening", "risk_of_bias", "certainty", "claims")
#: per table, the fields whose change is a judgement (listed one by one, like numbers)
JUDGEMENTS = {
    "risk_of_bias": ("judgement",),
    "certainty": ("certainty", "risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"),
    "claims": ("verdict",),
}


class RevisionError(HelpersError):
    """A revision git does not know, or no git repository."""


def short_rev(rev: str) -> str:
    """A revision as a reader sees it: a commit's first 12 characters (40 do not wrap on a phone), else as given."""
    return rev[:12] if re.fullmatch(r"[0-9a-f]{40}", rev) else rev


@dataclass
class TableDiff:
    name: str
    #: the primary key's columns, and the keys of the rows added and removed
    key: tuple[str, ...] = ()
    added: list[tuple] = field(default_factory=list)
    removed: list[tuple] = field(default_factory=list)
    #: (key, field, old, new) of every number or judgement that changed
    changed: list[tuple] = field(default_factory=list)
    #: per text field, how many rows changed it
    text_changed: dict[str, int] = field(default_factory=dict)
    #: why the table was not compared (absent at the revision, invalid there)
    not_compared: str | None = None
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)


@dataclass
class DataChanges:
    since: str
    commit: str
    tables: dict[str, TableDiff]
    studies_added: list[tuple[str, str]]
    studies_removed: list[tuple[str, str]]
    #: the revision's data, extracted (for what is computed from it, such as the short answers)
    folder: Path | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.studies_added
            or self.studies_removed
            or any(
                t.added or t.removed or t.changed or t.text_changed or t.not_compared or t.columns_added
                for t in self.tables.values()
            )
        )


def resolve(rev: str, root: Path = ROOT) -> str:
    commit = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", root=root)
    if not commit:
        where = "no git repository" if git("rev-parse", "--git-dir", root=root) is None else "no such revision"
        raise RevisionError(f"{rev}: {where} (give a commit, a tag or a branch that git log shows)")
    return commit


def extract(commit: str, into: Path, root: Path = ROOT) -> Path:
    """The revision's data/ folder, written under ``into``."""
    import subprocess

    out = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", commit, "data"], capture_output=True)
    if out.returncode != 0:
        raise RevisionError(f"{commit[:12]}: the revision has no data/ folder")
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / "data"


def _schema_file(folder: Path, name: str) -> Path:
    return folder / ("schema.json" if name == "studies" else f"schemas/{name}.json")


def _schema_of(folder: Path, name: str) -> Schema | str:
    """The table's schema in ``folder``, or why there is none that can be used."""
    path = _schema_file(folder, name)
    if not path.is_file():
        return "the table has no schema there"
    try:
        return parse_schema(json.loads(path.read_text(encoding="utf-8")), f"{name} schema at the revision")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # a damaged or older schema file
        return f"its schema there cannot be read ({path.name}: {_first_line(exc)})"


def _todays_schema(folder: Path, name: str) -> bool:
    """Whether the table's schema in ``folder`` is today's, byte for byte (its rules are then today's)."""
    try:
        return _schema_file(folder, name).read_bytes() == Path(schema_path(name)).read_bytes()
    except OSError:
        return False


def _read(folder: Path, name: str, schema: Schema | str) -> tuple[pd.DataFrame | None, str | None]:
    path = folder / "studies.csv" if name == "studies" else companion_paths(folder / "studies.csv").get(name)
    if path is None or not path.is_file():
        return None, "the table is not there"
    if isinstance(schema, str):
        return None, schema
    try:
        if _todays_schema(folder, name):  # validated once and kept by the file's bytes (data.table_cache)
            return load_table(path, name), None
        return load_with_schema(path, schema), None
    except TableError as exc:
        return None, f"the table does not meet its own schema there ({len(exc.problems)} problems)"
    except (ValueError, KeyError, TypeError, AttributeError, re.error) as exc:  # a schema today's rules cannot apply
        return None, f"its schema there cannot be applied ({_first_line(exc)})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA:
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return cell_text(a) == cell_text(b)


def _value(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def _key_cell(column: str, value) -> str:
    if column == "followup_days" and _value(value) is not None:
        return f"{float(value):.2g}"
    return cell_text(value)


def table_diff(name: str, old: pd.DataFrame, new: pd.DataFrame, schema: Schema) -> TableDiff:
    key = tuple(schema.primary_key)
    lacking = [k for k in key if k not in old.columns]
    # a revision before the structured follow-up (issue 31) is keyed by its days alone: compare on the columns
    # both have, the days to two significant digits (6 months was written 182.6 days, now 182.625)
    later = {"followup_max", "followup_unit", "followup_from"}
    if lacking and set(lacking) <= later and "followup_days" in key:
        key = tuple(k for k in key if k not in later)
        lacking = []
    if lacking:
        return TableDiff(name, key, not_compared=f"its rows were keyed differently then (no {', '.join(lacking)})")
    as_key = lambda row: tuple(_key_cell(k, row[k]) for k in key)  # noqa: E731
    old_rows = {as_key(r): r for _, r in old.iterrows()}
    new_rows = {as_key(r): r for _, r in new.iterrows()}
    diff = TableDiff(name, key)
    diff.columns_added = [c for c in new.columns if c not in old.columns]
    diff.columns_removed = [c for c in old.columns if c not in new.columns]
    diff.added = [k for k in new_rows if k not in old_rows]
    diff.removed = [k for k in old_rows if k not in new_rows]
    numeric = {f.name for f in schema.fields if f.is_numeric}
    judged = set(JUDGEMENTS.get(name, ()))
    for k in new_rows.keys() & old_rows.keys():
        a, b = old_rows[k], new_rows[k]
        for col in [c for c in new.columns if c in old.columns and c not in key]:
            if _same(a[col], b[col]):
                continue
            if col in numeric or col in judged:
                diff.changed.append((k, col, _value(a[col]), _value(b[col])))
            else:
                diff.text_changed[col] = diff.text_changed.get(col, 0) + 1
    diff.changed.sort(key=lambda c: (c[0], c[1]))
    return diff


def data_changes(rev: str, root: Path = ROOT, keep: Path | None = None) -> DataChanges:
    """Compare data/ at ``rev`` with the working tree. ``keep``: a folder to extract the revision into (left
    for the caller, who may compute from it); otherwise a temporary one, removed."""
    commit = resolve(rev, root)
    if keep is None:
        with tempfile.TemporaryDirectory() as tmp:
            return compare(rev, commit, root, extract(commit, Path(tmp), root), keep=False)
    return compare(rev, commit, root, extract(commit, keep, root), keep=True)


def compare(rev: str, commit: str, root: Path, old_dir: Path, keep: bool = False) -> DataChanges:
    """Compare the data of revision ``rev`` (``commit``), already extracted into ``old_dir``, with root's data/. A
    table either side cannot give (absent, damaged, invalid, or with a schema that cannot be read) is not compared."""
    new_dir = root / "data"
    tables, frames = {}, {}
    for name in TABLES:
        old_schema, new_schema = _schema_of(old_dir, name), _schema_of(new_dir, name)
        old, why_old = _read(old_dir, name, old_schema)
        new, why_new = _read(new_dir, name, new_schema)
        if old is None or new is None:
            tables[name] = TableDiff(
                name, not_compared=(f"at {short_rev(rev)}: {why_old}" if old is None else f"now: {why_new}")
            )
            continue
        frames[name] = (old, new)
        tables[name] = table_diff(name, old, new, new_schema)
    added, removed = [], []
    if "studies" in frames:
        old, new = frames["studies"]
        cite = lambda df: dict(zip(df["study_id"].astype(str), df["citation"].astype(str)))  # noqa: E731
        before, after = cite(old), cite(new)
        added = sorted((s, after[s]) for s in after.keys() - before.keys())
        removed = sorted((s, before[s]) for s in before.keys() - after.keys())
    return DataChanges(rev, commit, tables, added, removed, old_dir if keep else None)


def field_title(name: str, column: str) -> str:
    """A column's label as the schema gives it (its ``title``), else its name in words."""
    try:
        raw = json.loads(Path(schema_path(name)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return column.replace("_", " ")
    for f in raw.get("fields", []):
        if f.get("name") == column:
            return f.get("title") or column.replace("_", " ")
    return column.replace("_", " ")
