"""HTML export with nbconvert's API, in the project's template (no inputs, prompts or parameters shown)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..paths import SRC
from ..report.html import LAB_TABLE_STYLE, label_cells
from ..report.params import condition_label
from ..site.citations import report_links
from ..site.cite import cite_html
from ..site.colophon import colophon_html, neighbours, page_title
from ..site.freshness import FEED, feed_link, freshness_html
from ..site.index import notebook_title
from .jobs import REMOVE_TAGS, Job, notebooks

TEMPLATES = SRC / "report" / "templates"


_EXPORTER = None  # one per process: building it reads the templates
#: the start tag of a cell's text or an output, made focusable (nbconvert's lab-template rule) so a keyboard can
#: reach and scroll a wide one
FOCUSABLE = re.compile(r'(<div class="(?:[^"]*\s)?(?:jp-OutputArea-output|jp-Cell-inputWrapper)(?:\s[^"]*)?"[^>]*)>')


def _report_exporter():
    """nbconvert's HTML exporter without its last pass, which parses the finished page with BeautifulSoup to add
    alt text to images that lack it and make outputs focusable: a fifth of the main process's work in a cold build
    (benchmarks/results). The report's images all carry alt text (its template and ``figures.alt``); outputs are
    and cells' text made focusable here, as that pass did."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass (nbconvert 7.17)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return FOCUSABLE.sub(r'\1 tabindex="0">', html), resources

    return ReportExporter


def exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert.preprocessors import TagRemovePreprocessor
        from traitlets.config import Config

        c = Config()
        c.TagRemovePreprocessor.remove_cell_tags = REMOVE_TAGS
        c.TagRemovePreprocessor.enabled = True
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
        c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
        c.HTMLExporter.template_name = "report"
        c.HTMLExporter.embed_images = True
        # the notebook is validated once, after the preprocessors, instead of after each of them (13 schema
        # validations of every report's notebook cost more than the export itself); a bad notebook still fails
        c.HTMLExporter.optimistic_validation = True
        exporter = _report_exporter()(config=c)
        exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
        _EXPORTER = exporter
    return _EXPORTER


H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"[^>]*>[^<]*</a></h2>', re.S)


#: how the contents list ends: the screen link to the appendix is placed before it
CONTENTS_END = "</ol></nav>"


def contents(body: str) -> str:
    """A contents list of the page's sections, placed after the key messages (the plain-language summary when
    the page has one, else the first section)."""
    heads = [(m.start(), m.group(1), m.group(2)) for m in H2.finditer(body)]
    if len(heads) < 3:
        return body
    after = body.find('class="plain-summary"')
    later = [h for h in heads if h[0] > after] if after >= 0 else heads
    if not later:
        return body
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for _, anchor, text in heads)
    nav = f'<nav class="contents" aria-label="Contents"><p><strong>Contents</strong></p><ol>{items}{CONTENTS_END}'
    at = later[0][0] if after >= 0 else heads[1][0]
    return body[:at] + nav + body[at:]


#: the fragment that turns a page into its appendix: the detail tables alone, unfolded (the report stylesheet's
#: :target rules), so a page prints short and its details print as a report of their own, from the same file
APPENDIX = "print-appendix"
DETAILS = re.compile(r"<details\b[^>]*>")
#: the claims table prints its claims and verdicts; the nearest evidence and the reasons print in the appendix
CLAIMS = re.compile(r'<table class="evidence-table claims"')


def appendix_link(page: str) -> str:
    """The link to the appendix by the page's own file name: a printed page shows a link's address after it
    (report.css), which a bare #fragment would not give."""
    return f'<a href="{html.escape(page)}#{APPENDIX}">open the appendix</a>'


def print_note(page: str) -> str:
    """What a printed page shows in place of a folded table."""
    return (
        '<p class="print-note">Printed on its own: the table folded here is in this page\'s appendix '
        f"({appendix_link(page)}, then print it).</p>"
    )


def claims_note(page: str) -> str:
    """What a printed page shows above its claims table, which prints without its two longest columns."""
    return (
        '<p class="print-note">Printed here with the verdicts only: the nearest real evidence and the reasons print '
        f"in this page's appendix ({appendix_link(page)}, then print it).</p>"
    )


def screen_link(page: str) -> str:
    """The way to the appendix on screen, where the notes of a printed page are hidden."""
    return f'<a class="appendix-link" href="{html.escape(page)}#{APPENDIX}">Print the detail tables of this page</a>'


def appendix_head(page: str) -> str:
    """The appendix view's heading, and the way back to the page (on screen)."""
    return (
        f'<div id="{APPENDIX}" class="appendix-head"><h2>Appendix: the detail tables of this page</h2>'
        "<p>Every folded table of the page, unfolded, for printing; the page itself prints without them.</p>"
        f'<p class="appendix-back"><a href="{html.escape(page)}">Back to the page</a></p></div>'
    )


def appendix_view(body: str, page: str) -> str:
    """A page with folded detail tables (or a claims table): the mark its appendix view targets, with that view's
    heading; before each fold (and the claims table) the note a printed page shows in its place; and the link a
    screen shows, last in the page's contents (or at the end of the page without them). ``page``: the page's
    address from itself (its folder named, so a printed address says which page)."""
    if not DETAILS.search(body) and not CLAIMS.search(body):
        return body
    body = DETAILS.sub(lambda m: print_note(page) + m.group(0), body)
    body = CLAIMS.sub(lambda m: claims_note(page) + m.group(0), body)
    link = screen_link(page)
    at = body.find(CONTENTS_END)
    if at >= 0:
        body = body[:at] + f"<li>{link}</li>" + body[at:]
        link = ""
    # last in the page (its one h1 stays the first heading); the appendix view moves it to the top
    at = body.rfind("</main>")
    at = at if at >= 0 else len(body)
    tail = f"<p>{link}</p>" if link else ""
    return body[:at] + tail + appendix_head(page) + body[at:]


def render_html(nb, job: Job, searched: str | None) -> str:
    """The report's page from its executed notebook; ``searched``: the date of the last search of its data
    (:func:`helpers.site.colophon.searched_on`, the same for every page of a build)."""
    own = notebook_title(job.notebook)
    title = page_title(own, job.params.condition)
    nb.metadata["title"] = title
    prev, nxt = neighbours(job.notebook, [str(p) for p in notebooks(Path(job.notebook).parent)], notebook_title)
    resources = {
        "metadata": {"name": title},
        "index_href": "../index.html",
        "report_label": title,
        "condition_label": condition_label(job.params.condition).capitalize(),
        "prev": prev,
        "next": nxt,
        "colophon": colophon_html(job.notebook, job.params, report_links(), searched),
        "head_links": feed_link(f"../{FEED}"),
        "freshness": freshness_html(job.params.data_path, searched=searched),
        "cite": cite_html(job.name, title, job.params.data_path),
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    # the notebooks' JupyterLab-only table style: a report has its own stylesheet and no <style> in its body
    page = f"../{job.name}"  # the page from its own folder: a printed address names its condition
    return appendix_view(label_cells(contents(body.replace(LAB_TABLE_STYLE, ""))), page)
