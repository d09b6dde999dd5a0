"""The version of the evidence: the data package's ``version``, and where git is present its state.

The version is bumped by the rule in CHANGELOG.md (a study added or removed, a certainty or verdict changed,
an answer changed), with one changelog entry per version. What a report's colophon and the index say about
it is read here, when the HTML is rendered, never inside a notebook (nbval compares the notebooks' outputs).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..paths import DATA, ROOT

PACKAGE = DATA / "datapackage.json"
CHANGELOG = ROOT / "CHANGELOG.md"
#: a changelog entry's heading: "## 1.2.0 - 2026-12-02"
ENTRY = re.compile(r"^## (\d+\.\d+\.\d+)(?: - (\d{4}-\d{2}-\d{2}))?\s*$", re.M)


@dataclass(frozen=True)
class EvidenceVersion:
    version: str | None
    #: the date of the last commit that changed the data (None without git)
    data_date: str | None = None
    #: the commit that set this version (None without git)
    commit: str | None = None
    #: the data differ from that commit (None: unknown, without git)
    unreleased: bool | None = None
    #: the version before this one, as the changelog lists them
    previous: str | None = None
    #: the commit that set the previous version (None: unknown)
    previous_commit: str | None = None


def package_version(package: Path = PACKAGE) -> str | None:
    try:
        return json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def changelog_versions(path: Path = CHANGELOG) -> list[str]:
    """The versions the changelog has an entry for, newest first."""
    try:
        return [m[0] for m in ENTRY.findall(path.read_text(encoding="utf-8"))]
    except OSError:
        return []


def git(*args: str, root: Path = ROOT) -> str | None:
    """The output of a git command in the repository, or None where git or the repository is missing."""
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def version_commit(version: str, root: Path = ROOT) -> str | None:
    """The commit that released ``version``: its tag ``v<version>`` where there is one, else the oldest commit
    whose data package has that version."""
    tagged = git("rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}", root=root)
    if tagged:
        return tagged
    rel = str(PACKAGE.relative_to(ROOT))
    log = git("log", "--format=%H", "-G", r'"version"', "--", rel, root=root)
    if not log:
        return None
    found = None
    for commit in log.splitlines():  # newest first; the last one that still has the version set it
        text = git("show", f"{commit}:{rel}", root=root)
        try:
            if text is not None and json.loads(text).get("version") == version:
                found = commit
            elif found:
                break
        except ValueError:
            continue
    return found


@cache
def evidence_version(root: Path = ROOT) -> EvidenceVersion:
    """The evidence's version and, where git knows the repository, its date and whether it has changed since."""
    version = package_version(root / "data" / "datapackage.json")
    versions = changelog_versions(root / "CHANGELOG.md")
    previous = next((v for v in versions if version and v != version and _older(v, version)), None)
    if git("rev-parse", "--git-dir", root=root) is None:
        return EvidenceVersion(version, previous=previous)
    data_date = git("log", "-1", "--format=%cs", "--", "data", root=root) or None
    commit = version_commit(version, root) if version else None
    unreleased = None
    if commit:
        differs = git("diff", "--quiet", commit, "--", "data", root=root) is None
        untracked = bool(git("ls-files", "--others", "--exclude-standard", "--", "data", root=root))
        unreleased = differs or untracked
    previous_commit = version_commit(previous, root) if previous else None
    return EvidenceVersion(version, data_date, commit, unreleased, previous, previous_commit)


def _older(a: str, b: str) -> bool:
    return tuple(map(int, a.split("."))) < tuple(map(int, b.split(".")))
