"""Benchmark the report build (a script, not a test: timings belong here, not in tests/).

Measures in one run, on this machine:

(a) the naive loop: a ``papermill`` command and a ``jupyter nbconvert`` command per report;
(b) ``python -m helpers build`` cold (empty output folder and table cache), with forked kernels
    (the default) and with ``--isolated`` (a fresh kernel process per report), and whether both
    give byte-identical HTML;
(c) the same build again with nothing changed;
(d) one notebook changed: the rebuild of its reports (one per condition), once for a change to its
    prose (a word in a Markdown cell: the kept outputs are reused) and once for a change to its code
    (a comment line in a code cell: every one of its reports runs again);
(d2) a cold build with ``--figures`` (300-dpi PNGs as well), for reference;
(e) a ``--jobs 1`` build, to check that parallel builds give byte-identical HTML;
(f) the time split of a report: its cells (execution), the HTML export, and the overhead
    (kernel start and stop, loading and parameterizing the notebook, writing files),
    averaged over the reports of one in-process cold build, for both kinds of kernel;
(g) scaling with generated, schema-valid tables (build time, peak memory of any process,
    largest HTML file), each build of one alternating with a cold build of the shipped table, to which its
    ratio is taken;
(h) optionally ``make test``.

Each timing is the median of ``--repeat`` runs; the runs of two things compared (the naive loop and the
cold build, a generated table and the shipped one) alternate, since this machine's speed drifts within a run; wall and CPU seconds are recorded (CPU time
of every process of the command, which another load on the machine disturbs less than wall
time), with the load average before and after. The ratios are compared with the goals of
:data:`GOALS`. Results are printed as a table, written to ``benchmarks/results/latest.json``
and copied into README.md between the benchmark markers.

    .venv/bin/python benchmarks/bench_build.py [--repeat 3] [--sizes 10000,50000] [--make-test]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from generate import synthetic_table  # noqa: E402

from helpers.render.build import build  # noqa: E402
from helpers.render.jobs import notebooks  # noqa: E402
from helpers.report.params import report_conditions  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
#: ratio or seconds -> the most the goal allows (issue 12; the scale goals of issue 30: a table of 50,000 rows is
#: about half the 100 MiB input limit)
GOALS = {
    "cold_over_naive": 0.08,
    "one_notebook_rebuild_s": 2.0,
    "rows_10000_over_shipped": 1.5,
    "rows_10000_largest_html_mb": 2.0,
    "rows_50000_over_10000": 5.0,
}

#: run a command and report wall time and the peak resident memory of any process it started
RUSAGE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "sys.stderr.write(r.stderr[-2000:] if r.returncode else '')\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(wall, u.ru_maxrss, r.returncode, u.ru_utime + u.ru_stime)\n"
)

#: CPU seconds of the last measure() (every process of the command, waited for)
LAST_CPU = [0.0]


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process in the command's tree."""
    res = subprocess.run([PY, "-c", RUSAGE, *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    wall, rss_kb, code, cpu = res.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{res.stderr}")
    LAST_CPU[0] = float(cpu)
    return float(wall), int(rss_kb) / 1024


def build_cmd(*args: str) -> list[str]:
    return [PY, "-m", "helpers", "build", *args]


def fresh_env(tmp: Path) -> dict:
    cache = tmp / f"cache-{time.perf_counter_ns()}"
    return dict(os.environ, HELPERS_CACHE=str(cache))


def naive_loop(tmp: Path, data: Path) -> float:
    """One papermill process and one nbconvert process per report, as one would write it by hand."""
    work = tmp / "naive"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    start = time.perf_counter()
    for condition in report_conditions():
        for nb in notebooks():
            executed = work / f"{condition}__{nb.name}"
            subprocess.run(
                [
                    str(BIN / "papermill"),
                    str(nb),
                    str(executed),
                    "-p",
                    "condition",
                    condition,
                    "-p",
                    "evidence",
                    "all",
                    "-p",
                    "data_path",
                    str(data),
                    "-p",
                    "figures_dir",
                    "",
                    "--cwd",
                    str(nb.parent),
                    "-k",
                    "python3",
                    "--no-progress-bar",
                ],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            subprocess.run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
    return time.perf_counter() - start


def html_digests(out: Path) -> dict:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.html"))}


def largest_html_mb(out: Path) -> float:
    return max(p.stat().st_size for p in out.rglob("*.html")) / 2**20


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "system": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def median(xs):
    return statistics.median(xs)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def touch_notebook(path: Path, i: int) -> None:
    """Change one notebook as an author would: a word in its first Markdown cell."""
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = source.rstrip() + f" (revision {i})"
    path.write_text(json.dumps(nb, indent=1) + "\n")


def touch_code(path: Path, i: int) -> None:
    """Change one notebook's code: a comment line at the end of its last code cell (its kernel must run again)."""
    nb = json.loads(path.read_text())
    cell = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = source.rstrip() + f"\n# revision {i}"
    path.write_text(json.dumps(nb, indent=1) + "\n")


def time_split(out: Path, isolated: bool) -> dict:
    """Mean seconds per report of one in-process cold build: execution, export, overhead."""
    results = build(out=out, force=True, isolated=isolated)
    n = len(results)
    mean = {
        k: sum(r.timings.get(k, 0.0) for r in results) / n for k in ("kernel_start", "cells", "kernel_stop", "export")
    }
    total = sum(r.seconds for r in results) / n
    return {
        "reports": n,
        "total": total,
        "execution": mean["cells"],
        "export": mean["export"],
        "overhead": total - mean["cells"] - mean["export"],
        "kernel_start": mean["kernel_start"],
        "kernel_stop": mean["kernel_stop"],
    }


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    shipped = ROOT / "data" / "studies.csv"
    n_reports = len(report_conditions()) * len(notebooks())
    results: dict = {
        "machine": machine(),
        "repeat": args.repeat,
        "reports": n_reports,
        "load_before": load(),
        "goals": GOALS,
    }
    try:
        # the naive loop and the cold build alternate, so that each ratio compares runs of the same stretch of
        # time: this machine's speed drifts by up to a factor of two within minutes, and three naive loops
        # (ten minutes) then three builds compared two different machines
        naive, cold, cold_cpu, nochange, rss = [], [], [], [], []
        for i in range(args.repeat):
            if not args.skip_naive:
                naive.append(naive_loop(tmp, shipped))
            out = tmp / f"cold-{i}"
            env = fresh_env(tmp)
            wall, peak = measure(build_cmd("--out", str(out), "--force"), env)
            cold.append(wall)
            cold_cpu.append(LAST_CPU[0])
            rss.append(peak)
            t = time.perf_counter()
            res = subprocess.run(build_cmd("--out", str(out)), capture_output=True, text=True, env=env, cwd=ROOT)
            nochange.append(time.perf_counter() - t)
            assert "up to date" in res.stdout, res.stdout
        if naive:
            results["naive_loop_s"] = median(naive)
            print(
                f"naive loop           {median(naive):7.1f} s  (runs: {', '.join(f'{x:.1f}' for x in naive)})",
                flush=True,
            )
        results.update(
            cold_build_s=median(cold),
            cold_build_cpu_s=median(cold_cpu),
            nochange_build_s=median(nochange),
            cold_peak_rss_mb=max(rss),
            shipped_largest_html_mb=largest_html_mb(tmp / "cold-0"),
        )
        print(
            f"cold build           {median(cold):7.1f} s  (runs: {', '.join(f'{x:.1f}' for x in cold)}; "
            f"CPU {median(cold_cpu):.1f} s)",
            flush=True,
        )
        print(f"no-change build      {median(nochange):7.2f} s", flush=True)
        if "naive_loop_s" in results:
            results["cold_over_naive"] = results["cold_build_s"] / results["naive_loop_s"]
            print(f"cold / naive         {results['cold_over_naive']:7.3f}", flush=True)

        iso, iso_cpu = [], []
        for i in range(args.repeat):
            out = tmp / f"isolated-{i}"
            wall, _ = measure(build_cmd("--out", str(out), "--force", "--isolated"), fresh_env(tmp))
            iso.append(wall)
            iso_cpu.append(LAST_CPU[0])
        results.update(
            isolated_build_s=median(iso),
            isolated_build_cpu_s=median(iso_cpu),
            isolated_equals_default_html=html_digests(tmp / "isolated-0") == html_digests(tmp / "cold-0"),
        )
        print(
            f"--isolated build     {median(iso):7.1f} s  (CPU {median(iso_cpu):.1f} s); HTML identical to the default: "
            f"{results['isolated_equals_default_html']}",
            flush=True,
        )

        folder = tmp / "notebooks"
        shutil.copytree(ROOT / "notebooks", folder)
        out, env = tmp / "one-changed", fresh_env(tmp)
        measure(build_cmd("--out", str(out), "--notebooks", str(folder)), env)
        changed = notebooks(folder)[len(notebooks(folder)) // 2]

        def rebuilds(change) -> tuple[list[float], list[float]]:
            walls, cpus = [], []
            for i in range(args.repeat):
                change(changed, i)
                walls.append(measure(build_cmd("--out", str(out), "--notebooks", str(folder)), env)[0])
                cpus.append(LAST_CPU[0])
            return walls, cpus

        rebuild, rebuild_cpu = rebuilds(touch_notebook)
        results.update(
            one_notebook_rebuild_s=median(rebuild),
            one_notebook_rebuild_cpu_s=median(rebuild_cpu),
            one_notebook_reports=len(report_conditions()),
            one_notebook_changed=changed.name,
        )
        print(
            f"one notebook's prose {median(rebuild):7.2f} s  ({len(report_conditions())} reports of {changed.name}; "
            f"CPU {median(rebuild_cpu):.1f} s; outputs reused)",
            flush=True,
        )
        code, code_cpu = rebuilds(touch_code)
        results.update(one_notebook_code_rebuild_s=median(code), one_notebook_code_rebuild_cpu_s=median(code_cpu))
        print(
            f"one notebook's code  {median(code):7.2f} s  ({len(report_conditions())} reports of {changed.name} "
            f"executed again; CPU {median(code_cpu):.1f} s)",
            flush=True,
        )

        figs = []
        for i in range(args.repeat):
            wall, _ = measure(build_cmd("--out", str(tmp / f"figures-{i}"), "--force", "--figures"), fresh_env(tmp))
            figs.append(wall)
        results["cold_build_with_figures_s"] = median(figs)
        print(f"cold, --figures      {median(figs):7.1f} s  (also 300-dpi PNGs of every figure)", flush=True)

        results["split"] = {
            mode: time_split(tmp / f"split-{mode}", mode == "isolated") for mode in ("forked", "isolated")
        }
        for mode, sp in results["split"].items():
            print(
                f"per report, {mode:8} {sp['total']:5.2f} s: execution {sp['execution']:.2f}, export {sp['export']:.2f}, "
                f"overhead {sp['overhead']:.2f} (kernel start {sp['kernel_start']:.2f}, stop {sp['kernel_stop']:.2f})",
                flush=True,
            )

        serial = tmp / "serial"
        measure(build_cmd("--out", str(serial), "--force", "--jobs", "1"), fresh_env(tmp))
        results["parallel_equals_serial_html"] = html_digests(serial) == html_digests(tmp / "cold-0")
        print(f"--jobs 1 HTML identical to parallel: {results['parallel_equals_serial_html']}", flush=True)

        scaling = []
        for n in [int(x) for x in args.sizes.split(",") if x]:
            table = synthetic_table(n, tmp / f"table-{n}.csv")
            walls, peaks, sizes, paired = [], [], [], []
            for i in range(args.repeat):
                # each large build follows a cold build of the shipped table, its pair: the ratio compares the two
                # in the same stretch of time (see the naive loop above)
                pair = tmp / f"pair-{n}-{i}"
                paired.append(measure(build_cmd("--out", str(pair), "--force"), fresh_env(tmp))[0])
                shutil.rmtree(pair, ignore_errors=True)
                out = tmp / f"scale-{n}-{i}"
                wall, peak = measure(build_cmd("--data", str(table), "--out", str(out), "--force"), fresh_env(tmp))
                walls.append(wall)
                peaks.append(peak)
                sizes.append(largest_html_mb(out))
                shutil.rmtree(out, ignore_errors=True)
            row = {
                "rows": n,
                "file_mb": table.stat().st_size / 2**20,
                "build_s": median(walls),
                "peak_rss_mb": max(peaks),
                "largest_html_mb": max(sizes),
                "shipped_paired_s": median(paired),
                "vs_shipped": median(walls) / median(paired),
                "vs_shipped_first_cold_builds": median(walls) / results["cold_build_s"],
            }
            scaling.append(row)
            if n == 10000:
                results["rows_10000_over_shipped"] = row["vs_shipped"]
                results["rows_10000_largest_html_mb"] = row["largest_html_mb"]
            ten = next((r for r in scaling if r["rows"] == 10000), None)
            if n == 50000 and ten is not None:
                results["rows_50000_over_10000"] = row["build_s"] / ten["build_s"]
                results["rows_50000_peak_rss_mb"] = row["peak_rss_mb"]
            print(
                f"{n:>7} rows          {row['build_s']:7.1f} s  x{row['vs_shipped']:.2f} of shipped "
                f"({row['shipped_paired_s']:.1f} s, the cold builds alternating with them; "
                f"x{row['vs_shipped_first_cold_builds']:.2f} of the first cold builds), "
                f"peak {row['peak_rss_mb']:.0f} MB, largest HTML {row['largest_html_mb']:.2f} MB",
                flush=True,
            )
        results["scaling"] = scaling

        if args.make_test:
            t = time.perf_counter()
            subprocess.run(["make", "test"], check=True, capture_output=True, cwd=ROOT)
            results["make_test_s"] = time.perf_counter() - t
            print(f"make test            {results['make_test_s']:7.1f} s", flush=True)
        results["load_after"] = load()
        results["goals_met"] = {k: results[k] <= v for k, v in GOALS.items() if k in results}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        START,
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}, {m['memory']}), Python {m['python']}; "
        f"{r['reports']} reports; medians of {r['repeat']} runs; load average {r.get('load_before', '?')} before, "
        f"{r.get('load_after', '?')} after.",
        "",
        "| measurement | result |",
        "|---|---|",
    ]
    if "naive_loop_s" in r:
        lines.append(f"| naive loop (papermill + nbconvert commands per report) | {r['naive_loop_s']:.1f} s |")
    lines.append(f"| `python -m helpers build`, cold | {r['cold_build_s']:.1f} s |")
    if "cold_over_naive" in r:
        lines.append(f"| cold build / naive loop | {r['cold_over_naive']:.3f} |")
    if "isolated_build_s" in r:
        lines.append(
            f"| `--isolated` (fresh kernel per report), cold | {r['isolated_build_s']:.1f} s; HTML byte-identical to "
            f"the default: {'yes' if r['isolated_equals_default_html'] else 'NO'} |"
        )
    lines.append(f"| build with nothing changed | {r['nochange_build_s']:.2f} s |")
    if "cold_build_with_figures_s" in r:
        lines.append(f"| `--figures` (also 300-dpi PNGs), cold | {r['cold_build_with_figures_s']:.1f} s |")
    if "one_notebook_rebuild_s" in r:
        lines.append(
            f"| one notebook's prose changed ({r['one_notebook_reports']} reports rebuilt from their kept outputs) | "
            f"{r['one_notebook_rebuild_s']:.2f} s |"
        )
    if "one_notebook_code_rebuild_s" in r:
        lines.append(
            f"| one notebook's code changed ({r['one_notebook_reports']} reports executed again) | "
            f"{r['one_notebook_code_rebuild_s']:.2f} s |"
        )
    for mode, sp in r.get("split", {}).items():
        lines.append(
            f"| per report, {mode} kernels: execution / export / overhead | {sp['execution']:.2f} / "
            f"{sp['export']:.2f} / {sp['overhead']:.2f} s (kernel start {sp['kernel_start']:.2f} s) |"
        )
    for key, goal in r.get("goals", {}).items():
        if key in r:
            unit = " s" if key.endswith("_s") else ""
            lines.append(
                f"| goal: {key.replace('_', ' ')} at most {goal}{unit} | {r[key]:.3f}{unit}: "
                f"{'met' if r[key] <= goal else 'not met'} |"
            )
    lines.append(
        f"| `--jobs 1` HTML byte-identical to the parallel build | {'yes' if r['parallel_equals_serial_html'] else 'NO'} |"
    )
    for s in r["scaling"]:
        lines.append(
            f"| {s['rows']:,} generated rows ({s['file_mb']:.1f} MB) | {s['build_s']:.1f} s (x{s['vs_shipped']:.2f} of "
            f"{s.get('shipped_paired_s', r['cold_build_s']):.1f} s, the shipped builds alternating with them), "
            f"peak {s['peak_rss_mb']:.0f} MB, largest HTML {s['largest_html_mb']:.2f} MB |"
        )
    if "make_test_s" in r:
        lines.append(f"| `make test` | {r['make_test_s']:.1f} s |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--sizes", default="10000,50000")
    p.add_argument("--skip-naive", action="store_true")
    p.add_argument("--make-test", action="store_true")
    p.add_argument("--json", default=str(HERE / "results" / "latest.json"))
    p.add_argument("--no-readme", action="store_true", help="do not update the table in README.md")
    args = p.parse_args()
    results = run(args)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    print()
    print(table)
    readme = ROOT / "README.md"
    text = readme.read_text()
    if not args.no_readme and START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(head + table + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
