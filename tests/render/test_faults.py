"""Faults a user's machine causes end in one line naming the path and the cause, exit 1, with no partial file
left anywhere and the published reports as they were: a full disk, a read-only output folder, and a build
killed with -9 (whose staging folder the next build removes and mentions).

The disk and the read-only folder are real (small tmpfs mounts) where the machine allows mounting; the
unit tests below plant the same OSError at the write wherever it does not.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from helpers import files
from helpers.cli import main
from support.commands import start_helpers
from support.notebooks import make_notebook


def published(out: Path) -> dict:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".build.lock"
    }


def leftovers(out: Path) -> list[str]:
    """What a failed build must not leave: temporary files, staging folders, notebooks under _failed/."""
    return sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith((".staging-", ".trash-")) or "_failed" in p.parts
    )


def one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def mount(tmp_path):
    """mount(size, read_only=False) -> a fresh tmpfs folder (unmounted afterwards); skips where mounting is
    not allowed (the planted-error tests below cover those machines)."""
    points = []

    def make(size: str, read_only: bool = False) -> Path:
        point = tmp_path / f"mnt{len(points)}"
        point.mkdir()
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({res.stderr.decode().strip()}): the planted-error tests apply")
        points.append(point)
        (point / "reports").mkdir()
        (point / "reports" / "index.html").write_text("the published set of an earlier build")
        state = {"reports": {}, "published": ["index.html", ".build-state.json"]}  # which that build recorded
        (point / "reports" / ".build-state.json").write_text(json.dumps(state))
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        return point / "reports"

    yield make
    for point in points:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


BIG = 'print("x" * 400_000)'  # a report far larger than the disk below


@pytest.mark.kernel
def test_a_full_disk_ends_in_one_line_and_leaves_nothing(tmp_path, mount, builds):
    out = mount("256k")
    before = published(out)
    make_notebook(tmp_path / "nbs", "01_prints_a_large_output", [BIG])
    res = builds.build("--notebooks", tmp_path / "nbs", "--out", out, "--condition", "all", "--jobs", "1")
    assert res.returncode == 1
    line = one_line(res.stderr)
    # the file that filled the disk is named, inside the published folder (a report or the data beside them)
    assert re.match(rf"cannot write {re.escape(str(out))}/\S+: No space left on device", line), line
    assert "the published reports were left as they were" in line
    assert published(out) == before and leftovers(out) == []


@pytest.mark.process  # mount
def test_negative_control_the_disk_really_fills_and_a_plain_write_leaves_a_partial_file(mount):
    out = mount("256k")
    with pytest.raises(OSError) as caught:
        (out / "plain.html").write_text("x" * 400_000)  # what the build did before its writes were atomic
    assert caught.value.errno == errno.ENOSPC and caught.value.filename is None  # no path in a failed write()
    assert (out / "plain.html").stat().st_size > 0  # truncated, left behind


@pytest.mark.process  # mount
def test_a_read_only_output_folder_ends_in_one_line(mount, builds):
    out = mount("1m", read_only=True)
    before = published(out)
    res = builds.build("--out", out, "--condition", "all")
    assert res.returncode == 1
    assert one_line(res.stderr) == (
        f"cannot write {out}/.build.lock: Read-only file system; the published reports were left as they were"
    )
    assert published(out) == before
    with pytest.raises(OSError):  # negative control: the folder really refuses writes
        (out / "probe").write_text("x")


@pytest.mark.process
def test_the_next_build_removes_and_mentions_the_staging_of_a_killed_build(tmp_path, builds):
    folder = tmp_path / "nbs"
    make_notebook(folder, "01_takes_a_while", ["import time\ntime.sleep(60)"])
    out = tmp_path / "out"
    args = ("--notebooks", folder, "--out", out, "--condition", "all", "--jobs", "1")
    proc = start_helpers("build", *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob(".staging-*")):
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    stale = list(out.glob(".staging-*"))
    assert stale, "negative control: a build killed with -9 leaves its staging folder"
    make_notebook(folder, "01_takes_a_while", ['print("quick now")'])
    res = builds.build(*args)  # the next build, from any process
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"removed {stale[0]}, left by a build that did not finish" in res.stdout
    assert not list(out.glob(".staging-*")) and (out / "all" / "01_takes_a_while.html").is_file()


# ------------------------------------------------------------------ the same faults planted at the write
def test_an_atomic_write_that_fails_leaves_the_old_file_and_names_its_path(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old")

    def full(self, data, *args, **kwargs):
        Path.__dict__["write_bytes"](self, data[: len(data) // 2].encode())  # half of it reaches the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError) as caught:
        files.write_atomic(target, "new " * 1000)
    assert caught.value.filename == str(target) and caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    with pytest.raises(OSError):  # negative control: a plain write in place leaves half a file
        target.write_text("new " * 1000)
    assert target.read_bytes() != b"old"


def test_the_message_names_the_published_path_not_the_staging_folder():
    exc = OSError(errno.ENOSPC, "No space left on device", "/srv/reports/.staging-1a2b3c4d/all/00_x.html")
    assert files.os_error_message(exc) == "cannot write /srv/reports/all/00_x.html: No space left on device"


@pytest.mark.integration
def test_any_command_turns_an_os_error_into_one_line(tmp_path, monkeypatch, capsys):
    from helpers.site import tables

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "t" / "effects.csv"))

    monkeypatch.setattr(tables, "write_atomic", read_only)
    assert main(["tables", "--out", str(tmp_path / "t")]) == 1
    assert one_line(capsys.readouterr().err) == f"cannot write {tmp_path}/t/effects.csv: Read-only file system"
