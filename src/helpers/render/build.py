"""``python -m helpers build``: validate first, then execute every stale report and publish them together.

- Parameters are checked and the study table validated **before any kernel
  starts**.
- Incremental (:mod:`.plan`): a report is rebuilt only when its notebook,
  parameters, the data file's bytes, the ``helpers`` source or the pinned
  dependencies change. A report whose code, parameters and inputs ran before
  takes its outputs from the execution cache (:mod:`.outputs_cache`).
- Atomic (:mod:`.publish`): everything is rendered into a staging folder and
  published only when every report succeeded; a failed notebook is kept under
  ``<out>/_failed/``. One build at a time holds ``<out>/.build.lock``.
"""

from __future__ import annotations

import json
import shutil
import signal
import time
import uuid
from pathlib import Path

from ..data.bibliography import check_bibliography
from ..data.dataset import load_dataset
from ..files import os_error_message, write_atomic
from ..findings.placeholders import check_placeholders
from ..paths import NOTEBOOKS, display_path
from ..report.params import check_subgroup
from .execute import execute_notebook, strip_volatile_metadata
from .jobs import (
    FAILED_DIR,
    KERNELSPEC,
    PID_DIR,
    STATE_FILE,
    BuildError,
    Interrupted,
    Result,
    notebooks,
)
from .loop import execute_jobs
from .options import BuildOptions
from .outfolder import left_by_builds, recorded_paths
from .plan import Plan, job_key, kept_data_outputs, will_run_kernels
from .publish import BuildLock, link_or_copy, publish
from .zygote import start_zygote_or_say, warm_zygote


def _on_term(signum, frame):
    raise Interrupted(signum)


