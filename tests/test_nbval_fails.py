"""Prove the nbval check can fail: a changed number in a copy of the data must break it."""

import csv
import os
import shutil
import subprocess
import sys

from helpers.paths import ROOT

NOTEBOOK = "01_evidence_overview.ipynb"


def copy_project(dst):
    dst.mkdir(parents=True)
    shutil.copytree(ROOT / "data", dst / "data")  # the study table, the tables beside it and their schemas
    (dst / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, dst / "notebooks" / NOTEBOOK)
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
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


def test_unchanged_copy_passes(tmp_path):
    res = run_nbval(copy_project(tmp_path / "same"))
    assert res.returncode == 0, res.stdout[-3000:]


def test_changed_number_makes_nbval_fail(tmp_path):
    project = copy_project(tmp_path / "changed")
    path = project / "data" / "studies.csv"
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    row = next(r for r in rows if r["study_id"] == "etchison2018")
    assert row["n_ketamine"] == "16"
    for r in rows:
        if r["study_id"] == "etchison2018":
            r["n_ketamine"] = "17"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    res = run_nbval(project)
    assert res.returncode == 1, res.stdout[-3000:]
    assert "failed" in res.stdout
    assert "17 / 18" in res.stdout  # the mismatch nbval reports is the changed number
