"""Reference-manager files: every published study once, from its curated metadata; the article's unlocated
citations apart. The files are parsed with maintained parsers (bibtexparser 2, rispy, json for CSL-JSON) and
compared with the metadata and the study table; pandoc's citeproc renders every entry."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from helpers.data.bibliography import FILE, check_bibliography, issued_year, load_bibliography
from helpers.data.loader import load_studies
from helpers.errors import TableError
from helpers.paths import DATA, ROOT, STUDIES_PATH
from helpers.report.params import report_conditions, select
from helpers.site.citations import NO_METADATA, NOT_LOCATED, NOT_LOCATED_NOTE, REFERENCES, write_citations

HOSTILE = ROOT / "tests" / "fixtures" / "hostile" / "studies.csv"


def plain(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def parse_bib(path):
    lib = bibtexparser.parse_file(
        str(path), append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()]
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
    write_citations(studies, out, report_conditions(), "all", STUDIES_PATH)
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


def test_fields_are_the_curated_metadata_and_agree_with_the_table(studies, written):
    bib = parse_bib(written / f"{REFERENCES}.bib")
    ris = parse_ris(written / f"{REFERENCES}.ris")
    csl = parse_csl(written / f"{REFERENCES}.json")
    items = {i["id"]: i for i in load_bibliography(DATA / FILE)}
    lit = studies[studies["source"] == "literature"]
    assert len(bib) == lit["study_id"].nunique() == len(items) > 0
    for sid, rows in lit.groupby("study_id", observed=True):
        item, b, r, c = items[sid], bib[sid], ris[sid], csl[sid]
        year = first(rows, "year")
        assert b["year"] == r["year"] == year == str(issued_year(item) or year)  # the table gives a missing one
        assert b.get("title", "") == r.get("title", "") == c.get("title", "") == item.get("title", "")
        assert b.get("journal", "") == r.get("journal_name", "") == item.get("container-title", "")
        assert b.get("volume", "") == r.get("volume", "") == item.get("volume", "")
        assert b.get("doi", "") == r.get("doi", "") == c.get("DOI", "") == item.get("DOI", "")
        pmid = item.get("PMID", "")
        assert b.get("pmid", "") == c.get("PMID", "") == pmid
        assert r.get("accession_number", "") == (f"PMID: {pmid}" if pmid else "")
        page = item.get("page") or item.get("page-first") or ""
        assert (
            b.get("pages", "").replace("--", "-").replace("\u2013", "-") == page
            and r.get("start_page", "") == page.split("-")[0]
        )
        families = [" ".join(a.von + a.last).strip("{}") for a in b.get("author", [])]  # braces keep a name whole
        want = [a["family"] for a in item.get("author", [])]
        assert families == want == [a.split(",")[0] for a in r.get("authors", [])], sid
        if "title" in item:  # an article's title, not the table's short citation
            assert item["title"] != first(rows, "citation") and len(item["title"]) > 15
        else:  # nothing made up: the citation as recorded, and why
            assert c["note"].startswith(NO_METADATA.split("{")[0]) and first(rows, "citation") in c["note"]


def test_metadata_that_disagree_with_the_table_are_refused_with_file_line_and_column(tmp_path):
    table = load_studies()
    items = load_bibliography(DATA / FILE)
    folder = tmp_path / "data"
    folder.mkdir()
    with_doi = next(i for i in items if i.get("DOI"))
    changed = [{**i, "DOI": "10.9999/not.this"} if i is with_doi else i for i in items if i["id"] != items[-1]["id"]]
    changed.append({"id": "nosuchstudy2001", "type": "article-journal", "title": "A study not in the table"})
    (folder / FILE).write_text(json.dumps(changed))
    with pytest.raises(TableError) as err:
        check_bibliography(table, folder / "studies.csv")
    text = str(err.value)
    assert f"data/{FILE}" in text or FILE in text
    assert "column doi" in text and "10.9999/not.this" in text and with_doi["id"] in text
    assert items[-1]["id"] in text and "an item with this id" in text  # a published study without metadata
    assert "nosuchstudy2001" in text  # an item for no study
    assert check_bibliography(table, STUDIES_PATH) is not None  # the shipped metadata agree


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


def test_hostile_text_survives_every_format(tmp_path):
    """Braces, backslashes, quotes and markup in a citation: each parser gives the text back (a table without
    metadata beside it: a claim's citation is its title, a published study's is in its note)."""
    table = load_studies(HOSTILE)
    write_citations(table, tmp_path, study_path=HOSTILE)
    for stem, source in ((REFERENCES, "literature"), (NOT_LOCATED, "seed_article")):
        bib, ris, csl = (
            parse_bib(tmp_path / f"{stem}.bib"),
            parse_ris(tmp_path / f"{stem}.ris"),
            parse_csl(tmp_path / f"{stem}.json"),
        )
        for sid, rows in table[table["source"] == source].groupby("study_id", observed=True):
            citation = " ".join(first(rows, "citation").split())
            if source == "seed_article":
                assert csl[sid]["title"] == ris[sid]["title"] == bib[sid]["title"] == citation
            else:
                assert citation in csl[sid]["note"] and citation in ris[sid]["notes"][0]
                assert citation in bib[sid]["note"], (bib[sid]["note"], citation)


@pytest.mark.process
def test_pandoc_citeproc_renders_every_entry(written, tmp_path):
    import shutil
    import subprocess

    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed (apt-get install pandoc; .ci/run installs it)")
    for stem in (REFERENCES, NOT_LOCATED):
        items = json.loads((written / f"{stem}.json").read_text())
        doc = tmp_path / f"{stem}.md"
        doc.write_text("\n\n".join(f"[@{i['id']}]" for i in items) + "\n")
        out = subprocess.run(
            [pandoc, "--citeproc", "--bibliography", str(written / f"{stem}.json"), "-t", "plain", str(doc)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0 and "not found" not in out.stderr, out.stderr
        for i in items:  # each entry rendered: its title (or its family name) is in the bibliography
            words = i.get("title") or (i.get("author") or [{}])[0].get("family") or i["URL"]
            assert plain(words)[:25] in plain(out.stdout), (stem, i["id"])  # styles change case and quotes
