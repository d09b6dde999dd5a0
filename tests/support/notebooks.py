"""Small notebooks for build tests: a title, the parameters cell the build fills in, then code cells.

Name each notebook for the behaviour it shows (``01_prints_its_kernel_state``, ``02_never_finishes``);
its parameters cell is the one the definition gives for that name (helpers.report.params).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.report.params import parameters_cell


def make_notebook(folder: Path, name: str, cells: list[str]) -> Path:
    """Write ``folder/name.ipynb``."""
    code = [new_code_cell(c) for c in cells]
    nb = new_notebook(
        cells=[
            new_markdown_cell(f"# {name}"),
            new_code_cell(parameters_cell(name), metadata={"tags": ["parameters"]}),
            *code,
        ]
    )
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
