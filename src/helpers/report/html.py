"""Safe HTML and Markdown from table text: every value is escaped, links only when well formed."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .numbers import cell

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


#: JupyterLab and stock nbconvert's HTML right-align table cells and let a wide table run past the output. The
#: published reports have their own stylesheet: their export removes this one (helpers.render.export).
LAB_TABLE_STYLE = (
    "<style>"
    ".jp-RenderedHTMLCommon table.evidence-table { display: block; overflow-x: auto; max-width: 100%; }"
    ".jp-RenderedHTMLCommon table.evidence-table th,"
    ".jp-RenderedHTMLCommon table.evidence-table td"
    " { text-align: left; vertical-align: top; max-width: 28rem; overflow-wrap: break-word; }"
    ".jp-RenderedHTMLCommon table.evidence-table caption { text-align: left; font-weight: 600; }"
    "</style>"
)


def lab_tables() -> None:
    """Tables that read well in JupyterLab: text left-aligned and wrapped, a wide table scrolling in its own box.
    JupyterLab keeps the style only in a trusted notebook (one run in this session, or one ``make lab`` trusts)."""
    from IPython.display import HTML, display

    display(HTML(LAB_TABLE_STYLE))


class Html(str):
    """Text that is already HTML, its values escaped where they were put in (a marked number, a link, a badge):
    the table builder keeps it as it is. Any other cell is text, and escaped."""

    __slots__ = ()


@dataclass(frozen=True)
class Row:
    """A table row: its cells, its header cell (``<th scope="row">``) if it has one, and a class."""

    cells: Sequence
    header: object = None
    cls: str = ""


def table(head: Sequence[str], rows: Iterable[Row | Sequence], caption: str = "", cls: str = "") -> str:
    """Every table of a report, built here: a caption, column headers, and rows (a :class:`Row`, or a plain
    sequence of cells). Headers and captions are text; a cell is escaped unless it is :class:`Html`, and a
    number in it is written by :func:`helpers.report.numbers.cell`. ``cls`` adds a class to evidence-table."""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    heads = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    body = []
    for row in rows:
        row = row if isinstance(row, Row) else Row(row)
        opening = f'<tr class="{esc(row.cls)}">' if row.cls else "<tr>"
        first = "" if row.header is None else f'<th scope="row">{_cell(row.header)}</th>'
        body.append(opening + first + "".join(f"<td>{_cell(c)}</td>" for c in row.cells) + "</tr>")
    classes = "evidence-table" + (f" {cls}" if cls else "")
    return f'<table class="{classes}">{cap}<thead><tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _cell(value) -> str:
    return value if isinstance(value, Html) else esc(cell(value))


def table_html(df: pd.DataFrame, caption: str = "") -> str:
    """A data frame as a report table (:func:`table`): every cell escaped, numbers as :func:`numbers.cell`."""
    return table(list(df.columns), df.itertuples(index=False), caption)


def folded(summary: str, body: str) -> str:
    """A detail table folded below the reading path (no script: <details>); the print stylesheet opens it."""
    return f'<details class="detail"><summary>{esc(summary)}</summary>{body}</details>'


_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_CELL_OPEN = re.compile(r"<(td|th)(\s[^>]*)?>")


def label_cells(page: str) -> str:
    """Give every body cell of every table the name of its column (``data-label``), so that on a narrow screen
    the stylesheet can show each row as a card of labelled values instead of a table wider than the screen."""

    def one_table(m: re.Match) -> str:
        table = m.group(0)
        head = re.search(r"<thead\b[^>]*>(.*?)</thead>", table, re.S)
        if not head:
            return table
        labels = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in _HEAD_CELL.findall(head.group(1))]
        start = head.end()

        def one_row(r: re.Match) -> str:
            cells = iter(labels)

            def one_cell(c: re.Match) -> str:
                label = next(cells, "")
                attrs = c.group(2) or ""
                if not label or "data-label=" in attrs:
                    return c.group(0)
                return f'<{c.group(1)}{attrs} data-label="{esc(label)}">'

            return _CELL_OPEN.sub(one_cell, r.group(0))

        return table[:start] + _ROW.sub(one_row, table[start:])

    return _TABLE.sub(one_table, page)


def footnote_letters():
    """a to z, A to Z, then aa, ab, ...: as many footnote marks as a table of many lines needs."""
    alphabet = string.ascii_lowercase + string.ascii_uppercase
    yield from alphabet
    for first in string.ascii_lowercase:
        for second in string.ascii_lowercase:
            yield first + second
