"""Prove the nbval check can fail: a changed number in a copy of the data must break it."""

import csv
import os
import re
import shutil
import subprocess
import sys

import pytest

from helpers.paths import ROOT

pytestmark = pytest.mark.kernel

NOTEBOOK = "01_evidence_overview.ipynb"


def copy_project(dst):
    dst.mkdir(parents=True)
    shutil.copytree(ROOT / "data", dst / "data")  # the study table, the tables beside it and their schemas
    (dst / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, dst / "notebooks" / NOTEBOOK)
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    shutil.copytree(ROOT / "tests" / "support", dst / "tests" / "support")  # the plugins its pytest options name
    return dst


def run_nbval(project):
    env = dict(os.environ, HELPERS_ROOT=str(project))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--sanitize-with",
            str(ROOT / "tests" / "sanitize.cfg"),
            str(project / "notebooks" / NOTEBOOK),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=300,
    )


def test_changed_number_makes_nbval_fail_only_where_it_is_shown(tmp_path):
    """One nbval run on a copy whose data differ in one number: the cells that show it fail, and the others
    pass (so the copy itself is sound: the failure is the changed number's, not the harness's)."""
    project = copy_project(tmp_path / "changed")
    path = project / "data" / "studies.csv"
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    row = next(r for r in rows if r["study_id"] == "etchison2018")
    assert row["n_ketamine"] == "16"
    for r in rows:
        if r["study_id"] == "etchison2018":
            r["n_ketamine"] = "17"
            r["n_randomized"] = r["n_analysed"] = "35"  # the totals agree with the arms
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    res = run_nbval(project)
    assert res.returncode == 1, res.stdout[-3000:]
    assert "35 randomized (17 / 18)" in res.stdout  # the mismatch nbval reports is the changed number
    summary = res.stdout.strip().splitlines()[-1]
    failed = int(re.search(r"(\d+) failed", summary).group(1))
    # the cells that show the trial's size fail (its Summary of Findings lines), and no other
    assert 1 <= failed <= 2 and "passed" in summary, summary
