"""The pinned set is written once (pyproject.toml); environment.yml agrees with it, and the package's
runtime dependencies hold no test or lint tool."""

import yaml

from helpers.paths import ROOT
from support.pins import all_pins, group_pins, pyproject, runtime_pins

#: tools that develop and test the project, never needed to build or read the reports
DEV_TOOLS = {"pytest", "pytest-xdist", "playwright", "nbval", "pypdf", "ruff", "setuptools", "frictionless", "zizmor"}
DEV_TOOLS |= {"check-jsonschema"}


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, version = dep.partition("=")
            if name not in ("python", "pip"):
                pins[name.lower()] = version
    return pins


def test_every_dependency_is_pinned_exactly():
    assert runtime_pins() and group_pins("dev")


def test_no_test_tool_among_the_runtime_dependencies():
    assert not DEV_TOOLS & set(runtime_pins()), "test and lint tools belong in [dependency-groups]"
    assert DEV_TOOLS <= set(group_pins("dev"))


def test_dependencies_are_written_in_pyproject_not_read_from_a_file():
    project = pyproject()["project"]
    assert "dependencies" not in project.get("dynamic", [])
    assert not (ROOT / "requirements.txt").exists()


def test_environment_yml_agrees_with_pyproject():
    assert conda_pins() == all_pins()


def test_environment_yml_python_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert pyproject()["project"]["requires-python"] == ">=3.11"


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in all_pins().items():
        assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned} (run make install)"
