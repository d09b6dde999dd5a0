"""Paths anchored at the repository root, never at the kernel's working directory.

Papermill, nbval and JupyterLab all start kernels in different folders; every
file the package reads or writes is resolved from here instead.
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    override = os.environ.get("HELPERS_ROOT")
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data" / "schema.json").is_file():
            return parent
    raise RuntimeError(
        f"cannot find the repository root above {here}: expected a folder holding "
        "pyproject.toml and data/schema.json (set HELPERS_ROOT to point at it)"
    )


ROOT = _find_root()
DATA = ROOT / "data"
SCHEMA_PATH = DATA / "schema.json"
SCHEMAS_DIR = DATA / "schemas"
STUDIES_PATH = DATA / "studies.csv"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
SRC = ROOT / "src" / "helpers"


def display_path(path: Path | str) -> str:
    """A path as a user should read it: relative to the repository when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
