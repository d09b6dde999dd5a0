"""Publishing a build: one build at a time per output folder, and the published set replaced in one step."""

from __future__ import annotations

import os
import shutil
import signal
import uuid
from pathlib import Path

from ..paths import display_path
from .jobs import LOCK_FILE


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


def publish(staging: Path, out: Path, previous: set[str]) -> list[str]:
    """Replace what the last build published with the staging folder's files, signals held off meanwhile.

    Only ``previous`` (the files the last build's state records) and the files this build writes are moved
    out of the way: anything else in the folder (a README, a file of the user's, another condition's
    reports) is left as it is. Returns the published files, relative to ``out``, for the new state.
    """
    new = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file() or p.is_symlink())
    replaced = [rel for rel in sorted(previous | set(new)) if (out / rel).is_file() or (out / rel).is_symlink()]
    trash = out / f".trash-{uuid.uuid4().hex[:8]}"
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        trash.mkdir()
        for rel in replaced:
            (trash / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).rename(trash / rel)
        for rel in new:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).rename(out / rel)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    _remove_emptied_folders(out, {str(Path(rel).parent) for rel in replaced})
    return new


def _remove_emptied_folders(out: Path, folders: set[str]) -> None:
    """The folders that held only files this build moved away (a report of a condition no longer built)."""
    for rel in sorted(folders, key=lambda r: -len(Path(r).parts)):
        folder = out / rel
        while folder != out and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
