"""The test tiers hold by rule: make unit runs no test that starts a process or runs a whole command, because
a test that does so without its marker fails."""

from __future__ import annotations

import subprocess
import sys

import pytest

import helpers.cli


def test_an_unmarked_test_that_runs_a_command_fails_naming_the_marker():
    with pytest.raises(AssertionError, match="runs a command of python -m helpers: mark it integration"):
        helpers.cli.main(["validate"])


def test_an_unmarked_test_that_starts_a_process_fails_naming_the_markers():
    with pytest.raises(AssertionError, match="starts a process: mark it with one of kernel, browser, process"):
        subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.mark.integration
def test_a_test_marked_integration_runs_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        helpers.cli.main(["--help"])
    assert exit_.value.code == 0 and "validate" in capsys.readouterr().out
