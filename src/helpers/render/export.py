"""HTML export with nbconvert's API, in the project's template (no inputs, prompts or parameters shown)."""

from __future__ import annotations

from pathlib import Path

from ..paths import SRC
from ..report.citations import report_links
from ..report.index import notebook_title
from ..report.params import condition_label
from .jobs import REMOVE_TAGS, Job

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
        exporter = HTMLExporter(config=c)
        exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
        _EXPORTER = exporter
    return _EXPORTER


def render_html(nb, job: Job) -> str:
    title = f"{notebook_title(job.notebook)}: {condition_label(job.condition)}"
    nb.metadata["title"] = title
    resources = {
        "metadata": {"name": title},
        "index_href": "../index.html",
        "report_label": title,
        "report_footer": f"Built from {Path(job.notebook).name} with condition={job.condition}, evidence={job.evidence}.",
        "citation_links": report_links(),
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return body
