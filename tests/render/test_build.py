"""The report build through its public command line, on the shipped table and on metafor fixtures."""

import html
import shutil

import pandas as pd
import pytest

from helpers.cli import main
from helpers.data.loader import load_studies
from helpers.paths import NOTEBOOKS
from helpers.report.names import short_name
from helpers.report.params import report_conditions
from support.metafor import HERE, expected, fixture_names
from support.shipped import CONDITIONS

NOTEBOOK_STEMS = ["01_evidence_overview", "02_effect_sizes", "03_followup", "04_adverse_events"]
METHODS = {"REML": "REML", "DL": "DL", "REML-HKSJ": "REML_knha"}
COLUMNS = [
    "condition",
    "effect_measure",
    "comparator",
    "timepoint",
    "k",
    "method",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "tau2",
    "i2",
    "pi_lower",
    "pi_upper",
]


@pytest.fixture
def migraine_reports(shipped):
    """The shared build of the shipped table (support.shipped), which holds the migraine reports."""
    return shipped, None


def test_build_writes_index_reports_and_tables(migraine_reports):
    out, _ = migraine_reports
    for stem in NOTEBOOK_STEMS:
        assert (out / "migraine" / f"{stem}.html").is_file()
    index = (out / "index.html").read_text()
    assert "migraine/02_effect_sizes.html" in index
    assert not (out / "figures").exists()  # 300-dpi PNGs only with --figures (test_synthesis_build)
    assert "<code>figures/</code>" not in index  # so the index does not point to them
    assert {p.name for p in (out / "tables").iterdir()} >= {
        "effects.csv",
        "pooled_effects.csv",
        "pooling_decisions.csv",
    }


def test_migraine_reports_hold_only_migraine_studies(migraine_reports):
    out, _ = migraine_reports
    studies = load_studies()
    names = studies.assign(name=[short_name(c, y) for c, y in zip(studies["citation"], studies["year"])])
    by_name = names.groupby("name")["condition"].agg(lambda s: set(s.astype(str)))
    text = "".join((out / "migraine" / f"{stem}.html").read_text() for stem in NOTEBOOK_STEMS)
    for name, conds in by_name.items():
        if "migraine" in conds:
            assert html.escape(name) in text, f"{name} missing from the migraine reports"
        else:
            assert html.escape(name) not in text, f"{name} ({conds}) leaked into the migraine reports"


def test_reports_have_no_code_no_parameters_and_no_external_resources(migraine_reports):
    out, _ = migraine_reports
    page = (out / "migraine" / "02_effect_sizes.html").read_text()
    assert "open_report(" not in page and "figures_dir" not in page
    assert "data:image/png;base64" in page
    assert "<script src=" not in page and "cdnjs" not in page
    assert "Content-Security-Policy" in page
    assert "article claim, not located" in page


def test_second_build_is_up_to_date(migraine_reports, builds):
    out, _ = migraine_reports
    res = builds.build(*[a for c in CONDITIONS for a in ("--condition", c)], "--out", str(out))
    assert res.returncode == 0 and "up to date" in res.stdout


def test_bcg_through_the_public_path_matches_metafor(tmp_path, builds):
    """The build's published tables (written by the build itself, whatever notebooks it runs)."""
    table = HERE / "studies" / "bcg.csv"
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    shutil.copy(NOTEBOOKS / "04_adverse_events.ipynb", nbs)  # the quickest report: the tables are the point
    res = builds.build(
        "--data",
        str(table),
        "--out",
        str(tmp_path / "out"),
        "--condition",
        "all",
        "--notebooks",
        str(nbs),
        "--jobs",
        "1",
    )
    assert res.returncode == 0, res.stdout + res.stderr
    pooled = pd.read_csv(tmp_path / "out" / "tables" / "pooled_effects.csv")
    assert list(pooled.columns[: len(COLUMNS)]) == COLUMNS
    check_pooled(pooled, "bcg")


@pytest.mark.integration
@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_through_the_tables_command(tmp_path, name):
    from helpers.cli import main

    assert main(["tables", "--data", str(HERE / "studies" / f"{name}.csv"), "--out", str(tmp_path)]) == 0
    check_pooled(pd.read_csv(tmp_path / "pooled_effects.csv"), name)


def check_pooled(pooled: pd.DataFrame, name: str) -> None:
    want = expected(name)["fits"]
    assert sorted(pooled["method"]) == sorted(METHODS)
    for _, row in pooled.iterrows():
        fit = want[METHODS[row["method"]]]
        assert row["k"] == fit["k"]
        for col in ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "pi_lower", "pi_upper"):
            assert row[col] == pytest.approx(fit[col], rel=1e-6, abs=1e-12), f"{name} {row['method']} {col}"


def test_all_conditions_are_report_parameters():
    assert report_conditions()[0] == "all"
    assert set(report_conditions()[1:]) == {
        "migraine",
        "headache_other",
        "neck_pain",
        "low_back_pain",
        "chronic_pain_mixed",
    }


@pytest.mark.integration
def test_bad_parameters_are_refused_before_anything_runs(tmp_path, capsys):
    """In this process: a refused parameter starts nothing (the test would fail on any process started)."""
    out = tmp_path / "never"
    assert main(["build", "--condition", "mygraine", "--out", str(out)]) == 1
    assert "expected one of all, migraine" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.integration
def test_parameter_values_cannot_run_code(tmp_path, capsys):
    marker = tmp_path / "pwned"
    evil = f"x'; import os; os.system('touch {marker}') #"
    for flag in ("--condition", "--evidence", "--data"):
        assert main(["build", flag, evil, "--out", str(tmp_path / "out")]) == 1
        assert "expected" in capsys.readouterr().err
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("report_fails", [True, False])
def test_a_failed_report_is_said_before_a_failure_of_what_was_written_meanwhile(tmp_path, monkeypatch, report_fails):
    """In this process (kernels and git replaced): the tables and summaries written in a thread while the
    reports run never hide a report's own failure, which names its notebook; alone, their failure is raised."""
    from helpers.render import build as building
    from helpers.render import plan as planning
    from helpers.render.build import BuildError, build
    from helpers.render.jobs import Result
    from helpers.site import data_outputs

    def site_fails(*args):
        raise RuntimeError("planted failure of the site")

    def reports_run(plan, staging, failed_dir, meanwhile=None):
        meanwhile()
        return [Result(j.name, not report_fails, 0.1, error="ValueError: planted") for j in plan.stale]

    monkeypatch.setattr(planning, "evidence_version", lambda: "1.0.0")
    monkeypatch.setattr(data_outputs, "write_data_outputs", site_fails)
    monkeypatch.setattr(building, "execute_jobs", reports_run)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    shutil.copy(NOTEBOOKS / "04_adverse_events.ipynb", nbs)
    expected = (BuildError, "1 of 1 reports failed") if report_fails else (RuntimeError, "planted failure of the site")
    with pytest.raises(expected[0], match=expected[1]):
        build(conditions=["migraine"], out=tmp_path / "out", notebooks_dir=nbs, isolated=True)
    assert not list((tmp_path / "out").glob(".staging-*"))  # and nothing was published
    assert not (tmp_path / "out" / "index.html").exists()
