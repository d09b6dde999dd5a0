"""A risk-of-bias tool is one entry: a tool planted in a copy of the schemas (its enum value and entry) with
its algorithm in the registry is validated, tabled and drawn with no other edit; each fault of an appraisal
with it is refused, and without its entry the same tables are."""

from __future__ import annotations

import json
import shutil

import matplotlib.pyplot as plt
import pytest

from helpers.data import rob, schema
from helpers.data.dataset import DataSetError, load_dataset
from helpers.paths import DATA, SCHEMAS_DIR
from helpers.report import open_report
from support.tables import read_rows, write_rows

STUDIES = ("etchison2018", "persson2012")  # a randomized trial, and the one non-randomized crossover study


def field(raw: dict, name: str) -> dict:
    return next(f for f in raw["fields"] if f["name"] == name)


def planted_algorithm(domain: str, answers: dict[str, str]) -> str | None:
    """Every answer yes: low; any no: high; otherwise some concerns (the overall row follows from the domains)."""
    if domain == "overall":
        return None
    given = list(answers.values())
    if any(a in rob.NO for a in given):
        return "high"
    return "low" if given and all(a in rob.YES for a in given) else "some_concerns"


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """The schemas with a tool "planted" for non-randomized crossover studies, in place of ROBINS-I for them."""
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, schemas)
    path = schemas / "risk_of_bias.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    tool, domain = field(raw, "tool"), field(raw, "domain")
    tool["constraints"]["enum"].append("planted")
    tool["enumLabels"]["planted"] = "planted tool"
    entries = tool["x-helpers"]["tools"]
    entries["robins_i"]["designs"].remove("crossover")
    entries["planted"] = {
        "designs": ["crossover"],
        "domains": ["carryover_check", "order_check", "overall"],
        "scale": [["low"], ["some_concerns"], ["high"]],
        "highRisk": ["high"],
        "figure": {"studies": "planted crossover studies", "name": "PLANT"},
    }
    domain["constraints"]["enum"] += ["carryover_check", "order_check"]
    domain["x-helpers"]["figureLabels"]["carryover_check"] = "carry-over check"
    path.write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMAS_DIR", schemas)
    monkeypatch.setitem(rob.ALGORITHMS, "planted", planted_algorithm)
    schema.load_schema.cache_clear()
    yield
    schema.load_schema.cache_clear()  # the next reader loads the shipped schemas again


PLANTED_ROWS = [  # domain, judgement, signalling
    ("carryover_check", "low", "Q1=Y;Q2=PY"),
    ("order_check", "high", "Q3=N"),
    ("overall", "high", ""),
]


@pytest.fixture
def folder(tmp_path):
    """The two studies' rows of the shipped tables; persson2012 appraised with the planted tool."""
    data = tmp_path / "data"
    data.mkdir()
    write_rows(data / "studies.csv", [r for r in read_rows(DATA / "studies.csv") if r["study_id"] in STUDIES])
    shipped = read_rows(DATA / "risk_of_bias.csv")
    rows = [r for r in shipped if r["study_id"] == "etchison2018"]
    template = next(r for r in shipped if r["study_id"] == "persson2012")
    for d, j, s in PLANTED_ROWS:
        rows.append({**template, "tool": "planted", "domain": d, "judgement": j, "signalling": s})
    write_rows(data / "risk_of_bias.csv", rows)
    return data


def problems(data) -> list[tuple[str, int | None]]:
    """(rule, line) of every problem of the data set; empty when it is valid."""
    try:
        load_dataset(data / "studies.csv", cache=False)
    except DataSetError as exc:
        return sorted((p.rule, p.line) for p in exc.problems)
    return []


def plant(data, changes: dict[int, dict], extra: tuple[dict, ...] = ()) -> None:
    """Change lines of risk_of_bias.csv (numbered as a spreadsheet numbers them) and add rows after them."""
    rows = read_rows(data / "risk_of_bias.csv")
    for line, cells in changes.items():
        rows[line - 2].update(cells)
    write_rows(data / "risk_of_bias.csv", rows + [{**rows[-1], **r} for r in extra])


def test_without_its_entry_the_planted_tool_is_refused(folder):
    lines = len(read_rows(folder / "risk_of_bias.csv")) + 1
    found = problems(folder)
    assert [line for rule, line in found if rule == "tool:format"] == [lines - 2, lines - 1, lines], found


def test_a_planted_tool_is_validated_by_its_entry(planted, folder):
    assert problems(folder) == []
    check, order, overall = (len(read_rows(folder / "risk_of_bias.csv")) + i for i in (-1, 0, 1))
    shipped = (folder / "risk_of_bias.csv").read_text(encoding="utf-8")
    plant(folder, {check: {"judgement": "high"}, order: {"domain": "confounding"}, overall: {"judgement": "serious"}})
    found = problems(folder)
    assert ("judgement_follows_signalling", check) in found  # Q1=Y;Q2=PY gives low by its algorithm
    assert ("domain_fits_tool", order) in found and ("judgement_fits_tool", overall) in found, found
    (folder / "risk_of_bias.csv").write_text(shipped, encoding="utf-8")
    outcome = read_rows(folder / "studies.csv")[-1]["outcome"]
    plant(folder, {overall: {"judgement": "low"}}, ({"outcome": outcome, "tool": "robins_i", "judgement": "low"},))
    found = problems(folder)
    assert ("overall_follows", overall) in found and ("tool_fits_design", overall + 1) in found, found


def test_a_planted_tool_is_tabled_and_drawn_from_its_entry(planted, folder):
    a = open_report("all", data_path=str(folder / "studies.csv")).appraisal
    table = a.rob_table().data
    assert "planted tool" in table and "carryover check" in table
    assert "1 high with PLANT" in a.rob_counts().data  # counted, then the tool by its name
    fig = a.rob_figure("planted")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Risk of bias of planted crossover studies (PLANT), all conditions"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["carry-over\ncheck", "order check", "OVERALL"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Persson 2012 \u2020"]
    trials = a.rob_figure("rob2").axes[0]  # the randomized trial stays in RoB 2's figure
    assert [t.get_text() for t in trials.get_yticklabels()] == ["Etchison 2018"]
    assert rob.high_risk() >= {"high"} and "planted" in rob.TOOLS
    plt.close("all")
