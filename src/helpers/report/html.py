"""Safe HTML and Markdown from table text: every value is escaped, links only when well formed."""

from __future__ import annotations

import html
import re

import pandas as pd

DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s\"<>]+$")
PMID_RE = re.compile(r"^[1-9][0-9]{0,8}$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")
#: characters that let a Markdown renderer turn bare text into a link (https://..., a@b): entity-encoded
_AUTOLINK = {":": "&#58;", "@": "&#64;"}


def esc(value) -> str:
    """Text for HTML: escaped, missing values as an empty string."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def md(value) -> str:
    """Text for Markdown that renders as the same text and nothing else.

    HTML is escaped, Markdown punctuation (links, emphasis, math) is backslashed, and
    ``:`` and ``@`` are entity-encoded so no bare address becomes an automatic link.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))
    for char, entity in _AUTOLINK.items():
        text = text.replace(char, entity)
    return text


def doi_link(doi) -> str:
    doi = "" if doi is None or pd.isna(doi) else str(doi)
    if not DOI_RE.match(doi):
        return esc(doi)
    url = "https://doi.org/" + doi
    return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(doi)}</a>'


def pmid_link(pmid) -> str:
    pmid = "" if pmid is None or pd.isna(pmid) else str(pmid)
    if not PMID_RE.match(pmid):
        return esc(pmid)
    url = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    return f'<a href="{esc(url)}" rel="noopener noreferrer">PMID {esc(pmid)}</a>'


def table_html(df: pd.DataFrame, caption: str = "") -> str:
    """A plain, deterministic HTML table; every cell is escaped."""
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for value in row:
            cells.append(f"<td>{esc(_fmt(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="evidence-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _fmt(value):
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return f"{value:g}"
    return value
