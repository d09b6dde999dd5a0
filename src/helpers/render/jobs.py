"""What a build is made of: one job per notebook and condition, its result, and the build's own errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HelpersError
from ..paths import NOTEBOOKS
from ..report.params import notebook_parameters

STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
FAILED_DIR = "_failed"
KEEP = {"README.md", LOCK_FILE, FAILED_DIR}
CELL_TIMEOUT = 300
PID_DIR = ".kernels"
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell"}


class BuildError(HelpersError):
    pass


class Interrupted(HelpersError):
    pass


@dataclass(frozen=True)
class Job:
    notebook: str  # path
    condition: str
    evidence: str
    data_path: str
    subgroup: str = ""  # a column to compare subgroups by (--subgroup); "" for none
    figures: bool = False  # also write 300-dpi PNGs for manuscripts (--figures)

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem

    @property
    def name(self) -> str:
        """Published path of the report, relative to the output folder."""
        return f"{self.condition}/{self.stem}.html"

    @property
    def figures_rel(self) -> str:
        return f"figures/{self.condition}/{self.stem}"

    def parameters(self, figures_dir: str = "") -> dict:
        """Every parameter the notebook takes, explicitly (the definition: helpers.report.params.PARAMETERS)."""
        values = {
            "condition": self.condition,
            "evidence": self.evidence,
            "data_path": self.data_path,
            "figures_dir": figures_dir if self.figures else "",
            "subgroup": self.subgroup,
        }
        return notebook_parameters(self.stem, values)


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    summary: str = ""
    error: str = ""
    failed_notebook: str = ""
    timings: dict = field(default_factory=dict)  # seconds: kernel_start, cells, kernel_stop, export


# ------------------------------------------------------------------ planning
def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The report notebooks, in order (their file names start with two digits)."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
