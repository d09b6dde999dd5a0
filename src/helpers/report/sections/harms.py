"""Adverse events: what the table records about harms, by condition and by source."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from ...findings.results import result_of
from ..cells import MAX_TABLE_ROWS, more_note
from ..figures.alt import describe, effects_alt
from ..figures.effects import effect_panels
from ..html import Html, Row, esc, folded, table, table_html
from ..methods import STUDY, ci_words
from ..names import row_name
from ..numbers import count_word
from ..results import ORIENTATION_NOTE, result_html
from ..text import headline_markdown, headline_parts, plural
from ..words import word


class Harms:
    def __init__(self, report):
        self.r = report

    def headline(self) -> Markdown:
        return Markdown(headline_markdown(*self.headline_facts()))

    def headline_facts(self) -> tuple[str, list[str]]:
        r = self.r
        s = r.studies.drop_duplicates("study_id")
        lit = s[s["source"] == "literature"]
        with_ae = lit["adverse_events"].notna().sum()
        seed = s[s["source"] == "seed_article"]
        seed_ae = seed["adverse_events"].notna().sum()
        studies = plural(len(lit), "published study", "published studies")
        share = (
            f"all {studies}"
            if with_ae == len(lit) > 1
            else f"{count_word(with_ae) if not with_ae else with_ae} of the {studies}"
        )
        parts = [f"harms are recorded for {share}"]
        if len(seed):  # the article's cited studies, none of them located (the claims themselves: 00)
            cited = plural(len(seed), "study", "studies")
            parts.append(
                f"the article cites {seed_ae} of its {cited} for a harm"
                if seed_ae
                else f"none of the article's statements about harms cites one of its {cited}"
            )
        return headline_parts(r.label, parts)

    def figure(self):
        """The adverse events with a number, on axes of their own (never beside the benefits)."""
        r = self.r
        return describe(
            effect_panels(r.effects, r.condition, harms=True), effects_alt(r.effects, r.condition, harms=True)
        )

    def results_table(self) -> HTML:
        """The numbers the figure draws, one path (report.results), with their marks."""
        e = self.r.effects
        e = e[(e["outcome_kind"].astype(str) == "harm") & e["est"].notna()] if "outcome_kind" in e else e.iloc[0:0]
        if e.empty:
            return HTML("<p>No adverse event of this selection has a number.</p>")
        body = []
        for _, h in e.iterrows():
            outcome = h["outcome_description"] if pd.notna(h["outcome_description"]) else h["outcome"]
            cells = (Html(f'<span class="outcome-def">{esc(outcome)}</span>'), Html(result_html(result_of(h))))
            body.append(Row(cells, header=row_name(h)))
        head = ("Study", "Adverse event", f"Result ({ci_words(STUDY)})")
        drawn = table(head, body, "Adverse events with a number")
        return HTML(folded("Show the numbers the figure draws", drawn) + f'<p class="note">{esc(ORIENTATION_NOTE)}</p>')

    def table(self) -> HTML:
        s = self.r.studies.drop_duplicates(["study_id", "condition"]).sort_values(["condition", "source", "year"])
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        n = len(s)
        s = s.head(MAX_TABLE_ROWS)
        df = pd.DataFrame(
            {
                "Condition": s["condition"].astype(str).map(lambda v: word("condition", v)),
                "Study": [row_name(r) for _, r in s.iterrows()],
                "Source": s["source"]
                .astype(str)
                .map({"literature": "published", "seed_article": "article claim, not located"}),
                "Route": s["route"].astype(str).map(lambda v: word("route", v)),
                "Harms recorded": s["adverse_events"].fillna("none recorded in the table"),
            }
        )
        return HTML(
            folded("Show the harms each study records", table_html(df, caption="Harms by condition and source"))
            + more_note(n)
        )

    def counts(self) -> HTML:
        s = self.r.studies.drop_duplicates(["study_id", "condition"])
        if s.empty:
            return HTML("")
        t = s.assign(recorded=s["adverse_events"].notna().map({True: "harms recorded", False: "none recorded"}))
        wide = t.groupby(["condition", "source", "recorded"], observed=True).size().unstack(fill_value=0).reset_index()
        wide["condition"] = wide["condition"].astype(str).map(lambda v: word("condition", v))
        wide["source"] = wide["source"].astype(str).map({"literature": "published", "seed_article": "article claim"})
        return HTML(table_html(wide, caption="Studies with and without recorded harms"))
