"""Forked kernels (helpers.render.zygote, helpers.render.kernels): same reports as fresh kernels, nothing shared between reports."""

import json
import subprocess
import sys
import textwrap

import pytest

from helpers.paths import ROOT
from support.notebooks import make_notebook

pytestmark = pytest.mark.kernel

#: a report that shows every kind of output, and whatever another report could have left behind
PROBE = [
    "import sys, os\nimport numpy as np\nimport pandas as pd\nimport matplotlib as mpl\nimport matplotlib.pyplot as plt\n"
    "from IPython.display import HTML, Markdown, display\n"
    'print("globals left by another report:", sorted(k for k in ("leak", "np_state") if k in globals()))\n'
    'print("pandas max_rows:", pd.get_option("display.max_rows"), "| figure dpi:", mpl.rcParams["figure.dpi"])\n'
    'print("environment mark:", os.environ.get("HELPERS_LEAK"), "| cwd:", os.path.basename(os.getcwd()))\n'
    'print("builtins patched:", hasattr(__builtins__, "leak") if not isinstance(__builtins__, dict) else "leak" in __builtins__)\n'
    'print("to stderr", file=sys.stderr)',
    "Markdown(f\"**condition {condition}**, helpers attribute: {getattr(__import__('helpers'), 'leak', None)}\")",
    'HTML("<table><tr><td>1 &lt; 2</td></tr></table>")',
    'pd.DataFrame({"a": [1, 2], "b": [0.5, 0.25]})',
    'fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([0, 1], [1, 0])\nax.set_title("probe")\nplt.show()',
    'display(Markdown("displayed"))\nprint("and printed")\n1 + 1',
]

#: a report that changes every piece of state it can reach
POLLUTER = [
    'leak = "from the polluter"\nimport os, builtins, sys\nimport numpy as np\nimport pandas as pd\nimport matplotlib as mpl\n'
    'import helpers\nhelpers.leak = "module attribute"\nbuiltins.leak = True\nos.environ["HELPERS_LEAK"] = "yes"\n'
    'pd.set_option("display.max_rows", 3)\nmpl.rcParams["figure.dpi"] = 17\nnp.random.seed(0)\nos.chdir("/")\n'
    'sys.path.insert(0, "/nonexistent")\nimport matplotlib.pyplot as plt\nplt.figure()\nprint("polluted")',
]


#: one driver process runs every scenario below in turn, as one long-lived session would: it forks the
#: kernel for A, then B, then A again; runs each notebook on a forked kernel and on a fresh one; kills its
#: zygote and runs a report again (a new zygote serves it); then imports matplotlib and builds (the zygote
#: must then be a new interpreter)
DRIVER = textwrap.dedent("""
    import json, os, signal, sys
    from pathlib import Path
    import nbformat
    from helpers.render.execute import run_job
    from helpers.render.jobs import Job
    from helpers.report.params import ReportParams
    from helpers.render.zygote import start_zygote, stop_zygote
    if __name__ == "__main__":
        data, work, probe, polluter, error, modules, session_nbs = sys.argv[1:]
        folder = str(Path(probe).parent)
        start_zygote(folder)
        pages = []
        for i, nb in enumerate([probe, polluter, probe]):
            job = Job(nb, ReportParams("all", "all", data))
            staging = Path(work) / f"run{i}"
            res = run_job(job, str(staging), str(Path(work) / "failed"), 60, False)
            assert res.ok, res.error
            pages.append((staging / job.name).read_text(encoding="utf-8"))
        out = {}
        for nb in (probe, error, modules):
            for mode, isolated in (("forked", False), ("isolated", True)):
                job = Job(nb, ReportParams("migraine", "all", data))
                staging = Path(work) / mode
                res = run_job(job, str(staging), str(Path(work) / f"failed-{mode}"), 60, isolated)
                if res.ok:
                    out[f"{job.stem} {mode}"] = (staging / job.name).read_text(encoding="utf-8")
                else:
                    cells = nbformat.read(res.failed_notebook, as_version=4).cells
                    out[f"{job.stem} {mode}"] = [(c.get("execution_count"), c.get("outputs"))
                                                 for c in cells if c.cell_type == "code"]
        first = start_zygote(folder).pid
        os.kill(first, signal.SIGKILL)
        os.waitpid(first, 0)  # dead before the next report asks it for a kernel (as when it died long before)
        job = Job(modules, ReportParams("all", "all", data))
        res = run_job(job, str(Path(work) / "recovered"), str(Path(work) / "failed"), 60, False)
        again = start_zygote(folder)  # the one the provisioner started instead
        recovered = {"ok": res.ok, "new_zygote": again.pid != first and again.alive(),
                     "page": (Path(work) / "recovered" / job.name).read_text(encoding="utf-8") if res.ok else ""}
        stop_zygote()
        import matplotlib
        import matplotlib.pyplot as plt
        matplotlib.rcParams["figure.dpi"] = 17  # what a researcher's own session may have changed
        from helpers.render.build import build
        build(conditions=["all"], notebooks_dir=session_nbs, out=str(Path(work) / "session"), jobs=1)
        session = {"clean": start_zygote(session_nbs).started_clean,
                   "page": (Path(work) / "session" / "all" / "01_prints_its_kernel_state.html").read_text()}
        print(json.dumps({"sequence": pages, "both_ways": out, "recovered": recovered, "session": session}))
""")


