"""HTML export with nbconvert's API, in the project's template (no inputs, prompts or parameters shown)."""

from __future__ import annotations

import re
from pathlib import Path

from ..paths import SRC
from ..report.html import LAB_TABLE_STYLE, label_cells
from ..report.params import condition_label
from ..site.citations import report_links
from ..site.colophon import colophon_html, neighbours, page_title
from ..site.index import notebook_title
from .jobs import REMOVE_TAGS, Job, notebooks

TEMPLATES = SRC / "report" / "templates"


_EXPORTER = None  # one per process: building it reads the templates


def exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
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
        exporter = HTMLExporter(config=c)
        exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
        _EXPORTER = exporter
    return _EXPORTER


H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"[^>]*>[^<]*</a></h2>', re.S)


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
    nav = f'<nav class="contents" aria-label="Contents"><p><strong>Contents</strong></p><ol>{items}</ol></nav>'
    at = later[0][0] if after >= 0 else heads[1][0]
    return body[:at] + nav + body[at:]


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
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    # the notebooks' JupyterLab-only table style: a report has its own stylesheet and no <style> in its body
    return label_cells(contents(body.replace(LAB_TABLE_STYLE, "")))
