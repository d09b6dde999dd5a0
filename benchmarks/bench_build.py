"""Benchmark the report build (a script, not a test: timings belong here, not in tests/).

Measures in one run, on this machine:

(a) the naive loop: a ``papermill`` command and a ``jupyter nbconvert`` command per report;
(b) ``python -m helpers build`` cold (empty output folder and table cache);
(c) the same build again with nothing changed;
(d) a ``--jobs 1`` build, to check that parallel builds give byte-identical HTML;
(e) scaling with generated, schema-valid tables (build time, peak memory of any process,
    largest HTML file);
(f) optionally ``make test``.

Each timing is the median of ``--repeat`` runs. Results are printed as a table, written to
``benchmarks/results/latest.json`` and copied into README.md between the benchmark markers.

    .venv/bin/python benchmarks/bench_build.py [--repeat 3] [--sizes 10,1000,10000,100000] [--make-test]
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
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from generate import synthetic_table  # noqa: E402

from helpers.build.pipeline import notebooks  # noqa: E402
from helpers.report.params import report_conditions  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"

#: run a command and report wall time and the peak resident memory of any process it started
RUSAGE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "sys.stderr.write(r.stderr[-2000:] if r.returncode else '')\n"
    "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
)


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process in the command's tree."""
    res = subprocess.run([PY, "-c", RUSAGE, *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    wall, rss_kb, code = res.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{res.stderr}")
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
                [str(BIN / "papermill"), str(nb), str(executed), "-p", "condition", condition, "-p", "evidence", "all",
                 "-p", "data_path", str(data), "-p", "figures_dir", "", "--cwd", str(nb.parent), "-k", "python3",
                 "--no-progress-bar"],
                check=True, capture_output=True, cwd=ROOT,
            )
            subprocess.run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True, capture_output=True, cwd=ROOT,
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
    return {"cores": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "system": platform.platform(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def median(xs):
    return statistics.median(xs)


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    shipped = ROOT / "data" / "studies.csv"
    n_reports = len(report_conditions()) * len(notebooks())
    results: dict = {"machine": machine(), "repeat": args.repeat, "reports": n_reports}
    try:
        if not args.skip_naive:
            naive = [naive_loop(tmp, shipped) for _ in range(args.repeat)]
            results["naive_loop_s"] = median(naive)
            print(f"naive loop           {median(naive):7.1f} s  (runs: {', '.join(f'{x:.1f}' for x in naive)})", flush=True)

        cold, nochange, rss = [], [], []
        for i in range(args.repeat):
            out = tmp / f"cold-{i}"
            env = fresh_env(tmp)
            wall, peak = measure(build_cmd("--out", str(out), "--force"), env)
            cold.append(wall)
            rss.append(peak)
            t = time.perf_counter()
            res = subprocess.run(build_cmd("--out", str(out)), capture_output=True, text=True, env=env, cwd=ROOT)
            nochange.append(time.perf_counter() - t)
            assert "up to date" in res.stdout, res.stdout
        results.update(cold_build_s=median(cold), nochange_build_s=median(nochange), cold_peak_rss_mb=max(rss),
                       shipped_largest_html_mb=largest_html_mb(tmp / "cold-0"))
        print(f"cold build           {median(cold):7.1f} s  (runs: {', '.join(f'{x:.1f}' for x in cold)})", flush=True)
        print(f"no-change build      {median(nochange):7.2f} s", flush=True)
        if "naive_loop_s" in results:
            results["cold_over_naive"] = results["cold_build_s"] / results["naive_loop_s"]
            print(f"cold / naive         {results['cold_over_naive']:7.2f}", flush=True)

        serial = tmp / "serial"
        measure(build_cmd("--out", str(serial), "--force", "--jobs", "1"), fresh_env(tmp))
        results["parallel_equals_serial_html"] = html_digests(serial) == html_digests(tmp / "cold-0")
        print(f"--jobs 1 HTML identical to parallel: {results['parallel_equals_serial_html']}", flush=True)

        scaling = []
        for n in [int(x) for x in args.sizes.split(",") if x]:
            table = synthetic_table(n, tmp / f"table-{n}.csv")
            walls, peaks, sizes = [], [], []
            for i in range(args.repeat):
                out = tmp / f"scale-{n}-{i}"
                wall, peak = measure(build_cmd("--data", str(table), "--out", str(out), "--force"), fresh_env(tmp))
                walls.append(wall)
                peaks.append(peak)
                sizes.append(largest_html_mb(out))
                shutil.rmtree(out, ignore_errors=True)
            row = {"rows": n, "file_mb": table.stat().st_size / 2**20, "build_s": median(walls), "peak_rss_mb": max(peaks),
                   "largest_html_mb": max(sizes), "vs_shipped": median(walls) / results["cold_build_s"]}
            scaling.append(row)
            print(f"{n:>7} rows          {row['build_s']:7.1f} s  x{row['vs_shipped']:.2f} of shipped, "
                  f"peak {row['peak_rss_mb']:.0f} MB, largest HTML {row['largest_html_mb']:.2f} MB", flush=True)
        results["scaling"] = scaling

        if args.make_test:
            t = time.perf_counter()
            subprocess.run(["make", "test"], check=True, capture_output=True, cwd=ROOT)
            results["make_test_s"] = time.perf_counter() - t
            print(f"make test            {results['make_test_s']:7.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        START,
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}, {m['memory']}), Python {m['python']}; "
        f"{r['reports']} reports; medians of {r['repeat']} runs.",
        "",
        "| measurement | result |",
        "|---|---|",
    ]
    if "naive_loop_s" in r:
        lines.append(f"| naive loop (papermill + nbconvert commands per report) | {r['naive_loop_s']:.1f} s |")
    lines.append(f"| `python -m helpers build`, cold | {r['cold_build_s']:.1f} s |")
    if "cold_over_naive" in r:
        lines.append(f"| cold build / naive loop | {r['cold_over_naive']:.2f} |")
    lines.append(f"| build with nothing changed | {r['nochange_build_s']:.2f} s |")
    lines.append(f"| `--jobs 1` HTML byte-identical to the parallel build | {'yes' if r['parallel_equals_serial_html'] else 'NO'} |")
    for s in r["scaling"]:
        lines.append(
            f"| {s['rows']:,} generated rows ({s['file_mb']:.1f} MB) | {s['build_s']:.1f} s (x{s['vs_shipped']:.2f}), "
            f"peak {s['peak_rss_mb']:.0f} MB, largest HTML {s['largest_html_mb']:.2f} MB |"
        )
    if "make_test_s" in r:
        lines.append(f"| `make test` | {r['make_test_s']:.1f} s |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--sizes", default="10,1000,10000,100000")
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
