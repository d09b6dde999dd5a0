"""The data set checked together: the study table, the search log, the screening record and the
appraisal tables. Every planted mistake names its file, line and column and exits 1."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.data.companions import COMPANIONS
from helpers.data.dataset import DataSetError, load_dataset
from helpers.data.prisma import prisma_counts
from helpers.paths import DATA
from support.tables import read_rows, write_rows

TABLES = ("studies", *COMPANIONS)


def read(path: Path) -> list[dict]:
    return read_rows(path)


def write(path: Path, rows: list[dict]) -> None:
    write_rows(path, rows)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in TABLES:
        shutil.copy(DATA / f"{name}.csv", folder / f"{name}.csv")
    return folder


def plant(folder: Path, table: str, match: dict, **cells) -> int:
    """Change the first row of `table` matching `match`; returns its line number as a spreadsheet shows it."""
    rows = read(folder / f"{table}.csv")
    i = next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))
    rows[i].update(cells)
    write(folder / f"{table}.csv", rows)
    return i + 2  # header is line 1; the shipped files have no multi-line cells before these rows


def validate(folder: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(folder / "studies.csv")])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.integration
def test_shipped_data_set_is_valid(capsys):
    code, out = validate(DATA, capsys)
    assert code == 0, out
    for name in TABLES:
        assert f"data/{name}.csv: valid" in out
    assert "references between the tables: valid" in out


def ids(path: Path, column: str) -> set[str]:
    return {r[column] for r in read(path)}


def first(path: Path, **match) -> dict:
    return next(r for r in read(path) if all(r[k] == v for k, v in match.items()))


CASES = {
    # table, row to change, cells, expected column, expected words
    "search_log records": ("search_log", {"search_id": "S000"}, {"records": "14"}, "records", "rows of screening.csv"),
    "search_log bad source": (
        "search_log",
        {"search_id": "S000"},
        {"source": "google"},
        "source",
        "one of evidence_brief",
    ),
    "screening unknown search": (
        "screening",
        {"record_id": "BRIEF:etchison2018"},
        {"search_id": "S999"},
        "search_id",
        "a search_id of data/search_log.csv",
    ),
    "screening unknown study": (
        "screening",
        {"record_id": "BRIEF:etchison2018"},
        {"study_id": "nobody2020"},
        "study_id",
        "published rows in the study table",
    ),
    "screening reason": (
        "screening",
        {"record_id": "BRIEF:etchison2018"},
        {"reason": "wrong_condition"},
        "reason",
        "a reason from the list for that decision",
    ),
    "screening duplicate target": (
        "screening",
        {"decision": "duplicate"},
        {"duplicate_of": "R9999"},
        "duplicate_of",
        "the record_id of a record",
    ),
    "rob bad value": (
        "risk_of_bias",
        {"study_id": "etchison2018", "domain": "measurement"},
        {"judgement": "medium"},
        "judgement",
        "one of low",
    ),
    "rob missing support": (
        "risk_of_bias",
        {"study_id": "etchison2018", "domain": "measurement"},
        {"support": ""},
        "support",
        "a value (this column is required)",
    ),
    "rob unknown study": (
        "risk_of_bias",
        {"study_id": "etchison2018", "domain": "measurement"},
        {"study_id": "nobody2020"},
        "study_id",
        "a study_id of the study table",
    ),
    "rob overall too mild": (
        "risk_of_bias",
        {"study_id": "afridi2013", "domain": "overall"},
        {"judgement": "low"},
        "judgement",
        "at least as serious as its worst domain",
    ),
    "rob wrong tool": (
        "risk_of_bias",
        {"study_id": "pomeroy2017", "domain": "selection"},
        {"tool": "robins_i"},  # ROBINS-I needs a comparison group: not for a single-arm series
        "tool",
        "murad_case_series for a study of design case_series",
    ),
    "rob 2 no information": (  # an answer to a signalling question, not one of RoB 2's judgements
        "risk_of_bias",
        {"study_id": "etchison2018", "domain": "measurement"},
        {"judgement": "no_information"},
        "judgement",
        "RoB 2 and the case-series tool: low, some_concerns, high",
    ),
    "rob level of another tool": (
        "risk_of_bias",
        {"study_id": "pomeroy2017", "domain": "selection"},
        {"judgement": "critical"},
        "judgement",
        "a judgement on the tool's scale",
    ),
    "rob contradicts signalling": (  # 4.1=N;4.2=N;4.3=PN gives low by RoB 2's algorithm
        "risk_of_bias",
        {"study_id": "etchison2018", "domain": "measurement"},
        {"judgement": "high"},
        "judgement",
        "the judgement the tool's algorithm gives from the signalling answers",
    ),
    "certainty breaks a written rule": (  # one trial of 150 patients, fewer than the optimal information size
        "certainty",
        {"outcome_label": "back pain intensity 1 year after spine surgery"},
        {"imprecision": "0", "certainty": "low"},  # the certainty still follows, so only the rule is broken
        "imprecision",
        "-1 by the written rule (imprecision), or a departure_reason",
    ),
    "certainty does not follow": (
        "certainty",
        {"condition": "low_back_pain"},
        {"certainty": "moderate"},
        "certainty",
        "the certainty that follows from the start level",
    ),
    "certainty bad value": (
        "certainty",
        {"condition": "migraine"},
        {"imprecision": "-3"},
        "imprecision",
        "at least -2",
    ),
    "certainty missing reason": (
        "certainty",
        {"condition": "migraine"},
        {"inconsistency_reason": ""},
        "inconsistency_reason",
        "a value (this column is required)",
    ),
    "certainty unknown study": (
        "certainty",
        {"condition": "migraine"},
        {"study_ids": "etchison2018|nobody2020"},
        "study_ids",
        "study_ids of the study table",
    ),
    "certainty wrong type": (
        "certainty",
        {"condition": "migraine"},
        {"evidence_type": "observational", "start_level": "low", "certainty": "very_low"},
        "evidence_type",
        "randomized",
    ),
    "claims bad verdict": ("claims", {"claim_id": "C1"}, {"verdict": "false"}, "verdict", "one of not_located"),
    "claims unknown evidence": (
        "claims",
        {"claim_id": "C1"},
        {"evidence_study_ids": "etchison2018|nobody2020"},
        "evidence_study_ids",
        "published studies in the study table",
    ),
    "claims placeholder unknown study": (
        "claims",
        {"claim_id": "C4"},
        {"reasoning": "As {nobody2020} found."},
        "reasoning",
        "a study_id of studies.csv, or a condition",
    ),
    "claims placeholder unknown field": (
        "claims",
        {"claim_id": "C4"},
        {"reasoning": "In {czarnetzki2020.weight} patients."},
        "reasoning",
        "a field: one of n, design",
    ),
    "claims placeholder unknown outcome": (
        "claims",
        {"claim_id": "C4"},
        {"reasoning": "It {czarnetzki2020.direction.quality_of_life}."},
        "reasoning",
        "an outcome of czarnetzki2020 (one of neuropathic_pain)",
    ),
    "certainty placeholder left open": (
        "certainty",
        {"condition": "migraine"},
        {"risk_of_bias_reason": "{nicolodi1995.design is at high risk."},
        "risk_of_bias_reason",
        "a placeholder closed with }",
    ),
    # a Summary of Findings line never mixes measures or scales (a risk difference beside a median difference)
    "certainty line mixes measures": (
        "certainty",
        {"outcome_label": "back pain intensity 1 year after spine surgery"},
        {"outcomes": "pain_rest|neuropathic_pain", "study_ids": "nielsen2017|czarnetzki2020"},
        "outcomes",
        "rows of one effect measure and one unit (this line mixes effect_measure median_difference (nielsen2017), "
        "risk_difference (czarnetzki2020)",
    ),
    # a support text contradicts its judgement when it names another level and not its own (methods review D20)
    "rob support names another level": (
        "risk_of_bias",
        {"study_id": "whiplash_challenge2005", "domain": "overall"},
        {"support": "Five domains raise some concerns; together they lower confidence in the counts."},
        "support",
        "a support text that names its own judgement (high) where it names a level (it names some_concerns)",
    ),
    # no editing history or working note in a text a reader sees (methods review D21), in any of the tables
    "rob support tells its editing history": (
        "risk_of_bias",
        {"study_id": "benish2019", "domain": "overall"},
        {"support": "Some concerns in randomization. Same as the current judgement."},
        "support",
        "without an editing history or a working note",
    ),
    "citation carries a working note": (
        "studies",
        {"study_id": "kaube2000"},
        {"citation": "Kaube H (first author as named in the brief), et al. Neurology. 2000;55(1):139-141"},
        "citation",
        "without an editing history or a working note",
    ),
    "certainty reason tells its editing history": (
        "certainty",
        {"outcome_label": "back pain intensity 1 year after spine surgery"},
        {"inconsistency_reason": "One trial. Same judgement as before."},
        "inconsistency_reason",
        "without an editing history or a working note",
    ),
    "registration note carries the team's bookkeeping": (
        "registrations",
        {"registration_id": "NCT02735343"},
        {"notes": "Terminated with 5 participants (searches S606 and S611 of the search log)."},
        "notes",
        "without an editing history or a working note",
    ),
    "claims unknown search": (
        "claims",
        {"claim_id": "C1"},
        {"searches": "S9999"},
        "searches",
        "search_ids of search_log.csv",
    ),
}


@pytest.mark.integration
@pytest.mark.parametrize("case", sorted(CASES))
def test_planted_error_names_file_line_and_column(case, data_copy, capsys):
    table, match, cells, column, words = CASES[case]
    line = plant(data_copy, table, match, **cells)
    code, out = validate(data_copy, capsys)
    assert code == 1, out
    assert "Traceback" not in out
    hit = [x for x in out.splitlines() if f"{table}.csv, line {line}, column {column}" in x]
    assert hit, out
    assert any(words in x for x in hit), out


@pytest.mark.integration
def test_study_without_an_included_record_is_reported_in_the_study_table(data_copy, capsys):
    rows = [
        r for r in read(data_copy / "screening.csv") if r["study_id"] != "etchison2018" or r["decision"] != "included"
    ]
    write(data_copy / "screening.csv", rows)
    log = read(data_copy / "search_log.csv")
    for r in log:
        if r["search_id"] == "S000":
            r["records"] = str(int(r["records"]) - 1)
    write(data_copy / "search_log.csv", log)
    code, out = validate(data_copy, capsys)
    assert code == 1
    line = next(i for i, r in enumerate(read(data_copy / "studies.csv")) if r["study_id"] == "etchison2018") + 2
    assert f"studies.csv, line {line}, column study_id: value 'etchison2018': expected an included record" in out


@pytest.mark.integration
def test_a_claim_left_unchecked_is_reported(data_copy, capsys):
    write(data_copy / "claims.csv", [r for r in read(data_copy / "claims.csv") if r["seed_study_id"] != "seed_kim2011"])
    code, out = validate(data_copy, capsys)
    assert code == 1 and "expected a row for this article claim in claims.csv" in out


@pytest.mark.integration
def test_randomized_trial_without_rob2_rows_is_reported(data_copy, capsys):
    write(
        data_copy / "risk_of_bias.csv",
        [r for r in read(data_copy / "risk_of_bias.csv") if r["study_id"] != "zitek2018"],
    )
    code, out = validate(data_copy, capsys)
    assert (
        code == 1
        and "value 'zitek2018': expected risk-of-bias rows for this study in risk_of_bias.csv (tool rob2)" in out
    )


def test_build_refuses_a_bad_companion_before_touching_the_output(data_copy, tmp_path, builds):
    plant(data_copy, "certainty", {"condition": "low_back_pain"}, certainty="high")
    out = tmp_path / "published"
    out.mkdir()
    (out / "index.html").write_text("published")
    (out / ".build-state.json").write_text('{"reports": {}, "published": ["index.html"]}')  # an earlier build's
    before = hashlib.sha256((out / "index.html").read_bytes()).hexdigest()
    proc = builds.build("--data", data_copy / "studies.csv", "--out", out)
    assert proc.returncode == 1
    assert "certainty.csv, line" in proc.stderr and "column certainty" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert hashlib.sha256((out / "index.html").read_bytes()).hexdigest() == before
    assert sorted(p.name for p in out.iterdir()) == [".build-state.json", "index.html"]


# ------------------------------------------------------------------ PRISMA
def test_prisma_numbers_add_up():
    ds = load_dataset()
    c = prisma_counts(ds.get("search_log"), ds.get("screening"), ds.studies)
    screening = ds.get("screening")
    assert c.identified == len(screening) == ds.get("search_log")["records"].sum()
    assert c.identified - c.duplicates == c.screened
    assert c.screened - c.excluded_screening_total == c.assessed
    assert c.assessed - c.excluded_assessment_total - c.awaiting_total == c.included
    assert c.awaiting_total == (screening["decision"] == "awaiting_classification").sum() > 0
    published = ds.studies[ds.studies["source"].astype(str) == "literature"]["study_id"].nunique()
    assert c.included == published
    assert sum(c.included_by_design.values()) == c.included
    assert set(c.identified_by_source) <= {
        "evidence_brief",
        "literature_pages",
        "literature_docs",
        "literature_issues",
        "reference_list",
    }


def test_every_search_is_logged_with_its_records_and_unresolved_lookups_are_kept():
    ds = load_dataset()
    log = ds.get("search_log")
    assert (log["records"] <= log["hits"]).all()
    unresolved = log[
        (log["status"].astype(str) == "unresolved") & log["purpose"].astype(str).isin(["identifier", "citation_check"])
    ]
    assert len(unresolved) and unresolved["target"].notna().all()
    # the identifiers the independent check asked about were looked for, each attempt logged
    for target in ("czarnetzki2020", "zitek2018", "lauritsen2016", "whiplash_challenge2005", "amr2011"):
        assert (log["target"].astype(str) == target).any(), target


def test_at_least_25_verified_published_studies_and_randomized_trials_per_condition():
    s = load_dataset().studies
    lit = s[(s["source"].astype(str) == "literature") & (s["verification"].astype(str) == "verified")]
    assert lit["study_id"].nunique() >= 25
    rct = lit[lit["design"].astype(str).isin(["rct", "crossover_rct"])]
    for condition in ("migraine", "headache_other", "neck_pain", "low_back_pain"):
        assert (rct["condition"].astype(str) == condition).any(), condition


def test_data_set_error_lists_problems_of_every_file(data_copy):
    plant(data_copy, "claims", {"claim_id": "C1"}, verdict="false")
    plant(data_copy, "certainty", {"condition": "migraine"}, imprecision="-3")
    with pytest.raises(DataSetError) as err:
        load_dataset(data_copy / "studies.csv", cache=False)
    files = {Path(e.path).name for e in err.value.errors}
    assert files == {"claims.csv", "certainty.csv"}


def test_cached_cross_checks_never_hide_a_file_changed_since(data_copy):
    """A data set that passed is remembered by its files' bytes: breaking a reference afterwards is caught."""
    load_dataset(data_copy / "studies.csv")  # passes, and is remembered
    load_dataset(data_copy / "studies.csv")  # the remembered pass
    write(
        data_copy / "risk_of_bias.csv",
        [r for r in read(data_copy / "risk_of_bias.csv") if r["study_id"] != "zitek2018"],
    )
    with pytest.raises(DataSetError) as err:
        load_dataset(data_copy / "studies.csv")
    assert "zitek2018" in str(err.value)


def test_line_numbers_are_shared_not_copied_by_pandas():
    import copy
    import pickle

    from helpers.data.loader import LineNumbers

    lines = LineNumbers([2, 3, 5])
    assert copy.deepcopy(lines) is lines and copy.copy(lines) is lines
    assert pickle.loads(pickle.dumps(lines)) == lines
    s = load_dataset().studies
    assert s[s["year"] > 0].attrs["lines"] is s.attrs["lines"]
