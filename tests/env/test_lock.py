"""The installed environment is requirements.lock, package for package, and its hashes are enforced.

pyproject.toml holds the top-level pins a person edits; ``make lock`` resolves
them with uv into requirements.lock (exact versions and sha256 hashes of every
package), and ``make install`` installs that lock with hash checking.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

from helpers.paths import ROOT
from support.pins import all_pins

LOCK = ROOT / "requirements.lock"
TOOLS_LOCK = ROOT / "requirements-tools.lock"
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def lock_entries(path: Path) -> list[dict]:
    """Each requirement of a uv/pip-tools lock: name, version, marker, hashes."""
    entries: list[dict] = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith(" "):
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
            if hashes:
                entries[-1]["hashes"] += hashes
            continue
        m = ENTRY.match(line)
        assert m, f"{path.name}: {line!r} is not 'name==version [; marker] \\'"
        entries.append(
            {"name": canonicalize_name(m.group(1)), "version": m.group(2), "marker": m.group(3), "hashes": []}
        )
    return entries


def locked_here(path: Path = LOCK) -> dict[str, str]:
    """The lock's packages whose environment markers hold for this interpreter and platform."""
    return {e["name"]: e["version"] for e in lock_entries(path) if not e["marker"] or Marker(e["marker"]).evaluate()}


def test_every_lock_entry_is_pinned_with_hashes():
    entries = lock_entries(LOCK)
    assert len(entries) > len(all_pins()), "the lock must hold the transitive packages too"
    assert all(e["hashes"] for e in entries), [e["name"] for e in entries if not e["hashes"]]


def test_lock_holds_every_top_level_pin_at_its_version():
    locked = locked_here()
    for name, version in all_pins().items():
        assert locked.get(canonicalize_name(name)) == version, (
            f"requirements.lock has {name}=={locked.get(canonicalize_name(name))}, pyproject.toml pins {version}: run make lock"
        )


def test_installed_environment_equals_the_lock():
    installed = {}
    for dist in distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name != "helpers":  # the project itself, installed editable
            installed[name] = dist.version
    locked = locked_here()
    missing = {n: v for n, v in locked.items() if installed.get(n) != v}
    extra = {n: v for n, v in installed.items() if n not in locked}
    assert not missing and not extra, f"not as locked (run make install): {missing=} {extra=}"


def test_uv_is_pinned_once_in_the_makefile_and_locked():
    version = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    (entry,) = lock_entries(TOOLS_LOCK)
    assert (entry["name"], entry["version"]) == ("uv", version), "run make lock after changing UV_VERSION"
    assert entry["hashes"]


# ------------------------------------------------------------------ hash checking, end to end through make install
SMALL = "six"  # a tiny wheel from the lock (pure Python)


def _mini_lock(tmp_path: Path, tamper: bool) -> Path:
    """A lock with setuptools (needed for the editable install) and one tiny package, hashes from the real lock."""
    keep = {e["name"]: e for e in lock_entries(LOCK) if e["name"] in ("setuptools", SMALL)}
    assert set(keep) == {"setuptools", SMALL}, f"the lock no longer holds {SMALL}: pick another tiny package"
    lines = []
    for name, e in sorted(keep.items()):
        hashes = ["0" * 64] if (tamper and name == SMALL) else e["hashes"]
        lines.append(f"{name}=={e['version']} \\")
        lines += [f"    --hash=sha256:{h} \\" for h in hashes[:-1]] + [f"    --hash=sha256:{hashes[-1]}"]
    path = tmp_path / ("tampered.lock" if tamper else "mini.lock")
    path.write_text("\n".join(lines) + "\n")
    return path


def _make_install(tmp_path: Path, lock: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={tmp_path / 'venv'}", f"LOCK={lock}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


needs_make = pytest.mark.skipif(
    not shutil.which("make") or not (ROOT / ".tools" / "bin" / "uv").exists(),
    reason="needs make and the uv that make install bootstraps into .tools/",
)


@needs_make
@pytest.mark.process
def test_make_install_installs_a_lock(tmp_path):
    """Positive control for the test below: the same lock with its real hashes installs."""
    proc = _make_install(tmp_path, _mini_lock(tmp_path, tamper=False))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list((tmp_path / "venv").glob(f"lib/python*/site-packages/{SMALL}-*.dist-info"))


@needs_make
@pytest.mark.process
def test_make_install_stops_on_a_tampered_hash(tmp_path):
    proc = _make_install(tmp_path, _mini_lock(tmp_path, tamper=True))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "hash" in out.lower() and "0" * 64 in out, out  # uv names the expected hash it did not get
    assert "A hash mismatch means a downloaded file differs" in out
    assert not (tmp_path / "venv" / ".installed").exists()
    assert not list((tmp_path / "venv").glob(f"lib/python*/site-packages/{SMALL}-*.dist-info"))
