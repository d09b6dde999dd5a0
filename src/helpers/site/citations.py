"""Reference-manager files for the studies of the table: BibTeX, RIS and CSL-JSON.

Every published study (``source`` = literature) becomes one entry of ``references.bib``, ``references.ris``
and ``references.json``, written from its item in ``data/references.csl.json`` (curated metadata, checked
against the study table by :mod:`helpers.data.bibliography`) with maintained writers (bibtexparser, rispy).
The source article's citations that could not be located (``source`` = seed_article) are no publication:
they go, one entry each, into ``article_citations_not_located.*`` with the citation as the article gives it,
and never into the references. The build writes both sets for the whole table at the top of the output folder
and for each report's selection beside its reports, and every report links its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..data.bibliography import AUTHOR_MARK, bibliography_path, issued_year, items_by_id, load_bibliography
from ..data.links import first_link, is_secondary
from ..files import write_atomic

REFERENCES = "references"
NOT_LOCATED = "article_citations_not_located"
FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}
NOT_LOCATED_NOTE = "Cited by the source article; no matching publication could be located (verification: {v})."
NO_METADATA = "Its bibliographic details could not be confirmed from a page read; recorded as: {c}"


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def references(studies: pd.DataFrame, source: str = "literature", items: list[dict] | None = None) -> list[dict]:
    """One CSL item per study of the given source, in study-table order: the curated item of a published study
    (with a note where the table's numbers are not yet verified), a record of the citation for a claim."""
    rows = studies[studies["source"] == source]
    by_id = items_by_id(items or [])
    columns = ["citation", "year", "verification"]
    # the first non-empty value of each column per study (GroupBy.first skips missing cells), in table order
    firsts = rows.groupby(rows["study_id"].astype(str), sort=False)[columns].first()
    out = []
    for study_id, values in zip(firsts.index, firsts.itertuples(index=False)):
        first = {c: _text(v) for c, v in zip(columns, values)}
        notes = []
        if source == "seed_article":
            item = {"id": study_id, "type": "article-journal", "title": first["citation"]}
            notes.append(NOT_LOCATED_NOTE.format(v=first["verification"]))
        else:
            item = dict(by_id.get(study_id) or {"id": study_id, "type": "article-journal"})
            item.pop(AUTHOR_MARK, None)  # the curators' mark, not CSL
            # the reader's link is built from the identifiers; a copy on an aggregator is never offered as the study
            link = first_link(item.get("DOI"), item.get("PMID"))
            if link:
                item["URL"] = link
            elif is_secondary(item.get("URL")):
                notes.append(f"No DOI or PMID; the abstract was read on a secondary copy: {item.pop('URL')}")
            if "title" not in item:
                notes.append(NO_METADATA.format(c=first["citation"]))
            if first["verification"] != "verified":
                notes.append(
                    f"Numbers in the study table not checked against the publication "
                    f"(verification: {first['verification']})."
                )
        if first["year"] and "issued" not in item:
            item["issued"] = {"date-parts": [[int(float(first["year"]))]]}
        note = " ".join(notes)
        if note:
            item["note"] = note
        else:
            item.pop("note", None)  # where the metadata were read is for the curators, not a reference manager
        out.append(item)
    return out


def pages(item: dict) -> str:
    return item.get("page") or item.get("page-first") or ""


def _names(item: dict, braced: bool = False) -> list[str]:
    """'Family, Given' per author; ``braced``: a family name of several words in braces, so that BibTeX keeps
    it whole ('{Ciampi de Andrade}, Daniel', not a 'de' particle and a family name 'Andrade')."""
    out = []
    for a in item.get("author", []):
        family, given = a.get("family", ""), a.get("given", "")
        if braced:
            family, given = bib_escape(family), bib_escape(given)
            family = "{" + family + "}" if " " in family else family
        out.append(f"{family}, {given}" if given else family)
    return out


# ------------------------------------------------------------------ formats
_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bib_escape(text: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in text)


def to_bibtex(items: list[dict]) -> str:
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field

    library = Library()
    for it in items:
        year = issued_year(it)
        fields = [
            ("author", " and ".join(_names(it, braced=True))),
            ("title", it.get("title", "")),
            ("journal", it.get("container-title", "")),
            ("year", str(year) if year else ""),
            ("volume", it.get("volume", "")),
            ("number", it.get("issue", "")),
            ("pages", pages(it).replace("-", "--")),
            ("doi", it.get("DOI", "")),
            ("pmid", it.get("PMID", "")),
            ("url", it.get("URL", "")),
            ("note", it.get("note", "")),
        ]
        kind = "article" if it.get("type") == "article-journal" else "misc"
        values = [Field(k, str(v) if k in ("doi", "url", "author") else bib_escape(str(v))) for k, v in fields if v]
        library.add(Entry(kind, str(it["id"]), values))
    return write_string(library)


def to_ris(items: list[dict]) -> str:
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:  # no "1." line before each record: reference managers skip it
            return ""

    records = []
    for it in items:
        year = issued_year(it)
        first, _, last = pages(it).partition("-")
        record = {
            "type_of_reference": "JOUR" if it.get("type") == "article-journal" else "GEN",
            "id": str(it["id"]),
            "authors": _names(it),
            "title": it.get("title", ""),
            "journal_name": it.get("container-title", ""),
            "alternate_title3": it.get("container-title-short", ""),
            "year": str(year) if year else "",
            "volume": it.get("volume", ""),
            "number": it.get("issue", ""),
            "start_page": first,
            "end_page": last,
            "doi": it.get("DOI", ""),
            "accession_number": f"PMID: {it['PMID']}" if it.get("PMID") else "",
            "urls": [it["URL"]] if it.get("URL") else [],
            "notes": [it["note"]] if it.get("note") else [],
        }
        records.append({k: v for k, v in record.items() if v})
    return rispy.dumps(records, implementation=Writer)


def to_csl(items: list[dict]) -> list[dict]:
    return items


def write_set(refs: list[dict], folder: Path, stem: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.bib", folder / f"{stem}.ris", folder / f"{stem}.json"]
    write_atomic(paths[0], to_bibtex(refs))
    write_atomic(paths[1], to_ris(refs))
    write_atomic(paths[2], json.dumps(to_csl(refs), indent=1, ensure_ascii=False) + "\n")
    return paths


def write_citations(
    studies: pd.DataFrame, folder: Path, conditions=(), evidence: str = "all", study_path=None
) -> list[Path]:
    """The two sets for the whole table in ``folder``, and for each condition's selection in ``folder/<condition>``
    (the published studies' metadata from the CSL-JSON file beside ``study_path``, where there is one)."""
    from ..report.params import select

    path = bibliography_path(study_path) if study_path else None
    items = load_bibliography(path) if path is not None and path.is_file() else []
    written = []
    for sub, table in [(folder, studies)] + [(folder / c, select(studies, c, evidence)) for c in conditions]:
        written += write_set(references(table, "literature", items), sub, REFERENCES)
        written += write_set(references(table, "seed_article"), sub, NOT_LOCATED)
    return written


def report_links(prefix: str = "") -> list[dict]:
    """The links a page shows to its citation files (``prefix``: their folder relative to the page)."""
    return [
        {
            "label": "Cite the published studies",
            "stem": REFERENCES,
            "files": [
                {"href": f"{prefix}{REFERENCES}.{ext}", "text": f"{name} (.{ext})"} for ext, name in FORMATS.items()
            ],
        },
        {
            "label": "The article's citations that could not be located (kept apart)",
            "stem": NOT_LOCATED,
            "files": [
                {"href": f"{prefix}{NOT_LOCATED}.{ext}", "text": f"{name} (.{ext})"} for ext, name in FORMATS.items()
            ],
        },
    ]
