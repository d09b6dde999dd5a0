"""Reference-manager files for the studies of the table: BibTeX, RIS and CSL-JSON.

Every published study (``source`` = literature) becomes one entry of
``references.bib``, ``references.ris`` and ``references.json``; the source
article's citations that could not be located (``source`` = seed_article) go,
one entry each, into ``article_citations_not_located.*`` and never into the
references. The build writes both sets for the whole table at the top of the
output folder and for each report's selection beside its reports
(``<condition>/references.bib``, ...), and every report links its own.

The table holds a short citation ("Etchison AR, et al. West J Emerg Med.
2018;19(6):952-960"); authors, journal, volume, issue and pages are read from
it as far as it gives them, the year, DOI and PMID come from their columns.
When a citation names no title, the citation itself stands as the title.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..files import write_atomic

REFERENCES = "references"
NOT_LOCATED = "article_citations_not_located"
FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}
NOT_LOCATED_NOTE = "Cited by the source article; no matching publication could be located (verification: {v})."

_YEAR = re.compile(r"^(\d{4})\b(.*)$", re.S)
_VOL = re.compile(
    r"^\s*;\s*(?P<volume>[^(:;\s]+)?\s*(?:\((?P<issue>[^)]+)\))?\s*(?::\s*(?P<pages>[^\s;,()]+))?(?P<rest>.*)$", re.S
)
_NAME = r"[^\W\d_][\w'’\-]*"
_AUTHOR = re.compile(rf"^(?P<family>{_NAME}(?: {_NAME})*?)(?: (?P<given>[A-Z]{{1,4}}))?$")
_ETAL = re.compile(r"^(?:(?P<family>.+?) )?et al\.?$")


@dataclass
class Reference:
    """One study as a bibliographic record."""

    key: str
    citation: str
    year: int | None
    authors: list[tuple[str, str]] = field(default_factory=list)  # (family, given)
    et_al: bool = False
    title: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    note: str = ""

    @property
    def first_page(self) -> str:
        return self.pages.split("-")[0]

    @property
    def last_page(self) -> str:
        return self.pages.split("-", 1)[1] if "-" in self.pages else ""


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def _authors(segment: str) -> tuple[list[tuple[str, str]], bool] | None:
    """('Persson M, Sörensen J, Gerdle B') -> authors; None when the segment is not a list of authors."""
    authors, et_al = [], False
    for part in (p.strip() for p in segment.split(",")):
        etal = _ETAL.match(part)
        if etal:
            et_al = True
            if etal.group("family"):
                m = _AUTHOR.match(etal.group("family"))
                if not m:
                    return None
                authors.append((m.group("family"), m.group("given") or ""))
            continue
        if et_al:
            return None
        m = _AUTHOR.match(part)
        if not m:
            return None
        authors.append((m.group("family"), m.group("given") or ""))
    return (authors, et_al) if authors else None


def parse_citation(citation: str) -> dict:
    """Authors, title, journal, volume, issue, pages and a remark, as far as a short citation gives them."""
    text = _text(citation)
    out = {
        "authors": [],
        "et_al": False,
        "title": "",
        "journal": "",
        "volume": "",
        "issue": "",
        "pages": "",
        "remark": "",
    }
    segments = [s.strip() for s in re.split(r"\.\s+", text) if s.strip()]
    year_at = next((i for i, s in enumerate(segments) if i > 0 and _YEAR.match(s)), None)
    if year_at is None:
        out["title"] = text
        return out
    head = segments[: year_at - 1]
    out["journal"] = segments[year_at - 1].rstrip(".")
    if head:
        parsed = _authors(head[0])
        if parsed:
            out["authors"], out["et_al"] = parsed
            head = head[1:]
    out["title"] = ". ".join(head)
    rest = _YEAR.match(". ".join(segments[year_at:])).group(2)
    vol = _VOL.match(rest)
    if vol and rest.lstrip().startswith(";"):
        out.update({k: (vol.group(k) or "").rstrip(".") for k in ("volume", "issue", "pages")})
        rest = vol.group("rest")
    out["remark"] = rest.strip(" .;")
    return out


def references(studies: pd.DataFrame, source: str = "literature") -> list[Reference]:
    """One record per study of the given source, in study-table order."""
    rows = studies[studies["source"] == source]
    refs = []
    columns = ["citation", "year", "doi", "pmid", "verification"]
    # the first non-empty value of each column per study (GroupBy.first skips missing cells), in table order
    firsts = rows.groupby(rows["study_id"].astype(str), sort=False)[columns].first()
    for study_id, values in zip(firsts.index, firsts.itertuples(index=False)):
        first = {c: (v if _text(v) else None) for c, v in zip(columns, values)}
        citation = _text(first["citation"])
        parsed = parse_citation(citation)
        notes = []
        verification = _text(first["verification"])
        if source == "seed_article":
            notes.append(NOT_LOCATED_NOTE.format(v=verification))
        if parsed["remark"] or source == "seed_article":
            notes.append(f"Citation as recorded: {citation}")
        if source != "seed_article" and verification != "verified":
            notes.append(
                f"Numbers in the study table not checked against the publication (verification: {verification})."
            )
        refs.append(
            Reference(
                key=str(study_id),
                citation=citation,
                year=int(first["year"]) if first["year"] is not None else None,
                authors=parsed["authors"],
                et_al=parsed["et_al"],
                title=parsed["title"] or citation,
                journal=parsed["journal"],
                volume=parsed["volume"],
                issue=parsed["issue"],
                pages=parsed["pages"],
                doi=_text(first["doi"]),
                pmid=_text(first["pmid"]),
                note=" ".join(notes),
            )
        )
    return refs


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


def to_bibtex(refs: list[Reference]) -> str:
    out = []
    for r in refs:
        names = [f"{f}, {g}" if g else f for f, g in r.authors] + (["others"] if r.et_al else [])
        fields = [
            ("author", " and ".join(bib_escape(n) for n in names)),
            ("title", bib_escape(r.title)),
            ("journal", bib_escape(r.journal)),
            ("year", str(r.year) if r.year else ""),
            ("volume", bib_escape(r.volume)),
            ("number", bib_escape(r.issue)),
            ("pages", bib_escape(r.pages.replace("-", "--"))),
            ("doi", bib_escape(r.doi)),
            ("pmid", bib_escape(r.pmid)),
            ("note", bib_escape(r.note)),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        out.append(f"@article{{{r.key},\n{body}\n}}\n")
    return "\n".join(out)


def to_ris(refs: list[Reference]) -> str:
    out = []
    for r in refs:
        lines = ["TY  - JOUR", f"ID  - {r.key}"]
        lines += [f"AU  - {f}, {g}" if g else f"AU  - {f}" for f, g in r.authors]
        for tag, value in (
            ("TI", r.title),
            ("JO", r.journal),
            ("PY", str(r.year) if r.year else ""),
            ("VL", r.volume),
            ("IS", r.issue),
            ("SP", r.first_page),
            ("EP", r.last_page),
            ("DO", r.doi),
            ("AN", f"PMID: {r.pmid}" if r.pmid else ""),
            ("N1", r.note),
        ):
            if value:
                lines.append(f"{tag}  - {value}")
        lines.append("ER  - ")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_csl(refs: list[Reference]) -> list[dict]:
    items = []
    for r in refs:
        item = {"id": r.key, "type": "article-journal", "title": r.title}
        if r.authors:
            item["author"] = [{"family": f, "given": g} if g else {"family": f} for f, g in r.authors]
        for key, value in (
            ("container-title", r.journal),
            ("volume", r.volume),
            ("issue", r.issue),
            ("page", r.pages),
            ("DOI", r.doi),
            ("PMID", r.pmid),
            ("note", r.note),
        ):
            if value:
                item[key] = value
        if r.year:
            item["issued"] = {"date-parts": [[r.year]]}
        items.append(item)
    return items


def write_set(refs: list[Reference], folder: Path, stem: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.bib", folder / f"{stem}.ris", folder / f"{stem}.json"]
    write_atomic(paths[0], to_bibtex(refs))
    write_atomic(paths[1], to_ris(refs))
    write_atomic(paths[2], json.dumps(to_csl(refs), indent=1, ensure_ascii=False) + "\n")
    return paths


def write_citations(studies: pd.DataFrame, folder: Path, conditions=(), evidence: str = "all") -> list[Path]:
    """The two sets for the whole table in ``folder``, and for each condition's selection in ``folder/<condition>``."""
    from .params import select

    written = []
    for sub, table in [(folder, studies)] + [(folder / c, select(studies, c, evidence)) for c in conditions]:
        written += write_set(references(table, "literature"), sub, REFERENCES)
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
