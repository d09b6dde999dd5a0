"""Forked and fresh kernels give byte-identical reports of the shipped table (issue 12)."""

import hashlib
from pathlib import Path

import pytest

from support.commands import run_helpers
from support.shipped import CHECKED

pytestmark = pytest.mark.kernel


def build(*args, timeout=900):
    return run_helpers("build", *args, timeout=timeout)


def digests(out: Path) -> dict:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.html"))
        if p.name != "index.html"
    }


def test_the_shared_build_is_the_committed_notebooks_byte_for_byte(shipped):
    """Every report notebook, condition all, on forked kernels (the shared build) gives the page its
    committed notebook gives: those were executed on fresh kernels (make notebooks), which nbval runs again.
    So forked and fresh kernels give the same bytes, and the committed outputs are the current ones."""
    import nbformat

    from helpers.paths import STUDIES_PATH
    from helpers.render.export import render_html
    from helpers.render.jobs import Job, notebooks
    from helpers.report.params import ReportParams
    from helpers.site.colophon import searched_on

    shared = shipped
    searched = searched_on(STUDIES_PATH)
    for path in notebooks():
        for condition in CHECKED:
            job = Job(str(path), ReportParams(condition, "all", str(STUDIES_PATH)))
            page = render_html(nbformat.read(path, as_version=4), job, searched)
            built = (shared / condition / f"{path.stem}.html").read_text(encoding="utf-8")
            assert page == built, f"{path.name}: the build differs from the committed notebook (run make notebooks)"
    assert not (shared / "figures").exists()  # 300-dpi PNGs only with --figures


@pytest.mark.slow
def test_isolated_and_default_builds_are_byte_identical_for_the_shipped_table(tmp_path):
    """All reports of every condition, both ways (make test-slow; CI runs it)."""
    default, isolated = tmp_path / "default", tmp_path / "isolated"
    for out, flag in ((default, []), (isolated, ["--isolated"])):
        res = build("--out", str(out), *flag)
        assert res.returncode == 0, res.stdout + res.stderr
    pages = digests(default)
    assert len(pages) >= 24
    assert pages == digests(isolated)
    # every fact once, on every page of every condition (make test checks the shared build's two conditions)
    from helpers.paths import DATA
    from support.consistency import names, page_problems, pools_as, read

    texts = {str(p.relative_to(default)): p.read_text(encoding="utf-8") for p in sorted(default.rglob("*.html"))}
    rows = read(DATA / "studies.csv")
    assert not page_problems(texts, rows, read(DATA / "certainty.csv"), pools_as(), names(rows))
