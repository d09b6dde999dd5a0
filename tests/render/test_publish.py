"""Failures never damage the published reports, leave no kernel behind, and builds never mix."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from helpers.paths import ROOT
from support.commands import run_helpers, start_helpers
from support.notebooks import make_notebook

pytestmark = pytest.mark.kernel

OK = 'from IPython.display import Markdown\nfrom pathlib import Path\nMarkdown(f"report for **{condition}** from {Path(data_path).name}")'


MARK = "HELPERS_TEST_MARK"


def marked_env(mark: str) -> dict:
    """An environment whose value of MARK every process of the build (kernels included) inherits."""
    return dict(os.environ, **{MARK: mark})


def build(*args, mark: str = "none", timeout: int = 300):
    return run_helpers("build", *args, timeout=timeout, env=marked_env(mark))


def snapshot(out: Path) -> dict:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".build.lock" and "_failed" not in p.parts
    }


def kernels(mark: str) -> list[int]:
    """Live kernel processes started by the build carrying this mark (other tests' kernels are ignored)."""
    found = []
    for pid in subprocess.run(["pgrep", "-f", "ipykernel_launcher"], capture_output=True, text=True).stdout.split():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"{MARK}={mark}".encode() in environ:
            found.append(int(pid))
    return found


@pytest.fixture(scope="module")
def published_once(tmp_path_factory, builds):
    """A published report set built once from two quick notebooks (in the test process's build session)."""
    base = tmp_path_factory.mktemp("published")
    good = base / "good"
    make_notebook(good, "01_prints_ok_after_a_pause", [OK])
    make_notebook(good, "02_prints_ok", [OK])
    out = base / "out"
    res = builds.build(
        "--notebooks", good, "--out", out, "--condition", "all", "--condition", "migraine", "--jobs", "1"
    )
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture
def published(tmp_path, published_once):
    """A private copy of the published set for each test."""
    out = tmp_path / "out"
    shutil.copytree(published_once, out)
    return out, snapshot(out)


def failing_set(tmp_path, code):
    folder = tmp_path / "bad"
    make_notebook(folder, "01_prints_ok_after_a_pause", [OK])
    make_notebook(folder, "02_prints_ok", [code])
    return folder


@pytest.mark.parametrize(
    "kind,code,extra",
    [
        ("exception", 'if condition == "migraine":\n    raise ValueError("planted failure")\n' + OK, []),
        # the same property for the two other kinds of failure (make test-slow; test_executor covers both kinds fast)
        pytest.param(
            "dead_kernel", 'import os\nif condition == "migraine":\n    os._exit(1)\n' + OK, [], marks=pytest.mark.slow
        ),
        pytest.param(
            "timeout",
            'import time\nif condition == "migraine":\n    time.sleep(60)\n' + OK,
            ["--cell-timeout", "2"],
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_failing_report_leaves_published_reports_intact(tmp_path, published, kind, code, extra):
    out, before = published
    folder = failing_set(tmp_path, code)
    mark = uuid.uuid4().hex
    res = build(
        "--notebooks",
        str(folder),
        "--out",
        str(out),
        "--condition",
        "all",
        "--condition",
        "migraine",
        "--jobs",
        "1",
        *extra,
        mark=mark,
    )
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    assert "migraine/02_prints_ok.html" in res.stderr and "left as they were" in res.stderr
    assert snapshot(out) == before
    failed = out / "_failed" / "migraine__02_prints_ok.ipynb"
    assert failed.is_file()
    nb = nbformat.read(failed, as_version=4)
    marked = [c for c in nb.cells if "build-error" in c.metadata.get("tags", [])]
    assert len(marked) == 1 and "build-error-note" in nb.cells[nb.cells.index(marked[0]) - 1].metadata["tags"]
    assert not list(out.glob(".staging-*"))
    assert kernels(mark) == []


# Ctrl-C in make test; the other two take the same path and run in the slow tier
@pytest.mark.parametrize(
    "signum",
    [
        pytest.param(signal.SIGTERM, marks=pytest.mark.slow),
        signal.SIGINT,
        pytest.param(signal.SIGHUP, marks=pytest.mark.slow),
    ],
    ids=["TERM", "INT", "HUP"],
)
def test_a_signal_halfway_keeps_reports_kills_kernels_and_exits_by_convention(tmp_path, published, signum):
    """SIGTERM (a service manager), SIGINT (Ctrl-C) and SIGHUP (the terminal closed): exit 128 + the signal's
    number, as a shell reports it, with the published set, no kernel, no staging and no _failed/ left."""
    out, before = published
    folder = failing_set(tmp_path, "import time\ntime.sleep(60)\n" + OK)
    mark = uuid.uuid4().hex
    proc = start_helpers(
        "build",
        "--notebooks",
        folder,
        "--out",
        out,
        "--condition",
        "all",
        "--condition",
        "migraine",
        "--force",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=marked_env(mark),
    )
    deadline = time.time() + 60
    while time.time() < deadline and not (kernels(mark) and list(out.glob(".staging-*"))):
        time.sleep(0.2)
    time.sleep(1.0)
    assert kernels(mark), "the build never started a kernel"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert "interrupted" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert not list(out.glob(".staging-*")) and not list(out.glob(".trash-*"))
    assert not (out / "_failed").exists(), "an interrupted report is not a failed one"
    assert kernels(mark) == [], "a kernel outlived the build"


def test_two_builds_started_together_never_mix(tmp_path):
    folder = tmp_path / "nbs"
    make_notebook(folder, "01_prints_ok_after_a_pause", ["import time\ntime.sleep(0.5)\n" + OK])
    make_notebook(folder, "02_prints_ok", [OK])
    data_a, data_b = tmp_path / "a.csv", tmp_path / "b.csv"
    for p in (data_a, data_b):
        p.write_bytes((ROOT / "data" / "studies.csv").read_bytes())
    out = tmp_path / "out"
    args = ["--notebooks", str(folder), "--out", str(out), "--condition", "neck_pain", "--jobs", "1"]
    a = start_helpers("build", "--data", data_a, *args, stdout=subprocess.PIPE)
    b = start_helpers("build", "--data", data_b, *args, stdout=subprocess.PIPE)
    out_a, _ = a.communicate(timeout=300)
    out_b, _ = b.communicate(timeout=300)
    assert a.returncode == 0 and b.returncode == 0
    assert "waiting" in out_a + out_b  # one build saw the other's lock
    sources = {
        name
        for page in out.rglob("*.html")
        if page.name != "index.html"
        for name in ("a.csv", "b.csv")
        if f"from {name}" in page.read_text()
    }
    assert len(sources) == 1, f"published set mixes builds: {sources}"
    state = json.loads((out / ".build-state.json").read_text())
    assert len(state["reports"]) == 2
