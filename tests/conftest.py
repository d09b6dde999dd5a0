"""Shared fixtures: paths, the shipped table, and helpers to write modified copies of it."""

from __future__ import annotations

import atexit
import csv
import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import ROOT, STUDIES_PATH
from support.tables import write_rows

#: a test that starts one of these carries its marker, so that make unit (none of them) stays in-process
STARTS = ("kernel", "browser", "process")
#: in-process, but a whole path rather than one module: a command of python -m helpers run through its entry
#: point, a local HTTP server, notebooks exported by nbconvert, an input of production scale, or every figure
#: or statement of a report measured; make test runs these, make unit does not
WHOLE = "integration"


def _exit_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# an xdist worker has sent its last report when its interpreter exits: tearing the interpreter down (about
# 670,000 objects freed one by one) only delays the end of the run by 1.5 s; registered at import, so that the
# exit handlers registered later (pytest's, the tests') still run before it
if os.environ.get("PYTEST_XDIST_WORKER"):
    atexit.register(_exit_now)

# a full collection visits every object a test process keeps (pandas, matplotlib, the architecture tests'
# parsed modules), 0.1-0.3 s each; by default one ran about every ten intermediate ones and they took 1.5-2.5 s
# of each make unit worker. Young objects are still collected as usual; the old ones when a test or pytest
# asks (gc.collect), as at the end of the session. Measured: benchmarks/results/executor-notes.md
gc.set_threshold(700, 10, 1000)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """pytest collects twice at the end to find exceptions raised in finalizers: its unconfigure hook, then its
    clean-up. After the first, what is left is alive; frozen, the second visits nothing."""
    gc.freeze()


#: fixtures whose use starts a kernel (a build session, a shared build) or a browser: their tests are marked so
FIXTURE_MARKS = {
    "builds": "kernel",
    "session": "kernel",
    "migraine_reports": "kernel",
    "reports": "kernel",
    "browser": "browser",
    "api": WHOLE,  # tests/search/conftest.py: a local server answering as the bibliographic databases do
    "stock_html": WHOLE,  # tests/report/test_notebook_frictions.py: a notebook exported by stock nbconvert
}


#: xdist's work units (--dist loadfile) are test files, except these folders, each of which goes whole to one
#: test process: the browser tests share its one Chromium (tests/browser/conftest.py), and the committed
#: notebooks its one nbval zygote (support.nbval_kernels), instead of one per process
SHARED_UNITS = ("tests/browser/", "notebooks/")


def work_unit(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return next((folder for folder in SHARED_UNITS if path.startswith(folder)), path)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: no error where xdist is not loaded
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile with the units of :func:`work_unit` (xdist's loadgroup cannot group them: it marks a
    group in the test's id, which this version of pytest no longer lets a plugin change)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return Scheduling(config, log)


def pytest_collection_modifyitems(items):
    for item in items:
        for name, mark in FIXTURE_MARKS.items():
            if name in getattr(item, "fixturenames", ()):
                item.add_marker(mark)
        if item.nodeid.split("::", 1)[0].endswith(".ipynb"):  # an nbval cell runs in a kernel
            item.add_marker("kernel")
    # the longest work first, so that what is left at the end, when one process may be idle, is short: units
    # that start a kernel or a browser, then those that start a process, then the rest, each by its number of
    # tests (xdist's own order, which make test turns off with --no-loadscope-reorder to keep this one)
    units: dict[str, list] = {}
    for item in items:
        units.setdefault(work_unit(item.nodeid), []).append(item)

    def weight(unit: list) -> tuple[int, int]:
        starts = 0 if any(i.get_closest_marker(m) for i in unit for m in ("kernel", "browser")) else 1
        if starts and not any(i.get_closest_marker("process") for i in unit):
            starts = 2
        return starts, -len(unit)

    items[:] = [item for unit in sorted(units.values(), key=weight) for item in unit]


@pytest.fixture(autouse=True)
def unmarked_tests_start_no_process(request, monkeypatch):
    """A test without a kernel, browser or process marker that starts a process fails, naming the marker; one
    without those or the integration marker that runs a command through the entry point fails too."""
    if any(request.node.get_closest_marker(m) for m in STARTS):
        return
    if not request.node.get_closest_marker(WHOLE):
        import helpers.cli

        def command(*args, **kwargs):
            raise AssertionError(f"{request.node.nodeid} runs a command of python -m helpers: mark it {WHOLE}")

        monkeypatch.setattr(helpers.cli, "parser", command)

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a process: mark it with one of {', '.join(STARTS)}")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory, worker_id):
    """Validated tables and executed outputs go to a cache of this test run, shared by its xdist workers,
    never to the developer's .cache/ (and never read from it)."""
    import os

    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if worker_id != "master" else base) / "helpers-cache"
    old = os.environ.get("HELPERS_CACHE")
    os.environ["HELPERS_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("HELPERS_CACHE", None)
    else:
        os.environ["HELPERS_CACHE"] = old


@pytest.fixture(scope="session")
def builds(private_cache):
    """One build session per test process (tests/build_session.py): report builds that need no process of
    their own share its imports and its zygote. ``builds.build(*args)`` returns a CompletedProcess."""
    from support.build_session import BuildSession

    with BuildSession(python_args=("-W", "error::RuntimeWarning")) as session:  # as python -W does
        yield session


@pytest.fixture(scope="session")
def shipped(tmp_path_factory, worker_id, builds) -> Path:
    """The one build of the shipped table that every test reading its reports shares (support.shipped)."""
    from support.shipped import build_shipped, shared_folder

    return build_shipped(shared_folder(tmp_path_factory, worker_id), builds)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shipped_rows() -> list[dict]:
    with open(STUDIES_PATH, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def table_with(tmp_path, shipped_rows):
    """Write a copy of the shipped table with some cells changed: table_with({row_index: {col: value}})."""

    def make(changes: dict[int, dict[str, str]] | None = None, name: str = "studies.csv") -> Path:
        rows = [dict(r) for r in shipped_rows]
        for i, cells in (changes or {}).items():
            rows[i].update(cells)
        return write_rows(tmp_path / name, rows)

    return make
