"""Forked and fresh kernels give byte-identical reports of the shipped table (issue 12)."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from shipped_build import CONDITIONS, build_shipped, shared_folder

from helpers.paths import ROOT


def build(*args, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "helpers", "build", *args], capture_output=True, text=True, timeout=timeout
    )


def digests(out: Path) -> dict:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.html"))
        if p.name != "index.html"
    }


def test_isolated_build_matches_the_shared_build_for_every_notebook(tmp_path_factory, worker_id, builds):
    """Every report notebook, condition all, on fresh kernels: byte-identical to the shared (forked) build
    (the isolated build runs in the test process's build session: --isolated starts a kernel per report)."""
    shared = build_shipped(shared_folder(tmp_path_factory, worker_id))
    isolated = tmp_path_factory.mktemp("isolated")
    res = builds.build("--out", isolated, "--isolated", *[a for c in CONDITIONS for a in ("--condition", c)])
    assert res.returncode == 0, res.stdout + res.stderr
    pages = digests(isolated)
    assert len(pages) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))) * len(CONDITIONS)
    assert pages == digests(shared)
    assert not (shared / "figures").exists()  # 300-dpi PNGs only with --figures


@pytest.mark.slow
def test_isolated_and_default_builds_are_byte_identical_for_the_shipped_table(tmp_path):
    """All reports of every condition, both ways (make test-slow; CI runs it)."""
    default, isolated = tmp_path / "default", tmp_path / "isolated"
    for out, flag in ((default, []), (isolated, ["--isolated"])):
        res = build("--out", str(out), *flag)
        assert res.returncode == 0, res.stdout + res.stderr
    pages = digests(default)
    assert len(pages) >= 24
    assert pages == digests(isolated)
