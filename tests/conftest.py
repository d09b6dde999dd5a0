"""Shared fixtures: paths, the shipped table, and helpers to write modified copies of it."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

from helpers.paths import ROOT, STUDIES_PATH  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory, worker_id):
    """Validated tables and executed outputs go to a cache of this test run, shared by its xdist workers,
    never to the developer's .cache/ (and never read from it)."""
    import os

    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if worker_id != "master" else base) / "helpers-cache"
    old = os.environ.get("HELPERS_CACHE")
    os.environ["HELPERS_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("HELPERS_CACHE", None)
    else:
        os.environ["HELPERS_CACHE"] = old


@pytest.fixture(scope="session")
def builds(private_cache):
    """One build session per test process (tests/build_session.py): report builds that need no process of
    their own share its imports and its zygote. ``builds.build(*args)`` returns a CompletedProcess."""
    from build_session import BuildSession

    with BuildSession() as session:
        yield session


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shipped_rows() -> list[dict]:
    with open(STUDIES_PATH, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict], header: list[str] | None = None, newline: str = "\n") -> Path:
    header = header or list(rows[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator=newline, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.fixture
def table_with(tmp_path, shipped_rows):
    """Write a copy of the shipped table with some cells changed: table_with({row_index: {col: value}})."""

    def make(changes: dict[int, dict[str, str]] | None = None, name: str = "studies.csv") -> Path:
        rows = [dict(r) for r in shipped_rows]
        for i, cells in (changes or {}).items():
            rows[i].update(cells)
        return write_rows(tmp_path / name, rows)

    return make


def run_tables(data: Path, out: Path, *extra: str) -> Path:
    """``python -W error::RuntimeWarning -m helpers tables --data DATA --out OUT``, in this process.

    The command must succeed and warn of nothing: a RuntimeWarning is an error, as with ``-W``, and any
    other warning shown (deprecations aside, as Python's defaults hide them) fails the check too.
    """
    import contextlib
    import warnings

    from helpers.cli import main

    err = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(err):
        warnings.resetwarnings()
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("error", RuntimeWarning)
        code = main(["tables", "--data", str(data), "--out", str(out), *extra])
    assert code == 0, err.getvalue()
    assert not caught, [str(w.message) for w in caught]
    assert "Warning" not in err.getvalue(), err.getvalue()
    return out
