"""The CI workflow for the common hosting: it runs what .ci/run runs, in Debian, publishes the reports from
main only, asks for least permissions, and passes the workflow linters that work offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.paths import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
BIN = Path(sys.executable).parent


def lint(workflow: Path, tools=("zizmor", "check-jsonschema")) -> list[str]:
    """Problems zizmor (with the repository's policy) and check-jsonschema's workflow schema find (or the one of
    them ``tools`` names)."""
    problems = []
    if "zizmor" in tools:
        problems += zizmor_problems(workflow)
    if "check-jsonschema" in tools:
        problems += schema_problems(workflow)
    return problems


def zizmor_problems(workflow: Path) -> list[str]:
    zizmor = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--config", str(ROOT / ".github" / "zizmor.yml"), str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [] if zizmor.returncode == 0 else ["zizmor: " + zizmor.stdout + zizmor.stderr]


def schema_problems(workflow: Path) -> list[str]:
    """check-jsonschema's command, run in this process (click's runner): a process of its own spent 1.5 s of
    CPU importing, mostly on IRI grammars that pytest's processes skip (helpers.startup) and that this schema,
    which checks no string format, never uses."""
    from check_jsonschema.cli.main_command import main
    from click.testing import CliRunner

    schema = CliRunner().invoke(main, ["--builtin-schema", "vendor.github-workflows", str(workflow)])
    return [] if schema.exit_code == 0 else ["check-jsonschema: " + schema.output]


def test_the_workflow_runs_ci_in_debian_and_publishes_from_main_only():
    wf = yaml.safe_load(WORKFLOW.read_text())
    assert wf["permissions"] == {}
    on = wf[True]  # YAML 1.1 reads the key "on" as true
    assert "push" in on and "pull_request" in on
    jobs = wf["jobs"]
    test = jobs["test"]
    assert test["container"].startswith("debian:")
    runs = [s.get("run", "") for s in test["steps"]]
    assert any("bash .ci/run" in r for r in runs)  # the same make targets as here
    assert any("chromium" in r for r in runs)  # Debian's browser, never a downloaded one
    cached = " ".join(s.get("with", {}).get("path", "") for s in test["steps"] if "actions/cache" in s.get("uses", ""))
    assert ".cache/uv" in cached and ".npm" in cached
    assert "refs/heads/main" in jobs["build-site"]["if"] and "push" in jobs["build-site"]["if"]
    assert any("make report" in s.get("run", "") for s in jobs["build-site"]["steps"])
    assert jobs["deploy"]["needs"] == "build-site"
    assert set(jobs["deploy"]["permissions"]) == {"pages", "id-token"}
    for name, job in jobs.items():
        assert "write" not in str(job.get("permissions", {}).get("contents", "")), name
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].startswith("actions/") and "@v" in step["uses"], (name, step["uses"])


@pytest.mark.process
def test_the_workflow_passes_zizmor_and_the_workflow_schema():
    assert lint(WORKFLOW) == []


@pytest.mark.process
def test_the_linters_find_a_planted_fault(tmp_path):
    text = WORKFLOW.read_text()
    bad = tmp_path / "bad.yml"
    # an untrusted expression in a run: step (a pull request's title, expanded into the shell)
    planted = '      - name: .ci/run\n        run: |\n          echo "${{ github.event.pull_request.title }}"\n          bash .ci/run'
    bad.write_text(text.replace("      - name: .ci/run\n        run: bash .ci/run", planted, 1))
    assert bad.read_text() != text
    problems = lint(bad, tools=("zizmor",))  # each linter's own fault: a valid workflow, unsafe
    assert problems and "template-injection" in problems[0], problems
    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1))
    assert any("check-jsonschema" in p for p in lint(broken, tools=("check-jsonschema",)))  # safe, invalid


def test_the_test_job_calls_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    two = readme.split("## Two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    test_command = next(line.split("#")[0].strip() for line in two.splitlines() if line.startswith("make test"))
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command == "make test" and any(line.strip() == test_command for line in ci.splitlines())
