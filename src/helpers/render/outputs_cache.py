"""Executed outputs kept by the code that made them: a prose edit re-renders without a kernel.

A report's outputs depend on its code cells (the injected parameters among
them), the data files, the ``helpers`` source and the pinned packages, and on
nothing in its Markdown cells, which no kernel ever sees. So after a report
ran, the outputs of its code cells are stored under a key made of exactly
those inputs. When a later build finds the same key (an author reworded the
prose of a notebook, or a report's title changed), it copies the outputs into
the freshly parameterized notebook and goes straight to the HTML export, which
still reads the new Markdown. The page is then the one a kernel would give:
the reports are deterministic (the byte-identity tests build them twice and
compare), and any change to code, parameters or inputs gives a new key.

This is the rule Jupyter Book's execution cache (jupyter-cache) applies. Entries
live under the table cache (``HELPERS_CACHE``, default ``.cache/tables``) in
``executions/``; ``--force`` ignores them, and the oldest entries beyond
:data:`MAX_ENTRIES` are removed.

An entry holds its outputs as one JSON text and the sha256 of that text,
checked when it is read. A damaged entry, or one whose page would hold active
content (:mod:`helpers.render.inert`, the check every page passes before it is
published, made by a kernel or not), is discarded with one line on stderr, and
the report runs on a kernel.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

#: at most this many executed notebooks are kept (a full build of the shipped table makes 30)
MAX_ENTRIES = 240
FORMAT = 2

_said: set[str] = set()  # entries already reported as discarded by this process


def folder() -> Path:
    from ..data.table_cache import cache_dir

    return cache_dir() / "executions"


def execution_key(nb, shared: str, cwd: str | Path) -> str:
    """What a kernel's outputs can depend on: code cells in order, kernel, working folder, shared inputs."""
    h = hashlib.sha256()
    h.update(f"v{FORMAT}|{shared}|{Path(cwd).resolve()}|".encode())
    h.update(json.dumps(nb.metadata.get("kernelspec", {}), sort_keys=True).encode())
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            h.update(b"\0cell\0" + source.encode())
    return h.hexdigest()[:40]


def exists(key: str) -> bool:
    return bool(key) and entry_path(key).is_file()


def _code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def entry_path(key: str) -> Path:
    return folder() / f"{key}.json"


def load(nb, key: str) -> bool:
    """Fill the code cells of ``nb`` with the stored outputs for ``key``; False when there are none.

    A damaged entry (unreadable, digest not matching, not outputs for these cells) is discarded, said once.
    """
    import nbformat

    path = entry_path(key)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        discard(key, f"it cannot be read ({type(exc).__name__})")
        return False
    try:
        stored = json.loads(text)
        payload = stored["outputs"]
        if stored["format"] != FORMAT or hashlib.sha256(payload.encode()).hexdigest() != stored["sha256"]:
            discard(key, "its contents do not match their digest")
            return False
        cells = json.loads(payload)
        code = _code_cells(nb)
        if len(cells) != len(code):
            discard(key, f"it holds {len(cells)} cells, the notebook {len(code)}")
            return False
        filled = [([nbformat.from_dict(o) for o in c["outputs"]], c["execution_count"]) for c in cells]
    except Exception as exc:  # whatever a damaged entry raises, the report runs on a kernel instead
        discard(key, f"it does not decode ({type(exc).__name__})")
        return False
    for cell, (outputs, count) in zip(code, filled):
        cell.outputs = outputs
        cell.execution_count = count
    try:
        os.utime(path)  # recently used entries are the last to be pruned
    except OSError:
        pass
    return True


def discard(key: str, why: str) -> None:
    """Remove the entry for ``key`` and say why, once."""
    path = entry_path(key)
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache: the entry stays, and is refused again when read
    if str(path) not in _said:
        _said.add(str(path))
        print(f"helpers: discarded the execution cache entry {path}: {why}; running the report on a kernel",
              file=sys.stderr)  # fmt: skip


def store(nb, key: str) -> None:
    """Keep the outputs of an executed notebook's code cells under ``key`` (best effort)."""
    cells = [{"outputs": c.get("outputs", []), "execution_count": c.get("execution_count")} for c in _code_cells(nb)]
    payload = json.dumps(cells)
    entry = {"format": FORMAT, "sha256": hashlib.sha256(payload.encode()).hexdigest(), "outputs": payload}
    target = folder()
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(tmp, target / f"{key}.json")
        prune(target)
    except OSError:
        pass  # a cache that cannot be written only costs time


def prune(target: Path, keep: int = MAX_ENTRIES) -> None:
    entries = []
    for p in target.glob("*.json"):
        try:
            entries.append((p.stat().st_mtime, p))
        except OSError:
            pass
    if len(entries) <= keep:
        return
    for _, p in sorted(entries)[: len(entries) - keep]:
        p.unlink(missing_ok=True)