#: closing the terminal stops a build as SIGTERM does: staging removed, the published set untouched
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def build(options: BuildOptions | None = None, **values) -> list[Result]:
    """Render the reports; returns one Result per report that was (re)built.

    ``options`` as the command line gives them, or ``values`` to make them from
    (:meth:`.options.BuildOptions.checked`: ``conditions``, ``evidence``,
    ``data``, ``out``, ``jobs``, ``force``, ``notebooks_dir``, ``cell_timeout``,
    ``subgroup``, ``isolated``, ``figures``). Nothing in the output folder is
    touched until the options and the table are known to be valid.
    """
    if options is None:
        options = BuildOptions.checked(**values)
    elif values:
        raise TypeError("build() takes BuildOptions or the values to make them, not both")
    out, folder = options.out, options.notebooks_dir
    nbs = notebooks(folder)
    if not nbs:
        raise BuildError(f"no report notebooks (NN_name.ipynb) found in {display_path(folder)}")
    check_notebooks(nbs)
    raise_open_file_limit()

    started = time.perf_counter()
    plan = Plan(options, nbs)
    if plan.up_to_date():
        if left_by_builds(out):  # a build stopped by a signal or killed left them: clean up even with nothing to do
            with BuildLock(out):
                remove_stale_staging(out)
        print(
            f"everything is up to date: {len(plan.jobs)} reports in {display_path(out)} "
            f"({time.perf_counter() - started:.2f} s; use --force to rebuild)"
        )
        return []
    if not options.isolated and will_run_kernels(plan):
        start_zygote_or_say(str(folder))  # it imports the stack while this process validates and plans

    ds = load_dataset(options.data_path)  # a bad table stops here, before any kernel or file
    check_placeholders(ds)  # and so does a reason naming a study or field that does not exist
    check_bibliography(ds.studies, options.data_path)  # and metadata that disagree with the table
    check_subgroup(ds.studies, options.subgroup)  # so does a subgroup column the table cannot be split by
    warm_zygote(options.data_path)  # the table is valid: kernels forked from now on find its findings computed
    previous = {signum: signal.signal(signum, _on_term) for signum in _STOP_SIGNALS}
    try:
        out.mkdir(parents=True, exist_ok=True)
        with BuildLock(out):
            plan = Plan(options, nbs, locked=True)  # another build may have finished meanwhile
            if plan.up_to_date():
                remove_stale_staging(out)
                print(f"everything is up to date: {len(plan.jobs)} reports in {display_path(out)}")
                return []
            return _build_locked(plan, ds, started)
    except OSError as exc:  # a full disk, a read-only folder: the staging folder is gone, the published set stands
        raise BuildError(f"{os_error_message(exc)}; the published reports were left as they were") from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _build_locked(plan: Plan, ds, started: float) -> list[Result]:
    out = plan.options.out
    old_reports = plan.state.get("reports", {})
    remove_stale_staging(out)
    staging = out / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    failed_dir = out / FAILED_DIR
    shutil.rmtree(failed_dir, ignore_errors=True)  # only the latest build's failures are kept
    try:
        kept_files = _keep_other_conditions(plan, staging)
        stale_names = {j.name for j in plan.stale}
        for j in plan.jobs:  # reuse what is up to date
            if j.name not in stale_names:
                link_or_copy(out / j.name, staging / j.name)
                fig_src = out / j.figures_rel
                if fig_src.is_dir():
                    for f in fig_src.rglob("*"):
                        if f.is_file():
                            link_or_copy(f, staging / j.figures_rel / f.relative_to(fig_src))
        print(
            f"building {len(plan.stale)} of {len(plan.jobs)} reports, "
            f"{min(plan.options.jobs, len(plan.stale))} at a time, into {display_path(out)}",
            flush=True,
        )
        shown = sorted([*plan.jobs, *plan.kept], key=_report_order)
        site: dict = {}  # the index's answers, the reports' summaries and what changed since the last version
        kept = kept_data_outputs(plan, shown)
        if kept is not None:  # same data, conditions and options: the tables and citations of the last build stand
            for rel in kept["files"]:
                link_or_copy(out / rel, staging / rel)
            site.update(
                answers=kept["answers"],
                harms=kept.get("harms", ""),
                summaries={j.name: kept["summaries"][j.name] for j in shown},
                changes=kept["changes"],
            )

        def tables_and_citations(stop=None) -> None:  # they depend on the data only, so they are written meanwhile
            from ..site.data_outputs import write_data_outputs

            try:
                site.update(write_data_outputs(ds, staging, plan.jobs, shown, stop))
            except Exception as exc:  # raised after the reports' own failures, which name their notebooks
                site["error"] = exc

        results = execute_jobs(plan, staging, failed_dir, meanwhile=tables_and_citations if kept is None else None)
        shutil.rmtree(staging / PID_DIR, ignore_errors=True)
        failed = [r for r in results if not r.ok]
        if failed:
            lines = [f"{len(failed)} of {len(results)} reports failed; the published reports were left as they were:"]
            for r in failed:
                lines.append(f"  {r.name}: {r.error}")
                lines.append(f"    executed notebook with the error marked: {display_path(r.failed_notebook)}")
            raise BuildError("\n".join(lines))
        if "error" in site:
            raise site["error"]
        from ..site.index import write_index  # the site's modules import matplotlib: after the zygote

        reports = {j.name: dict(old_reports.get(j.name, {})) for j in shown}
        for r in results:
            reports[r.name] = {"seconds": round(r.seconds, 2)}
        for j in plan.jobs:
            reports[j.name]["key"] = plan.keys[j.name]
        write_index(
            staging / "index.html",
            shown,
            ds.studies,
            site["summaries"],
            answers=[tuple(a) for a in site["answers"]],
            harms=site.get("harms", ""),
            changes=site["changes"],
        )
        report_files = {j.name for j in plan.jobs}
        staged = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        data_files = [
            rel
            for rel in staged
            if rel not in report_files
            and rel not in kept_files
            and rel != "index.html"
            and not rel.startswith(("figures/", ".", PID_DIR))
        ]
        new_state = {
            "reports": reports,
            "tables_key": plan.tables_key,
            "data_outputs": {"files": data_files, **site},
            # every file this build publishes: the only files a later build may replace or remove
            "published": sorted([*staged, STATE_FILE]),
        }
        write_atomic(staging / STATE_FILE, json.dumps(new_state, indent=1, sort_keys=True))
        publish(staging, out, recorded_paths(plan.state, out))
        shutil.rmtree(failed_dir, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    total = time.perf_counter() - started
    kept = f", {len(plan.kept)} of other conditions kept as they were" if plan.kept else ""
    print(
        f"built {len(results)} reports ({len(plan.jobs) - len(results)} up to date{kept}) in {total:.1f} s; "
        f"open {display_path(out / 'index.html')}"
    )
    return results


def _keep_other_conditions(plan: Plan, staging: Path) -> set[str]:
    """Link the files that earlier builds published for the conditions this build does not build (their
    reports, figures and per-condition tables) into staging, so that publishing keeps them; returns them."""
    if not plan.kept:
        return set()
    conditions = {j.params.condition for j in plan.kept}
    kept = {
        rel
        for rel in recorded_paths(plan.state, plan.options.out)
        if rel.split("/")[0] in conditions or (rel.startswith("figures/") and rel.split("/")[1] in conditions)
    }
    for rel in sorted(kept):
        if (plan.options.out / rel).is_file():
            link_or_copy(plan.options.out / rel, staging / rel)
    stale = [j for j in plan.kept if plan.state["reports"][j.name].get("key") != job_key(j, plan.shared)]
    if stale:
        print(
            f"kept {len(plan.kept)} published reports of other conditions as they were ({len(stale)} of them from "
            "earlier inputs: build without --condition to bring them up to date)",
            flush=True,
        )
    return kept


def _report_order(job) -> tuple:
    from ..report.params import report_conditions

    order = report_conditions()
    return (order.index(job.params.condition) if job.params.condition in order else len(order), job.stem)


def check_notebooks(paths) -> None:
    """Every report notebook can be read as a notebook: a damaged one is named in one line before any work."""
    import nbformat

    for path in paths:
        try:
            nb = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # JSON, schema or encoding: each is the same fault for the user
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BuildError(
                f"{display_path(path)}: not a readable notebook ({reason[:200]}); expected a Jupyter notebook "
                "(restore it with git checkout, or remove it)"
            ) from None


def raise_open_file_limit(wanted: int = 4096, needed: int = 256) -> None:
    """Each kernel holds a few dozen sockets and files; with too low a limit ZeroMQ aborts the whole process.
    The soft limit is raised as far as the hard limit allows; below ``needed`` the build stops in one line."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise BuildError(
            f"the limit on open files is {soft} (ulimit -n), and the build needs at least {needed}: "
            f"raise it with ulimit -n {needed}"
        )


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove, and say so, what a build that did not finish left in the output folder (killed with -9, a
    power cut): its staging folder and the old set a publish was swapping out. Called under the build lock,
    when no other build can be writing here."""
    stale = left_by_builds(out)
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
        print(f"removed {display_path(path)}, left by a build that did not finish", flush=True)
    return stale


def refresh_notebooks(folder: Path = NOTEBOOKS) -> None:
    """Re-execute the committed notebooks in place, each parameters cell reset to the defaults of the
    definition (helpers.report.params), so that nbval compares them with what a default build shows."""
    import nbformat

    from ..report.params import RESEARCHER_TAGS, STOCK_HIDDEN, parameters_cell, researcher_cell

    for path in notebooks(folder):
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0] if nb.cells else None
        if first is None or "researchers" not in first.metadata.get("tags", []):
            first = nbformat.v4.new_markdown_cell(metadata={"tags": list(RESEARCHER_TAGS)})
            first.id = "for-researchers"
            nb.cells.insert(0, first)
        first.source = researcher_cell(path.stem)
        first.metadata.update(STOCK_HIDDEN)
        nb.metadata["kernelspec"] = dict(KERNELSPEC)  # the project's kernel, by name
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = parameters_cell(path.stem)
                cell.metadata.update(STOCK_HIDDEN)
            cell.outputs = []
            cell.execution_count = None
        execute_notebook(nb, cwd=path.parent)
        strip_volatile_metadata(nb)
        write_atomic(path, nbformat.writes(nb) + "\n")  # a committed notebook is never left half written
        print(f"  refreshed {display_path(path)} in {time.perf_counter() - start:.1f} s", flush=True)


def main(args) -> int:
    if args.refresh_notebooks:
        refresh_notebooks(Path(args.notebooks).resolve() if args.notebooks else NOTEBOOKS)
        return 0
    build(BuildOptions.from_args(args))
    return 0
