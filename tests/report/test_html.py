"""Text from the table is inert in HTML and Markdown; links only for well-formed identifiers."""

import pandas as pd

from helpers.report.html import doi_link, esc, md, pmid_link, table_html


def test_escaping():
    assert esc("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<" not in md("<img src=x onerror=alert(1)>")
    assert md("[x](javascript:alert(1))") == "\\[x\\]\\(javascript&#58;alert\\(1\\)\\)"


def test_links_only_when_well_formed():
    assert doi_link("10.5811/westjem.2018.8.37875").startswith('<a href="https://doi.org/10.5811/')
    assert "<a" not in doi_link("javascript:alert(1)")
    assert "<a" not in doi_link('10.1000/x" onmouseover="alert(1)')
    assert (
        pmid_link("30429927")
        == '<a href="https://pubmed.ncbi.nlm.nih.gov/30429927/" rel="noopener noreferrer">PMID 30429927</a>'
    )
    assert "<a" not in pmid_link("123abc")


def test_table_cells_are_escaped():
    out = table_html(pd.DataFrame({"a": ["<b>x</b>"]}))
    assert "<b>x</b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out


def test_markdown_text_cannot_become_a_link_or_math():
    out = md("https://2130706433/b and mail@evil.example and $x$")
    assert "https://" not in out and "@" not in out
    assert "\\$x\\$" in out
