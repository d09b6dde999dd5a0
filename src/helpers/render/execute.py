"""Executing one report: its notebook on a new kernel through nbclient, a failure marked in the notebook.

Each report is parameterized with papermill's API and executed by nbclient on
a kernel that talks over IPC sockets (no TCP port race when several kernels
start at once) and is shut down immediately after its last cell. The kernel
is a fresh process (``isolated``) or forked from the build's zygote
(:mod:`helpers.render.zygote`).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from ..files import write_atomic
from ..paths import NOTEBOOKS
from . import outputs_cache
from .export import render_html
from .inert import ActiveContentError, active_content
from .jobs import CELL_TIMEOUT, PID_DIR, Job, Result, kernel_name
from .plan import prepare

#: terminal escape sequences: CSI (colours, ``\x1b[31m``), OSC (``\x1b]...\x07``) and two-character ones
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def notebook_client(nb, cwd: Path, timeout: int, pid_dir: Path | None, isolated: bool, timings: dict | None):
    """An nbclient NotebookClient on a new kernel (IPC transport), and what to do after it ran."""
    from nbclient import NotebookClient
    from traitlets.config import Config

    tmp = tempfile.mkdtemp(prefix="hk-")  # short: unix socket paths are limited to 107 bytes
    pid_file = Path(pid_dir) / f"{os.getpid()}-{uuid.uuid4().hex[:6]}.pid" if pid_dir else None
    config = Config()
    # IPC sockets in a private folder: no TCP port race between kernels starting together
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(tmp, "k")

    running = {"index": None}
    clock = {"start": time.perf_counter(), "cell": 0.0}
    timings = {} if timings is None else timings
    timings["cells"] = 0.0

    def cell_started(cell_index=None, **_):
        running["index"] = cell_index
        clock["cell"] = time.perf_counter()

    def cell_executed(**_):
        timings["cells"] += time.perf_counter() - clock["cell"]

    def notebook_completed(**_):
        clock["complete"] = time.perf_counter()

    def register(**_):
        timings["kernel_start"] = time.perf_counter() - clock["start"]
        if pid_file is not None:
            pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
            pid_file.parent.mkdir(parents=True, exist_ok=True)
            pid_file.write_text(f"{pid} {tmp}")

    extra = {}
    if not isolated:
        from .kernels import ForkKernelManager  # imports jupyter_client's asyncio stack: only when forking

        extra["kernel_manager_class"] = ForkKernelManager
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name(),
        record_timing=False,
        shutdown_kernel="immediate",
        # a build's kernels keep no input history: its SQLite writes cost CPU and lock one file across kernels
        extra_arguments=["--HistoryManager.enabled=False"],
        resources={"metadata": {"path": str(cwd)}},
        config=config,
        on_notebook_start=register,
        on_cell_start=cell_started,
        on_cell_executed=cell_executed,
        on_notebook_complete=notebook_completed,
        **extra,
    )

    def failed(exc: BaseException) -> None:
        exc.cell_index = running["index"]  # which cell was running when it failed

    def finished() -> None:
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        timings["kernel_stop"] = time.perf_counter() - clock.get("complete", time.perf_counter())

    return client, failed, finished


def execute_notebook(
    nb,
    cwd: Path = NOTEBOOKS,
    timeout: int = CELL_TIMEOUT,
    pid_dir: Path | None = None,
    isolated: bool = True,
    timings: dict | None = None,
):
    """Run a notebook in a new kernel (IPC transport); returns the executed notebook.

    The kernel is a fresh process (``isolated``) or forked from this process's
    zygote (see :mod:`helpers.render.zygote`).
    With ``pid_dir``, the kernel's pid is registered there while it runs, so
    that an interrupted build can kill it (see :func:`kill_kernels`).
    ``timings``, when given, receives the seconds spent starting the kernel,
    running the cells and stopping the kernel.
    Raises nbclient's CellExecutionError (with the notebook executed up to the error).
    """
    client, failed, finished = notebook_client(nb, cwd, timeout, pid_dir, isolated, timings)
    try:
        client.execute()
    except BaseException as exc:
        failed(exc)
        raise
    finally:
        finished()
    return nb


async def execute_notebook_async(
    nb,
    cwd: Path = NOTEBOOKS,
    timeout: int = CELL_TIMEOUT,
    pid_dir: Path | None = None,
    isolated: bool = True,
    timings: dict | None = None,
):
    """:func:`execute_notebook` as a coroutine, so that one process can drive several kernels at once."""
    client, failed, finished = notebook_client(nb, cwd, timeout, pid_dir, isolated, timings)
    try:
        await client.async_execute()
    except BaseException as exc:
        failed(exc)
        raise
    finally:
        finished()
        # nbclient's atexit clean-up stays registered when a build is interrupted (its kernels are killed by
        # pid) and would fail at exit with a traceback
        atexit.unregister(client._cleanup_kernel)
    return nb


def mark_error(nb, index: int | None, exc: BaseException, message: str = "") -> None:
    """Tag the failing cell, make sure it shows an error (``message``, or the exception's), and put a note before it."""
    import nbformat

    failing = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            failing = i
            break
    if failing is None and index is not None and 0 <= index < len(nb.cells):
        failing = index
        nb.cells[index].setdefault("outputs", []).append(
            nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=message or first_line(exc), traceback=[])
        )
    if failing is None:
        return
    nb.cells[failing].metadata.setdefault("tags", []).append("build-error")
    note = nbformat.v4.new_markdown_cell(
        f"**The report build stopped here: the cell below failed ({type(exc).__name__}).**",
        metadata={"tags": ["build-error-note"]},
    )
    nb.cells.insert(failing, note)


