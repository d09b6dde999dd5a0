"""Every fact once: the facts every built page marks agree with each other and with the study table read here,
no number stands beside a study's name without a mark, and a changed number leaves no trace of the old one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.data.dataset import load_dataset
from helpers.paths import DATA
from helpers.report import claims as claims_module
from helpers.report import open_report
from helpers.report.bottom_line import index_answers
from support.consistency import (
    alt_values_unmarked,
    close,
    disagreements,
    marks,
    mismatches,
    names,
    pools_as,
    read,
    segments,
    unmarked_numbers,
    write,
)
from support.reports import shipped_report

TABLES = ("studies", "search_log", "screening", "risk_of_bias", "questions", "certainty", "claims")


@pytest.fixture(scope="module")
def pages(shipped) -> dict[str, str]:
    return {str(p.relative_to(shipped)): p.read_text(encoding="utf-8") for p in sorted(shipped.rglob("*.html"))}


def test_every_mark_agrees_with_the_study_table_and_with_every_other_mark(pages):
    found = [m for page, text in pages.items() for m in marks(page, text)]
    assert len(found) > 300  # the Summary of Findings, statements, claims and index are marked
    for page in ("index.html", "all/00_bottom_line.html", "migraine/00_bottom_line.html"):
        assert any(m.page == page for m in found), page
    assert not disagreements(found)
    rows, lines = read(DATA / "studies.csv"), read(DATA / "certainty.csv")
    assert not mismatches(found, rows, lines, pools_as())


def test_pooled_rates_are_marked_as_the_build_wrote_them(pages, shipped):
    table = read(shipped / "tables" / "pooled_effects.csv")
    found = [m for page, text in pages.items() for m in marks(page, text) if (m.key or "").startswith("proportion:")]
    assert found
    for m in found:
        _, cond, outcome = m.key.split(":")
        (row,) = [
            r
            for r in table
            if r["condition"] == cond
            and r["outcome"] == outcome
            and r["transform"] == "logit"
            and r["method"] == "REML"
        ]
        assert close(
            float(m.value), float(row[{"estimate": "estimate", "lower": "ci_lower", "upper": "ci_upper"}[m.field]])
        )


def test_no_number_beside_a_study_name_without_a_mark(pages):
    study_names = names(read(DATA / "studies.csv"))
    offenders = {page: unmarked_numbers(text, study_names) for page, text in pages.items()}
    assert not {p: o for p, o in offenders.items() if o}
    # figures' alt text cannot hold marks: each value it gives beside a study is one the page marks
    checked, alt_offenders = 0, {}
    for page, text in pages.items():
        n, bad = alt_values_unmarked(page, text, study_names)
        checked += n
        if bad:
            alt_offenders[page] = bad
    assert checked > 10 and not alt_offenders


def test_the_effect_sizes_summary_is_re_derived_from_its_table():
    """The effect-size report's first sentence counts studies by the direction of their intervals: counted here
    from the marks of the table below it and the study table's designs."""
    rows = read(DATA / "studies.csv")
    es = shipped_report("all").effect_sizes
    found = marks("table", es.effects_table().data)
    meta = {r["study_id"]: r for r in rows}
    limits: dict[tuple, dict] = {}
    for m in found:
        if (
            m.field in ("lower", "upper")
            and not m.key.startswith("ae_")
            and meta[m.study]["verification"] != "not_found"
        ):
            limits.setdefault((m.study, m.key), {})[m.field] = float(m.value)
    by_study: dict[str, set] = {}
    for (study, key), lim in limits.items():
        measure = next(
            r["effect_measure"] for r in rows if r["study_id"] == study and r["outcome"] == key.split("@")[0]
        )
        null = 1.0 if measure in ("risk_ratio", "odds_ratio") else 0.0
        if measure == "proportion":
            continue
        way = "ketamine" if lim["upper"] < null else "comparator" if lim["lower"] > null else "none"
        by_study.setdefault(study, set()).add(way)
    reviews = {s for s in by_study if meta[s]["design"] in ("meta_analysis", "systematic_review", "review")}
    primary = {s: w for s, w in by_study.items() if s not in reviews}
    words = {
        "ketamine": "favouring ketamine",
        "none": "with no clear difference",
        "comparator": "favouring the comparator",
    }
    parts = [
        f"{sum(w == {k} for w in primary.values())} {v}"
        for k, v in words.items()
        if sum(w == {k} for w in primary.values())
    ]
    mixed = sum(len(w) > 1 for w in primary.values())
    if mixed:
        parts.append(f"{mixed} with results pointing different ways")
    # direct for its condition's primary question: on a line of that question with all four elements direct
    kinds = {q["question_id"]: q["kind"] for q in read(DATA / "questions.csv")}
    elements = ("direct_population", "direct_intervention", "direct_comparator", "direct_outcome")
    direct = {
        s
        for line in read(DATA / "certainty.csv")
        if kinds.get(line["question"]) == "primary" and all(line[e] == "yes" for e in elements)
        for s in line["study_ids"].split("|")
    }
    k = len(set(primary) - direct)
    said = {0: "", len(primary): "; none answers its condition's main question directly"}.get(k, f"; {k} of them")
    text = es.headline().data
    assert f"{len(primary)} studies give a 95% CI for benefit{said}" in text, text
    assert f"Their intervals: {', '.join(parts)}." in text, text


