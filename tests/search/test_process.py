"""The search command as a user starts it: a process of its own, its sources set from the environment."""

from __future__ import annotations

import os

import pytest

from support.commands import run_helpers


@pytest.mark.process
def test_the_command_as_a_process_searches_and_refuses_a_rate_limit_in_one_line(snapshot, api, data):
    env = {**os.environ}
    before = snapshot(data)
    api.faults["/eutils/esearch.fcgi"] = ("status", 429)
    refused = run_helpers("search", "--data", str(data / "studies.csv"), env=env, timeout=120)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "HTTP 429" in refused.stderr
    assert snapshot(data) == before
    api.faults.clear()  # the negative control: the same command, the source answering
    done = run_helpers("search", "--data", str(data / "studies.csv"), env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and snapshot(data) != before
