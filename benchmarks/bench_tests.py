"""What the tests cost, against the build they test: one run on a fresh clone after make install.

    python3 benchmarks/bench_tests.py

In one run, on the committed HEAD of this repository:

1. ``git clone`` into a temporary folder and ``make install`` there, then ``make a11y-deps`` (axe-core from
   npm, which ``make test`` would otherwise download inside its timing) (not timed: the set-up benchmark is
   benchmarks/bench_setup.py);
2. the cold build: ``python -m helpers build --force`` into an empty folder, with the empty caches of a new
   clone;
3. ``make unit`` (the tests of one module at a time: no kernel, browser, process or ``integration`` marker), then
   ``make test`` (everything but the slow tier, lint and nbval included).

The goals are ratios to the cold build, measured in the same run so that the machine's speed cancels out:
``make unit`` at most 1x and ``make test`` at most 7x (issue 30). Results go to benchmarks/results/tests.json,
with the CPU seconds of each step (its processes' user and system time) and their ratios: on a shared machine,
a step whose wall time is well over its CPU time divided by the cores waited for other work.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_setup import fresh_env, machine  # beside this script, which Python puts on sys.path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "tests.json"
GOALS = {"unit_over_cold_build": 1.0, "test_over_cold_build": 7.0}


def timed(cmd: list[str], cwd: Path, env: dict, log: Path) -> tuple[float, float]:
    """Wall seconds of ``cmd``, and the CPU seconds (user and system) of its processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log, "ab") as fh:
        fh.write(f"$ {' '.join(map(str, cmd))}\n".encode())
        fh.flush()
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0:  # the log goes with the temporary folder: its end is printed here
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-60:])
        sys.exit(
            f"{tail}\n{' '.join(map(str, cmd))} failed with exit code {proc.returncode} (the end of its log is above)"
        )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(RESULTS), help="where to write the JSON results")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-tests-") as tmp:
        work = Path(tmp)
        clone, log = work / "clone", work / "log.txt"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        env = fresh_env(work / "caches")
        timed(["make", "--no-print-directory", "install"], clone, env, log)
        timed(["make", "--no-print-directory", "a11y-deps"], clone, env, log)  # set-up too: npm ci
        python = str(clone / ".venv" / "bin" / "python")
        steps = {
            "cold_build_s": [python, "-m", "helpers", "build", "--force", "--out", str(work / "out")],
            "make_unit_s": ["make", "--no-print-directory", "unit"],
            "make_test_s": ["make", "--no-print-directory", "test"],
        }
        measured = {name: timed(cmd, clone, env, log) for name, cmd in steps.items()}
    r = {k: round(wall, 1) for k, (wall, _) in measured.items()}
    cpu = {k: round(used, 1) for k, (_, used) in measured.items()}
    ratios = {
        "unit_over_cold_build": r["make_unit_s"] / r["cold_build_s"],
        "test_over_cold_build": r["make_test_s"] / r["cold_build_s"],
    }
    out = {
        "machine": machine(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "seconds": r,
        "cpu_seconds": cpu,
        "ratios": {k: round(v, 2) for k, v in ratios.items()},
        # the same ratios of CPU seconds: less moved than wall time by other work on the machine (not by all of
        # it: contention also costs CPU time), and no goal of their own
        "cpu_ratios": {
            "unit_over_cold_build": round(cpu["make_unit_s"] / cpu["cold_build_s"], 2),
            "test_over_cold_build": round(cpu["make_test_s"] / cpu["cold_build_s"], 2),
        },
        "goals": {k: {"at_most": g, "met": ratios[k] <= g} for k, g in GOALS.items()},
    }
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out["seconds"]), json.dumps(out["ratios"]), json.dumps(out["goals"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
