"""Set-up time from a fresh clone with no caches: `make install` against venv + pip install -r.

    python3 benchmarks/bench_setup.py [--repeat N] [--no-test]

In one run, on the committed HEAD of this repository:

1. ``git clone`` into a temporary folder and time ``make install`` there: uv is
   bootstrapped with python3's venv and pip, then requirements.lock is installed
   hash-checked, then the editable project;
2. time ``python3 -m venv`` + ``pip install -r`` of the top-level pins of pyproject.toml (the same
   top-level pins in another folder (the set-up this repository had before);
3. unless ``--no-test``, time ``make test`` in the fresh clone (its install
   already done by step 1: the sum is ``make test`` on a fresh clone, install
   included).

Every step gets empty caches of its own (pip, uv, npm, matplotlib, XDG), and
pip reads no configuration file, so both installers fetch from PyPI alone.
make install runs first, so any warming of the network path favours pip.
The goal is a ratio (make install / pip) of at most 0.3 and make test with its
install under 90 s. Results go to benchmarks/results/setup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "setup.json"
GOAL_RATIO = 0.3
GOAL_TEST_S = 90.0


def fresh_env(base: Path) -> dict:
    """The environment of a new user: no pip, uv, npm or matplotlib caches, no pip configuration file."""
    env = dict(os.environ)
    # make's own variables too: `make bench-tests ARGS=...` would hand its ARGS to the timed make commands
    for var in (
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "HELPERS_ROOT",
        "HELPERS_CACHE",
        "A11Y_REPORTS",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "ARGS",
    ):
        env.pop(var, None)
    caches = {
        "PIP_CACHE_DIR": "pip",
        "UV_CACHE_DIR": "uv",
        "npm_config_cache": "npm",
        "MPLCONFIGDIR": "mpl",
        "XDG_CACHE_HOME": "xdg",
    }
    for var, name in caches.items():
        (base / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / name)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(cmd, cwd: Path, env: dict, log: Path) -> float:
    start = time.perf_counter()
    with open(log, "ab") as fh:
        fh.write(f"$ {' '.join(map(str, cmd))}\n".encode())
        fh.flush()
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with exit code {proc.returncode}; see {log}")
    return seconds


def write_top_level_pins(pyproject: Path, target: Path) -> None:
    """The pins a person writes (pyproject.toml's dependencies and dev group) as a requirements file, so that
    the naive route resolves the same top-level set that make install installs from the lock."""
    import tomllib

    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    groups = data["dependency-groups"]

    def group(name: str) -> list[str]:
        return [
            r for item in groups[name] for r in (group(item["include-group"]) if isinstance(item, dict) else [item])
        ]

    target.write_text("\n".join(data["project"]["dependencies"] + group("dev")) + "\n", encoding="utf-8")


def one_round(work: Path, run_test: bool, log: Path) -> dict:
    clone = work / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    result = {}
    result["make_install_s"] = run(
        ["make", "--no-print-directory", "install"], clone, fresh_env(work / "cache-uv"), log
    )

    pip_dir = work / "pip"
    pip_dir.mkdir()
    write_top_level_pins(clone / "pyproject.toml", pip_dir / "requirements.txt")
    env = fresh_env(work / "cache-pip")
    t = run(
        [sys.executable if not os.environ.get("PYTHON") else os.environ["PYTHON"], "-m", "venv", "venv"],
        pip_dir,
        env,
        log,
    )
    t += run([str(pip_dir / "venv" / "bin" / "pip"), "install", "--quiet", "-r", "requirements.txt"], pip_dir, env, log)
    result["pip_install_s"] = t
    result["ratio"] = result["make_install_s"] / result["pip_install_s"]
    if run_test:
        env = fresh_env(work / "cache-uv")  # the same caches make install filled: one user, one machine
        result["make_test_after_install_s"] = run(["make", "--no-print-directory", "test"], clone, env, log)
        result["make_test_fresh_clone_s"] = result["make_install_s"] + result["make_test_after_install_s"]
    return result


#: a fixed pure-Python loop: its time tells how fast this machine's cores are, so that results from two
#: machines (or two moments of a shared one) can be compared; the goals themselves are in seconds
CPU_REFERENCE = (
    "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10**7):\n    s += i\nprint(time.perf_counter() - t)"
)


def cpu_reference_s() -> float:
    runs = [
        float(subprocess.run([sys.executable, "-c", CPU_REFERENCE], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return round(statistics.median(runs), 3)


def machine() -> dict:
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average_at_start": os.getloadavg()[0],
        "cpu_reference_s": cpu_reference_s(),  # median of 3 runs of CPU_REFERENCE (10 million additions)
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="rounds (medians are reported; default 1)")
    ap.add_argument("--no-test", action="store_true", help="skip timing make test in the fresh clone")
    ap.add_argument("--out", default=str(RESULTS), help="where to write the JSON results")
    args = ap.parse_args(argv)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if dirty.strip():
        print("note: uncommitted changes are not measured (the benchmark clones the committed HEAD)")
    rounds = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-setup-") as tmp:
            log = Path(tmp) / "log.txt"
            try:
                r = one_round(Path(tmp), not args.no_test, log)
            except SystemExit:
                shutil.copy(log, ROOT / "benchmarks" / "results" / "setup-failed.log")
                raise
        rounds.append(r)
        print(f"round {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    out = {
        "machine": machine(),
        "repeat": args.repeat,
        "rounds": rounds,
        "median": med,
        "goal_ratio": GOAL_RATIO,
        "goal_make_test_s": GOAL_TEST_S,
        "commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(f"make install (uv, hash-checked lock): {med['make_install_s']:.1f} s")
    print(f"python3 -m venv + pip install -r requirements.txt: {med['pip_install_s']:.1f} s")
    print(f"set-up ratio: {med['ratio']:.2f} (goal <= {GOAL_RATIO})")
    if "make_test_fresh_clone_s" in med:
        print(
            f"make test on a fresh clone, install included: {med['make_test_fresh_clone_s']:.1f} s (goal <= {GOAL_TEST_S:.0f} s)"
        )
    print(f"wrote {Path(args.out).relative_to(ROOT) if Path(args.out).is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
