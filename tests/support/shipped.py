"""One build of the shipped table that several test modules (and xdist workers) share.

The build is written to a folder beside the workers' temporary folders; the
build's own lock makes a second caller wait for the first, and its
incremental keys make the second call a no-op (or a rebuild of what changed).
It runs in the build session (RuntimeWarnings as errors), and every call's stderr is
appended to ``stderr_log(out)``. Tests take it as the ``shipped`` fixture (conftest.py).
"""

from __future__ import annotations

from pathlib import Path

#: all: every study and every kind of figure (forest plots included); migraine: one condition's filter
CONDITIONS = ("all", "migraine")
#: the pages the identity and accessibility checks read (the other condition's pages share their template)
CHECKED = ("all",)


def shared_folder(tmp_path_factory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    return (base.parent if worker_id != "master" else base) / "shipped-reports"


def stderr_log(out: Path) -> Path:
    return out.parent / f"{out.name}.stderr"


def build_shipped(out: Path, builds, conditions=CONDITIONS) -> Path:
    """Build (or find up to date) the shared reports in the test process's build session, whose builds turn
    RuntimeWarnings into errors; each call's stderr is appended to ``stderr_log(out)``."""
    res = builds.build("--out", out, *[a for c in conditions for a in ("--condition", c)])
    with open(stderr_log(out), "a", encoding="utf-8") as log:
        log.write(res.stderr)
    assert res.returncode == 0, res.stdout + res.stderr
    return out
