"""The monthly search workflow: a schedule and a manual trigger, make search, a pull request for a person to
screen and merge, least permissions, and the linters the CI workflow passes (zizmor, the workflow schema)."""

from __future__ import annotations

import pytest
import yaml
from env.test_workflow import lint

from helpers.paths import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "search.yml"


def test_the_search_runs_monthly_and_by_hand_and_opens_a_pull_request():
    wf = yaml.safe_load(WORKFLOW.read_text())
    on = wf[True]  # YAML 1.1 reads the key "on" as true
    assert set(on) == {"schedule", "workflow_dispatch"}
    (cron,) = [s["cron"] for s in on["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert day.isdigit() and month == "*" and weekday == "*"  # once a month
    assert wf["permissions"] == {}
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "make search" in runs and "gh pr create" in runs
    # the pull request carries the queue and the log, never the study table or an appraisal
    added = [line for line in runs.splitlines() if line.strip().startswith("git add")]
    assert added and all("studies.csv" not in a and "certainty" not in a and " -A" not in a for a in added)
    for step in job["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/") and "@v" in step["uses"], step["uses"]
            assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.process
def test_the_search_workflow_passes_zizmor_and_the_workflow_schema(tmp_path):
    assert lint(WORKFLOW) == []
    # the negative controls: a third-party action pinned only by its tag, and a step that writes an event's text
    # into a shell script, each fail the linter
    text = WORKFLOW.read_text()
    for old, new in (
        (
            "      - name: make search\n",
            "      - uses: peter-evans/create-pull-request@v7\n      - name: make search\n",
        ),
        ('echo "make search changed nothing"', 'echo "${{ github.event.head_commit.message }}"'),
    ):
        assert old in text
        planted = tmp_path / "search.yml"
        planted.write_text(text.replace(old, new))
        assert lint(planted, tools=("zizmor",)) != [], new
