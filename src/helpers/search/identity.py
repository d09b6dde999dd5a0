"""Whether a record is already known: by DOI, PMID, PMCID, NCT number or normalized title, against every row of
the screening record and the study table (and the records queued earlier in the same run)."""

from __future__ import annotations

import re
import unicodedata

from ..data.rows import cell_text
from .found import Found

DOI = re.compile(r"10\.\d{4,9}/[^\s,;|\"'<>]+", re.I)
NCT = re.compile(r"\bNCT\d{8}\b", re.I)
PMC = re.compile(r"\bPMC\d{4,9}\b", re.I)
#: a PMID as the screening record writes one: the whole identifier, a PubMed address or 'PMID 123'
PMID = re.compile(r"^(\d{5,9})$|pubmed\.ncbi\.nlm\.nih\.gov/(\d{5,9})|\bPMID:?\s*(\d{5,9})", re.I)
#: titles shorter than this (once normalized) are too generic to prove two records the same
MIN_TITLE = 20


def normal_title(title: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: 'Ketamine: a trial.' -> 'ketamine a trial'."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _doi(value: str) -> str:
    return value.lower().rstrip(".)")


def text_keys(*cells) -> set[tuple[str, str]]:
    """The identifiers written anywhere in these cells (an identifier, an address, a note)."""
    keys = set()
    for cell in cells:
        text = cell_text(cell)
        if not text:
            continue
        keys |= {("doi", _doi(m)) for m in DOI.findall(text)}
        keys |= {("nct", m.upper()) for m in NCT.findall(text)}
        keys |= {("pmc", m.upper()) for m in PMC.findall(text)}
        for m in PMID.finditer(text.strip()):
            keys.add(("pmid", next(g for g in m.groups() if g)))
    return keys


def title_key(title) -> set[tuple[str, str]]:
    norm = normal_title(cell_text(title))
    return {("title", norm)} if len(norm) >= MIN_TITLE else set()


def found_keys(f: Found) -> set[tuple[str, str]]:
    keys = title_key(f.title)
    if f.doi:
        keys.add(("doi", _doi(f.doi)))
    if f.pmid:
        keys.add(("pmid", f.pmid))
    if f.nct:
        keys.add(("nct", f.nct.upper()))
    if f.pmcid:
        keys.add(("pmc", f.pmcid.upper()))
    return keys


def known_keys(screening_rows: list[dict], studies) -> set[tuple[str, str]]:
    """Every key of the screening record's rows (identifier, title, note) and the study table's (DOI, PMID,
    source address, notes)."""
    keys: set[tuple[str, str]] = set()
    for row in screening_rows:
        keys |= text_keys(row.get("identifier"), row.get("note")) | title_key(row.get("title"))
    for col in ("doi", "source_url", "notes"):
        if col in studies:
            for value in studies[col].dropna().unique():
                keys |= text_keys(value)
    if "pmid" in studies:
        keys |= {("pmid", cell_text(v).split(".")[0]) for v in studies["pmid"].dropna().unique()}
    return keys
