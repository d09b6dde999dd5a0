"""The execution cache: a change to a notebook's prose reuses its kept outputs; any change to code runs it again."""

import copy
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


# ------------------------------------------------------------------ cached outputs are checked like fresh ones (97, 102)
# In-process: the cache entries are planted, and a fake kernel stands in for nbclient where a report must run.
HOSTILE = '<b>planted</b><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'
#: outputs that would put active content on a page, each through another way a notebook output becomes HTML
PLANTED = {
    "html": {"text/html": HOSTILE},
    "markdown": {"text/markdown": "**planted** <img src=x onerror=alert(1)>"},
    "javascript": {"application/javascript": "alert(1)", "text/plain": "planted"},
}
CLEAN = {"text/html": "<b>planted</b> and inert: &lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)"}


@pytest.fixture
def report(tmp_path, monkeypatch):
    """A one-cell report, its staging and failed folders, a cache of its own, and a fake kernel."""
    import nbformat

    from helpers.paths import STUDIES_PATH
    from helpers.render import execute, export
    from helpers.render.jobs import Job
    from helpers.report.params import ReportParams

    monkeypatch.setenv("HELPERS_CACHE", str(tmp_path / "cache"))
    path = make_notebook(tmp_path / "nbs", "01_counts_its_runs", ['print("fresh")'])
    kernel = {"runs": 0, "data": {"text/html": "<b>fresh from a kernel</b>"}}

    async def fake_kernel(nb, **_):
        kernel["runs"] += 1
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("display_data", data=dict(kernel["data"]))]
                cell.execution_count = 1
        return nb

    monkeypatch.setattr(execute, "execute_notebook_async", fake_kernel)
    monkeypatch.setattr(export, "colophon_html", lambda *a: "<p>colophon</p>")  # it asks git for the version
    monkeypatch.setattr(export, "cite_html", lambda *a: "")  # so does the citation
    job = Job(str(path), ReportParams.checked("all", "all", str(STUDIES_PATH)))
    return {"job": job, "staging": tmp_path / "staging", "failed": tmp_path / "failed", "kernel": kernel}


def plant(report, data: dict) -> str:
    """An entry for the report with a valid digest, its last cell showing ``data``; returns the key."""
    import nbformat

    from helpers.render import outputs_cache
    from helpers.render.plan import prepare

    nb, key = prepare(report["job"], report["staging"], "shared")
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        cell.outputs, cell.execution_count = [], 1
    code[-1].outputs = [nbformat.v4.new_output("display_data", data=data)]
    outputs_cache.store(nb, key)
    assert outputs_cache.exists(key)
    return key


def run(report, **kwargs):
    from helpers.render.execute import run_job

    return run_job(report["job"], str(report["staging"]), str(report["failed"]), shared="shared", **kwargs)


def page_of(report) -> str:
    return (report["staging"] / report["job"].name).read_text(encoding="utf-8")


def test_a_clean_entry_is_reused_without_a_kernel(report):
    """Negative control for the tampered entries below: the check passes a clean page made from the cache."""
    from helpers.render.inert import active_content

    plant(report, CLEAN)
    res = run(report)
    assert res.ok and res.timings.get("reused") and report["kernel"]["runs"] == 0
    assert "<b>planted</b> and inert" in page_of(report) and active_content(page_of(report)) == []


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_a_tampered_entry_is_discarded_and_the_report_runs_on_a_kernel(report, kind, capsys):
    from helpers.render import outputs_cache
    from helpers.render.inert import active_content

    key = plant(report, PLANTED[kind])
    res = run(report)
    assert res.ok and report["kernel"]["runs"] == 1, res.error
    page = page_of(report)
    assert "fresh from a kernel" in page and "planted" not in page and active_content(page) == []
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and str(outputs_cache.entry_path(key)) in err[0] and "would hold" in err[0]
    # the entry now holds the kernel's outputs: the next build reuses them
    report["kernel"]["data"] = {"text/plain": "a second kernel run"}
    assert run(report).ok and report["kernel"]["runs"] == 1 and "fresh from a kernel" in page_of(report)


def test_without_a_kernel_a_tampered_entry_is_a_miss(report, capsys):
    """The build first renders what the cache holds without starting kernels (reuse_only)."""
    from helpers.render import outputs_cache

    key = plant(report, PLANTED["html"])
    assert run(report, reuse_only=True) is None
    assert not outputs_cache.exists(key) and not (report["staging"] / report["job"].name).exists()
    assert capsys.readouterr().err.count("\n") == 1


def test_a_page_a_kernel_made_with_active_content_is_refused(report):
    from helpers.render import outputs_cache
    from helpers.render.plan import prepare

    report["kernel"]["data"] = {"text/html": HOSTILE}
    res = run(report)
    assert not res.ok and res.error.startswith("ActiveContentError: the page would hold a <script> element")
    assert not (report["staging"] / report["job"].name).exists() and res.failed_notebook
    assert not outputs_cache.exists(prepare(report["job"], report["staging"], "shared")[1])  # nor kept


def test_an_entry_carries_a_digest_checked_on_read(report, capsys):
    import nbformat

    from helpers.render import outputs_cache
    from helpers.render.plan import prepare

    key = plant(report, CLEAN)
    entry = outputs_cache.entry_path(key)
    good = entry.read_bytes()
    prepared = prepare(report["job"], report["staging"], "shared")[0]

    def loads(data: bytes):
        entry.write_bytes(data)
        nb = copy.deepcopy(prepared)
        return nbformat.writes(nb) if outputs_cache.load(nb, key) else None

    reference = loads(good)
    assert reference is not None and "planted" in reference  # negative control: the intact entry loads
    # valid JSON, the same shape, one word changed: what only the digest tells apart
    assert good.count(b"inert") == 1 and loads(good.replace(b"inert", b"inept")) is None
    for i in range(0, len(good), max(1, len(good) // 300)):  # about 300 single-bit flips, one at a time
        damaged = bytearray(good)
        damaged[i] ^= 1 << (i % 8)
        assert loads(bytes(damaged)) in (None, reference), f"byte {i}"
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and str(entry) in said[0] and "digest" in said[0]
