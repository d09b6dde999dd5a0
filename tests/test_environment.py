"""The pinned set is written once (requirements.txt); environment.yml must agree with it."""
import re

import yaml

from helpers.paths import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def requirement_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = PIN.match(line)
        assert m, f"requirements.txt: {line!r} is not an exact pin (name==version)"
        pins[m.group(1).lower()] = m.group(2)
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, version = dep.partition("=")
            if name not in ("python", "pip"):
                pins[name.lower()] = version
    return pins


def test_every_requirement_is_pinned_exactly():
    assert requirement_pins()


def test_environment_yml_agrees_with_requirements():
    assert conda_pins() == requirement_pins()


def test_environment_yml_python_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()


def test_pyproject_takes_dependencies_from_requirements():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["dependencies"]' in text
    assert 'dependencies = {file = ["requirements.txt"]}' in text


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in requirement_pins().items():
        assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned} (run make install)"
