"""The data package: Frictionless Data's own validator accepts it, as written and as published beside the
reports, and finds what it can state (a broken single-valued reference, a value outside an enumeration)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.data.companions import companion_paths
from helpers.paths import ROOT

PACKAGE = ROOT / "data" / "datapackage.json"


def frictionless(package: Path) -> dict:
    """``frictionless validate --json`` on a package, as a process (the command a user of the package runs)."""
    cli = Path(sys.executable).with_name("frictionless")
    out = subprocess.run(
        [str(cli), "validate", "--json", package.name], cwd=package.parent, capture_output=True, text=True, timeout=300
    )
    return json.loads(out.stdout)


def errors(report: dict) -> list[tuple[str, str, str]]:
    return [(t["name"], e["type"], e.get("fieldName", "")) for t in report["tasks"] for e in t["errors"]]


def test_the_package_names_every_table_with_its_schema_and_a_version():
    descriptor = json.loads(PACKAGE.read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    tables = {"studies": ROOT / "data" / "studies.csv", **companion_paths(ROOT / "data" / "studies.csv")}
    assert set(resources) == set(tables) | {"references"}  # and the studies' bibliographic metadata
    assert resources["references"]["path"] == "references.csl.json"
    for name, path in tables.items():
        assert resources[name]["path"] == str(path.relative_to(ROOT / "data"))
        assert (ROOT / "data" / resources[name]["schema"]).is_file()
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])
    assert descriptor["licenses"] and descriptor["$schema"].endswith("/2.0/datapackage.json")


@pytest.mark.process
def test_frictionless_validates_the_data_package():
    report = frictionless(PACKAGE)
    assert report["valid"], errors(report)
    checked = {t["name"] for t in report["tasks"]}
    assert checked == {r["name"] for r in json.loads(PACKAGE.read_text())["resources"]}


@pytest.mark.process
def test_frictionless_finds_a_broken_reference_and_a_value_outside_its_enumeration(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)

    def change(name: str, column: str, value: str) -> None:
        path = copy / name
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        rows[0][column] = value
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)

    change("screening.csv", "search_id", "S99999")  # no such search
    change("risk_of_bias.csv", "study_id", "nosuchstudy2000")  # no such study
    change("studies.csv", "design", "anecdote")  # not a design
    found = set(errors(frictionless(copy / "datapackage.json")))
    assert ("screening", "foreign-key", "") in {(n, t, "") for n, t, _ in found}, found
    assert ("risk_of_bias", "foreign-key", "") in {(n, t, "") for n, t, _ in found}, found
    assert ("studies", "constraint-error", "design") in found, found


@pytest.mark.kernel
def test_the_published_data_package_is_valid(shipped):
    published = shipped / "data" / "datapackage.json"
    assert published.is_file()
    report = frictionless(published)
    assert report["valid"], errors(report)


def test_citation_cff_has_the_data_package_version_and_both_licences():
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["version"] == json.loads(PACKAGE.read_text())["version"]
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License") and (ROOT / "data" / "LICENSE.md").is_file()


@pytest.mark.process
def test_citation_cff_meets_the_citation_file_format_schema():
    cli = Path(sys.executable).with_name("check-jsonschema")
    out = subprocess.run(
        [str(cli), "--builtin-schema", "vendor.citation-file-format", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