# ------------------------------------------------------------------ negative controls (in this process)
def test_a_planted_second_path_is_found(monkeypatch):
    """The claims table formatting a result by its own path, unmarked and as reported, is caught by the scan;
    a mark with another value by the table check; two marks of one fact by the agreement check."""
    rows = read(DATA / "studies.csv")
    study_names = names(rows)
    html = shipped_report("headache_other").appraisal.claims_table().data
    assert not unmarked_numbers(html, study_names)
    assert not mismatches(marks("claims", html), rows, read(DATA / "certainty.csv"), pools_as())

    def as_reported(res, with_measure=True):  # the old second path: the table's number, not the finding's
        row = next(
            (r for r in rows if r["study_id"] == res.study_id and r["outcome"] == res.outcome and r["effect"]), None
        )
        return f"{res.measure.replace('_', ' ')} {float(row['effect']):g}" if row else "no number"

    monkeypatch.setattr(claims_module, "result_html", as_reported)
    planted = open_report("headache_other").appraisal.claims_table().data
    assert any("Benish 2019" in x for x in unmarked_numbers(planted, study_names))

    wrong = re.sub(
        r'(data-field="participants"[^>]*value=")(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1), html
    )
    sof = shipped_report("headache_other").appraisal.sof_table().data  # sof.py has its own result_html
    wrong = re.sub(
        r'(value=")(\d+)("[^>]*data-field="participants")|(data-field="participants"[^>]*value=")(\d+)',
        lambda m: (m.group(1) or m.group(4)) + str(int(m.group(2) or m.group(5)) + 1) + (m.group(3) or ""),
        sof,
        count=1,
    )
    assert wrong != sof
    assert mismatches(marks("sof", wrong), rows, read(DATA / "certainty.csv"), pools_as())
    assert disagreements(marks("sof", sof) + marks("sof2", wrong))


def copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in TABLES:
        shutil.copy(DATA / f"{name}.csv", folder / f"{name}.csv")
    return folder


def statements(data: Path | None) -> list[str]:
    """Every statement a bottom-line report and the index make, as reader text segments (of the shipped data
    when ``data`` is None, from the report this process shares)."""
    out = []
    for condition in ("headache_other",):  # both changed studies, their lines, claims and certainty reasons
        r = shipped_report(condition) if data is None else open_report(condition, data_path=str(data / "studies.csv"))
        a = r.appraisal
        for part in (
            a.headline(),
            a.details(),
            a.plain_summary(),
            a.sof_table(),
            a.certainty_table(),
            a.claims_table(),
        ):
            out += segments(part.data, keep_marks=True)
    out += [
        seg
        for _, answer, *_ in index_answers(load_dataset(None if data is None else data / "studies.csv"))
        for seg in segments(answer, keep_marks=True)
    ]
    return out


def text_of(segs: list[str], name: str) -> str:
    return " ".join(s for s in segs if name in s)


@pytest.mark.integration
def test_a_changed_number_leaves_no_old_number_in_any_statement(tmp_path):
    data = copy_data(tmp_path)
    rows = read(data / "studies.csv")
    for r in rows:
        if r["study_id"] == "benish2019":
            r["n_ketamine"] = str(int(r["n_ketamine"]) + 10) if r["n_ketamine"] else ""
            r["n_randomized"], r["n_analysed"] = str(int(r["n_randomized"]) + 10), str(int(r["n_analysed"]) + 10)
        if r["study_id"] == "zitek2018" and r["outcome"] == "ae_withdrawal":
            assert r["events_ketamine"] == "2"
            r["events_ketamine"] = "4"
    write(data / "studies.csv", rows)
    before = statements(None)
    after = statements(data)
    # Benish 2019: 27 + 26 = 53 patients before, 63 after, wherever it is counted
    assert "53 participants" in text_of(before, "Benish 2019")
    assert "53 participants" not in text_of(after, "Benish 2019") and "63 participants" in text_of(after, "Benish 2019")
    # Zitek 2018's withdrawals, in the claims' reasoning and the certainty reasons too
    old, new = "2 of 25 with ketamine", "4 of 25 with ketamine"
    assert old in " ".join(before) and old not in " ".join(after) and new in " ".join(after)
