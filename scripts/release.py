"""Release the evidence: bump its version, date its changelog entry, commit, tag v<version> (make release).

    python scripts/release.py patch|minor|major|X.Y.Z     # then `make report` rebuilds from the tagged commit
    python scripts/release.py --check                      # exit 1 when data/ has changes no release covers

What changed goes under a "## Unreleased" heading of CHANGELOG.md first (the rule for which part to bump is
written at its top); the release turns that heading into "## X.Y.Z - date" and writes the version into the
data package and CITATION.cff, so the reports of the tagged commit cite a released version.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("major", "minor", "patch")
UNRELEASED = re.compile(r"^## Unreleased[ \t]*$", re.M)
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


class ReleaseError(Exception):
    pass


def bumped(version: str, part: str) -> str:
    """``version`` bumped by ``part`` (major, minor or patch), or ``part`` itself when it is a newer version."""
    major, minor, patch = map(int, version.split("."))
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    if VERSION.match(part) and tuple(map(int, part.split("."))) > (major, minor, patch):
        return part
    raise ReleaseError(f"release: expected major, minor, patch or a version above {version}, got {part!r}")


def write_release(root: Path, part: str, today: str) -> str:
    """Write the new version into the data package, CITATION.cff and the changelog of ``root``; return it."""
    package = root / "data" / "datapackage.json"
    old = json.loads(package.read_text(encoding="utf-8"))["version"]
    new = bumped(old, part)
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    heading = UNRELEASED.search(text)
    body = text[heading.end() :].split("\n## ", 1)[0].strip() if heading else ""
    if not body:
        raise ReleaseError(
            f"release: {changelog.name} has no '## Unreleased' entry saying what changed; write it above "
            f"'## {old}' first"
        )
    changelog.write_text(text[: heading.start()] + f"## {new} - {today}" + text[heading.end() :], encoding="utf-8")
    raw = package.read_text(encoding="utf-8")  # replaced in place: the file keeps its layout
    package.write_text(raw.replace(f'"version": "{old}"', f'"version": "{new}"', 1), encoding="utf-8")
    cff = root / "CITATION.cff"
    lines = [ln for ln in cff.read_text(encoding="utf-8").splitlines() if not ln.startswith("date-released:")]
    out = []
    for ln in lines:
        if ln.startswith("version:"):
            out += [f'version: "{new}"', f'date-released: "{today}"']
        else:
            out.append(ln)
    cff.write_text("\n".join(out) + "\n", encoding="utf-8")
    return new


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if out.returncode:
        raise ReleaseError(f"release: git {' '.join(args)} failed: {out.stderr.strip() or out.stdout.strip()}")
    return out.stdout


def release(root: Path, part: str, today: str | None = None) -> str:
    dirty = [ln[3:] for ln in git(root, "status", "--porcelain").splitlines() if ln[3:] != "CHANGELOG.md"]
    if dirty:
        raise ReleaseError(f"release: commit or set aside these changes first (the tag must hold them): {dirty[0]}")
    new = write_release(root, part, today or datetime.date.today().isoformat())
    if git(root, "tag", "--list", f"v{new}").strip():
        raise ReleaseError(f"release: the tag v{new} already exists")
    git(root, "add", "CHANGELOG.md", "CITATION.cff", "data/datapackage.json")
    git(root, "commit", "--quiet", "-m", f"Release version {new} of the evidence")
    git(root, "tag", "-a", f"v{new}", "-m", f"Evidence version {new}")
    return new


def check(root: Path) -> None:
    """Refuse to publish reports whose data no release covers (CI runs it before building the site)."""
    sys.path.insert(0, str(root / "src"))
    from helpers.data.version import evidence_version

    v = evidence_version(root)
    if v.unreleased is not False:
        state = "has changes since" if v.unreleased else "cannot be matched (no git history) with"
        raise ReleaseError(f"release: data/ {state} version {v.version}; run make release BUMP=patch|minor|major")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        if argv[0] == "--check":
            check(ROOT)
        else:
            new = release(ROOT, argv[0])
            print(f"released version {new}: committed and tagged v{new}; push the tag with git push --tags")
    except ReleaseError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
