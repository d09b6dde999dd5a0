"""Report build: execute every notebook per condition and publish HTML reports.

``python -m helpers build [--condition C] [--evidence E] [--data PATH] [--out DIR] [--jobs N] [--force]``

- Parameters are checked and the study table validated **before any kernel
  starts**.
- Each report is parameterized with papermill's API and executed by nbclient
  on a kernel that talks over IPC sockets (no TCP port race when several
  kernels start at once) and is shut down immediately after its last cell;
  HTML is exported with nbconvert's API. One process drives up to ``--jobs``
  kernels at once through nbclient's asynchronous API. By default the kernels
  are forked from a process that already imported the stack
  (:mod:`helpers.build.executor`); ``--isolated`` starts a fresh kernel
  process per report instead. Both give byte-identical reports.
- A report whose code, parameters and inputs ran before takes its outputs from
  the execution cache (:mod:`helpers.build.outputs_cache`): an edit to prose
  starts no kernel.
- Incremental: a report is rebuilt only when its notebook, parameters, the
  data file's bytes, the ``helpers`` source or the pinned dependencies change.
- Atomic: everything is rendered into a staging folder and published only
  when every report succeeded; a failed notebook is kept under
  ``<out>/_failed/``. One build at a time holds ``<out>/.build.lock``.
"""
from __future__ import annotations

import asyncio
import atexit
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HelpersError
from ..report.text import plain_text
from ..paths import NOTEBOOKS, REPORTS, ROOT, SRC, display_path

STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
FAILED_DIR = "_failed"
KEEP = {"README.md", LOCK_FILE, FAILED_DIR}
CELL_TIMEOUT = 300
PID_DIR = ".kernels"
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell"}
TEMPLATES = SRC / "report" / "templates"


class BuildError(HelpersError):
    pass


class Interrupted(HelpersError):
    pass


@dataclass(frozen=True)
class Job:
    notebook: str  # path
    condition: str
    evidence: str
    data_path: str
    subgroup: str = ""  # a column to compare subgroups by (--subgroup); only passed when set
    figures: bool = False  # also write 300-dpi PNGs for manuscripts (--figures)

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem

    @property
    def name(self) -> str:
        """Published path of the report, relative to the output folder."""
        return f"{self.condition}/{self.stem}.html"

    @property
    def figures_rel(self) -> str:
        return f"figures/{self.condition}/{self.stem}"

    def parameters(self, figures_dir: str = "") -> dict:
        params = {"condition": self.condition, "evidence": self.evidence, "data_path": self.data_path,
                  "figures_dir": figures_dir if self.figures else ""}
        if self.subgroup:
            params["subgroup"] = self.subgroup
        return params


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    summary: str = ""
    error: str = ""
    failed_notebook: str = ""
    timings: dict = field(default_factory=dict)  # seconds: kernel_start, cells, kernel_stop, export


# ------------------------------------------------------------------ planning
def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The report notebooks, in order (their file names start with two digits)."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shared_inputs_hash(data_path: Path) -> str:
    """Hash of everything every report depends on: data bytes, helpers source, pinned set."""
    from ..data.dataset import all_input_files
    from ..data.spreadsheet import split_sheet

    h = hashlib.sha256()
    data_file, sheet = split_sheet(data_path)
    h.update(f"#{sheet}".encode() if sheet else b"")
    for path in all_input_files(data_file):  # the study table and the tables beside it
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for path in sorted(SRC.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(SRC)).encode())
            h.update(path.read_bytes())
    for path in [ROOT / "requirements.txt", ROOT / "requirements.lock", ROOT / "data" / "schema.json",
                 *sorted((ROOT / "data" / "schemas").glob("*.json"))]:
        h.update(path.read_bytes())
    return h.hexdigest()


def job_key(job: Job, shared: str) -> str:
    payload = json.dumps({"params": job.parameters(), "figures": job.figures, "shared": shared}, sort_keys=True).encode()
    return _sha(Path(job.notebook).read_bytes() + payload)


