"""The pinned dependency set as pyproject.toml writes it: runtime dependencies and PEP 735 groups."""

from __future__ import annotations

import re
import tomllib

from helpers.paths import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)$")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(requirements: list[str], where: str) -> dict[str, str]:
    pins = {}
    for req in requirements:
        m = PIN.match(req.strip())
        assert m, f"pyproject.toml {where}: {req!r} is not an exact pin (name==version)"
        pins[m.group(1).lower()] = m.group(2)
    return pins


def runtime_pins() -> dict[str, str]:
    return _pins(pyproject()["project"]["dependencies"], "[project.dependencies]")


def group_pins(name: str) -> dict[str, str]:
    groups = pyproject()["dependency-groups"]
    pins: dict[str, str] = {}
    for item in groups[name]:
        if isinstance(item, dict):
            pins.update(group_pins(item["include-group"]))
        else:
            pins.update(_pins([item], f"[dependency-groups] {name}"))
    return pins


def all_pins() -> dict[str, str]:
    """Everything make install installs from the lock: the runtime pins and the dev group."""
    return {**runtime_pins(), **group_pins("dev")}
