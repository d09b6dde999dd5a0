"""Review questions: every certainty line names a known question and states its directness consistently
with its indirectness rating; a zero count says where it comes from (planted failures beside passing data)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from helpers.data.dataset import load_dataset
from helpers.data.questions import QUESTION_CHECKS
from helpers.data.record_rules import RULES


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def _problems(ds, certainty):
    tables = dict(ds.tables, certainty=certainty)
    planted = type(ds)(ds.studies, tables, ds.paths)
    out = defaultdict(list)
    for check in QUESTION_CHECKS:
        check(planted, out)
    return [(p.column, p.rule) for p in out["certainty"]]


def test_shipped_lines_pass_every_question_check(ds):
    assert _problems(ds, ds.get("certainty")) == []
    for rule in ("directness_fits_indirectness", "directness_has_reason", "comparator_applicable"):
        for column, mask in RULES[rule](ds.get("certainty")).items():
            assert mask.all(), (rule, column)


def test_an_unknown_question_is_refused(ds):
    cert = ds.get("certainty").copy()
    cert.loc[cert.index[0], "question"] = "migraine_nosuch"
    assert ("question", "question_exists") in _problems(ds, cert)


def test_a_harms_line_in_a_benefit_question_is_refused(ds):
    cert = ds.get("certainty").copy()
    harm = cert.index[cert["outcomes"].astype(str).str.startswith("ae_")][0]
    cert.loc[harm, "question"] = "migraine_primary"
    assert ("question", "question_of_kind") in _problems(ds, cert) or (
        "question",
        "question_of_condition",
    ) in _problems(ds, cert)


def test_indirectness_zero_with_an_indirect_element_is_refused(ds):
    cert = ds.get("certainty").copy()
    direct = cert.index[cert["indirectness"] == 0][0]
    assert RULES["directness_fits_indirectness"](cert)["indirectness"].all()
    cert.loc[direct, "direct_population"] = "no"
    assert not RULES["directness_fits_indirectness"](cert)["indirectness"][direct]
    # and the element marked indirect must be named in the reason
    assert not RULES["directness_has_reason"](cert)["direct_population"][direct]


def test_a_zero_count_without_its_basis_is_refused(ds):
    cert = ds.get("certainty").copy()
    inferred = cert.index[cert["zero_events"].astype("string") == "inferred"][0]
    cert.loc[inferred, "zero_events"] = None
    assert ("zero_events", "zero_says_where") in _problems(ds, cert)


def test_a_line_without_a_question_is_refused_and_with_one_passes(tmp_path):
    import csv

    from helpers.data.loader import load_table
    from helpers.errors import TableError
    from helpers.paths import DATA

    rows = list(csv.DictReader((DATA / "certainty.csv").open(newline="", encoding="utf-8")))
    path = tmp_path / "certainty.csv"

    def write(question: str) -> None:
        rows[0]["question"] = question
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    write("migraine_acute_attack")
    assert len(load_table(path, "certainty", cache=False)) == len(rows)
    write("")
    with pytest.raises(TableError) as err:
        load_table(path, "certainty", cache=False)
    assert [(p.line, p.column) for p in err.value.problems] == [(2, "question")]


def test_a_registration_under_an_unknown_question_is_refused(ds):
    regs = ds.get("registrations").copy()
    planted = type(ds)(ds.studies, dict(ds.tables, registrations=regs), ds.paths)
    out = defaultdict(list)
    for check in QUESTION_CHECKS:
        check(planted, out)
    assert out["registrations"] == []  # the shipped registrations: every question named exists
    regs.loc[regs.index[0], "question_id"] = "neck_pain_nosuch"
    for check in QUESTION_CHECKS:
        check(planted, out)
    assert [(p.column, p.rule) for p in out["registrations"]] == [("question_id", "question_exists")]