# ------------------------------------------------------------------ execution
_EXPORTER = None


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor
        from traitlets.config import Config

        c = Config()
        c.TagRemovePreprocessor.remove_cell_tags = REMOVE_TAGS
        c.TagRemovePreprocessor.enabled = True
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
        c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
        c.HTMLExporter.template_name = "report"
        c.HTMLExporter.embed_images = True
        exporter = HTMLExporter(config=c)
        exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
        _EXPORTER = exporter
    return _EXPORTER


def _worker_init(isolated: bool = True, cwd: str | None = None) -> None:
    """Prepare a process that runs reports with :func:`run_job`: its zygote (unless isolated) and the exporter."""
    if not isolated:  # fork the zygote while this process is still small and single-threaded
        _start_zygote(cwd or os.getcwd())
    _exporter()


def kill_kernels(pid_dir: Path) -> int:
    """Kill the kernels registered in pid_dir (used when a build is interrupted)."""
    killed = 0
    for f in Path(pid_dir).glob("*.pid"):
        try:
            pid_text, _, ipc_dir = f.read_text().partition(" ")
            os.kill(int(pid_text), signal.SIGKILL)
            killed += 1
        except (ValueError, ProcessLookupError, OSError):
            pass
        if ipc_dir.strip():
            shutil.rmtree(ipc_dir.strip(), ignore_errors=True)
        f.unlink(missing_ok=True)
    return killed


def _notebook_client(nb, cwd: Path, timeout: int, pid_dir: Path | None, isolated: bool, timings: dict | None):
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
        from .executor import ForkKernelManager

        extra["kernel_manager_class"] = ForkKernelManager
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
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


def execute_notebook(nb, cwd: Path = NOTEBOOKS, timeout: int = CELL_TIMEOUT, pid_dir: Path | None = None,
                     isolated: bool = True, timings: dict | None = None):
    """Run a notebook in a new kernel (IPC transport); returns the executed notebook.

    The kernel is a fresh process (``isolated``) or forked from this process's
    zygote (see :mod:`helpers.build.executor`).
    With ``pid_dir``, the kernel's pid is registered there while it runs, so
    that an interrupted build can kill it (see :func:`kill_kernels`).
    ``timings``, when given, receives the seconds spent starting the kernel,
    running the cells and stopping the kernel.
    Raises nbclient's CellExecutionError (with the notebook executed up to the error).
    """
    client, failed, finished = _notebook_client(nb, cwd, timeout, pid_dir, isolated, timings)
    try:
        client.execute()
    except BaseException as exc:
        failed(exc)
        raise
    finally:
        finished()
    return nb


async def execute_notebook_async(nb, cwd: Path = NOTEBOOKS, timeout: int = CELL_TIMEOUT, pid_dir: Path | None = None,
                                 isolated: bool = True, timings: dict | None = None):
    """:func:`execute_notebook` as a coroutine, so that one process can drive several kernels at once."""
    client, failed, finished = _notebook_client(nb, cwd, timeout, pid_dir, isolated, timings)
    try:
        await client.async_execute()
    except BaseException as exc:
        failed(exc)
        raise
    finally:
        finished()
        # nbclient registers its kernel clean-up with atexit and unregisters it only once that clean-up has
        # run to the end; a build interrupted meanwhile (which kills its kernels by pid itself) would leave it
        # behind, to fail at exit on the client it already emptied and print a traceback
        atexit.unregister(client._cleanup_kernel)
    return nb


def _mark_error(nb, index: int | None, exc: BaseException) -> None:
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
            nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=_first_line(exc), traceback=[])
        )
    if failing is None:
        return
    nb.cells[failing].metadata.setdefault("tags", []).append("build-error")
    note = nbformat.v4.new_markdown_cell(
        f"**The report build stopped here: the cell below failed ({type(exc).__name__}).**",
        metadata={"tags": ["build-error-note"]},
    )
    nb.cells.insert(failing, note)


def _first_line(exc: BaseException) -> str:
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


