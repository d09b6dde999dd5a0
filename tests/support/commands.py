"""``python -m helpers ...`` as a process of its own: the one wrapper every test that needs a process uses.

A process is needed only where the behaviour belongs to the process (exit codes, signals, a traceback on
stderr, two builds at once, warnings as errors); builds that only need their output use the test
process's build session (:mod:`support.build_session`).
"""

from __future__ import annotations

import subprocess
import sys

from helpers.paths import ROOT


def helpers_argv(*args, python_args=()) -> list[str]:
    return [sys.executable, *python_args, "-m", "helpers", *map(str, args)]


def run_helpers(*args, python_args=(), timeout: float = 600, cwd=ROOT, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python [python_args] -m helpers ARGS`` to completion, capturing its text output."""
    kwargs.setdefault("capture_output", "stdout" not in kwargs and "stderr" not in kwargs)
    return subprocess.run(helpers_argv(*args, python_args=python_args), text=True, timeout=timeout, cwd=cwd, **kwargs)


def start_helpers(*args, python_args=(), cwd=ROOT, **kwargs) -> subprocess.Popen:
    """Start ``python -m helpers ARGS`` and return at once (for signals and concurrent builds)."""
    return subprocess.Popen(helpers_argv(*args, python_args=python_args), text=True, cwd=cwd, **kwargs)
