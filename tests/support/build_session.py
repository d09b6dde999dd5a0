"""Several builds in one process, as a researcher's session or a script runs them.

``python -m helpers build`` pays, every time, a new interpreter, the build's
imports and a zygote warming up (about five seconds of CPU on two slow cores).
A test that builds several times in a row (edit, build again, compare) can
run its builds through one :class:`BuildSession` instead: one child process
that calls the same entry point (:func:`helpers.cli.main`) for each build, so
its imports and its zygote serve every build after the first. Each build's
output is captured as a subprocess's would be: what Python prints, and what
any process of the build writes to the session's own stdout or stderr.

Tests about the command line as a process (exit codes, signals, two builds at
once, warnings as errors) keep ``subprocess``.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.paths import ROOT

_SERVER = r"""
import contextlib, io, json, os, sys, traceback
from helpers.cli import main

replies = os.fdopen(int(sys.argv[1]), "w", buffering=1)
for line in sys.stdin:
    request = json.loads(line)
    os.chdir(request["cwd"])
    saved = dict(os.environ)
    os.environ.update(request["env"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(request["argv"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ.clear()
    os.environ.update(saved)
    replies.write(json.dumps({"returncode": code, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
"""


class BuildSession:
    """``with BuildSession() as s: res = s.build("--out", ...)``; ``res`` is a ``subprocess.CompletedProcess``."""

    def __init__(self, cwd: Path = ROOT, timeout: float = 600, python_args: tuple[str, ...] = ()):
        """``python_args`` go to the interpreter, as ``-W error::RuntimeWarning`` before ``-m helpers``."""
        self.cwd, self.timeout = Path(cwd), timeout
        self._log = tempfile.TemporaryFile()  # what the session's processes write to their fds 1 and 2
        read, write = os.pipe()
        self._proc = subprocess.Popen(
            [sys.executable, *python_args, "-c", _SERVER, str(write)],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
            pass_fds=(write,),
            text=True,
            cwd=self.cwd,
        )
        os.close(write)
        self._replies = os.fdopen(read, "r")

    def build(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        argv = ["build", *map(str, args)]
        seen = self._log.seek(0, os.SEEK_END)
        self._proc.stdin.write(json.dumps({"argv": argv, "cwd": str(self.cwd), "env": env or {}}) + "\n")
        self._proc.stdin.flush()
        if not select.select([self._replies], [], [], self.timeout)[0]:
            self._proc.kill()
            raise TimeoutError(f"a build of the session took over {self.timeout} s: {argv}")
        line = self._replies.readline()
        self._log.seek(seen)
        raw = self._log.read().decode(errors="replace")
        if not line:
            self.close()
            raise RuntimeError(f"the build session ended:\n{raw}")
        reply = json.loads(line)
        return subprocess.CompletedProcess(argv, reply["returncode"], reply["stdout"], raw + reply["stderr"])

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._replies.close()
        self._log.close()

    def __enter__(self) -> BuildSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