def summary_of(nb) -> str:
    """The one-line summary a notebook publishes in the output of its cell tagged 'summary'."""
    for cell in nb.cells:
        if "summary" in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                text = out.get("data", {}).get("text/markdown")
                if text:
                    text = "".join(text) if isinstance(text, list) else text
                    return plain_text(text)
    return ""


def prepare(job: Job, staging: str | Path, shared: str = ""):
    """The parameterized notebook of a job, and its execution-cache key ("" when it must always run)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from . import outputs_cache

    nb = load_notebook_node(job.notebook)
    nb = parameterize_notebook(nb, job.parameters(str(Path(staging) / job.figures_rel)), kernel_name="python3",
                               language="python")
    key = outputs_cache.execution_key(nb, shared, Path(job.notebook).parent) if shared and not job.figures else ""
    return nb, key


def run_job(job: Job, staging: str, failed_dir: str, timeout: int = CELL_TIMEOUT, isolated: bool = True,
            shared: str = "", reuse: bool = True, reuse_only: bool = False) -> Result | None:
    """Execute one report into the staging folder (see :func:`run_job_async`, which this runs)."""
    return asyncio.run(run_job_async(job, staging, failed_dir, timeout, isolated, shared, reuse, reuse_only))


async def run_job_async(job: Job, staging: str, failed_dir: str, timeout: int = CELL_TIMEOUT, isolated: bool = True,
                        shared: str = "", reuse: bool = True, reuse_only: bool = False,
                        prepared: tuple | None = None) -> Result | None:
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

    from . import outputs_cache

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
            await execute_notebook_async(nb, cwd=cwd, timeout=timeout, pid_dir=staging_p / PID_DIR, isolated=isolated,
                                         timings=timings)
            if key:
                outputs_cache.store(nb, key)
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        _mark_error(nb, getattr(exc, "cell_index", None), exc)
        strip_volatile_metadata(nb)
        out = Path(failed_dir) / f"{job.condition}__{job.stem}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        message = f"{type(exc).__name__}: {_first_line(exc)}"
        return Result(job.name, False, time.perf_counter() - start, error=message[:500], failed_notebook=str(out))
    strip_volatile_metadata(nb)
    exported = time.perf_counter()
    html = render_html(nb, job)
    timings["export"] = time.perf_counter() - exported
    target = staging_p / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return Result(job.name, True, time.perf_counter() - start, summary=summary_of(nb), timings=timings)


def render_html(nb, job: Job) -> str:
    from ..report.citations import report_links
    from ..report.outputs import notebook_title
    from ..report.params import condition_label

    title = f"{notebook_title(job.notebook)}: {condition_label(job.condition)}"
    nb.metadata["title"] = title
    resources = {
        "metadata": {"name": title},
        "index_href": "../index.html",
        "report_label": title,
        "report_footer": f"Built from {Path(job.notebook).name} with condition={job.condition}, evidence={job.evidence}.",
        "citation_links": report_links(),
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


# ------------------------------------------------------------------ publishing
class BuildLock:
    """An exclusive lock on the output folder; a second build waits and says so."""

    def __init__(self, out: Path):
        self.path = out / LOCK_FILE
        self.fh = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another build is writing to {display_path(self.path.parent)}; waiting for it to finish ...", flush=True)
            fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def publish(staging: Path, out: Path) -> None:
    """Replace the published set with the staging folder's contents, signals held off meanwhile."""
    managed_old = [p for p in out.iterdir() if p.name not in KEEP and not p.name.startswith((".staging-", ".trash-"))]
    trash = out / f".trash-{uuid.uuid4().hex[:8]}"
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        trash.mkdir()
        for p in managed_old:
            p.rename(trash / p.name)
        for p in staging.iterdir():
            p.rename(out / p.name)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


