"""The data set: the study table and the tables kept beside it, checked together.

Each companion table (:mod:`helpers.data.companions`) is validated on its own, then the
references between them are checked: every screening record names a search
that exists, every search's record count matches the screening record, every
included record has rows in the study table and every published study has one
included record. Problems are reported with file, line and column.

A table brought with ``--data`` needs no companions; whatever is beside it is
checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..digest import code_digest
from ..errors import HelpersError, Problem, TableError
from ..paths import STUDIES_PATH
from .companions import companion_paths
from .crossref import check_references
from .loader import CODE, load_studies, load_table
from .table_cache import cache_dir


class DataSetError(HelpersError):
    """One or more tables of the data set are invalid; lists every problem of every file."""

    def __init__(self, errors: list[TableError]):
        self.errors = errors
        super().__init__("\n".join(e.report() for e in errors))

    @property
    def problems(self) -> list[Problem]:
        return [p for e in self.errors for p in e.problems]


@dataclass
class DataSet:
    studies: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.tables


def load_dataset(study_path: Path | str | None = None, cache: bool = True) -> DataSet:
    """Load and cross-check the study table and its companions; raises DataSetError."""
    path = Path(study_path or STUDIES_PATH)
    errors: list[TableError] = []
    try:
        studies = load_studies(path, cache=cache)
    except TableError as exc:
        errors.append(exc)
        studies = None
    ds = DataSet(studies=studies)
    for name, p in companion_paths(path).items():
        try:
            ds.tables[name] = load_table(p, name, cache=cache)
            ds.paths[name] = p
        except TableError as exc:
            errors.append(exc)
    if errors:
        raise DataSetError(errors)
    ds.paths["studies"] = path
    passed = _references_key(ds) if cache else None
    if passed is not None and _passed_before(passed):
        return ds
    errors = check_references(ds)
    if errors:
        raise DataSetError(errors)
    if passed is not None:
        _remember_pass(passed)
    return ds


# ------------------------------------------------------------------ cache of passed cross-checks
def _references_key(ds: DataSet) -> str | None:
    """A key for 'these exact files passed these exact checks' (None when a file is not cacheable).

    Each report of a build opens the data set; the cross-checks take about a
    third of a second each time, for an answer that only changes with the files
    or the checking code.
    """
    import hashlib

    h = hashlib.sha256()
    for name in sorted(ds.paths):
        table = ds.studies if name == "studies" else ds.tables[name]
        key = table.attrs.get("cache_key")  # the key its validation was cached under: the file's bytes hashed once
        if key is None:
            return None
        h.update(f"{name}:{key};".encode())
    h.update(code_digest(*CODE).encode())  # the checking code: a change to any of it checks again
    return h.hexdigest()[:32]


def _passed_before(key: str) -> bool:
    return (cache_dir() / f"{key}.references-ok").is_file()


def _remember_pass(key: str) -> None:
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        (cache_dir() / f"{key}.references-ok").touch()
    except OSError:
        pass  # a cache that cannot be written only costs time
