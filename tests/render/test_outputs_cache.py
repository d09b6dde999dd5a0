"""The execution cache: a change to a notebook's prose reuses its kept outputs; any change to code runs it again."""

import json
from pathlib import Path

import pytest

from support.notebooks import make_notebook


@pytest.fixture
def build(builds):
    """The test's five builds run in the test process's build session: the test is about the cache."""
    return builds.build


def edit(path: Path, kind: str, text: str) -> None:
    nb = json.loads(path.read_text())
    cell = [c for c in nb["cells"] if c["cell_type"] == kind][-1]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = source + text
    path.write_text(json.dumps(nb, indent=1))


def test_prose_change_reuses_outputs_and_gives_the_page_a_kernel_gives(tmp_path, private_cache, build):
    folder = tmp_path / "nbs"
    nb = make_notebook(
        folder,
        "01_counts_its_runs",
        ['import os\nfrom IPython.display import Markdown\nprint("kernel pid", os.getpid())', 'Markdown("**bold**")'],
    )
    out, args = tmp_path / "out", ["--notebooks", str(folder), "--condition", "all", "--jobs", "1"]
    first = build(*args, "--out", str(out))
    assert first.returncode == 0, first.stderr
    pid_line = [ln for ln in (out / "all" / "01_counts_its_runs.html").read_text().splitlines() if "kernel pid" in ln]

    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}
    edit(nb, "markdown", " A reworded sentence.")
    res = build(*args, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "outputs reused" in res.stdout
    page = (out / "all" / "01_counts_its_runs.html").read_text()
    assert "A reworded sentence." in page
    # tables and citation files are those of the last build (same data): taken, not rewritten
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert after.keys() == before.keys()
    # (the index shows the notebook's title, which is the Markdown cell edited here)
    assert sorted(f for f in after if after[f] != before[f]) == [
        Path("all", "01_counts_its_runs.html"),
        Path("index.html"),
    ]
    assert Path("tables", "effects.csv") in after and Path("references.bib") in after
    # the kept outputs, not a new kernel's (a new kernel has another pid)
    assert [ln for ln in page.splitlines() if "kernel pid" in ln] == pid_line

    # --force runs the kernels: the page differs only by the pid it printed
    forced = tmp_path / "forced"
    res = build(*args, "--out", str(forced), "--force")
    assert res.returncode == 0 and "outputs reused" not in res.stdout

    def strip(text):
        return [ln for ln in text.splitlines() if "kernel pid" not in ln]

    assert strip((forced / "all" / "01_counts_its_runs.html").read_text()) == strip(page)

    # a change to code runs the kernel again
    edit(nb, "code", "\n# a comment")
    res = build(*args, "--out", str(out))
    assert res.returncode == 0 and "outputs reused" not in res.stdout
    assert [
        ln for ln in (out / "all" / "01_counts_its_runs.html").read_text().splitlines() if "kernel pid" in ln
    ] != pid_line

    # a damaged entry is treated as absent: the report runs
    for entry in (private_cache / "executions").glob("*.json"):
        entry.write_text("{not json")
    edit(nb, "markdown", " Reworded again.")
    res = build(*args, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (
        "outputs reused" not in res.stdout
        and "Reworded again." in (out / "all" / "01_counts_its_runs.html").read_text()
    )