# ------------------------------------------------------------------ orchestration
def _progress(done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()
    if done == total:
        sys.stderr.write("\r" + " " * (width + 20) + "\r")


def execute_jobs(jobs: list[Job], staging: Path, failed_dir: Path, workers: int, timeout: int = CELL_TIMEOUT,
                 isolated: bool = True, shared: str = "", reuse: bool = True, meanwhile=None,
                 prepared=None) -> list[Result]:
    """Run the jobs, at most ``workers`` kernels at a time, all driven by this process.

    A report's work outside its kernel (parameterizing, exchanging messages,
    exporting HTML) takes a few hundredths of a second, so one process drives
    every kernel through nbclient's asynchronous API; the kernels are the only
    processes that compute. Unless ``isolated``, they are forked from one zygote
    (:mod:`helpers.build.executor`), started here before anything else so that it
    warms up while this process renders the reports whose outputs are kept and,
    in a thread, runs ``meanwhile`` (no arguments: the tables and citations).
    ``prepared(job)``, when given, returns a report's parameterized notebook and
    execution key if it was made already (reports without ``--figures``).
    """
    from . import outputs_cache

    results: list[Result] = []
    total = len(jobs)
    made = {j.name: (prepared(j) if prepared is not None and not j.figures else prepare(j, staging, shared))
            for j in jobs}  # each report's notebook is read and parameterized once
    cached = [j for j in jobs if reuse and shared and outputs_cache.exists(made[j.name][1])]
    to_run = [j for j in jobs if j not in cached]
    pid_dir = staging / PID_DIR
    if to_run and not isolated:
        _start_zygote(str(Path(to_run[0].notebook).parent))

    def done(res: Result) -> None:
        results.append(res)
        _report(res, len(results), total)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        this, signals = asyncio.current_task(), []

        def on_signal(signum: int) -> None:  # kill the kernels at once, then unwind
            signals.append(signum)
            _stop_kernels(pid_dir)
            this.cancel()

        loop.own_signals(on_signal)
        side = loop.run_in_executor(None, meanwhile) if meanwhile is not None else None
        tasks: list = []
        gate = asyncio.Semaphore(max(1, workers))

        async def one(job: Job) -> Result:
            async with gate:
                return await run_job_async(job, str(staging), str(failed_dir), timeout, isolated, shared, reuse,
                                           prepared=made[job.name])

        try:
            _progress(0, total)
            for job in cached:
                res = await run_job_async(job, str(staging), str(failed_dir), timeout, isolated, shared, reuse_only=True,
                                          prepared=made[job.name])
                if res is None:  # the entry vanished or is damaged: run it after all
                    to_run.append(job)
                else:
                    done(res)
            tasks = [asyncio.create_task(one(job)) for job in to_run]
            for next_done in asyncio.as_completed(tasks):
                done(await next_done)
        except BaseException:  # cancelled by a signal, or a report that saw its kernel killed by it
            if signals:
                raise Interrupted(f"build interrupted by signal {signals[0]}; the published reports were left as they "
                                  "were") from None
            raise
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)  # their kernels are shut down or killed
            if side is not None:
                await asyncio.gather(side, return_exceptions=bool(signals))  # it writes into staging: let it finish
            loop.release_signals()

    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        with asyncio.Runner(loop_factory=_BuildLoop) as runner:
            runner.run(main())
    except BaseException:
        _clear_bar()
        _stop_kernels(pid_dir)
        raise
    finally:
        for signum, handler in handlers.items():  # asyncio leaves the defaults behind
            signal.signal(signum, handler)
    return results


