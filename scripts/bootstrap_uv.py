"""Put the pinned uv into <tools>/bin/uv, hash-checked, straight from PyPI: no virtual environment, no pip run.

    python3 scripts/bootstrap_uv.py requirements-tools.lock .tools

uv's wheel holds one static binary. This script reads the version and the
allowed SHA-256 hashes from the lock, asks PyPI's index (the JSON form of the
simple API that pip and uv read) for that release's files, picks the wheel for this platform (the first of this interpreter's
tags, in the order pip uses, that a locked file carries), downloads it,
checks its hash against the lock and extracts the binary. It takes about a
second where creating a venv and running pip took about four.

Exit codes: 0 done; 1 a downloaded file whose hash is not in the lock (never
installed, never retried another way); 3 this route does not apply (another
package index is configured, no wheel for this platform, no network, pip's
tag list unavailable): the Makefile then bootstraps with venv and pip.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import sys
import urllib.request
import zipfile
from pathlib import Path

SIMPLE = "https://pypi.org/simple/uv/"  # the index API pip and uv use (PEP 691, JSON form)
NOT_THIS_WAY = 3


def pinned(lock: Path) -> tuple[str, set[str]]:
    text = lock.read_text(encoding="utf-8")
    version = re.search(r"^uv==([\w.]+)", text, re.M)
    if not version:
        raise SystemExit(f"{lock}: no uv==VERSION line")
    return version.group(1), set(re.findall(r"sha256:([0-9a-f]{64})", text))


def platform_tags() -> list[str]:
    """This interpreter's wheel tags, best first (packaging's, or the copy pip vendors)."""
    try:
        from packaging.tags import sys_tags
    except ImportError:
        from pip._vendor.packaging.tags import sys_tags

    return [str(t) for t in sys_tags()]


def wheel_tags(filename: str) -> set[str]:
    pythons, abis, platforms = filename[:-4].split("-")[-3:]
    return {f"{p}-{a}-{pl}" for p in pythons.split(".") for a in abis.split(".") for pl in platforms.split(".")}


def main(lock: str, tools: str) -> int:
    if os.environ.get("PIP_INDEX_URL") or os.environ.get("UV_DEFAULT_INDEX"):
        return NOT_THIS_WAY  # a mirror is configured: pip honours it
    version, allowed = pinned(Path(lock))
    try:
        tags = platform_tags()
        request = urllib.request.Request(SIMPLE, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            files = json.load(r)["files"]
    except Exception as exc:
        print(f"bootstrap_uv: {exc}; bootstrapping uv with venv and pip instead", file=sys.stderr)
        return NOT_THIS_WAY
    wheels = [
        f
        for f in files
        if f["filename"].startswith(f"uv-{version}-")
        and f["filename"].endswith(".whl")
        and f.get("hashes", {}).get("sha256") in allowed
    ]
    choice = next((w for t in tags for w in wheels if t in wheel_tags(w["filename"])), None)
    if choice is None:
        return NOT_THIS_WAY
    try:
        with urllib.request.urlopen(choice["url"], timeout=120) as r:
            data = r.read()
    except Exception as exc:
        print(f"bootstrap_uv: {exc}; bootstrapping uv with venv and pip instead", file=sys.stderr)
        return NOT_THIS_WAY
    digest = hashlib.sha256(data).hexdigest()
    if digest not in allowed:
        print(
            f"bootstrap_uv: {choice['filename']} has sha256 {digest}, which {lock} does not list: not installed. "
            "Check the network path, or run make lock if uv's pin changed on purpose.",
            file=sys.stderr,
        )
        return 1
    with zipfile.ZipFile(io.BytesIO(data)) as whl:
        member = next(n for n in whl.namelist() if re.fullmatch(r"uv-[^/]+\.data/scripts/uv", n))
        binary = whl.read(member)
    target = Path(tools) / "bin" / "uv"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(binary)
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(tmp, target)
    print(f"uv {version} ({choice['filename']}, sha256 checked) in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