@pytest.fixture(scope="module")
def driven(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("driven")
    folder = base / "nbs"
    probe = make_notebook(folder, "01_prints_its_kernel_state", PROBE)
    polluter = make_notebook(folder, "02_changes_global_state", POLLUTER)
    error = make_notebook(folder, "02_raises_an_error", ['print("before")', 'raise ValueError("on purpose")'])
    modules = make_notebook(
        folder, "03_lists_preloaded_modules", ['import sys\nprint("pandas preloaded:", "pandas" in sys.modules)']
    )
    session_nbs = base / "session-nbs"
    make_notebook(session_nbs, "01_prints_its_kernel_state", PROBE[:1])
    script = base / "driver.py"
    script.write_text(DRIVER)
    args = [ROOT / "data" / "studies.csv", base / "work", probe, polluter, error, modules, session_nbs]
    res = subprocess.run(
        [sys.executable, str(script), *map(str, args)], capture_output=True, text=True, timeout=300, cwd=base
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_a_then_b_then_a_gives_byte_identical_reports_and_nothing_leaks(driven):
    first, polluted, again = driven["sequence"]
    assert "polluted" in polluted
    assert first == again  # byte-identical
    for shown in (
        "globals left by another report: []",
        "pandas max_rows: 60 | figure dpi: 100.0",
        "environment mark: None | cwd: nbs",
        "builtins patched: False",
        "helpers attribute: None",
        "data:image/png;base64",
        "to stderr",
        "<td>1 &lt; 2</td>",
        "displayed",
    ):
        assert shown in first, shown


def test_forked_and_isolated_kernels_give_the_same_report_for_every_kind_of_output(driven):
    """Every kind of output (streams, Markdown, HTML, tables, figures, a failing cell's traceback and
    execution counts) is the same from a forked kernel and a fresh one; only the forked one starts with
    the stack imported. (The forked kernels come from the zygote that ran the polluter first.)"""
    out = driven["both_ways"]
    assert out["01_prints_its_kernel_state forked"] == out["01_prints_its_kernel_state isolated"]
    assert "data:image/png;base64" in out["01_prints_its_kernel_state forked"]
    # the failing report's stream, traceback and execution counts are the same both ways
    assert out["02_raises_an_error forked"] == out["02_raises_an_error isolated"]
    assert any(o.get("ename") == "ValueError" for _, outs in out["02_raises_an_error forked"] for o in outs or [])
    assert "pandas preloaded: True" in out["03_lists_preloaded_modules forked"]
    assert "pandas preloaded: False" in out["03_lists_preloaded_modules isolated"]


def test_a_crash_or_a_hang_fails_only_its_own_report(tmp_path, builds):
    """With one worker, the reports after a failing one run on the same zygote and succeed (the build runs in
    the test process's build session, whose zygote has served other builds: it must serve this one too)."""
    folder = tmp_path / "nbs"
    make_notebook(folder, "01_kills_its_kernel", ['if condition == "all":\n    import os\n    os._exit(1)'])
    make_notebook(folder, "02_never_finishes", ['if condition == "all":\n    import time\n    time.sleep(60)'])
    make_notebook(folder, "03_prints_fine", ['print("fine")'])
    out = tmp_path / "out"
    res = builds.build(
        "--notebooks",
        folder,
        "--out",
        out,
        "--condition",
        "all",
        "--condition",
        "migraine",
        "--jobs",
        "1",
        "--cell-timeout",
        "2",
    )
    assert res.returncode == 1, res.stdout + res.stderr
    assert "2 of 6 reports failed" in res.stderr, res.stderr
    assert (
        "all/01_kills_its_kernel.html: DeadKernelError" in res.stderr
        and "all/02_never_finishes.html: CellTimeoutError" in res.stderr
    ), res.stderr
    assert res.stdout.count("  ok ") == 4, res.stdout
    assert (out / "_failed" / "all__01_kills_its_kernel.ipynb").is_file() and (
        out / "_failed" / "all__02_never_finishes.ipynb"
    ).is_file()


def test_a_session_whose_zygote_died_starts_another(driven):
    recovered = driven["recovered"]
    assert recovered["ok"] and recovered["new_zygote"]
    assert "pandas preloaded: True" in recovered["page"]


def test_a_build_called_from_a_session_with_matplotlib_starts_a_clean_zygote(driven):
    """Called from a process that imported matplotlib (a notebook, a script), the kernels are not forked from
    it: its state would reach every report."""
    session = driven["session"]
    assert "figure dpi: 100.0" in session["page"] and "pandas max_rows: 60" in session["page"]
    assert session["clean"]