class _BuildLoop(asyncio.SelectorEventLoop):
    """The event loop of a build: SIGINT and SIGTERM stay the build's.

    nbclient adds handlers for both signals for every notebook it runs, and
    removes them when that notebook ends; with several notebooks in one loop,
    the first to end would leave the build with no handler at all. Here the
    build installs its own (:meth:`own_signals`), and nbclient's calls leave
    them in place.
    """

    _SIGNALS = (signal.SIGTERM, signal.SIGINT)
    _owned = False

    def own_signals(self, callback) -> None:
        for signum in self._SIGNALS:
            super().add_signal_handler(signum, callback, signum)
        self._owned = True

    def release_signals(self) -> None:
        self._owned = False
        for signum in self._SIGNALS:
            super().remove_signal_handler(signum)

    def add_signal_handler(self, sig, callback, *args):
        if self._owned and sig in self._SIGNALS:
            return None
        return super().add_signal_handler(sig, callback, *args)

    def remove_signal_handler(self, sig):
        if self._owned and sig in self._SIGNALS:
            return False
        return super().remove_signal_handler(sig)

    #: nbclient starts this task beside every cell and leaves it running when the cell's wait is cancelled
    #: (an interrupted build); a second later it asserts on the client it polls, whose kernel is gone by then
    _ORPHANED_POLL = "NotebookClient._async_poll_kernel_alive"

    def call_exception_handler(self, context):
        """Everything asyncio reports, except the failure of nbclient's orphaned liveness poll.

        The poll's only job is to cancel its cell's wait when the kernel dies; once that wait was cancelled
        (the build stops) its failure says nothing, yet asyncio would print it as "Task exception was never
        retrieved" with a traceback, at a moment that depends on timing.
        """
        task = context.get("future") or context.get("task")
        coro = task.get_coro() if isinstance(task, asyncio.Task) else None
        if getattr(coro, "__qualname__", "") == self._ORPHANED_POLL:
            return
        super().call_exception_handler(context)


def _will_run_kernels(plan: "Plan") -> bool:
    """Whether some stale report needs a kernel (False when the execution cache holds every one of them)."""
    from . import outputs_cache

    if plan.force or not plan.stale or not any(outputs_cache.folder().glob("*.json")):
        return bool(plan.stale)
    return any(j.figures or not outputs_cache.exists(plan.prepared(j)[1]) for j in plan.stale)


def _start_zygote(cwd: str) -> None:
    from .executor import start_zygote

    try:
        start_zygote(cwd)
    except RuntimeError as exc:  # reports still run: the provisioner falls back to fresh kernels
        print(exc, file=sys.stderr, flush=True)


def _report(res: Result, done: int, total: int) -> None:
    _clear_bar()
    status = "ok" if res.ok else "FAILED"
    how = " (code and inputs unchanged: outputs reused)" if res.timings.get("reused") else ""
    print(f"  {status:6} {res.name:45} {res.seconds:5.1f} s{how}", flush=True)
    _progress(done, total)


def _clear_bar() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 60 + "\r")


def _stop_kernels(pid_dir: Path) -> None:
    """Stop at once: no new kernels from the zygote, then kill the running ones."""
    from . import executor

    if executor._ZYGOTE is not None:
        executor._ZYGOTE.close(kill=True)
        executor._ZYGOTE = None
    kill_kernels(pid_dir)


def _on_term(signum, frame):
    raise Interrupted(f"build interrupted by signal {signum}; the published reports were left as they were")


def build(
    conditions: list[str] | None = None,
    evidence: str = "all",
    data: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    notebooks_dir: str | Path | None = None,
    cell_timeout: int = CELL_TIMEOUT,
    subgroup: str | None = None,
    isolated: bool = False,
    figures: bool = False,
) -> list[Result]:
    """Render the reports; returns one Result per report that was (re)built.

    Nothing in the output folder is touched until the parameters and the
    table are known to be valid.
    """
    from ..report.params import check_condition, check_evidence, report_conditions, resolve_data_path

    conditions = [check_condition(c) for c in (conditions or report_conditions())]
    check_evidence(evidence)
    data_path = resolve_data_path(str(data) if data else None)
    out = Path(out).resolve() if out else REPORTS
    # a kernel waits on its messages part of the time (start, hand-shakes, shutdown): two per core keep the
    # cores busy (cold build of the shipped table on 2 cores: 12.7 s with 2 at a time, 10.5 s with 4)
    workers = jobs or 2 * (os.cpu_count() or 1)
    if workers < 1:
        raise BuildError(f"--jobs must be at least 1 (got {workers})")
    if cell_timeout < 1:
        raise BuildError(f"--cell-timeout must be at least 1 second (got {cell_timeout})")
    folder = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS
    nbs = notebooks(folder)
    if not nbs:
        raise BuildError(f"no report notebooks (NN_name.ipynb) found in {display_path(folder)}")

    started = time.perf_counter()
    plan = Plan(nbs, conditions, evidence, data_path, out, force, subgroup or "", figures)
    if plan.up_to_date():
        print(f"everything is up to date: {len(plan.jobs)} reports in {display_path(out)} "
              f"({time.perf_counter() - started:.2f} s; use --force to rebuild)")
        return []
    if not isolated and _will_run_kernels(plan):
        _start_zygote(str(folder))  # it imports the stack while this process validates and plans

    from ..data.dataset import load_dataset

    ds = load_dataset(data_path)  # a bad table stops here, before any kernel or file
    studies = ds.studies
    from ..stats.subgroups import check_subgroup

    check_subgroup(studies, subgroup)  # so does a subgroup column the table cannot be split by
    out.mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        with BuildLock(out):
            plan = Plan(nbs, conditions, evidence, data_path, out, force, subgroup or "", figures)  # another build may have finished meanwhile
            if plan.up_to_date():
                print(f"everything is up to date: {len(plan.jobs)} reports in {display_path(out)}")
                return []
            return _build_locked(plan, studies, workers, cell_timeout, started, isolated)
    finally:
        signal.signal(signal.SIGTERM, previous)


