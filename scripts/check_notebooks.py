"""The committed notebooks keep their parameters cells as the definition writes them (git's pre-commit hook).

JupyterLab saves an edited parameters cell (condition = "neck_pain") within minutes of the edit; committed, it
would change what nbval compares and what a researcher opening the notebook runs. `make hooks` installs this
check as the repository's pre-commit hook:

    python scripts/check_notebooks.py --staged     # the notebooks staged for the commit (the hook)
    python scripts/check_notebooks.py              # the notebooks in the working tree
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from helpers.report.params import parameters_cell  # noqa: E402  (the package of this checkout, installed or not)


def edited_parameters(name: str, text: str) -> str | None:
    """One line saying how the notebook ``name`` (its JSON ``text``) departs from its defined parameters cell."""
    stem = Path(name).stem
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        return f"{name}: not a notebook that can be read (invalid JSON)"
    found = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(found) != 1:
        return f"{name}: expected one cell tagged parameters, found {len(found)}"
    source = found[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    expected = parameters_cell(stem)
    if source == expected:
        return None
    changed = next((a for a, b in zip(source.splitlines() + [""] * 9, expected.splitlines() + [""] * 9) if a != b), "")
    return (
        f"{name}: its parameters cell was edited ({changed.split('#')[0].strip() or 'a line removed'}); "
        f"the committed cell keeps the defaults: run `make notebooks` (or `git checkout -- {name}`) and stage it again"
    )


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def notebooks(staged: bool) -> dict[str, str]:
    """The report notebooks (path -> JSON text): as staged for the commit, or as in the working tree."""
    if not staged:
        return {
            str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        }
    names = git("diff", "--cached", "--name-only", "--diff-filter=AM", "--", "notebooks/").split()
    return {n: git("show", f":{n}") for n in names if Path(n).name[:2].isdigit() and n.endswith(".ipynb")}


def main(argv: list[str]) -> int:
    problems = [p for name, text in notebooks("--staged" in argv).items() if (p := edited_parameters(name, text))]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
