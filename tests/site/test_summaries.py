"""Each report's one-line summary on the index is prose computed from the findings: its page's own headline, in
plain text, never CSS, code, a traceback or markup read back from what a notebook displayed."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest

from helpers.data.loader import load_studies
from helpers.paths import STUDIES_PATH
from helpers.render.jobs import Job, notebooks
from helpers.render.options import BuildOptions
from helpers.render.plan import Plan, kept_data_outputs
from helpers.report.headlines import SUMMARY_SECTIONS, summary
from helpers.report.params import ReportParams
from helpers.site.index import write_index
from support.reports import shipped_report

#: what a summary on the index may not hold, each with the words a failure shows
NOT_PROSE = (
    (re.compile(r"[{}]"), "a brace (CSS or code)"),
    (re.compile(r"\b[a-z]+(?:-[a-z]+)*:\s*[-#\w.%]+(?:\s[-#\w.%]+)?;\s*[a-z]+(?:-[a-z]+)*:"), "CSS declarations"),
    (re.compile(r"</?[A-Za-z][^>]*>"), "an HTML tag or an object's repr"),
    (re.compile(r"&(?:#x?[0-9a-fA-F]+|[a-zA-Z]+);"), "a character reference left unresolved"),
    (re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b|File \"|\x1b\["), "a traceback"),
    (re.compile(r"\w\(\)|\b\w+\.\w+\(|^\s*(?:import|from|def|class|return)\b|>>>|In \[\d+\]", re.M), "code"),
    (re.compile(r"\*\*|__|`|\\[\\*_()\[\]#.!-]"), "Markdown marks"),
)
SUMMARY_CELLS = re.compile(r'<td class="summary">(.*?)</td>', re.S)


def not_prose(text: str) -> list[str]:
    """Why ``text`` is not a plain-text sentence a reader can read ([] when it is)."""
    if not text.strip():
        return ["empty"]
    return [f"{why}: {m.group(0)!r}" for pattern, why in NOT_PROSE for m in [pattern.search(text)] if m]


def index_summaries(page: str) -> list[str]:
    """The summary cells of an index page, as the text a reader sees."""
    return [html.unescape(cell) for cell in SUMMARY_CELLS.findall(page)]


# ------------------------------------------------------------------ the built index
def test_every_summary_on_the_built_index_is_prose(shipped):
    page = (shipped / "index.html").read_text(encoding="utf-8")
    summaries = index_summaries(page)
    assert len(summaries) == len(list(shipped.glob("*/0*.html")))  # one per report
    assert {s: not_prose(s) for s in summaries if not_prose(s)} == {}


def test_each_summary_is_its_pages_headline(shipped):
    """The index repeats what the page opens with (markup and spacing aside): a bottom line's question and
    whether a study answers it directly (its answer is at the top of the index); for all conditions, for how
    many of them one does."""
    from helpers.report.questions import NOT_ANSWERED

    page = (shipped / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<a href="([^"]+)">[^<]*</a></td><td class="summary">(.*?)</td>', page, re.S)
    assert rows

    def squeezed(text: str) -> str:
        return re.sub(r"\s+", "", text)

    texts = {}
    for href, cell in rows:
        body = (shipped / href).read_text(encoding="utf-8")
        texts[href] = squeezed(html.unescape(re.sub(r"<[^>]+>", "", body)))
        if href == "all/00_bottom_line.html":  # how many conditions' questions a study answers directly
            said = "no study answers the main question of any" in cell
            assert said == (squeezed(NOT_ANSWERED) in texts[href]), href
            continue
        if href.endswith("00_bottom_line.html"):  # the page says its condition in its title, not before the answer
            cell = cell.split(": ", 1)[1]
        assert squeezed(html.unescape(cell)) in texts[href], href
    # negative control: one report's summary is not in another report's page
    (first, cell), (other, _) = rows[1], rows[2]
    assert squeezed(html.unescape(cell)) not in texts[other], (first, other)


# ------------------------------------------------------------------ negative controls, in this process
OLD_SUMMARY = (  # what the index showed for every bottom-line report before (the notebooks' table style)
    ".lm-Widget .jp-RenderedHTMLCommon table.evidence-table { display: block; overflow-x: auto; max-width: 100%; }"
)


@pytest.mark.parametrize(
    "planted",
    [
        OLD_SUMMARY,
        "display: block; overflow-x: auto; max-width: 100%",
        "Traceback (most recent call last):",
        "ValueError: could not convert string to float",
        "<IPython.core.display.HTML object>",
        '<p class="short-answer">Short answer.</p>',
        "a.headline()",
        "**Migraine: 8 verified published studies.**",
        "Migraine &amp; more",
        "",
    ],
)
def test_a_planted_summary_that_is_not_prose_is_found_on_the_index(tmp_path, planted):
    table = tmp_path / "studies.csv"  # a table of one's own: the index asks git for no version
    shutil.copy(STUDIES_PATH, table)
    job = Job(str(notebooks()[0]), ReportParams("migraine", "all", str(table)))
    real = summary(shipped_report("migraine"), job.notebook)
    studies = load_studies()
    write_index(tmp_path / "good.html", [job], studies, {job.name: real})
    write_index(tmp_path / "planted.html", [job], studies, {job.name: planted})
    assert [not_prose(s) for s in index_summaries((tmp_path / "good.html").read_text())] == [[]], real
    (found,) = [not_prose(s) for s in index_summaries((tmp_path / "planted.html").read_text())]
    assert found, planted


def test_prose_with_parentheses_semicolons_and_colons_passes():
    for text in (
        "All conditions: 26 verified published studies, 12 of them randomized (Nicolodi 1995, Amr 2011); "
        "6 published studies not yet verified; 6 article claims that could not be located.",
        "Short answer. Compared with placebo, the evidence is very uncertain (one randomized trial, 51 "
        "participants; very low certainty). Etchison 2018 found no clear difference.",
        "Migraine: the longest comparison ends at 60 min (Etchison 2018); time points run from 30 min to 60 min.",
    ):
        assert not_prose(text) == [], text


# ------------------------------------------------------------------ where the summaries come from
def test_every_report_notebook_has_a_summary_section_and_shows_its_headline():
    """The registry names a section for every notebook, and the notebook's cell tagged summary shows the
    same section's headline (so the page and the index say the same)."""
    assert set(SUMMARY_SECTIONS) == {p.stem for p in notebooks()}
    for path in notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        (source,) = ["".join(c["source"]) for c in cells if "summary" in c["metadata"].get("tags", [])]
        assert SUMMARY_SECTIONS[path.stem] in source and ".headline()" in source, path.name


