"""Values saved in a notebook's parameters cell (as a researcher in JupyterLab leaves them) never reach a
build that did not ask for them, and make notebooks resets them to the definition."""

import nbformat
import pytest

from helpers.report.params import parameters_cell
from support.notebooks import make_notebook

pytestmark = pytest.mark.kernel

SHOW = "print(f\"condition={condition} subgroup={globals().get('subgroup', '(not taken)')}\")"


def save(path, old: str, new: str) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(nb, path)


def test_saved_values_do_not_change_a_build_and_make_notebooks_restores_the_defaults(tmp_path, builds):
    folder = tmp_path / "nbs"
    plain = make_notebook(folder, "01_shows_its_parameters", [SHOW])
    effects = make_notebook(folder, "02_effect_sizes", [SHOW])  # the one notebook that takes a subgroup
    save(plain, 'condition: str = "all"', 'condition: str = "neck_pain"')
    save(effects, 'subgroup: str = ""', 'subgroup: str = "design"')
    save(effects, 'condition: str = "all"', 'condition: str = "neck_pain"')

    out = tmp_path / "out"
    res = builds.build("--notebooks", folder, "--out", out, "--condition", "all", "--jobs", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "open" in res.stdout and "index.html" in res.stdout  # the build says where its index is
    assert "condition=all subgroup=(not taken)" in (out / "all" / "01_shows_its_parameters.html").read_text()
    assert "condition=all subgroup=" in (out / "all" / "02_effect_sizes.html").read_text()
    assert "subgroup=design" not in (out / "all" / "02_effect_sizes.html").read_text()

    res = builds.build("--refresh-notebooks", "--notebooks", folder)
    assert res.returncode == 0, res.stdout + res.stderr
    for path in (plain, effects):
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert cell.source == parameters_cell(path.stem)
        shown = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert "condition=all" in shown and "neck_pain" not in shown
