"""The index page: one answer per condition, then every report with its one-line summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..files import write_atomic
from ..report.html import esc
from ..report.names import study_names
from ..report.params import EVIDENCE_LABELS, condition_label
from ..report.text import plural, seed_sentence
from .citations import report_links
from .cite import cite_html
from .colophon import NOT_ADVICE, made_by, searched_on, version_words
from .freshness import FEED, feed_link, freshness_html, queue_sentence

INDEX_CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.lede { color: #444; }
.answers h2 { margin-top: .8rem; }
.answers ul { margin: .4rem 0; }
.harms-line { margin: .4rem 0; }
@media (max-width: 600px) { body { margin: .8rem auto; } h1 { font-size: 1.15rem; } h2 { font-size: 1.05rem; } .answers li { margin: .25rem 0; } }
.callout { border-left: 4px solid #D55E00; background: #fdf6f2; padding: .6rem 1rem; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border-bottom: 1px solid #e3e6ea; padding: .45rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.summary { color: #444; font-size: 13.5px; }
.answers ul { padding-left: 1.2rem; }
footer.colophon { margin-top: 2rem; padding-top: .6rem; border-top: 1px solid #ddd; font-size: 13px; color: #333; }
.answers li { margin: .35rem 0; }
section li { overflow-wrap: anywhere; }  /* a long name or number never widens the page on a phone */
.certainty { font-weight: 600; color: #0b4f7a; }
.badge { display: inline-block; font-size: 13px; font-weight: 600; color: #0b4f7a; border: 1px solid #0b4f7a; border-radius: 3px; padding: 0 .3rem; }
h2 { font-size: 1.2rem; margin-top: 1.6rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
a { color: #005A8C; }
.stale-notice { border-left: 4px solid #B00020; background: #fdf0f0; padding: .6rem 1rem; }
@media print { a[href]::after { content: " <" attr(href) ">"; font-size: 85%; overflow-wrap: anywhere; } }
"""


def notebook_title(path) -> str:
    """The notebook's own title: the first Markdown heading of its first cell."""
    import json

    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(path).stem


def _answers_html(answers, jobs) -> str:
    """One answer per condition (its status and the reviewers' answer, with a certainty badge), each linking
    its bottom line, where the question, the closest evidence and harms are."""
    if not answers:
        return ""
    pages = {j.params.condition: j.name for j in jobs if Path(j.name).stem == "00_bottom_line"}
    labels = {condition_label(c): c for c in pages}
    items = []
    for label, _full, certainty, short in answers:
        page = pages.get(labels.get(label, ""))
        more = f' <a href="{esc(page)}">Details</a>' if page else ""
        items.append(  # the answer is HTML, escaped
            f'<li><strong>{esc(label.capitalize())}</strong> <span class="badge">Certainty: {certainty}</span> '
            f"{short}{more}</li>"
        )
    return (
        '<section class="answers" aria-labelledby="answers-h"><h2 id="answers-h">'
        f"Do ketamine infusions help? The answer by condition</h2><ul>{''.join(items)}</ul></section>"
    )


def seed_names(studies: pd.DataFrame) -> str:
    """The article's citations by name, so a reader can check them: 'Cited: Roberts 2014, ...'."""
    seeds = studies[studies["source"].astype(str) == "seed_article"].drop_duplicates("study_id")
    names = study_names(studies)
    listed = [names.get(s, s) for s in seeds["study_id"].astype(str)]
    return f"The article's citations: {', '.join(listed)}." if listed else ""


def citation_paragraphs(prefix: str = "") -> str:
    """The links to the reference files of the whole table (each report links its own condition's)."""
    out = []
    for group in report_links(prefix):
        links = ", ".join(f'<a href="{esc(f["href"])}" download>{esc(f["text"])}</a>' for f in group["files"])
        out.append(f"<p>{esc(group['label'])} (whole table): {links}.</p>")
    return "\n".join(out)