@pytest.mark.parametrize("stem", sorted(SUMMARY_SECTIONS))
def test_each_summary_is_plain_text_from_the_findings(stem):
    text = summary(shipped_report("migraine"), f"{stem}.ipynb")
    assert not_prose(text) == [], text
    assert summary(shipped_report("migraine"), "09_not_a_report.ipynb") == ""


# ------------------------------------------------------------------ a rebuild of prose reuses them
def test_a_rebuild_takes_the_recorded_summaries_and_changes_and_recomputes_missing_ones(tmp_path, monkeypatch):
    from helpers.render import plan as planning

    monkeypatch.setattr(planning, "evidence_version", lambda: "1.0.0")  # git runs as a process
    options = BuildOptions.checked(conditions=["migraine"], out=tmp_path / "out")
    plan = Plan(options, notebooks())
    names = [j.name for j in plan.jobs]
    (options.out / "tables").mkdir(parents=True)
    (options.out / "tables" / "effects.csv").write_text("x\n")
    recorded = {
        "files": ["tables/effects.csv"],
        "answers": [],
        "summaries": {n: f"About {n}." for n in names},
        "changes": "<section>What changed</section>",
    }
    plan.state = {"tables_key": plan.tables_key, "data_outputs": recorded}
    assert kept_data_outputs(plan, plan.jobs) == recorded
    # negative controls: a report without a recorded summary (a state of an older build), or a summary that is
    # not text, and they are computed again
    for summaries in ({n: recorded["summaries"][n] for n in names[1:]}, {**recorded["summaries"], names[0]: 5}):
        plan.state = {"tables_key": plan.tables_key, "data_outputs": {**recorded, "summaries": summaries}}
        assert kept_data_outputs(plan, plan.jobs) is None
    # so is the index's "What changed", when a state does not record it as HTML
    for changes in ({}, {"changes": None}):
        kept = {k: v for k, v in recorded.items() if k != "changes"} | changes
        plan.state = {"tables_key": plan.tables_key, "data_outputs": kept}
        assert kept_data_outputs(plan, plan.jobs) is None


