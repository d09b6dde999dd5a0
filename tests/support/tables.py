"""Study tables for tests: modified copies of the shipped table, and the tables command run in-process."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_rows(path: Path) -> list[dict]:
    """A CSV file's rows as dicts of text, read directly (never through the package)."""
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict], header: list[str] | None = None, newline: str = "\n") -> Path:
    header = header or list(rows[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator=newline, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


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
