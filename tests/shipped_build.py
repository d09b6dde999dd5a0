"""One build of the shipped table that several test modules (and xdist workers) share.

The build is written to a folder beside the workers' temporary folders; the
build's own lock makes a second caller wait for the first, and its
incremental keys make the second call a no-op (or a rebuild of what changed).
It runs with RuntimeWarnings as errors, and every call's stderr is appended,
by the build process itself, to ``stderr_log(out)``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers.paths import ROOT

CONDITIONS = ("all",)  # every study and every kind of figure (forest plots included)


def shared_folder(tmp_path_factory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    return (base.parent if worker_id != "master" else base) / "shipped-reports"


def stderr_log(out: Path) -> Path:
    return out.parent / f"{out.name}.stderr"


def build_shipped(out: Path, conditions=CONDITIONS) -> Path:
    cmd = [sys.executable, "-W", "error::RuntimeWarning", "-m", "helpers", "build", "--out", str(out)]
    for c in conditions:
        cmd += ["--condition", c]
    log = stderr_log(out)
    with open(log, "a", encoding="utf-8") as err:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + log.read_text(encoding="utf-8")
    return out
