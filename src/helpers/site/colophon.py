"""What frames every report: its title with the condition, previous and next report, and the colophon.

The colophon ("How this was made") is the one place reader pages name a
command, a notebook or a data file: the build command, the data tables
published beside the reports (linked), the citation files, the date of the
last search, who made the reports and that they are not medical advice.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from ..data.companions import companion_paths
from ..data.loader import load_table
from ..data.version import evidence_version
from ..paths import DATA, ROOT
from ..report.html import esc
from ..report.params import ReportParams, condition_label

#: the data files the build publishes in data/ beside the reports, with the words a reader sees
DATA_FILES = (
    ("studies.csv", "the study table"),
    ("search_log.csv", "the search log"),
    ("search_strategies.csv", "the search strategies, one per source, that are run again every month"),
    ("screening.csv", "the screening record"),
    ("followups.csv", "the follow-ups of screened protocols and registrations"),
    ("registrations.csv", "the registered trials"),
    ("risk_of_bias.csv", "the risk-of-bias judgements"),
    ("review_appraisal.csv", "the reviews' appraisal (AMSTAR 2)"),
    ("certainty.csv", "the GRADE judgements"),
    ("claims.csv", "the source article's claims, checked"),
    ("README.md", "the data dictionary"),
    ("protocol.md", "the review protocol"),
    ("references.csl.json", "the published studies' bibliographic details"),
    ("datapackage.json", "the data package that describes these tables (Frictionless Data)"),
)
NOT_ADVICE = (
    "These reports summarize published research for people weighing the evidence. They are not medical advice: "
    "decisions about treatment belong with a clinician who knows the patient."
)


@cache
def repository_url() -> str | None:
    """The repository's address as pyproject.toml's [project.urls] gives it (Repository), if it does."""
    try:
        data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return data.get("project", {}).get("urls", {}).get("Repository")


def searched_on(data_path) -> str | None:
    """The date of the last search of the data set beside ``data_path`` (the one function every page uses)."""
    from ..report.bottom_line import last_search_in  # the findings and statistics: only when a page is written

    log = companion_paths(data_path).get("search_log")
    if log is None:  # a table without companions
        return None
    try:  # the search log alone: its date does not need the other tables (the build checks them together)
        return last_search_in(load_table(log, "search_log"))
    except Exception:  # a log the build has already refused
        return None


def version_words(data_path, changelog: str = "../data/CHANGELOG.md") -> str:
    """The evidence's version as a sentence: its number, the date its data last changed and whether they have
    changed since it was released (read when the page is rendered, from the data package and git)."""
    if Path(str(data_path).split("#")[0]).resolve().parent != DATA.resolve():
        return "These pages show a table of your own, which has no version of the project's evidence. "
    v = evidence_version()
    if not v.version:
        return ""
    text = f"Evidence version {esc(v.version)}"
    if v.data_date:
        text += f", data last changed on {esc(v.data_date)}"
    if v.unreleased:
        text += ", with changes not yet released as a new version"
    elif v.unreleased is None:  # a copy without git history: nothing to compare the data with
        text += " (this copy has no history to tell whether its data have changed since)"
    return text + f' (<a href="{esc(changelog)}">what changed in each version</a>). '


def made_by() -> str:
    url = repository_url()
    project = "the ketamine evidence-table project"
    if url:
        return f'Made by {project} (<a href="{esc(url)}">its repository</a>).'
    return f"Made by {project}, from a copy of its repository."


def colophon_html(notebook: str, params: ReportParams, citation_links, searched: str | None) -> str:
    """A report's "How this was made": ``params`` are the report's (:class:`helpers.report.params.ReportParams`),
    ``searched`` the date of the last search (:func:`searched_on` of its data, looked up once per build)."""
    data_path = params.data_path
    command = f"python -m helpers build --condition {params.condition} --evidence {params.evidence}"
    if params.subgroup:
        command += f" --subgroup {params.subgroup}"
    data = ", ".join(
        f'<a href="../data/{name}">{esc(words)}</a> (<code>{esc(name)}</code>)' for name, words in DATA_FILES
    )
    cites = "".join(
        f"<li>{esc(g['label'])}: "
        + ", ".join(f'<a href="{esc(f["href"])}" download>{esc(f["text"])}</a>' for f in g["files"])
        + "</li>"
        for g in citation_links
    )
    return (
        '<footer class="colophon" aria-labelledby="colophon-h"><h2 id="colophon-h">How this was made</h2>'
        f"<p>{esc(NOT_ADVICE)}</p><p>{made_by()} "
        + (f"The evidence is as found by searches last run on {esc(searched)}. " if searched else "")
        + version_words(data_path)
        + f"This page was built with <code>{esc(command)}</code> from the notebook "
        f"<code>notebooks/{esc(Path(notebook).name)}</code>; its rows are in "
        f'<a href="studies.csv">studies.csv</a> beside it. Subgroup estimates are added with '
        "<code>--subgroup COLUMN</code> (a categorical column such as <code>design</code> or <code>route</code>, "
        "or one of the researcher's own named <code>x_...</code>).</p>"
        f"<p>The data it reads, published beside the reports: {data}. Every number was read from the source named "
        "in each row of the study table (the abstract, the full text, a preprint or a trial registration).</p>"
        f"<ul>{cites}</ul></footer>"
    )


def neighbours(notebook: str, notebooks: list[str], title_of) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(href, title) of the previous and next report of the same condition, by notebook order."""
    stems = [Path(n).stem for n in notebooks]
    i = stems.index(Path(notebook).stem) if Path(notebook).stem in stems else -1
    prev = (f"{stems[i - 1]}.html", title_of(notebooks[i - 1])) if i > 0 else None
    nxt = (f"{stems[i + 1]}.html", title_of(notebooks[i + 1])) if 0 <= i < len(stems) - 1 else None
    return prev, nxt


def page_title(title: str, condition: str) -> str:
    return f"{condition_label(condition).capitalize()}: {title[0].lower()}{title[1:]}"