def test_what_is_written_meanwhile_ends_at_its_next_step_when_the_build_stops(tmp_path, monkeypatch):
    """A build stopped by a signal waits for the thread writing the tables and the index's answers: with its
    stop event set, it raises Stopped at the next step instead of computing to the end; unset, it goes on."""
    from threading import Event

    from helpers.site import data_outputs

    ds = type("DataSet", (), {"studies": load_studies()})()
    jobs = [Job(str(notebooks()[0]), ReportParams.checked("migraine", "all", str(STUDIES_PATH)))]
    reached = []
    monkeypatch.setattr(data_outputs, "write_data_tables", lambda *a: reached.append("data"))
    monkeypatch.setattr(data_outputs, "write_tables", lambda *a: reached.append("tables"))
    monkeypatch.setattr(data_outputs, "write_condition_tables", lambda *a: reached.append("conditions"))

    def citations(*a):
        reached.append("citations")
        stop.set()  # the build is stopped while the citation files are written

    monkeypatch.setattr(data_outputs, "write_citations", citations)
    monkeypatch.setattr(data_outputs, "index_answers", lambda ds: reached.append("answers") or [])
    monkeypatch.setattr(data_outputs, "index_harms", lambda ds: "")
    stop = Event()
    with pytest.raises(data_outputs.Stopped):
        data_outputs.write_data_outputs(ds, tmp_path, jobs, jobs, stop)
    assert reached == ["data", "tables", "conditions", "citations"]
    # negative control: without a stop, the same steps go on to the answers (and to the end)
    monkeypatch.setattr(data_outputs, "write_citations", lambda *a: reached.append("citations"))
    monkeypatch.setattr(data_outputs, "report_summaries", lambda ds, shown, step: {})
    monkeypatch.setattr(data_outputs, "version_changes", lambda path, answers, harms: None)
    monkeypatch.setattr(data_outputs, "write_feed", lambda path, changes: reached.append("feed"))
    reached.clear()
    out = data_outputs.write_data_outputs(ds, tmp_path, jobs, jobs, Event())
    assert reached[-2:] == ["answers", "feed"] and out == {"answers": [], "harms": "", "summaries": {}, "changes": ""}


# ------------------------------------------------------------------ one short sentence each
def too_long(text: str, most: int = 1) -> list[str]:
    """Why a summary is not ``most`` short sentences or fewer ([] when it is): the index lists thirty of them."""
    from support.readability import MAX_WORDS, WORD, sentences

    said = sentences(text)
    out = [f"{len(said)} sentences"] if len(said) > most else []
    return out + [f"a sentence of {len(WORD.findall(s))} words" for s in said if len(WORD.findall(s)) > MAX_WORDS]


@pytest.mark.integration  # every summary of every report measured (the tier rule in pyproject.toml)
@pytest.mark.parametrize(
    "condition", ["all", "migraine", "headache_other", "neck_pain", "low_back_pain", "chronic_pain_mixed"]
)
def test_each_summary_is_one_sentence_of_at_most_25_words(condition):
    """A bottom line's is two: its question, and whether a study answers it directly."""
    report = shipped_report(condition)
    found = {nb.stem: too_long(summary(report, nb), 2 if nb.stem == "00_bottom_line" else 1) for nb in notebooks()}
    assert found == {nb.stem: [] for nb in notebooks()}, found


def test_a_headline_of_clauses_joined_by_semicolons_is_too_long():
    """Negative control: the version 2.0.2 summary of all conditions' follow-up, one sentence of 52 words."""
    old = (
        "All conditions: the longest comparisons with a control group end at 12 months (Amr 2011; Nielsen 2017; "
        "Czarnetzki 2020, not yet verified); published time points run from immediately after ketamine to 18 "
        "months; 2 published studies count their time from admission or discharge; 13 of 34 published studies "
        "state no follow-up time."
    )
    assert too_long(old) == ["a sentence of 52 words"]
    assert too_long("Migraine: 9 verified studies. Three of them randomized.") == ["2 sentences"]