def write_index(
    path: Path, jobs, studies: pd.DataFrame, summaries: dict[str, str], answers=None, changes="", harms=""
) -> Path:
    """The index of the reports ``jobs`` (of one build: one study table, evidence filter and subgroup column),
    each listed with its one-line summary from ``summaries`` (plain text, by published name)."""
    evidence, subgroup = jobs[0].params.evidence, jobs[0].params.subgroup or None
    subgroup_link = f', <a href="tables/subgroups.csv">subgroups.csv</a> (by {esc(subgroup)})' if subgroup else ""
    figures_note = (
        " Every figure is also under <code>figures/</code> as a 300-dpi PNG."
        if any(getattr(j, "figures", False) for j in jobs)
        else ""
    )
    data_path = jobs[0].params.data_path
    searched = searched_on(data_path)
    searched_text = f" The evidence is as found by searches last run on {esc(searched)}." if searched else ""
    searched_text += " " + version_words(data_path, "data/CHANGELOG.md").strip()
    seed = studies[studies["source"] == "seed_article"]["study_id"].nunique()
    seed_found = studies[(studies["source"] == "seed_article") & (studies["verification"] == "verified")][
        "study_id"
    ].nunique()
    verified = studies[studies["verification"] == "verified"]["study_id"].nunique()
    rows = []
    for job in jobs:
        title = notebook_title(job.notebook)
        rows.append(
            f"<tr><td>{esc(condition_label(job.params.condition))}</td>"
            f'<td><a href="{esc(job.name)}">{esc(title)}</a></td>'
            f'<td class="summary">{esc(summaries.get(job.name, ""))}</td></tr>'
        )
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>Ketamine for migraine, neck pain and low back pain: evidence reports</title>
{feed_link()}
<style>{INDEX_CSS}</style></head>
<body>
<main>
<h1>Ketamine infusions for migraine, neck pain and low back pain</h1>

{_answers_html(answers, jobs)}
{f'<p class="harms-line">{harms}</p>' if harms else ""}
<p class="callout">{esc(seed_names(studies))} {esc(seed_sentence(seed, seed_found))}</p>
<p class="lede">Evidence reports built from the study table ({len(studies)} rows,
{studies["study_id"].nunique()} studies; {esc(EVIDENCE_LABELS[evidence])}).</p>
{freshness_html(data_path)}
<p class="queue">{esc(queue_sentence(data_path))} <a href="{FEED}">Follow new versions and changed answers (Atom feed)</a>.</p>
{changes}
<p>The article's claims are shown beside
{esc(plural(verified, "verified published study", "verified published studies"))} and are always marked as unverified.</p>
<h2>The reports</h2>
<table><caption>Reports by condition, each with its one-line summary</caption>
<thead><tr><th scope="col">Condition</th><th scope="col">Report</th><th scope="col">Summary</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</main>
<footer class="colophon" aria-labelledby="colophon-h"><h2 id="colophon-h">How this was made</h2>
<p>{esc(NOT_ADVICE)}</p>
<p>{made_by()}{searched_text} The data the reports read are published beside them in data/
(<a href="data/studies.csv">studies.csv</a>, <a href="data/search_log.csv">search_log.csv</a>,
<a href="data/screening.csv">screening.csv</a>, <a href="data/risk_of_bias.csv">risk_of_bias.csv</a>,
<a href="data/certainty.csv">certainty.csv</a>, <a href="data/claims.csv">claims.csv</a>, with
<a href="data/README.md">the data dictionary</a>).</p>
<p>Machine-readable tables: <a href="tables/effects.csv">effects.csv</a>,
<a href="tables/pooled_effects.csv">pooled_effects.csv</a>,
<a href="tables/pooling_decisions.csv">pooling_decisions.csv</a>,
<a href="tables/leave_one_out.csv">leave_one_out.csv</a>, <a href="tables/cumulative.csv">cumulative.csv</a>,
<a href="tables/small_study.csv">small_study.csv</a>{subgroup_link}.{figures_note}</p>
{citation_paragraphs()}
</footer>
{cite_html("index.html", "Evidence reports", data_path)}
</body></html>
"""
    write_atomic(path, html)
    return path
