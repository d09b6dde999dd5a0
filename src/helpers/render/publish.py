"""Publishing a build: one build at a time per output folder, and the published set replaced in one step."""

from __future__ import annotations

import os
import shutil
import signal
import uuid
from pathlib import Path

from ..paths import display_path
from .jobs import KEEP, LOCK_FILE


class BuildLock:
    """An exclusive lock on the output folder; a second build waits and says so."""

    def __init__(self, out: Path):
        self.path = out / LOCK_FILE
        self.fh = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"another build is writing to {display_path(self.path.parent)}; waiting for it to finish ...",
                flush=True,
            )
            fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        try:
            shutil.copy2(src, dst)
        except OSError as exc:  # inside staging: removed with it, but the message names the file
            raise OSError(exc.errno, exc.strerror, str(dst)) from exc


def publish(staging: Path, out: Path) -> None:
    """Replace the published set with the staging folder's contents, signals held off meanwhile."""
    managed_old = [p for p in out.iterdir() if p.name not in KEEP and not p.name.startswith((".staging-", ".trash-"))]
    trash = out / f".trash-{uuid.uuid4().hex[:8]}"
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        trash.mkdir()
        for p in managed_old:
            p.rename(trash / p.name)
        for p in staging.iterdir():
            p.rename(out / p.name)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
