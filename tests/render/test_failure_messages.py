"""A failed report says in one plain line which cell failed and how: the limit a cell ran past, the error it
raised, never nbclient's rule of dashes or a terminal's colour codes."""

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from helpers.render.execute import failure_message, plain
from support.notebooks import make_notebook

COLOURED = "\x1b[0;31m---------\x1b[0m\n\x1b[0;31mRuntimeError\x1b[0m: boom \x1b[1;32mbold\x1b[0m\x1b]0;title\x07"


def notebook():
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A report"),
            nbformat.v4.new_code_cell("\n# wait for it\nimport time\ntime.sleep(30)"),
        ]
    )


def at(exc: BaseException, index: int) -> BaseException:
    exc.cell_index = index  # what execute_notebook records when a cell fails
    return exc


def test_a_timeout_names_the_cell_and_the_limit():
    nb = notebook()
    exc = at(CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", 3, nb.cells[1]), 1)
    assert str(exc).strip().splitlines()[-1] == "-------------------"  # what the message used to end in
    assert failure_message(exc, nb, 3) == (
        'CellTimeoutError: cell 2 of 2 ("# wait for it") ran past the 3 s limit per cell (--cell-timeout)'
    )


def test_a_kernel_error_is_plain_text():
    exc = at(CellExecutionError(COLOURED, "RuntimeError", "boom \x1b[1;32mbold\x1b[0m"), 1)
    message = failure_message(exc, notebook(), 300)
    assert message == 'CellExecutionError: cell 2 of 2 ("# wait for it") raised RuntimeError: boom bold'
    assert "\x1b" not in failure_message(at(RuntimeError(COLOURED), 1), notebook())
    assert failure_message(at(DeadKernelError("Kernel died"), 1), notebook()).startswith(
        'DeadKernelError: Kernel died (in cell 2 of 2 ("# wait for it"))'
    )


def test_plain_removes_escape_sequences_and_nothing_else():
    assert plain(COLOURED) == "---------\nRuntimeError: boom bold"
    text = "ünïcode [31m not an escape; tab\there"
    assert plain(text) == text  # negative control


@pytest.fixture
def timing_out(tmp_path, monkeypatch):
    """A report whose (fake) kernel times out in its last cell, as nbclient reports it."""
    from helpers.paths import STUDIES_PATH
    from helpers.render import execute
    from helpers.render.jobs import Job
    from helpers.report.params import ReportParams

    path = make_notebook(tmp_path / "nbs", "02_never_finishes", ["import time\ntime.sleep(60)"])

    async def fake_kernel(nb, **_):
        index = len(nb.cells) - 1
        raise at(CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", 2, nb.cells[index]), index)

    monkeypatch.setattr(execute, "execute_notebook_async", fake_kernel)
    return Job(str(path), ReportParams.checked("all", "all", str(STUDIES_PATH))), tmp_path


def test_a_report_that_timed_out_says_so_in_its_result_and_its_notebook(timing_out):
    from helpers.render.execute import run_job

    job, folder = timing_out
    res = run_job(job, str(folder / "staging"), str(folder / "failed"), timeout=2)
    assert not res.ok
    assert res.error.startswith("CellTimeoutError: cell ") and res.error.endswith(
        '("import time") ran past the 2 s limit per cell (--cell-timeout)'
    )
    marked = nbformat.read(res.failed_notebook, as_version=4)
    errors = [o for c in marked.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert [o["evalue"] for o in errors if o["output_type"] == "error"] == [res.error]
