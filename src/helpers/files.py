"""Files written whole or not at all, and the one-line message for a file that could not be written.

A full disk, a read-only folder or a quota can stop any write; a file written
in place would then be left truncated. Here a file is written beside its
target under a temporary name and renamed over it only once complete (a
rename within a folder is atomic), and the temporary file is removed when the
write fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .paths import display_path


def write_atomic(path: Path | str, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` whole, or leave ``path`` as it was (raises the OSError)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding=encoding)
        os.replace(tmp, path)
    except OSError as exc:  # a failed write() names no file: name the one that was being written
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


#: the folders a build writes into before it publishes (helpers.render): a reader knows the published name
STAGING = re.compile(r"/\.(?:staging|trash)-[0-9a-f]+(?=/|$)")


def os_error_message(exc: OSError) -> str:
    """'cannot write reports/all/x.html: No space left on device' (the path and the cause, one line)."""
    where = STAGING.sub("", display_path(exc.filename)) if exc.filename else "a file"
    cause = exc.strerror or type(exc).__name__
    return f"cannot write {where}: {cause}"
