"""The schemas' vocabulary (helpers.data.vocabulary) and the risk-of-bias tools (helpers.data.rob.TOOLS):
classes of designs and the words for codes are read from the schemas, and every tool entry is complete."""

from __future__ import annotations

import copy
import json

import pytest

from helpers.data import rob, vocabulary
from helpers.data.schema import load_schema
from helpers.paths import SCHEMAS_DIR


def test_design_classes_and_their_words_are_the_schemas():
    assert vocabulary.designs("randomized") == ("rct", "crossover_rct")
    assert vocabulary.designs("crossover") == ("crossover_rct", "crossover")
    assert vocabulary.designs("single_arm") == ("single_arm_trial", "case_series")
    assert vocabulary.designs("review") == ("meta_analysis", "systematic_review", "review")
    every = load_schema().enum("design")
    # the PRISMA figure's three groups share out every design
    groups = [vocabulary.designs(k) for k in ("randomized", "non_randomized", "review")]
    assert sorted(d for g in groups for d in g) == sorted(every)
    nouns = vocabulary.extension("design")["nouns"]
    assert set(nouns) == set(every) and all(len(n) == 2 for n in nouns.values())
    assert vocabulary.design_noun("case_series", 2) == "case series"
    assert vocabulary.design_noun("meta_analysis", 1) == "published meta-analysis"
    with pytest.raises(KeyError, match="no design class 'cohorts' in data/schema.json"):
        vocabulary.designs("cohorts")


def test_words_for_comparators_routes_and_outcomes_are_the_schemas():
    assert vocabulary.comparator_words("placebo") == "placebo"  # the pooled placebos: the class's word
    assert vocabulary.comparator_words("ketamine_lower_dose") == "a lower dose of ketamine"
    assert vocabulary.comparator_words("active") == "active drugs"
    assert vocabulary.comparator_classes("controlled") == ("placebo", "active")
    assert vocabulary.figure_label("route", "subcutaneous") == "under the skin"
    assert vocabulary.figure_label("route", "new_route") == "new route"  # a code without words: spelt out
    assert vocabulary.outcome_words("responder_50pct_placebo_nonresponders") == "responder 50% placebo non-responders"
    assert vocabulary.outcome_words("ed_return_48_72h") == "emergency department return 48-72 h"
    assert vocabulary.outcome_words("ae_withdrawal") == "withdrawals because of adverse effects"


# ------------------------------------------------------------------ the tool entries
def entry_problems(tool_field: dict, domains: set[str], judgements: set[str], designs: tuple[str, ...]) -> list[str]:
    """What is wrong with the tool entries of the risk-of-bias schema's tool field (empty: nothing)."""
    entries = tool_field["x-helpers"]["tools"]
    out = []
    if list(entries) != tool_field["constraints"]["enum"]:
        out.append(f"entries {list(entries)} are not the tool enumeration {tool_field['constraints']['enum']}")
    for code, e in entries.items():
        scale = [j for level in e["scale"] for j in level]
        if e["domains"][-1:] != ["overall"] or not set(e["domains"]) <= domains:
            out.append(f"{code}: domains {e['domains']} are not domains of the schema ending in overall")
        if not set(e.get("required", ())) <= set(e["domains"]):
            out.append(f"{code}: a required domain that is not among its domains")
        if not set(scale) <= judgements or not set(e.get("highRisk", ())) <= set(scale):
            out.append(f"{code}: a judgement of its scale or highRisk that is not a judgement of the schema")
        drawn = e.get("figure", {}).get("drawnWith")
        if drawn is not None and drawn not in entries:
            out.append(f"{code}: drawn with {drawn}, which is no tool")
    for design in designs:
        claimed = [c for c, e in entries.items() if design in e.get("designs", ())]
        if len(claimed) != 1:
            out.append(f"design {design} is appraised by {claimed}, not by one tool")
    if sum(not e.get("assessed", True) for e in entries.values()) != 1:
        out.append("not exactly one entry for the studies that are not assessed")
    return out


def rob_schema() -> dict:
    return json.loads((SCHEMAS_DIR / "risk_of_bias.json").read_text(encoding="utf-8"))


def field(raw: dict, name: str) -> dict:
    return next(f for f in raw["fields"] if f["name"] == name)


def problems_of(raw: dict) -> list[str]:
    domains = set(field(raw, "domain")["constraints"]["enum"])
    judgements = set(field(raw, "judgement")["constraints"]["enum"])
    return entry_problems(field(raw, "tool"), domains, judgements, load_schema().enum("design"))


def test_every_tool_entry_is_complete_and_the_tools_share_out_the_designs():
    raw = rob_schema()
    assert problems_of(raw) == []
    assert list(rob.TOOLS) == field(raw, "tool")["constraints"]["enum"]
    assert rob.tool_for("crossover_rct", "literature") == "rob2_crossover"
    assert rob.tool_for("rct", "seed_article") == "not_assessed"
    assert rob.figure_domains(rob.drawn_together("rob2"))[:2] == ["randomization", "period_carryover"]
    assert rob.high_risk() == {"high", "serious", "critical"} and rob.low_risk() == {"low"}
    # negative control: each planted fault is found
    broken = copy.deepcopy(raw)
    tools = field(broken, "tool")["x-helpers"]["tools"]
    tools["robins_i"]["designs"].append("rct")
    tools["murad_case_series"]["domains"].append("causation")
    tools["rob2"]["highRisk"] = ["severe"]
    tools["rob2_crossover"]["figure"]["drawnWith"] = "rob3"
    found = problems_of(broken)
    assert len(found) == 4, found
    assert any("design rct is appraised by ['rob2', 'robins_i']" in f for f in found)


def test_signalling_answers_take_the_form_of_the_schemas_pattern(monkeypatch):
    assert rob.parse_signalling("1.1=Y; S.3=PN;Q8=NA") == {"1.1": "Y", "S.3": "PN", "Q8": "NA"}
    assert rob.parse_signalling("9.1=Y") is None and rob.parse_signalling("1.1=Y;1.1=N") is None
    raw = copy.deepcopy(field(rob_schema(), "signalling"))
    raw["constraints"]["pattern"] = "^[A-Z]+$"  # not ONE(;ONE)*: refused, never guessed
    monkeypatch.setattr(rob, "field_raw", lambda column, table: raw)
    with pytest.raises(ValueError, match="is not"):
        rob.answer_pattern()