class Plan:
    """Which reports a build needs and which of them are stale."""

    def __init__(self, nbs, conditions, evidence, data_path: Path, out: Path, force: bool, subgroup: str = "",
                 figures: bool = False):
        self.out, self.evidence, self.subgroup, self.force = out, evidence, subgroup, force
        state_path = out / STATE_FILE
        self.state = json.loads(state_path.read_text()) if state_path.exists() else {}
        self.shared = shared = shared_inputs_hash(data_path)
        self.jobs = [Job(str(nb), c, evidence, str(data_path), subgroup, figures) for c in conditions for nb in nbs]
        self.keys = {j.name: job_key(j, shared) for j in self.jobs}
        old = self.state.get("reports", {})
        self.stale = [
            j for j in self.jobs
            if force or old.get(j.name, {}).get("key") != self.keys[j.name] or not (out / j.name).is_file()
        ]
        self.tables_key = _sha(f"{shared}|{sorted(conditions)}|{evidence}".encode() + (f"|{subgroup}".encode() if subgroup else b""))
        self._prepared: dict = {}

    def prepared(self, job: Job):
        """A report's parameterized notebook and execution key, made once per build. Only for reports without
        ``--figures``: nothing else in them depends on the folder they are staged in."""
        if job.name not in self._prepared:
            self._prepared[job.name] = prepare(job, self.out, self.shared)
        return self._prepared[job.name]

    def up_to_date(self) -> bool:
        return (
            not self.stale
            and self.state.get("tables_key") == self.tables_key
            and (self.out / "index.html").is_file()
        )


def _kept_data_outputs(plan: Plan) -> dict | None:
    """The tables, citation files and index answers of the last build, when they still hold.

    They depend on the data files, the ``helpers`` source, the pinned set, the
    conditions, the evidence and the subgroup column, which ``tables_key``
    covers; a rebuild after a notebook changed takes them as they are, unless
    ``--force`` asks for everything again or a file went missing.
    """
    kept = plan.state.get("data_outputs")
    if plan.force or kept is None or plan.state.get("tables_key") != plan.tables_key:
        return None
    if not kept.get("files") or not all((plan.out / rel).is_file() for rel in kept["files"]):
        return None
    return kept


