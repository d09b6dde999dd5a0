"""scripts/bootstrap_uv.py: uv's binary from its wheel, checked against requirements-tools.lock (no network here)."""

import hashlib
import importlib.util
import io
import json
import os
import zipfile

import pytest

from helpers.paths import ROOT

spec = importlib.util.spec_from_file_location("bootstrap_uv", ROOT / "scripts" / "bootstrap_uv.py")
boot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(boot)


def wheel(version: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"uv-{version}.data/scripts/uv", b"#!/bin/sh\necho uv\n")
        z.writestr(f"uv-{version}.dist-info/METADATA", "Name: uv\n")
    return buf.getvalue()


@pytest.fixture
def index(monkeypatch, tmp_path):
    """A fake PyPI: the index lists one wheel for this platform; downloads return `served`."""
    version = "9.9.9"
    good = wheel(version)
    tag = boot.platform_tags()[0]
    name = f"uv-{version}-{tag}.whl"
    state = {"served": good, "listed": hashlib.sha256(good).hexdigest()}

    class Reply(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    def urlopen(req, timeout=None):
        url = req if isinstance(req, str) else req.full_url
        if url == boot.SIMPLE:
            return Reply(
                json.dumps(
                    {
                        "files": [
                            {
                                "filename": name,
                                "url": "https://files.example/" + name,
                                "hashes": {"sha256": state["listed"]},
                            }
                        ]
                    }
                ).encode()
            )
        return Reply(state["served"])

    monkeypatch.setattr(boot.urllib.request, "urlopen", urlopen)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("UV_DEFAULT_INDEX", raising=False)
    lock = tmp_path / "tools.lock"
    lock.write_text(f"uv=={version} \\\n    --hash=sha256:{state['listed']}\n")
    return lock, state


def test_installs_the_binary_whose_hash_the_lock_lists(index, tmp_path):
    lock, _ = index
    assert boot.main(str(lock), str(tmp_path / "tools")) == 0
    uv = tmp_path / "tools" / "bin" / "uv"
    assert uv.read_bytes().startswith(b"#!/bin/sh") and os.access(uv, os.X_OK)


def test_a_download_whose_hash_differs_is_refused_and_not_installed(index, tmp_path, capsys):
    lock, state = index
    state["served"] = wheel("9.9.9") + b"tampered"
    assert boot.main(str(lock), str(tmp_path / "tools")) == 1
    assert "does not list: not installed" in capsys.readouterr().err
    assert not (tmp_path / "tools" / "bin" / "uv").exists()


def test_a_configured_mirror_or_an_unlisted_wheel_takes_the_pip_route(index, tmp_path, monkeypatch):
    lock, state = index
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    assert boot.main(str(lock), str(tmp_path / "a")) == boot.NOT_THIS_WAY
    monkeypatch.delenv("PIP_INDEX_URL")
    state["listed"] = "0" * 64  # the index offers no file the lock allows
    assert boot.main(str(lock), str(tmp_path / "b")) == boot.NOT_THIS_WAY
