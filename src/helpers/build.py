"""Report build: execute every notebook per condition and publish HTML reports.

``python -m helpers build [--condition C] [--evidence E] [--data PATH] [--out DIR] [--jobs N] [--force]``

- Parameters are checked and the study table validated **before any kernel
  starts**.
- Each report is executed in a worker process through papermill's
  parameterization API and nbclient, on a kernel that talks over IPC sockets
  (no TCP port race when several kernels start at once) and is shut down
  immediately after its last cell; HTML is exported with nbconvert's API.
- Incremental: a report is rebuilt only when its notebook, parameters, the
  data file's bytes, the ``helpers`` source or the pinned dependencies change.
- Atomic: everything is rendered into a staging folder and published only
  when every report succeeded; a failed notebook is kept under
  ``<out>/_failed/``. One build at a time holds ``<out>/.build.lock``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

from .errors import HelpersError
from .paths import NOTEBOOKS, REPORTS, ROOT, SRC, display_path

STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
FAILED_DIR = "_failed"
KEEP = {"README.md", LOCK_FILE, FAILED_DIR}
CELL_TIMEOUT = 300
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell"}
TEMPLATES = SRC / "templates"


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
        return {"condition": self.condition, "evidence": self.evidence, "data_path": self.data_path, "figures_dir": figures_dir}


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    summary: str = ""
    error: str = ""
    failed_notebook: str = ""


# ------------------------------------------------------------------ planning
def notebooks() -> list[Path]:
    """The report notebooks, in order (their file names start with two digits)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shared_inputs_hash(data_path: Path) -> str:
    """Hash of everything every report depends on: data bytes, helpers source, pinned set."""
    h = hashlib.sha256()
    h.update(data_path.read_bytes())
    for path in sorted(SRC.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(SRC)).encode())
            h.update(path.read_bytes())
    for name in ("requirements.txt", "data/schema.json"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def job_key(job: Job, shared: str) -> str:
    payload = json.dumps({"params": job.parameters(), "shared": shared}, sort_keys=True).encode()
    return _sha(Path(job.notebook).read_bytes() + payload)


# ------------------------------------------------------------------ execution (worker side)
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


def _worker_init() -> None:
    # a terminated worker must shut its kernel down: turn SIGTERM into an exception
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exporter()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def execute_notebook(nb, cwd: Path = NOTEBOOKS, timeout: int = CELL_TIMEOUT):
    """Run a notebook in a fresh kernel (IPC transport); returns the executed notebook.

    Raises nbclient's CellExecutionError (with the notebook executed up to the error).
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="kernel-") as tmp:
        config = Config()
        # IPC sockets in a private folder: no TCP port race between kernels starting together
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(tmp, "k")
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(cwd)}},
            config=config,
        )
        client.execute()
    return nb


def _mark_error(nb) -> None:
    """Tag the failing cell and put a visible note before it."""
    import nbformat

    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            cell.metadata.setdefault("tags", []).append("build-error")
            note = nbformat.v4.new_markdown_cell(
                "**The report build stopped here: the cell below raised an error.**",
                metadata={"tags": ["build-error-note"]},
            )
            nb.cells.insert(i, note)
            return


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
                    return " ".join(text.replace("**", "").split())
    return ""


def run_job(job: Job, staging: str, failed_dir: str) -> Result:
    """Execute one report into the staging folder (runs in a worker process)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    start = time.perf_counter()
    staging_p = Path(staging)
    figures_dir = staging_p / job.figures_rel
    nb = load_notebook_node(job.notebook)
    nb = parameterize_notebook(nb, job.parameters(str(figures_dir)), kernel_name="python3", language="python")
    try:
        execute_notebook(nb)
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        _mark_error(nb)
        strip_volatile_metadata(nb)
        out = Path(failed_dir) / f"{job.condition}__{job.stem}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        first = str(exc).strip().splitlines()
        message = next((line for line in reversed(first) if line.strip()), type(exc).__name__)
        return Result(job.name, False, time.perf_counter() - start, error=message[:500], failed_notebook=str(out))
    strip_volatile_metadata(nb)
    html = render_html(nb, job)
    target = staging_p / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return Result(job.name, True, time.perf_counter() - start, summary=summary_of(nb))


def render_html(nb, job: Job) -> str:
    from .outputs import notebook_title
    from .params import condition_label

    title = f"{notebook_title(job.notebook)}: {condition_label(job.condition)}"
    nb.metadata["title"] = title
    resources = {
        "metadata": {"name": title},
        "index_href": "../index.html",
        "report_label": title,
        "report_footer": f"Built from {Path(job.notebook).name} with condition={job.condition}, evidence={job.evidence}.",
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


def execute_jobs(jobs: list[Job], staging: Path, failed_dir: Path, workers: int) -> list[Result]:
    results: list[Result] = []
    if not jobs:
        return results
    total = len(jobs)
    ctx = get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, total)), mp_context=ctx, initializer=_worker_init)
    futures = {pool.submit(run_job, job, str(staging), str(failed_dir)): job for job in jobs}
    try:
        pending = set(futures)
        _progress(0, total)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                results.append(res)
                _clear_bar()
                status = "ok" if res.ok else "FAILED"
                print(f"  {status:6} {res.name:45} {res.seconds:5.1f} s", flush=True)
                _progress(len(results), total)
    except BaseException:
        _clear_bar()
        for fut in futures:
            fut.cancel()
        _terminate(pool)
        raise
    pool.shutdown(wait=True)
    return results


