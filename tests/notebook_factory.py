"""Small notebooks for build tests: a title, the parameters cell the build fills in, then code cells."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMS = 'condition = "all"\nevidence = "all"\ndata_path = "data/studies.csv"\nfigures_dir = ""'


def make_notebook(folder: Path, name: str, cells: list[str], summary: bool = False) -> Path:
    """Write ``folder/name.ipynb``; ``summary`` tags the last code cell as the report's one-line summary."""
    code = [new_code_cell(c) for c in cells]
    if summary and code:
        code[-1].metadata["tags"] = ["summary"]
    nb = new_notebook(
        cells=[new_markdown_cell(f"# {name}"), new_code_cell(PARAMS, metadata={"tags": ["parameters"]}), *code]
    )
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
