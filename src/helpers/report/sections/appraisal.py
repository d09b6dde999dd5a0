"""The bottom-line report's sections: the answer, Summary of Findings, the claims, risk of bias.

Reached from a report as ``r.appraisal``; each method returns something a
notebook cell displays. The arithmetic lives in :mod:`helpers.stats.grade`,
the wording in :mod:`helpers.report.bottom_line`, :mod:`helpers.report.sof`
and :mod:`helpers.report.claims`.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd
from IPython.display import HTML, Markdown

from ...data.rob import TOOLS, drawn_together
from ...data.schema import load_schema
from ...findings.questions import primary_status
from ..bottom_line import BottomLine, bottom_line_for
from ..claims import claims_for, claims_html
from ..figures import robvis
from ..figures.alt import describe
from ..html import Html, Row, esc, folded, table
from ..placeholders import Filler
from ..questions import status_phrase
from ..sof import signals_html, sof_html
from ..text import headline_parts, joined, plural
from ..words import word


class Appraisal:
    def __init__(self, report):
        self.r = report

    @cached_property
    def bottom(self) -> BottomLine:
        r = self.r
        return bottom_line_for(r.condition, r.label, r.table, r.studies, r.dataset, r.names)

    @property
    def rob(self) -> pd.DataFrame:
        """Risk-of-bias rows of the studies in this selection (empty when the table has none beside it)."""
        ds = self.r.dataset
        if ds is None or "risk_of_bias" not in ds:
            return pd.DataFrame(columns=load_schema("risk_of_bias").names)
        rob = ds.get("risk_of_bias")
        return rob[rob["study_id"].astype(str).isin(set(self.r.studies["study_id"].astype(str)))]

    @cached_property
    def fill(self) -> Filler:
        """Fills the placeholders of the reasons from the whole table (report.placeholders)."""
        return Filler(self.r.table, self.r.names)

    # ------------------------------------------------------------ the answer
    def headline(self) -> HTML:
        """The first paragraph: the answer in GRADE's words, one statement per comparison of the main outcome."""
        return HTML(f'<p class="short-answer"><strong>Short answer.</strong> {self.bottom.headline()}</p>')

    def headline_facts(self) -> tuple[str, list[str]] | None:
        """What the short answer opens with, its question and whether a study answers it directly (for all
        conditions, for how many of them one does): the report's one-line summary on the index, where the
        answers themselves are shown once, at the top. None for a table without review questions."""
        statuses = self.statuses()
        return headline_parts(self.r.label, [status_phrase(statuses)]) if statuses else None

    def statuses(self) -> list:
        """The primary question's status (findings.questions.PrimaryStatus) of this report's condition, or of
        each condition for all of them; [] for a table without review questions."""
        b = self.bottom
        each = b.per_condition() if b.condition == "all" else [b]
        return [s for x in each for s in [primary_status(x.condition, x.questions, x.lines)] if s is not None]

    def details(self) -> HTML:
        """Which trials, what each other graded line found, and how the article's claims fare."""
        return HTML(f"<p>{self.bottom.details()}</p>")

    def plain_summary(self) -> HTML:
        """What was studied, what was found, how sure, how up to date: in the manner of Cochrane's summaries."""
        return HTML(f'<section class="plain-summary">{self.bottom.plain_summary()}</section>')

    # ------------------------------------------------------------ Summary of Findings
    def sof_table(self) -> HTML:
        condition = None if self.r.condition == "all" else self.r.condition
        return HTML(
            sof_html(
                self.bottom.lines,
                self.r.names,
                f"Summary of Findings: ketamine for {self.r.label}",
                condition,
                self.fill,
            )
        )

    def certainty_table(self) -> HTML:
        table = signals_html(
            self.bottom.lines,
            "How each certainty was reached: judgements beside the signals computed from the data",
            self.fill,
        )
        return HTML(
            folded("Show each domain's judgement beside the signal computed from the data", table) if table else ""
        )

    # ------------------------------------------------------------ claims
    def claims_table(self) -> HTML:
        c = claims_for(self.bottom.claims, self.r.condition)
        return HTML(claims_html(c, self.fill, f"The source article's claims about {self.r.label}, checked"))

    # ------------------------------------------------------------ risk of bias
    def rob_figure(self, tools: str = "rob2"):
        """Traffic-light plot of one tool's studies (data.rob.TOOLS): randomized trials (``rob2``, with its
        crossover variant), comparative non-randomized studies (``robins_i``) or single-arm series
        (``murad_case_series``)."""
        rob = self.rob
        kinds = drawn_together(tools)
        title = f"{TOOLS[tools].title}, {self.r.label}"
        return describe(
            robvis.traffic_light(rob, self.r.names, title, kinds),
            robvis.traffic_light_alt(rob, self.r.names, title, kinds),
        )

    def rob_summary_figure(self, tools: str = "rob2"):
        rob = self.rob
        kinds = drawn_together(tools)
        title = f"Risk of bias by domain, {TOOLS[tools].studies}, {self.r.label}"
        return describe(robvis.summary_bars(rob, title, kinds), robvis.summary_alt(rob, title, kinds))

    def rob_table(self) -> HTML:
        """Every judgement with its support and what it was made from."""
        rob = self.rob
        if rob.empty:
            return HTML("<p><em>No risk-of-bias judgements for this selection.</em></p>")
        rows = []
        for _, x in rob.iterrows():
            src = word("assessed_from", x["assessed_from"], "risk_of_bias") if pd.notna(x["assessed_from"]) else ""
            outcome = str(x["outcome"]).replace("_", " ") if pd.notna(x["outcome"]) else "all outcomes"
            cells = (
                outcome,
                word("tool", x["tool"], "risk_of_bias").split(",")[0],
                word("domain", x["domain"], "risk_of_bias"),
                Html(f"<strong>{esc(word('judgement', x['judgement'], 'risk_of_bias'))}</strong>"),
                x["support"],
                src,
            )
            rows.append(Row(cells, header=self.r.names.get(str(x["study_id"]), x["study_id"])))
        head = ("Study", "Outcome", "Tool", "Domain", "Judgement", "Support (our words)", "Judged from")
        judgements = table(head, rows, "Risk-of-bias judgements with their support")
        return HTML(folded("Show every risk-of-bias judgement with its support", judgements))

    def rob_counts(self) -> Markdown:
        rob = self.rob
        if rob.empty:
            return Markdown("No risk-of-bias judgements for this selection.")
        # published studies only (the article's citations were never located), each tool by its name
        seeds = set(self.r.studies.loc[self.r.studies["source"].astype(str) == "seed_article", "study_id"].astype(str))
        rob = rob[~rob["study_id"].astype(str).isin(seeds)]
        assessed = rob["tool"].astype(str).map(lambda t: TOOLS[t].assessed if t in TOOLS else True).astype(bool)
        overall = rob[rob["domain"].astype(str) == "overall"].drop_duplicates("study_id")
        by_tool = overall.groupby(overall["tool"].astype(str))["judgement"].agg(
            lambda s: s.astype(str).value_counts().to_dict()
        )
        parts, reviews = [], []
        for tool, counts in by_tool.items():  # the counts first, then the tool by its name in a sentence
            known = TOOLS.get(tool)
            if known is not None and not known.assessed:  # reviews (appraised with AMSTAR 2 instead), said last
                reviews.append(f"{plural(sum(counts.values()), 'review')} not assessed")
                continue
            listed = joined([f"{n} {word('judgement', j, 'risk_of_bias')}" for j, n in counts.items()])
            parts.append(f"{listed} with {known.name if known else tool}")
        parts += reviews
        abstract = int((rob.loc[assessed, "assessed_from"].astype(str) == "abstract").sum())
        text = f"Overall judgements, one per published study: {'; '.join(parts)}."
        if abstract:
            text += (
                f" {abstract} of the {int(assessed.sum())} judgements were made from an abstract only, which often "
                "leaves a domain without information; they are marked \u2020 in the figures."
            )
        return Markdown(text)