def _clear_bar() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 60 + "\r")


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop workers; each shuts its kernel down on SIGTERM before exiting."""
    procs = list(getattr(pool, "_processes", {}).values())
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _on_term(signum, frame):
    raise Interrupted(f"build interrupted by signal {signum}; the published reports were left as they were")


def build(
    conditions: list[str] | None = None,
    evidence: str = "all",
    data: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
) -> list[Result]:
    """Render the reports; returns one Result per report that was (re)built."""
    from .params import check_condition, check_evidence, report_conditions, resolve_data_path

    conditions = [check_condition(c) for c in (conditions or report_conditions())]
    check_evidence(evidence)
    data_path = resolve_data_path(str(data) if data else None)
    out = Path(out).resolve() if out else REPORTS
    workers = jobs or os.cpu_count() or 1
    if workers < 1:
        raise BuildError(f"--jobs must be at least 1 (got {workers})")
    nbs = notebooks()
    if not nbs:
        raise BuildError(f"no report notebooks found in {display_path(NOTEBOOKS)}")

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        with BuildLock(out):
            return _build_locked(nbs, conditions, evidence, data_path, out, workers, force, started)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _build_locked(nbs, conditions, evidence, data_path, out, workers, force, started) -> list[Result]:
    state_path = out / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    shared = shared_inputs_hash(data_path)
    all_jobs = [Job(str(nb), c, evidence, str(data_path)) for c in conditions for nb in nbs]
    keys = {j.name: job_key(j, shared) for j in all_jobs}
    old_reports = state.get("reports", {})
    stale = [
        j for j in all_jobs
        if force or old_reports.get(j.name, {}).get("key") != keys[j.name] or not (out / j.name).is_file()
    ]
    tables_key = _sha(f"{shared}|{sorted(conditions)}|{evidence}".encode())
    if not stale and state.get("tables_key") == tables_key and (out / "index.html").is_file():
        print(f"everything is up to date: {len(all_jobs)} reports in {display_path(out)} "
              f"({time.perf_counter() - started:.2f} s; use --force to rebuild)")
        return []

    # validate the table before any kernel starts
    from .loader import load_studies

    studies = load_studies(data_path)

    staging = out / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    failed_dir = out / FAILED_DIR
    try:
        stale_names = {j.name for j in stale}
        for j in all_jobs:  # reuse what is up to date
            if j.name not in stale_names:
                _link_or_copy(out / j.name, staging / j.name)
                fig_src = out / j.figures_rel
                if fig_src.is_dir():
                    for f in fig_src.rglob("*"):
                        if f.is_file():
                            _link_or_copy(f, staging / j.figures_rel / f.relative_to(fig_src))
        print(f"building {len(stale)} of {len(all_jobs)} reports with {min(workers, len(stale))} worker(s) "
              f"into {display_path(out)}", flush=True)
        results = execute_jobs(stale, staging, failed_dir, workers)
        failed = [r for r in results if not r.ok]
        if failed:
            lines = [f"{len(failed)} of {len(results)} reports failed; the published reports were left as they were:"]
            for r in failed:
                lines.append(f"  {r.name}: {r.error}")
                lines.append(f"    executed notebook with the error marked: {display_path(r.failed_notebook)}")
            raise BuildError("\n".join(lines))
        reports = {j.name: old_reports.get(j.name, {}) for j in all_jobs}
        for r in results:
            reports[r.name] = {"key": keys[r.name], "summary": r.summary, "seconds": round(r.seconds, 2)}
        for j in all_jobs:
            reports[j.name]["key"] = keys[j.name]
        from .outputs import write_index, write_tables

        write_tables(studies, staging / "tables")
        write_index(staging / "index.html", all_jobs, reports, studies, evidence)
        new_state = {"reports": reports, "tables_key": tables_key}
        (staging / STATE_FILE).write_text(json.dumps(new_state, indent=1, sort_keys=True))
        publish(staging, out)
        shutil.rmtree(failed_dir, ignore_errors=True) if not failed else None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    total = time.perf_counter() - started
    print(f"built {len(results)} reports ({len(all_jobs) - len(results)} up to date) in {total:.1f} s; "
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
        execute_notebook(nb)
        strip_volatile_metadata(nb)
        nbformat.write(nb, path)
        print(f"  refreshed {display_path(path)} in {time.perf_counter() - start:.1f} s", flush=True)


def main(args) -> int:
    if args.refresh_notebooks:
        refresh_notebooks()
        return 0
    build(args.condition, args.evidence, args.data, args.out, args.jobs, args.force)
    return 0
