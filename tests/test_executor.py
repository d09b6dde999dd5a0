"""Forked kernels (helpers.render.zygote, helpers.render.kernels): same reports as fresh kernels, nothing shared between reports."""

import json
import subprocess
import sys
import textwrap

import pytest
from notebook_factory import make_notebook

from helpers.paths import ROOT

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


#: one worker process (one zygote) runs both checks below: it forks the kernel for A, then B, then A again;
#: then it runs each notebook on a forked kernel and on a fresh one
DRIVER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import nbformat
    from helpers.render.execute import run_job
    from helpers.render.jobs import Job
    from helpers.render.zygote import start_zygote
    if __name__ == "__main__":
        data, work, probe, polluter, *both = sys.argv[1:]
        start_zygote(str(Path(probe).parent))
        pages = []
        for i, nb in enumerate([probe, polluter, probe]):
            job = Job(nb, "all", "all", data)
            staging = Path(work) / f"run{i}"
            res = run_job(job, str(staging), str(Path(work) / "failed"), 60, False)
            assert res.ok, res.error
            pages.append((staging / job.name).read_text(encoding="utf-8"))
        out = {}
        for nb in both:
            for mode, isolated in (("forked", False), ("isolated", True)):
                job = Job(nb, "migraine", "all", data)
                staging = Path(work) / mode
                res = run_job(job, str(staging), str(Path(work) / f"failed-{mode}"), 60, isolated)
                if res.ok:
                    out[f"{job.stem} {mode}"] = (staging / job.name).read_text(encoding="utf-8")
                else:
                    cells = nbformat.read(res.failed_notebook, as_version=4).cells
                    out[f"{job.stem} {mode}"] = [(c.get("execution_count"), c.get("outputs"))
                                                 for c in cells if c.cell_type == "code"]
        print(json.dumps({"sequence": pages, "both_ways": out}))
""")


@pytest.fixture(scope="module")
def driven(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("driven")
    folder = base / "nbs"
    probe = make_notebook(folder, "01_probe", PROBE)
    polluter = make_notebook(folder, "02_polluter", POLLUTER)
    error = make_notebook(folder, "02_error", ['print("before")', 'raise ValueError("on purpose")'])
    modules = make_notebook(folder, "03_modules", ['import sys\nprint("pandas preloaded:", "pandas" in sys.modules)'])
    script = base / "driver.py"
    script.write_text(DRIVER)
    res = subprocess.run(
        [
            sys.executable,
            str(script),
            str(ROOT / "data" / "studies.csv"),
            str(base / "work"),
            str(probe),
            str(polluter),
            str(probe),
            str(error),
            str(modules),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=base,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


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
    assert out["01_probe forked"] == out["01_probe isolated"]
    assert "data:image/png;base64" in out["01_probe forked"]
    # the failing report's stream, traceback and execution counts are the same both ways
    assert out["02_error forked"] == out["02_error isolated"]
    assert any(o.get("ename") == "ValueError" for _, outs in out["02_error forked"] for o in outs or [])
    assert "pandas preloaded: True" in out["03_modules forked"]
    assert "pandas preloaded: False" in out["03_modules isolated"]


def test_a_crash_or_a_hang_fails_only_its_own_report(tmp_path, builds):
    """With one worker, the reports after a failing one run on the same zygote and succeed (the build runs in
    the test process's build session, whose zygote has served other builds: it must serve this one too)."""
    folder = tmp_path / "nbs"
    make_notebook(folder, "01_crash", ['if condition == "all":\n    import os\n    os._exit(1)'])
    make_notebook(folder, "02_hang", ['if condition == "all":\n    import time\n    time.sleep(60)'])
    make_notebook(folder, "03_fine", ['print("fine")'])
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
    assert "all/01_crash.html: DeadKernelError" in res.stderr and "all/02_hang.html: CellTimeoutError" in res.stderr, (
        res.stderr
    )
    assert res.stdout.count("  ok ") == 4, res.stdout
    assert (out / "_failed" / "all__01_crash.ipynb").is_file() and (out / "_failed" / "all__02_hang.ipynb").is_file()


RECOVERY = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from helpers.render.execute import run_job
    from helpers.render.jobs import Job
    from helpers.render.zygote import start_zygote
    if __name__ == "__main__":
        notebook, data, work = sys.argv[1:4]
        first = start_zygote(str(Path(notebook).parent)).pid
        os.kill(first, signal.SIGKILL)
        res = run_job(Job(notebook, "all", "all", data), work, str(Path(work) / "failed"), 60, False)
        assert res.ok, res.error
        again = start_zygote(str(Path(notebook).parent))  # the one the provisioner started instead
        assert again.pid != first and again.alive()
        print("recovered")
""")


def test_a_worker_whose_zygote_died_starts_another(tmp_path):
    notebook = make_notebook(
        tmp_path / "nbs", "01_probe", ['import sys\nprint("pandas preloaded:", "pandas" in sys.modules)']
    )
    script = tmp_path / "recovery.py"
    script.write_text(RECOVERY)
    res = subprocess.run(
        [sys.executable, str(script), str(notebook), str(ROOT / "data" / "studies.csv"), str(tmp_path / "w")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert res.returncode == 0 and "recovered" in res.stdout, res.stdout + res.stderr
    assert "pandas preloaded: True" in (tmp_path / "w" / "all" / "01_probe.html").read_text()


IN_A_NOTEBOOK = textwrap.dedent("""
    import sys
    import matplotlib
    import matplotlib.pyplot as plt
    matplotlib.rcParams["figure.dpi"] = 17  # what a researcher's own session may have changed
    from helpers.render.build import build
    from helpers.render.zygote import start_zygote
    if __name__ == "__main__":
        folder, out = sys.argv[1:3]
        build(conditions=["all"], notebooks_dir=folder, out=out, jobs=1)
        print("clean zygote:", start_zygote(folder).started_clean)
""")


def test_a_build_called_from_a_session_with_matplotlib_starts_a_clean_zygote(tmp_path):
    """Called from a process that imported matplotlib (a notebook, a script), the kernels are not forked from
    it: its state would reach every report."""
    folder = tmp_path / "nbs"
    make_notebook(folder, "01_probe", PROBE[:1])
    script = tmp_path / "in_a_notebook.py"
    script.write_text(IN_A_NOTEBOOK)
    res = subprocess.run(
        [sys.executable, str(script), str(folder), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    page = (tmp_path / "out" / "all" / "01_probe.html").read_text()
    assert "figure dpi: 100.0" in page and "pandas max_rows: 60" in page
    assert "clean zygote: True" in res.stdout
