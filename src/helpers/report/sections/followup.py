"""Follow-up: how long after ketamine patients were assessed, per study and condition."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from ...data.vocabulary import comparator_classes
from ..cells import MAX_TABLE_ROWS, more_note, span
from ..figures.alt import describe, followup_alt
from ..figures.followup import followup_plot
from ..html import folded, md, table_html
from ..names import row_name
from ..numbers import human_duration
from ..text import plural, verb
from ..words import word


class Followup:
    def __init__(self, report):
        self.r = report

    def headline(self) -> Markdown:
        """How long patients were followed: the longest time point with a comparison, and how many studies give none."""
        r = self.r
        s = r.studies[r.studies["source"] == "literature"]
        if s.empty:
            return Markdown(f"**{r.label.capitalize()}: no published study in this selection.**")
        times = s.dropna(subset=["followup_days"])
        compared = times[times["comparator_class"].astype(str).isin(comparator_classes("controlled"))]
        none = s["study_id"].nunique() - times["study_id"].nunique()
        parts = []
        if len(compared):
            longest = compared.loc[compared["followup_days"].idxmax()]
            parts.append(
                f"the longest comparison with a control group ends at {human_duration(longest['followup_days'])} "
                f"({md(r.names[str(longest['study_id'])])})"
            )
        else:
            parts.append("no comparison with a control group states its follow-up time")
        if len(times):
            when = span(times["followup_days"])
            parts.append(
                f"every published time point is {when}"
                if when.startswith("at ")
                else f"published time points run {when}"
            )
        parts.append(
            f"{none} of {plural(s['study_id'].nunique(), 'published study', 'published studies')} "
            f"{verb(none, 'states', 'state')} no follow-up time"
        )
        return Markdown(f"**{r.label.capitalize()}: " + "; ".join(parts) + ".**")

    def figure(self):
        r = self.r
        return describe(followup_plot(r.studies, r.condition), followup_alt(r.studies, r.condition))

    def table(self) -> HTML:
        s = self.r.studies
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        firsts = s.drop_duplicates(["study_id", "condition"]).sort_values(["condition", "citation"])
        n_studies = len(firsts)
        keep = firsts.head(MAX_TABLE_ROWS)[["study_id", "condition"]]
        s = s.merge(keep, on=["study_id", "condition"])
        rows = []
        for (_sid, cond), g in s.groupby(["study_id", "condition"], observed=True, sort=False):
            r = g.iloc[0]
            times = sorted(g["followup_days"].dropna().unique())
            rows.append(
                {
                    "Study": row_name(r)
                    + (" (article claim, not located)" if r["verification"] == "not_found" else ""),
                    "Condition": word("condition", cond),
                    "Ketamine given for": human_duration(r["infusion_days"])
                    if pd.notna(r["infusion_days"])
                    else "not stated",
                    "Follow-up time points": ", ".join(human_duration(t) for t in times) or "not stated",
                    "As worded in the source": "; ".join(sorted(set(g["followup_text"].dropna().astype(str)))),
                }
            )
        df = pd.DataFrame(rows).sort_values(["Condition", "Study"])
        table = table_html(df, caption="Infusion length and follow-up per study")
        return HTML(folded("Show the follow-up of every study", table) + more_note(n_studies))