def _build_locked(plan: Plan, studies, workers: int, cell_timeout: int, started: float,
                  isolated: bool = False) -> list[Result]:
    out = plan.out
    old_reports = plan.state.get("reports", {})
    staging = out / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    failed_dir = out / FAILED_DIR
    shutil.rmtree(failed_dir, ignore_errors=True)  # only the latest build's failures are kept
    try:
        stale_names = {j.name for j in plan.stale}
        for j in plan.jobs:  # reuse what is up to date
            if j.name not in stale_names:
                _link_or_copy(out / j.name, staging / j.name)
                fig_src = out / j.figures_rel
                if fig_src.is_dir():
                    for f in fig_src.rglob("*"):
                        if f.is_file():
                            _link_or_copy(f, staging / j.figures_rel / f.relative_to(fig_src))
        print(f"building {len(plan.stale)} of {len(plan.jobs)} reports, {min(workers, len(plan.stale))} at a time, "
              f"into {display_path(out)}", flush=True)
        conditions = sorted({j.condition for j in plan.jobs})
        answers: list = []
        kept = _kept_data_outputs(plan)
        if kept is not None:  # same data, conditions and options: the tables and citations of the last build stand
            for rel in kept["files"]:
                _link_or_copy(out / rel, staging / rel)
            answers.extend(tuple(a) for a in kept["answers"])

        def tables_and_citations() -> None:  # they depend on the data only, so they are written meanwhile
            from ..data.dataset import load_dataset
            from ..report.bottom_line import index_answers
            from ..report.citations import write_citations
            from ..report.outputs import write_condition_tables, write_tables

            answers.extend(index_answers(load_dataset(plan.jobs[0].data_path)) if plan.jobs else [])
            write_tables(studies, staging / "tables", plan.subgroup or None)
            write_condition_tables(studies, staging, conditions, plan.evidence)
            write_citations(studies, staging, conditions, plan.evidence)

        results = execute_jobs(plan.stale, staging, failed_dir, workers, cell_timeout, isolated, plan.shared,
                               reuse=not (plan.force or isolated),
                               meanwhile=tables_and_citations if kept is None else None, prepared=plan.prepared)
        shutil.rmtree(staging / PID_DIR, ignore_errors=True)
        failed = [r for r in results if not r.ok]
        if failed:
            lines = [f"{len(failed)} of {len(results)} reports failed; the published reports were left as they were:"]
            for r in failed:
                lines.append(f"  {r.name}: {r.error}")
                lines.append(f"    executed notebook with the error marked: {display_path(r.failed_notebook)}")
            raise BuildError("\n".join(lines))
        reports = {j.name: dict(old_reports.get(j.name, {})) for j in plan.jobs}
        for r in results:
            reports[r.name] = {"summary": r.summary, "seconds": round(r.seconds, 2)}
        for j in plan.jobs:
            reports[j.name]["key"] = plan.keys[j.name]
        from ..report.outputs import write_index

        write_index(staging / "index.html", plan.jobs, reports, studies, plan.evidence, plan.subgroup or None, answers=answers)
        report_files = {j.name for j in plan.jobs}
        data_files = sorted(
            rel for rel in (p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
            if rel not in report_files and rel != "index.html" and not rel.startswith(("figures/", ".", PID_DIR))
        )
        new_state = {"reports": reports, "tables_key": plan.tables_key,
                     "data_outputs": {"files": data_files, "answers": [list(a) for a in answers]}}
        (staging / STATE_FILE).write_text(json.dumps(new_state, indent=1, sort_keys=True))
        publish(staging, out)
        shutil.rmtree(failed_dir, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    total = time.perf_counter() - started
    print(f"built {len(results)} reports ({len(plan.jobs) - len(results)} up to date) in {total:.1f} s; "
          f"open {display_path(out / 'index.html')}")
    return results


def refresh_notebooks() -> None:
    """Re-execute the committed notebooks in place with their default parameters (for nbval)."""
    import nbformat

    for path in notebooks():
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        execute_notebook(nb, cwd=path.parent)
        strip_volatile_metadata(nb)
        nbformat.write(nb, path)
        print(f"  refreshed {display_path(path)} in {time.perf_counter() - start:.1f} s", flush=True)


def main(args) -> int:
    if args.refresh_notebooks:
        refresh_notebooks()
        return 0
    build(args.condition, args.evidence, args.data, args.out, args.jobs, args.force, args.notebooks, args.cell_timeout,
          getattr(args, "subgroup", None), getattr(args, "isolated", False), getattr(args, "figures", False))
    return 0
