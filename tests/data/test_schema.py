import json

from helpers.data.dictionary import check_dictionary, render
from helpers.data.schema import conditions, load_schema
from helpers.data.validation import BUILTIN_RULES, RULES
from helpers.paths import SCHEMA_PATH

CONTRACT = (
    "study_id, citation, year, source, verification, doi, pmid, source_url, condition, design, route, "
    "comparator, n_ketamine, n_control, outcome, effect_measure, effect, ci_lower, ci_upper, direction, "
    "followup_days, notes"
).split(", ")


def test_schema_is_valid_json_with_contract_columns():
    raw = json.loads(SCHEMA_PATH.read_text())
    names = [f["name"] for f in raw["fields"]]
    assert len(names) == len(set(names))
    for column in CONTRACT:
        assert column in names
    assert raw["contractColumns"] == CONTRACT


def test_enumerations_required_by_the_contract():
    s = load_schema()
    assert conditions() == ("migraine", "headache_other", "neck_pain", "low_back_pain", "chronic_pain_mixed")
    assert set(s.enum("direction")) == {"favours_ketamine", "favours_comparator", "no_difference", "not_reported"}
    assert {"verified", "not_found"} <= set(s.enum("verification"))
    assert {"seed_article", "literature"} == set(s.enum("source"))


def test_every_schema_rule_is_implemented_and_every_implementation_is_in_the_schema():
    from helpers.data.companions import COMPANIONS

    ids = {r.id for name in ("studies", *COMPANIONS) for r in load_schema(name).rules}
    assert ids == set(RULES) | BUILTIN_RULES


def test_data_dictionary_is_generated_from_the_schema():
    assert check_dictionary() is None, "run `python -m helpers dictionary`"
    text = render()
    for f in load_schema().fields:
        assert f"`{f.name}`" in text