def first_line(exc: BaseException) -> str:
    lines = [line for line in plain(str(exc)).strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else type(exc).__name__


def plain(text: str) -> str:
    """``text`` without terminal escape sequences (IPython colours tracebacks: ``\\x1b[31mRuntimeError``)."""
    return ANSI.sub("", text)


def failure_message(exc: BaseException, nb=None, timeout: int | None = None) -> str:
    """One line saying why a report failed: the cell (its number and first line) and what happened in it."""
    from nbclient.exceptions import CellTimeoutError

    name = type(exc).__name__
    where = cell_label(nb, getattr(exc, "cell_index", None))
    if isinstance(exc, CellTimeoutError):  # its own text ends in a rule of dashes
        limit = f"the {timeout} s limit" if timeout else "the time limit"
        return f"{name}: {where or 'a cell'} ran past {limit} per cell (--cell-timeout)"
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:  # nbclient's CellExecutionError: what the cell raised
        raised = plain(f"{ename}: {evalue}" if evalue else ename).strip().splitlines() or [ename]
        return f"{name}: {where or 'a cell'} raised {raised[0]}"[:500]
    return f"{name}: {first_line(exc)}" + (f" (in {where})" if where else "")


def cell_label(nb, index: int | None) -> str:
    """'cell 7 of 12 ("fig = forest(studies)")' for the cell at ``index`` of ``nb``; "" when unknown."""
    cells = getattr(nb, "cells", None) or []
    if index is None or not 0 <= index < len(cells):
        return ""
    source = cells[index].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    first = first if len(first) <= 60 else first[:57] + "..."
    return f"cell {index + 1} of {len(cells)}" + (f' ("{first}")' if first else "")


def strip_volatile_metadata(nb) -> None:
    """Drop timings and papermill bookkeeping so committed notebooks diff cleanly."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "tags" in cell.metadata and not cell.metadata["tags"]:
            cell.metadata.pop("tags")


def run_job(
    job: Job,
    staging: str,
    failed_dir: str,
    timeout: int = CELL_TIMEOUT,
    isolated: bool = True,
    shared: str = "",
    reuse: bool = True,
    reuse_only: bool = False,
) -> Result | None:
    """Execute one report into the staging folder (see :func:`run_job_async`, which this runs)."""
    return asyncio.run(run_job_async(job, staging, failed_dir, timeout, isolated, shared, reuse, reuse_only))


async def run_job_async(
    job: Job,
    staging: str,
    failed_dir: str,
    timeout: int = CELL_TIMEOUT,
    isolated: bool = True,
    shared: str = "",
    reuse: bool = True,
    reuse_only: bool = False,
    prepared: tuple | None = None,
    searched: str | None = ...,
) -> Result | None:
    """Execute one report into the staging folder (``prepared``: what :func:`prepare` gave, if it ran already;
    ``searched``: the date of the last search its colophon states, when the build looked it up once for all).

    With ``shared`` (the hash of the inputs every report depends on), the
    outputs of its code cells are kept in the execution cache, and taken from it
    instead of a kernel when ``reuse`` is set and the code, parameters and inputs
    are those of a previous run (see :mod:`helpers.build.outputs_cache`).
    Reports that write 300-dpi figures always run. With ``reuse_only`` no kernel
    is started: None is returned when the cache cannot give the outputs.
    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    start = time.perf_counter()
    staging_p = Path(staging)
    nb, key = prepared or prepare(job, staging, shared)
    timings: dict = {}
    cwd = Path(job.notebook).parent
    reused = bool(key and reuse and outputs_cache.load(nb, key))
    if reused:
        timings.update(reused=True, cells=0.0)
    elif reuse_only:
        return None
    try:
        if not reused:
            await execute_notebook_async(
                nb, cwd=cwd, timeout=timeout, pid_dir=staging_p / PID_DIR, isolated=isolated, timings=timings
            )
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        if getattr(asyncio.get_running_loop(), "stopping", False):  # its kernel was killed by a failing build
            raise asyncio.CancelledError from exc
        return failed_result(job, nb, failed_dir, exc, failure_message(exc, nb, timeout), start)
    strip_volatile_metadata(nb)
    exported = time.perf_counter()
    if searched is ...:
        from ..site.colophon import searched_on

        searched = searched_on(job.params.data_path)
    html = render_html(nb, job, searched)
    found = active_content(html)  # the check every page passes, made by a kernel or from the cache
    timings["export"] = time.perf_counter() - exported
    if found and reused:  # a tampered entry: discarded, and a kernel makes the page
        outputs_cache.discard(key, f"the page made from it would hold {found[0]}")
        if reuse_only:
            return None
        return await run_job_async(job, staging, failed_dir, timeout, isolated, shared, reuse=False, searched=searched)
    if found:
        exc = ActiveContentError(f"the page would hold {'; '.join(found)}; it was not published")
        return failed_result(job, nb, failed_dir, exc, f"{type(exc).__name__}: {exc}", start)
    if key and not reused:
        outputs_cache.store(nb, key)
    target = staging_p / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, html)
    return Result(job.name, True, time.perf_counter() - start, timings=timings)


def failed_result(job: Job, nb, failed_dir: str, exc: BaseException, message: str, start: float) -> Result:
    """Write the executed notebook, its failing cell marked, beside the reports; the failed Result."""
    import nbformat

    mark_error(nb, getattr(exc, "cell_index", None), exc, message)
    strip_volatile_metadata(nb)
    out = Path(failed_dir) / f"{job.params.condition}__{job.stem}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, nbformat.writes(nb) + "\n")
    return Result(job.name, False, time.perf_counter() - start, error=message[:500], failed_notebook=str(out))
