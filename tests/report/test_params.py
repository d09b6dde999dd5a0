"""The report parameters are defined once: the notebooks' parameters cells, the build's jobs and
open_report's defaults all come from helpers.report.params.PARAMETERS."""

import inspect

import nbformat
import pytest

from helpers.errors import ParameterError
from helpers.paths import NOTEBOOKS, STUDIES_PATH
from helpers.render.jobs import Job, notebooks
from helpers.report.context import open_report
from helpers.report.params import (
    DEFAULTS,
    PARAMETERS,
    ReportParams,
    notebook_parameters,
    parameters_cell,
    parameters_of,
)


def parameters_source(path) -> str:
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return cell.source


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_every_committed_parameters_cell_is_the_definition(path):
    assert parameters_source(path) == parameters_cell(path.stem), f"run make notebooks to reset {path.name}"


def test_a_changed_parameters_cell_is_found(tmp_path):
    """Negative control: a saved condition makes the committed cell differ from the definition."""
    path = NOTEBOOKS / "03_followup.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('condition: str = "all"', 'condition: str = "neck_pain"')
    nbformat.write(nb, tmp_path / path.name)
    assert parameters_source(tmp_path / path.name) != parameters_cell(path.stem)


def test_only_the_effect_size_notebook_takes_a_subgroup():
    takes = {p.stem for p in notebooks() if "subgroup" in {x.name for x in parameters_of(p.stem)}}
    assert takes == {"02_effect_sizes"}


def test_papermill_lists_each_parameter_with_its_type_and_default():
    from papermill.inspection import inspect_notebook  # 0.3 s of imports: here, not at every collection

    for path in notebooks():
        listed = inspect_notebook(str(path))
        assert list(listed) == [p.name for p in parameters_of(path.stem)]
        for p in parameters_of(path.stem):
            assert listed[p.name]["inferred_type_name"] == "str"
            assert listed[p.name]["default"] == f'"{p.default}"'


def test_jobs_pass_every_parameter_a_notebook_takes():
    for path in notebooks():
        job = Job(str(path), ReportParams("migraine", "verified", "data/studies.csv"))
        params = job.parameters()
        assert set(params) == {p.name for p in parameters_of(path.stem)}
        assert params["condition"] == "migraine" and params["evidence"] == "verified"
        if "subgroup" in params:
            assert params["subgroup"] == ""  # passed even when not asked for: a saved value never leaks


def test_open_report_defaults_are_the_definition():
    signature = inspect.signature(open_report)
    assert {n: p.default for n, p in signature.parameters.items()} == DEFAULTS
    assert [p.name for p in PARAMETERS] == list(signature.parameters)


def test_an_unknown_parameter_is_refused():
    with pytest.raises(ParameterError, match="unknown report parameter"):
        notebook_parameters("00_bottom_line", {"conditon": "all"})


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_the_first_markdown_cell_tells_a_researcher_what_may_change(path):
    """JupyterLab: the first Markdown cell lists each parameter with its allowed values (from the definition),
    and the build leaves it out of the published report."""
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    assert {"researchers", "remove-cell"} <= set(first.metadata.get("tags", []))
    for p in parameters_of(path.stem):
        assert f"`{p.name}`" in first.source
        for value in p.allowed() if p.allowed else ():
            assert f"`{value}`" in first.source, (p.name, value)
    from helpers.render.jobs import REMOVE_TAGS

    assert "remove-cell" in REMOVE_TAGS


def test_report_params_are_the_definition_as_one_value():
    import dataclasses

    fields = dataclasses.fields(ReportParams)
    assert [f.name for f in fields] == [p.name for p in PARAMETERS]
    assert {f.name: f.default for f in fields} == DEFAULTS
    checked = ReportParams.checked("migraine", "verified", "data/studies.csv", None, None)
    assert checked == ReportParams("migraine", "verified", str(STUDIES_PATH), "", "")  # the path made absolute
    assert checked.for_notebook("02_effect_sizes") == dataclasses.asdict(checked)
    assert set(checked.for_notebook("00_bottom_line")) == {"condition", "evidence", "data_path", "figures_dir"}
    for bad in ({"condition": "mygraine"}, {"evidence": "some"}, {"data_path": "no/such.csv"}):  # negative controls
        with pytest.raises(ParameterError):
            ReportParams.checked(**bad)
