"""Reference-manager files: every published study once, the article's unlocated citations apart.

The files are parsed with maintained parsers (bibtexparser 2, rispy, json for
CSL-JSON) and compared with the study table; nothing here names a study.
"""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from helpers.data.loader import load_studies
from helpers.paths import ROOT
from helpers.report.citations import NOT_LOCATED, NOT_LOCATED_NOTE, REFERENCES, parse_citation, write_citations
from helpers.report.params import report_conditions, select

HOSTILE = ROOT / "tests" / "fixtures" / "hostile" / "studies.csv"


def parse_bib(path):
    lib = bibtexparser.parse_file(
        str(path), append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()]
    )
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return {e.key: {k: f.value for k, f in e.fields_dict.items()} for e in lib.entries}


def parse_ris(path):
    with open(path, encoding="utf-8") as fh:
        return {e["id"]: e for e in rispy.load(fh)}


def parse_csl(path):
    return {item["id"]: item for item in json.loads(path.read_text(encoding="utf-8"))}


def first(rows, column):
    """The study's first non-empty value of a column (as the table gives it)."""
    values = [v for v in rows[column] if v is not None and str(v) != "<NA>" and str(v) != "nan" and str(v) != ""]
    return str(values[0]) if values else ""


@pytest.fixture(scope="module")
def studies():
    return load_studies()


@pytest.fixture(scope="module")
def written(studies, tmp_path_factory):
    out = tmp_path_factory.mktemp("citations")
    write_citations(studies, out, report_conditions(), "all")
    return out


def expected_ids(table, source):
    return set(table.loc[table["source"] == source, "study_id"].astype(str))


@pytest.mark.parametrize("condition", (None,) + report_conditions())
def test_each_file_holds_each_study_of_its_source_once(studies, written, condition):
    folder = written if condition is None else written / condition
    table = studies if condition is None else select(studies, condition, "all")
    for stem, source in ((REFERENCES, "literature"), (NOT_LOCATED, "seed_article")):
        want = expected_ids(table, source)
        bib, ris, csl = (
            parse_bib(folder / f"{stem}.bib"),
            parse_ris(folder / f"{stem}.ris"),
            parse_csl(folder / f"{stem}.json"),
        )
        assert set(bib) == set(ris) == set(csl) == want, (stem, condition)
        ris_ids = [e["id"] for e in rispy.loads((folder / f"{stem}.ris").read_text(encoding="utf-8"))]
        assert len(ris_ids) == len(set(ris_ids)), "one entry per study"
    assert not (expected_ids(table, "literature") & expected_ids(table, "seed_article"))


def test_fields_agree_with_the_table(studies, written):
    bib = parse_bib(written / f"{REFERENCES}.bib")
    ris = parse_ris(written / f"{REFERENCES}.ris")
    csl = parse_csl(written / f"{REFERENCES}.json")
    lit = studies[studies["source"] == "literature"]
    assert len(bib) == lit["study_id"].nunique() > 0
    for sid, rows in lit.groupby("study_id", observed=True):
        citation, year = first(rows, "citation"), first(rows, "year")
        doi, pmid = first(rows, "doi"), first(rows, "pmid")
        b, r, c = bib[sid], ris[sid], csl[sid]
        assert b["year"] == r["year"] == year and c["issued"]["date-parts"] == [[int(year)]]
        assert b.get("doi", "") == r.get("doi", "") == c.get("DOI", "") == doi
        assert b.get("pmid", "") == c.get("PMID", "") == pmid
        assert r.get("accession_number", "") == (f"PMID: {pmid}" if pmid else "")
        parsed = parse_citation(citation)
        # the title is the citation's own title, or the citation itself when it names none
        assert b["title"] == r["title"] == c["title"] == (parsed["title"] or citation)
        if parsed["journal"]:
            assert parsed["journal"] in citation
            assert b["journal"] == r["journal_name"] == c["container-title"] == parsed["journal"]
        families = [a.last[0] if len(a.last) == 1 else " ".join(a.last) for a in b.get("author", [])]
        families = [f for f in families if f != "others"]
        assert families == [a["family"] for a in c.get("author", [])] == [a.split(",")[0] for a in r.get("authors", [])]
        for family in families:
            assert family in citation
        assert (families and citation.startswith(families[0])) or not families


def test_article_claims_are_marked_and_never_in_the_references(studies, written):
    refs = parse_csl(written / f"{REFERENCES}.json")
    claims = parse_csl(written / f"{NOT_LOCATED}.json")
    seeds = expected_ids(studies, "seed_article")
    assert seeds and set(claims) == seeds and not seeds & set(refs)
    said = NOT_LOCATED_NOTE.split("(")[0]
    for item in claims.values():
        assert item["note"].startswith(said), item["note"]
    for entry in parse_ris(written / f"{NOT_LOCATED}.ris").values():
        assert entry["notes"][0].startswith(said), entry
    for entry in parse_bib(written / f"{NOT_LOCATED}.bib").values():
        assert entry["note"].startswith(said), entry
    for item in refs.values():
        assert said not in item.get("note", "")


def test_authors_parsed_as_far_as_the_citation_gives_them():
    p = parse_citation("Persson M, Sörensen J, Gerdle B. Scand J Pain. 2012;3(3):151-163")
    assert p["authors"] == [("Persson", "M"), ("Sörensen", "J"), ("Gerdle", "B")] and not p["et_al"]
    assert (p["journal"], p["volume"], p["issue"], p["pages"]) == ("Scand J Pain", "3", "3", "151-163")
    p = parse_citation("Roberts et al. Headache. 2014 (as cited by the source article)")
    assert p["authors"] == [("Roberts", "")] and p["et_al"] and p["journal"] == "Headache" and p["remark"]
    p = parse_citation("A study of things: with a subtitle. Clin J Pain. 2005;21(5):412-421")
    assert p["authors"] == [] and p["title"] == "A study of things: with a subtitle" and p["pages"] == "412-421"
    p = parse_citation("no structure at all")
    assert p["title"] == "no structure at all" and p["journal"] == ""


def test_hostile_text_survives_every_format(tmp_path):
    """Braces, backslashes, quotes and markup in a citation: each parser gives the text back."""
    table = load_studies(HOSTILE)
    write_citations(table, tmp_path)
    for stem, source in ((REFERENCES, "literature"), (NOT_LOCATED, "seed_article")):
        bib, ris, csl = (
            parse_bib(tmp_path / f"{stem}.bib"),
            parse_ris(tmp_path / f"{stem}.ris"),
            parse_csl(tmp_path / f"{stem}.json"),
        )
        for sid, rows in table[table["source"] == source].groupby("study_id", observed=True):
            citation = first(rows, "citation")
            title = parse_citation(citation)["title"] or citation
            assert csl[sid]["title"] == ris[sid]["title"] == title
            assert bib[sid]["title"] == title, (bib[sid]["title"], title)
