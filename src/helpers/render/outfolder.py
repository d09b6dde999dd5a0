"""The output folder a build may publish into, and the state that records what the last build published.

A build removes only what a build of this project made: the paths its state
file (``.build-state.json``) records. So it publishes only into a folder that
is missing, empty (but for a README), or a report folder it wrote before (its
state file says so); a folder of the repository's own sources, one above the
repository, and the folder holding the study table are refused before any
work starts. A state file that cannot be read is reported in one line and set
aside, so that it never blocks a later build.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from ..errors import HelpersError
from ..paths import ROOT, display_path
from .jobs import KEEP, STATE_FILE

#: a state file set aside because it could not be read (kept for a person to look at, never read again)
DAMAGED_STATE = STATE_FILE + ".damaged"
#: the repository's own folders: a build never publishes into them
PROTECTED = ("data", "src", "notebooks", "tests", ".git", "benchmarks", "scripts")
#: what a folder may hold and still count as empty: a README, and what a build leaves while it works
_EMPTY_OK = KEEP | {DAMAGED_STATE}


class OutputFolderError(HelpersError):
    """``--out`` names a folder a build may not publish into."""


def check_out_folder(out: Path, data_path: Path | str | None = None) -> Path:
    """``out``, resolved, if a build may publish into it; else :class:`OutputFolderError` naming why."""
    out = Path(out).resolve()
    shown = display_path(out)
    if out == ROOT or out in ROOT.parents:
        raise OutputFolderError(
            f"--out {shown}: refused, it is the repository or a folder above it, and publishing would replace "
            "its files (expected a folder of its own, for example reports/ or a new folder)"
        )
    for name in PROTECTED:
        protected = ROOT / name
        if out == protected or protected in out.parents:
            raise OutputFolderError(
                f"--out {shown}: refused, it is inside the repository's {name}/ folder "
                "(expected a folder of its own, for example reports/ or a new folder)"
            )
    if data_path is not None:
        table = Path(str(data_path).split("#")[0]).resolve()  # table.xlsx#Sheet names a worksheet
        if out == table.parent or out in table.parents:
            raise OutputFolderError(
                f"--out {shown}: refused, it holds the study table {display_path(table)} and the tables beside it "
                "(expected a folder of its own, for example a new folder next to it)"
            )
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {shown}: not a folder (expected a folder, or a path that does not exist)")
    if out.is_dir() and not (out / STATE_FILE).exists():
        foreign = sorted(
            p.name + ("/" if p.is_dir() else "")
            for p in out.iterdir()
            if p.name not in _EMPTY_OK and not p.name.startswith((".staging-", ".trash-"))
        )
        if foreign:
            shown_names = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputFolderError(
                f"--out {shown}: refused, it holds files no build of this project made ({shown_names}); "
                "expected an empty folder or a report folder a build wrote (with its .build-state.json)"
            )
    return out


def load_state(out: Path, set_aside: bool = False) -> dict:
    """The last build's state in ``out`` ({} when there is none). A state that cannot be read or does not
    have the recorded shape counts as none; with ``set_aside`` (under the build lock) it is also renamed to
    ``.build-state.json.damaged`` and said in one line, so that no later build reads it again."""
    path = out / STATE_FILE
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        problem = _shape_problem(state)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        state, problem = {}, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    if problem is None:
        return state
    if set_aside:
        try:
            path.replace(out / DAMAGED_STATE)
            where = f"set aside as {display_path(out / DAMAGED_STATE)}"
        except OSError as exc:
            where = f"could not be set aside ({exc.strerror})"
        print(
            f"{display_path(path)} could not be read ({problem}); {where}, and every report is built again",
            flush=True,
        )
    return {}


def _shape_problem(state) -> str | None:
    """Why a parsed state is not one a build wrote (None when it is)."""
    if not isinstance(state, dict):
        return "expected a JSON object"
    reports = state.get("reports", {})
    if not isinstance(reports, dict) or not all(isinstance(v, dict) for v in reports.values()):
        return "expected 'reports' to map each report to its record"
    outputs = state.get("data_outputs", {"files": [], "answers": []})
    if not isinstance(outputs, dict) or not isinstance(outputs.get("files", []), list):
        return "expected 'data_outputs' with a list of 'files'"
    if not isinstance(outputs.get("answers", []), list):
        return "expected 'data_outputs' with a list of 'answers'"
    if not isinstance(state.get("published", []), list):
        return "expected 'published' to list paths"
    if not all(isinstance(rel, str) for rel in [*reports, *outputs.get("files", []), *state.get("published", [])]):
        return "expected paths as text"
    if not isinstance(state.get("tables_key", ""), str):
        return "expected 'tables_key' as text"
    return None


def recorded_paths(state: dict, out: Path) -> set[str]:
    """The files the last build published, relative to ``out``, as its state records them.

    States written before the list of published files was kept (version 1.0.0) are read from their reports
    and data outputs, each report with the files of its figures folder. Paths that would leave the folder,
    or pass through a link, are never returned.
    """
    if "published" in state:
        paths = set(state["published"])
    else:
        paths = {"index.html", *state.get("reports", {}), *state.get("data_outputs", {}).get("files", [])}
        for rel in state.get("reports", {}):
            figures = out / "figures" / rel.removesuffix(".html")
            if rel.endswith(".html") and figures.is_dir() and not figures.is_symlink():
                paths |= {f.relative_to(out).as_posix() for f in figures.rglob("*") if f.is_file()}
    return {rel for rel in paths if _inside(rel, out)}


def _inside(rel: str, out: Path) -> bool:
    path = PurePosixPath(rel)
    if not path.parts or path.is_absolute() or ".." in path.parts or path.parts[0] in _EMPTY_OK:
        return False
    return all(not (out / Path(*path.parts[:i])).is_symlink() for i in range(1, len(path.parts) + 1))


def left_by_builds(out: Path) -> list[Path]:
    """What builds that did not finish left in ``out``: staging folders and the old sets being swapped out."""
    return sorted([*out.glob(".staging-*"), *out.glob(".trash-*")])
