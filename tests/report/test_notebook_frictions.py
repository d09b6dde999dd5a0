"""The same content in JupyterLab and stock Jupyter: a bad parameter ends in one short message, an edited
parameters cell is caught before a commit, stock papermill + nbconvert shows one parameters cell and left-aligned
tables, and no text points to a part only the published page has."""

from __future__ import annotations

import importlib.util
import json
import re

import nbformat
import pytest

from helpers.errors import ParameterError, Problem, TableError
from helpers.paths import NOTEBOOKS, ROOT
from helpers.render.jobs import notebooks
from helpers.report.context import open_report
from helpers.report.html import LAB_TABLE_STYLE
from support.consistency import segments

spec = importlib.util.spec_from_file_location("check_notebooks", ROOT / "scripts" / "check_notebooks.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


# ------------------------------------------------------------------ a bad parameter: one message
def test_a_bad_condition_renders_as_one_line_in_a_notebook():
    with pytest.raises(ParameterError) as caught:
        open_report(condition="backpain")
    shown = caught.value._render_traceback_()  # what IPython prints instead of the traceback
    assert len(shown) == 1 and shown[0].startswith("ParameterError: unknown condition 'backpain': expected one of")
    assert "low_back_pain" in shown[0]


def test_a_table_error_renders_its_problems_and_nothing_else(tmp_path):
    error = TableError(tmp_path / "t.csv", [Problem(3, "year", "19x5", "a year", "type")])
    shown = error._render_traceback_()
    assert shown[0].startswith("TableError: ") and len(shown) == 2 and "line 3, column year" in shown[1]
    assert not hasattr(ValueError("x"), "_render_traceback_")  # negative control: other errors keep IPython's


# ------------------------------------------------------------------ the pre-commit hook
def committed(name: str) -> str:
    return (NOTEBOOKS / name).read_text(encoding="utf-8")


def edited(name: str, old: str, new: str) -> str:
    nb = json.loads(committed(name))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    assert old in source
    cell["source"] = source.replace(old, new)
    return json.dumps(nb)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_the_hook_passes_every_committed_notebook(path):
    assert hook.edited_parameters(f"notebooks/{path.name}", path.read_text(encoding="utf-8")) is None


def test_the_hook_refuses_an_edited_parameters_cell_in_one_line():
    name = "notebooks/03_followup.ipynb"
    text = edited("03_followup.ipynb", 'condition: str = "all"', 'condition: str = "neck_pain"')
    message = hook.edited_parameters(name, text)
    assert message.startswith(f'{name}: its parameters cell was edited (condition: str = "neck_pain")')
    assert "make notebooks" in message and "\n" not in message
    nb = json.loads(committed("03_followup.ipynb"))
    nb["cells"] = [c for c in nb["cells"] if "parameters" not in c["metadata"].get("tags", [])]
    assert "found 0" in hook.edited_parameters(name, json.dumps(nb))
    assert "invalid JSON" in hook.edited_parameters(name, "{")


def test_the_hook_reads_the_staged_notebooks(monkeypatch, capsys):
    bad = edited("00_bottom_line.ipynb", 'evidence: str = "all"', 'evidence: str = "claims"')
    staged = {
        "notebooks/00_bottom_line.ipynb": bad,
        "notebooks/01_evidence_overview.ipynb": committed("01_evidence_overview.ipynb"),
    }

    def git(*args):
        if args[0] == "diff":
            return "\n".join([*staged, "notebooks/README.md"])
        return staged[args[1][1:]]

    monkeypatch.setattr(hook, "git", git)
    assert hook.main(["--staged"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("notebooks/00_bottom_line.ipynb:")
    staged["notebooks/00_bottom_line.ipynb"] = committed("00_bottom_line.ipynb")
    assert hook.main(["--staged"]) == 0


# ------------------------------------------------------------------ stock papermill + nbconvert
@pytest.fixture(scope="module")
def stock_html() -> str:
    """The bottom line as a researcher renders it: papermill's parameters injected, nbconvert's HTML exporter
    with its defaults (code shown). Parameterized in this process only: nothing is executed."""
    from nbconvert import HTMLExporter
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(NOTEBOOKS / "00_bottom_line.ipynb"))  # as papermill reads it (every cell tagged)
    nb = parameterize_notebook(nb, {"condition": "migraine"})
    return HTMLExporter().from_notebook_node(nb)[0]


def test_stock_nbconvert_shows_one_parameters_cell_and_no_researchers_note(stock_html):
    import html

    text = html.unescape(re.sub(r"<[^>]+>", "", stock_html))
    assert text.count('condition = "migraine"') == 1  # papermill's injected cell
    assert "condition: str =" not in text  # the committed cell's source is hidden
    assert "For researchers" not in text


def test_stock_nbconvert_tables_read_left_aligned(stock_html):
    assert LAB_TABLE_STYLE in stock_html
    assert "text-align: left" in LAB_TABLE_STYLE and ".lm-Widget" not in LAB_TABLE_STYLE
    assert re.search(r"\.jp-RenderedHTMLCommon td[^{]*\{[^}]*text-align: right", stock_html)  # what it overrides


# ------------------------------------------------------------------ text that points to the page
#: parts only the published page has: a notebook has no colophon, footer, banner or columns beside a value
PAGE_POINTERS = re.compile(
    r"\b(?:colophon|footer|banner|(?:next|previous|left|right|last|first) column|contents list)\b", re.I
)


def notebook_text(path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    out = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for c in nb.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            out += [str(data[k]) for k in ("text/markdown", "text/html") if k in data]
    return [s for text in out for s in segments(re.sub(r"<img[^>]*>", " ", text))]


def pointers(texts: list[str]) -> list[str]:
    return [t[max(0, m.start() - 40) : m.end() + 20] for t in texts for m in PAGE_POINTERS.finditer(t)]


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_no_notebook_text_points_to_a_part_only_the_page_has(path):
    assert pointers(notebook_text(path)) == []


def test_a_planted_pointer_is_found():
    for planted in ("the colophon below says how", "the difference is in the next column", "see the footer"):
        assert pointers([f"Subgroups ({planted})."]), planted
    assert pointers(["values below 0 favour ketamine; the flow below is drawn from the records"]) == []
