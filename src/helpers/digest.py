"""Content digests of the package's own code, for cache keys that survive a file being moved.

A cached result (a validated table, a passed cross-check, an executed report)
depends on the code that made it, not on where that code sits: the digest
hashes the files' contents, sorted by their own hashes, so renaming or moving
a module inside the hashed folders leaves it unchanged and editing one changes it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]


def code_digest(*paths: Path | str) -> str:
    """sha256 of the contents of every file under ``paths`` (folders or files), independent of their names."""
    files = sorted((str(f), f.stat().st_size, f.stat().st_mtime_ns) for p in paths for f in _files(Path(p).resolve()))
    return _digest(tuple(files))


@lru_cache(maxsize=64)
def _digest(files: tuple[tuple[str, int, int], ...]) -> str:
    # the bytes are read again only when a file's size or time changed (many kernels and tables ask per build)
    hashes = sorted(hashlib.sha256(Path(f).read_bytes()).hexdigest() for f, _, _ in files)
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()
