"""What a build is made of: one job per notebook and condition, its result, and the build's own errors."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ..errors import HelpersError
from ..paths import NOTEBOOKS
from ..report.params import ReportParams

STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
FAILED_DIR = "_failed"
KEEP = {"README.md", LOCK_FILE, FAILED_DIR}
CELL_TIMEOUT = 300
PID_DIR = ".kernels"
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell"}
#: the project's kernel, registered in .venv by make install: its name says which environment it runs in, so
#: JupyterLab, VS Code or another Jupyter offer it by name rather than a generic "python3" without helpers
KERNEL_NAME = "ketamine-evidence"
KERNEL_DISPLAY_NAME = "Python 3.11 (ketamine evidence, .venv)"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME, "language": "python"}


@cache
def kernel_name() -> str:
    """The project's kernel where it is registered, else the environment's default (an install without make)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return "python3"
    return KERNEL_NAME


class BuildError(HelpersError):
    pass


class Interrupted(HelpersError):
    """The build was stopped by a signal; the command exits with 128 + its number, as a shell does."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"build interrupted by signal {signum}; the published reports were left as they were")


@dataclass(frozen=True)
class Job:
    notebook: str  # path
    params: ReportParams  # checked where they entered (helpers.render.options); figures_dir is set per build
    figures: bool = False  # also write 300-dpi PNGs for manuscripts (--figures)

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem

    @property
    def name(self) -> str:
        """Published path of the report, relative to the output folder."""
        return f"{self.params.condition}/{self.stem}.html"

    @property
    def figures_rel(self) -> str:
        return f"figures/{self.params.condition}/{self.stem}"

    def parameters(self, figures_dir: str = "") -> dict:
        """Every parameter the notebook takes, explicitly (the definition: helpers.report.params.PARAMETERS)."""
        return replace(self.params, figures_dir=figures_dir if self.figures else "").for_notebook(self.stem)


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    error: str = ""
    failed_notebook: str = ""
    timings: dict = field(default_factory=dict)  # seconds: kernel_start, cells, kernel_stop, export


# ------------------------------------------------------------------ planning
def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The report notebooks, in order (their file names start with two digits)."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
