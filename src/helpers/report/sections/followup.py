"""Follow-up: how long after ketamine patients were assessed, per study and condition."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from ...data.followup import COLUMNS as FOLLOWUP_COLUMNS
from ...data.followup import earliest_days, longest_first, states_time
from ...data.vocabulary import comparator_classes
from ..cells import MAX_TABLE_ROWS, more_note
from ..figures.alt import describe, followup_alt
from ..figures.followup import followup_plot
from ..html import folded, md, table_html
from ..names import row_name
from ..numbers import human_duration
from ..text import headline_markdown, headline_parts, joined, plural, verb
from ..words import followup_words, time_words, word

#: what the per-study table reads of a row: its name, condition, status, infusion, and its follow-up (the
#: structured columns followup_words reads, as the data layer names them)
_TABLE_COLUMNS = {
    "study_id",
    "condition",
    "citation",
    "year",
    "verification",
    "infusion_days",
    "followup_days",
    "followup_text",
    *FOLLOWUP_COLUMNS,
}


def unchecked_end(rows, names: dict[str, str]) -> str:
    """The studies at one end of the span of time points (``rows``) when none of them is verified, else ''."""
    if (rows["verification"].astype(str) == "verified").any():
        return ""
    return joined([md(names[s]) for s in dict.fromkeys(rows["study_id"].astype(str))])


class Followup:
    def __init__(self, report):
        self.r = report

    def headline(self) -> Markdown:
        return Markdown(headline_markdown(*self.headline_facts()))

    def headline_facts(self) -> tuple[str, list[str]]:
        """How long patients were followed, from the structured follow-up (helpers.data.followup): the longest
        time point with a comparison (every study that reaches it, verified first), the span of time points,
        and how many studies give none."""
        r = self.r
        s = r.studies[r.studies["source"] == "literature"]
        if s.empty:
            return headline_parts(r.label, ["no published study in this selection"])
        stated = s[states_time(s)]
        times = s[s["followup_days"].notna()]
        compared = times[times["comparator_class"].astype(str).isin(comparator_classes("controlled"))]
        none = s["study_id"].nunique() - stated["study_id"].nunique()
        parts = []
        longest = longest_first(compared)
        if longest:
            at = compared[compared["study_id"].astype(str) == longest[0]]
            when = time_words(at.loc[at["followup_days"].idxmax()])
            # each study's verification from its first row, looked up once (not a scan of the table per study)
            first = s.drop_duplicates("study_id")
            status = dict(zip(first["study_id"].astype(str), first["verification"].astype(str)))
            named = [md(r.names[sid]) + ("" if status[sid] == "verified" else ", not yet verified") for sid in longest]
            parts.append(
                f"the longest {'comparison' if len(named) == 1 else 'comparisons'} with a control group "
                f"{'ends' if len(named) == 1 else 'end'} at {when} ({'; '.join(named)})"
            )
        else:
            parts.append("no comparison with a control group states its follow-up time")
        if len(times):
            first = times.loc[earliest_days(times).idxmin()]
            last = times.loc[times["followup_days"].idxmax()]
            lo, hi = time_words(first, "min"), time_words(last, "max")
            start = earliest_days(times)
            ends = (
                ("earliest", times[start == start.min()]),
                ("latest", times[times["followup_days"] == times["followup_days"].max()]),
            )
            parts.append(
                f"every published time point is at {hi} after ketamine"
                if earliest_days(times).min() == times["followup_days"].max()
                else f"published time points run from {lo} after ketamine to {hi}"
            )
            # an end of the span that only studies not yet checked reach says so, naming them (after the span:
            # a time right after a study's name would read as that study's)
            for which, rows in ends if lo != hi else ends[1:]:
                named = unchecked_end(rows, r.names)
                if named:
                    parts.append(f"the {which} time point comes from {named}, not yet verified")
        others = stated[stated["followup_days"].isna()]
        starts = " or ".join(sorted(set(others["followup_from"].dropna().astype(str))))
        if starts:  # counted from a stay in hospital (admission or discharge), as each source says
            n = others["study_id"].nunique()
            noun = plural(n, "published study", "published studies")
            at_it = (others["followup_max"].astype(float) == 0).all()  # measured at that moment, not after it
            parts.append(
                f"{noun} {verb(n, 'reports', 'report')} results at hospital {starts}, not at a set time after ketamine"
                if at_it
                else f"{noun} {verb(n, 'counts its', 'count their')} time from {starts}"
            )
        total = plural(s["study_id"].nunique(), "published study", "published studies")
        parts.append(f"no follow-up time is stated for {none} of {total}" if none else f"all {total} state one")
        return headline_parts(r.label, parts)

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
        # the columns the table reads: a row of fifty mixed columns costs a conversion of them all each time
        s = s[[c for c in s.columns if c in _TABLE_COLUMNS]].merge(keep, on=["study_id", "condition"])
        rows = []
        for (_sid, cond), g in s.groupby(["study_id", "condition"], observed=True, sort=False):
            r = g.iloc[0]
            said = g[states_time(g)].sort_values("followup_days", na_position="first")
            rows.append(
                {
                    "Study": row_name(r)
                    + (" (article claim, not located)" if r["verification"] == "not_found" else ""),
                    "Condition": word("condition", cond),
                    "Ketamine given for": human_duration(r["infusion_days"])
                    if pd.notna(r["infusion_days"])
                    else "not stated",
                    "Follow-up time points": ", ".join(dict.fromkeys(followup_words(x) for _, x in said.iterrows()))
                    or "not stated",
                    "As worded in the source": "; ".join(sorted(set(g["followup_text"].dropna().astype(str)))),
                }
            )
        df = pd.DataFrame(rows).sort_values(["Condition", "Study"])
        table = table_html(df, caption="Infusion length and follow-up per study")
        return HTML(folded("Show the follow-up of every study", table) + more_note(n_studies))
