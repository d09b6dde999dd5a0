"""A build's options are one value, checked once where they enter (the command line or build(**values)), and
each report's parameters one value made from them."""

from __future__ import annotations

import dataclasses
import os

import pytest

from helpers.cli import parser
from helpers.errors import ParameterError
from helpers.paths import NOTEBOOKS, REPORTS, ROOT, STUDIES_PATH
from helpers.render.build import build
from helpers.render.jobs import BuildError
from helpers.render.options import BuildOptions
from helpers.render.outfolder import OutputFolderError
from helpers.report.params import ReportParams


def test_the_defaults_are_checked_and_made_explicit():
    options = BuildOptions.checked()
    assert options.conditions[0] == "all" and len(options.conditions) == 6
    assert (options.evidence, options.subgroup, options.force, options.isolated) == ("all", "", False, False)
    assert (options.data_path, options.out, options.notebooks_dir) == (STUDIES_PATH, REPORTS, NOTEBOOKS)
    assert options.jobs == 2 * (os.cpu_count() or 1) and options.cell_timeout == 300
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.jobs = 1  # one value: nothing changes it on the way


@pytest.mark.parametrize(
    "values, error, words",
    [
        ({"conditions": ["mygraine"]}, ParameterError, "unknown condition 'mygraine'"),
        ({"evidence": "some"}, ParameterError, "unknown evidence value 'some'"),
        ({"data": "no/such/table.csv"}, ParameterError, "no such file"),
        ({"out": ROOT / "data"}, OutputFolderError, "inside the repository's data/ folder"),
        ({"jobs": 0}, BuildError, "--jobs must be at least 1"),
        ({"cell_timeout": 0}, BuildError, "--cell-timeout must be at least 1 second"),
    ],
    ids=["condition", "evidence", "data", "out", "jobs", "cell-timeout"],
)
def test_each_option_is_refused_in_one_line_where_it_enters(tmp_path, values, error, words):
    with pytest.raises(error, match=words) as caught:
        BuildOptions.checked(**{"out": tmp_path / "out", **values})
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out").exists()
    with pytest.raises(error, match=words):  # and through build(**values), which makes them
        build(**{"out": tmp_path / "out", **values})


def test_the_command_line_gives_the_same_value_as_the_keywords(tmp_path):
    args = parser().parse_args(
        ["build", "--condition", "migraine", "--evidence", "verified", "--jobs", "3", "--out", str(tmp_path)]
    )
    made = BuildOptions.checked(conditions=["migraine"], evidence="verified", jobs=3, out=tmp_path)
    assert BuildOptions.from_args(args) == made
    assert made.report_params("migraine") == ReportParams("migraine", "verified", str(STUDIES_PATH), "", "")
    # negative control: another option makes another value
    assert BuildOptions.from_args(parser().parse_args(["build", "--out", str(tmp_path), "--force"])) != made


def test_build_takes_the_options_or_the_values_not_both(tmp_path):
    options = BuildOptions.checked(out=tmp_path / "out")
    with pytest.raises(TypeError, match="not both"):
        build(options, jobs=1)
    assert not (tmp_path / "out").exists()
