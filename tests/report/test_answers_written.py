"""The reviewers' answers (data/answers.csv): validate refuses one the findings no longer support, and the
text a reader gets first reads at grade 9 or below, in sentences of at most 25 words, without template phrases."""

from __future__ import annotations

import pytest

from helpers.data.dataset import load_dataset
from helpers.errors import TableError
from helpers.findings.answers import answer_problems, check_answers
from helpers.report.bottom_line import bottom_line_for, index_answers, index_harms
from helpers.report.names import study_names
from helpers.report.questions import NOT_ANSWERED
from support.readability import page_text, reading_problems


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def planted(ds, **tables):
    return type(ds)(ds.studies, dict(ds.tables, **tables), ds.paths)


def answers_line(ds, question_id: str) -> int:
    a = ds.get("answers")
    return a.attrs["lines"][list(a["question_id"].astype(str)).index(question_id)] if a.attrs.get("lines") else 0


def test_the_shipped_answers_fit_their_findings(ds):
    assert answer_problems(ds) == []
    check_answers(ds)


def test_a_changed_certainty_makes_validate_name_the_answer(ds):
    cert = ds.get("certainty").copy()
    cert.loc[cert["question"].astype(str) == "neck_pain_laboratory", "certainty"] = "low"
    with pytest.raises(TableError) as e:
        check_answers(planted(ds, certainty=cert))
    said = str(e.value)
    assert "answers.csv" in said and "column written_for_certainty" in said, said
    assert f"line {answers_line(ds, 'neck_pain_primary')}" in said, said


def test_a_changed_direction_makes_validate_name_the_answer(ds):
    s = ds.studies.copy()
    s.loc[s["study_id"].astype(str) == "michelet2018", "direction"] = "no_difference"
    problems = answer_problems(type(ds)(s, ds.tables, ds.paths))
    assert ("written_for_direction", "favours_comparator") in {(p.column, p.value) for p in problems}, problems


def test_a_verb_that_does_not_fit_the_certainty_is_refused(ds):
    a = ds.get("answers").copy()
    a.loc[a["question_id"] == "migraine_harms", "answer"] = "Harms: ketamine probably increases tiredness."
    problems = answer_problems(planted(ds, answers=a))
    assert {p.rule for p in problems} == {"answer_verb"} and problems[0].column == "answer", problems


def test_an_unknown_placeholder_is_refused(ds):
    a = ds.get("answers").copy()
    a.loc[a["question_id"] == "migraine_harms", "summary"] = "In {n_trails} trials the evidence is very uncertain."
    assert [p.value for p in answer_problems(planted(ds, answers=a))] == ["{n_trails}"]


def pages(ds) -> dict[str, str]:
    """Each page's answers and plain-language summary, as the index and the bottom lines show them."""
    names = study_names(ds.studies)
    shown = [page_text(short) for *_, short in index_answers(ds)]  # the index shows the shorter answer
    out = {"index": "\n".join(shown) + "\n" + page_text(index_harms(ds))}
    for c in ("migraine", "headache_other", "neck_pain", "low_back_pain", "chronic_pain_mixed", "all"):
        sel = ds.studies if c == "all" else ds.studies[ds.studies["condition"].astype(str) == c]
        b = bottom_line_for(c, c, ds.studies, sel, ds, names)
        out[c] = page_text(b.headline()) + "\n" + page_text(b.plain_summary())
    return out


def labels(ds) -> tuple[str, ...]:
    """Sentences that repeat by design: the questions and the status they open with."""
    return (*ds.get("questions")["question"].astype(str), NOT_ANSWERED, "The closest evidence is indirect.")


@pytest.mark.integration  # every answer and summary of every page measured (the tier rule in pyproject.toml)
def test_every_page_answer_reads_at_grade_9_in_short_sentences(ds):
    problems = [p for page, text in pages(ds).items() for p in reading_problems(page, text, labels(ds))]
    assert problems == []


def test_a_planted_long_sentence_or_repeated_phrase_fails():
    long = "We " + " ".join(["looked"] * 30) + " at it."
    assert any("a sentence of 33 words" in p for p in reading_problems("x", long))
    repeated = " ".join(["The evidence is very uncertain about this."] * 3)
    assert any("3 times" in p for p in reading_problems("x", repeated))
    assert reading_problems("x", " ".join(["The evidence is very uncertain about this."] * 2)) == []
    hard = "Notwithstanding methodological heterogeneity, pharmacological interventions demonstrate considerable variability."
    assert any("grade" in p for p in reading_problems("x", hard))


@pytest.mark.integration
def test_validate_names_the_answer_a_data_change_leaves_behind(tmp_path, capsys):
    """End to end, in a throw-away copy of data/: an answer given a moderate-certainty verb fails validate with
    file, line and column, in one message; the unchanged copy passes (negative control). The findings' side
    (a line's certainty or a study's direction changed) is planted in memory above."""
    import csv
    import shutil

    from helpers.cli import main
    from helpers.paths import ROOT

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("README.md"))
    assert main(["validate", str(data / "studies.csv")]) == 0
    capsys.readouterr()
    path = data / "answers.csv"
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    line = 2 + next(i for i, r in enumerate(rows) if r["question_id"] == "chronic_pain_mixed_harms")
    rows[line - 2]["answer"] = "Harms: ketamine probably increases strange thoughts."  # moderate's verb
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    assert main(["validate", str(data / "studies.csv")]) == 1
    err = capsys.readouterr().err
    assert "answers.csv" in err and f"line {line}" in err and "column answer" in err, err
