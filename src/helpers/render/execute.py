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
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from ..files import write_atomic
from ..paths import NOTEBOOKS
from . import outputs_cache
from .export import render_html
from .jobs import CELL_TIMEOUT, PID_DIR, Job, Result, kernel_name
from .plan import prepare


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


def mark_error(nb, index: int | None, exc: BaseException) -> None:
    """Tag the failing cell, make sure it shows an error, and put a visible note before it."""
    import nbformat

    failing = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            failing = i
            break
    if failing is None and index is not None and 0 <= index < len(nb.cells):
        failing = index
        nb.cells[index].setdefault("outputs", []).append(
            nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=first_line(exc), traceback=[])
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
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else type(exc).__name__


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
) -> Result | None:
    """Execute one report into the staging folder (``prepared``: what :func:`prepare` gave, if it ran already).

    With ``shared`` (the hash of the inputs every report depends on), the
    outputs of its code cells are kept in the execution cache, and taken from it
    instead of a kernel when ``reuse`` is set and the code, parameters and inputs
    are those of a previous run (see :mod:`helpers.build.outputs_cache`).
    Reports that write 300-dpi figures always run. With ``reuse_only`` no kernel
    is started: None is returned when the cache cannot give the outputs.
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    start = time.perf_counter()
    staging_p = Path(staging)
    nb, key = prepared or prepare(job, staging, shared)
    timings: dict = {}
    cwd = Path(job.notebook).parent
    try:
        if key and reuse and outputs_cache.load(nb, key):
            timings.update(reused=True, cells=0.0)
        elif reuse_only:
            return None
        else:
            await execute_notebook_async(
                nb, cwd=cwd, timeout=timeout, pid_dir=staging_p / PID_DIR, isolated=isolated, timings=timings
            )
            if key:
                outputs_cache.store(nb, key)
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        if getattr(asyncio.get_running_loop(), "stopping", False):  # its kernel was killed by a failing build
            raise asyncio.CancelledError from exc
        mark_error(nb, getattr(exc, "cell_index", None), exc)
        strip_volatile_metadata(nb)
        out = Path(failed_dir) / f"{job.params.condition}__{job.stem}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, nbformat.writes(nb) + "\n")
        message = f"{type(exc).__name__}: {first_line(exc)}"
        return Result(job.name, False, time.perf_counter() - start, error=message[:500], failed_notebook=str(out))
    strip_volatile_metadata(nb)
    exported = time.perf_counter()
    html = render_html(nb, job)
    timings["export"] = time.perf_counter() - exported
    target = staging_p / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, html)
    return Result(job.name, True, time.perf_counter() - start, timings=timings)
