"""Effect sizes: every effect with its interval, results given only as a direction, and the pooled groups."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from ...data.lines import HARM_PREFIX
from ...data.vocabulary import designs as design_class
from ...findings.results import result_of, study_results
from ...stats.effects import direction_only
from ...stats.pooling import SENSITIVITY, SHOWN, PoolGroup, record_of
from ...stats.selection import shown_fit
from ..cells import MAX_TABLE_ROWS, as_reported, more_note
from ..figures import effects as effect_plots
from ..figures.alt import describe, direction_alt, effects_alt, forest_alt
from ..figures.forest import forest_plot
from ..html import Html, Row, esc, folded, md, table, table_html
from ..measures import DISPLAY
from ..methods import STUDY, ci_words, interval_words, model_words
from ..names import row_name
from ..numbers import count_word, decimals, interval, percent, significant
from ..params import ALL
from ..results import ORIENTATION_NOTE, result_html
from ..tables import decisions_table
from ..text import headline_markdown, headline_parts, joined, plural, verb
from ..words import OUTCOME_KIND_WORDS, WINDOW_WORDS, comparator_words, followup_words, group_label, word

#: a study's results with an interval, all one way or not, in words
STUDY_DIRECTION_WORDS = {
    "favours_ketamine": "favouring ketamine",
    "no_difference": "with no clear difference",
    "favours_comparator": "favouring the comparator",
    "mixed": "with results pointing different ways",
}
#: at most this many forest plots per report (the largest groups); every group is in the pooling table
MAX_FORESTS = 3


def indirect_words(k: int, n: int, several: bool) -> str:
    """'neither answers the main question directly' (``k`` of ``n`` counted studies do not; ``several``: each
    of several conditions has its own question)."""
    question = "its condition's main question" if several else "the main question"
    if k < n:
        return f"{k} of them {verb(k, 'does', 'do')} not answer {question} directly"
    who = "it does not answer" if n == 1 else "neither answers" if n == 2 else "none answers"
    return f"{who} {question} directly"


class EffectSizes:
    def __init__(self, report):
        self.r = report

    def headline(self) -> Markdown:
        after = "Each study is counted once, by the direction of its results with an interval."
        return Markdown(headline_markdown(*self.headline_facts(), after))

    def headline_facts(self) -> tuple[str, list[str]]:
        """What the studies with an interval show, counted by study (never by row), reviews apart."""
        results = study_results(self.r.studies, self.r.effects)
        designs = dict(zip(self.r.studies["study_id"].astype(str), self.r.studies["design"].astype(str)))
        verified = set(
            self.r.studies.loc[self.r.studies["verification"].astype(str) != "not_found", "study_id"].astype(str)
        )
        unverified = set(
            self.r.studies.loc[self.r.studies["verification"].astype(str) == "unverified", "study_id"].astype(str)
        )
        statuses = self.r.appraisal.statuses()  # which studies answer the main question directly (none: [])
        direct = {s.study_id for st in statuses for line in st.direct for s in line.studies}
        kinds: dict[str, dict[str, str]] = {"primary": {}, "review": {}}
        for sid, rs in results.items():
            said = {
                x.direction
                for x in rs
                if x.comparative and x.lower is not None and not x.outcome.startswith(HARM_PREFIX)
            }
            if not said or sid not in verified:
                continue
            kind = "review" if designs.get(sid) in design_class("review") else "primary"
            kinds[kind][sid] = said.pop() if len(said) == 1 else "mixed"
        parts = []
        for kind, noun in (
            ("primary", ("study", "studies")),
            ("review", ("published meta-analysis", "published meta-analyses")),
        ):
            found = kinds[kind]
            if not found:
                continue
            counts = {c: sum(v == c for v in found.values()) for c in STUDY_DIRECTION_WORDS}
            listed = ", ".join(f"{n} {STUDY_DIRECTION_WORDS[c]}" for c, n in counts.items() if n)
            gives = f"{plural(len(found), *noun)} {verb(len(found), 'gives', 'give')} a {ci_words(STUDY)} for benefit"
            # how many answer the main question only indirectly, by the bottom line's rule: the index shows this
            # sentence alone, and a reader would otherwise see "favouring ketamine" without the study behind it
            k = len(set(found) - direct) if statuses else 0
            if k:
                gives += f"; {indirect_words(k, len(found), self.r.condition == ALL)}"
            parts += [gives, f"their intervals: {listed}"]
        if not parts:
            parts.append(f"no published study gives a {ci_words(STUDY)} for benefit")
        pooled = [g for g in self.r.groups if g.pooled]
        n = len(pooled)
        # comparisons between groups only: a pooled single-arm rate is not one (it has its own section)
        parts.append(
            f"{plural(n, 'comparison')} between groups could be pooled"
            if n
            else "no comparison between groups could be pooled"
        )
        unchecked = [
            sid for kind in kinds.values() for sid in kind if sid in unverified
        ]  # counted above, flagged here (last: a name followed by a count would read as its number)
        if unchecked:
            names = joined([md(self.r.names[sid]) for sid in unchecked])
            parts.append(f"{names} {verb(len(unchecked), 'is', 'are')} not yet verified")
        return headline_parts(self.r.label, parts)

    @cached_property
    def direction_rows(self) -> pd.DataFrame:
        return direction_only(self.r.studies)

    def effect_figure(self):
        r = self.r
        return describe(effect_plots.effect_panels(r.effects, r.condition), effects_alt(r.effects, r.condition))

    def direction_figure(self):
        rows, condition = self.direction_rows, self.r.condition
        return describe(effect_plots.direction_plot(rows, condition), direction_alt(rows, condition))

    def effects_table(self) -> HTML:
        """Every effect as the paper reports it, beside the finding's oriented result (one path: report.results)."""
        e = self.r.effects
        if e.empty:
            return HTML("<p><em>No row of this selection reports an effect measure.</em></p>")
        body = []
        for _, r in e.sort_values(["effect_measure", "year", "study_id"]).head(MAX_TABLE_ROWS).iterrows():
            name = row_name(r) + (" (article claim, not located)" if r["verification"] == "not_found" else "")
            outcome = r["outcome_description"] if pd.notna(r["outcome_description"]) else r["outcome"]
            cells = (
                Html(f'<span class="outcome-def">{esc(outcome)}</span>'),
                followup_words(r) or "not stated",
                as_reported(r),
                Html(result_html(result_of(r))),
                word("direction", r["direction"]),
            )
            body.append(Row(cells, header=name))
        head = (
            "Study",
            "Outcome",
            "Time point",
            "As the paper reports it (not oriented)",
            f"Oriented result ({ci_words(STUDY)})",
            "Direction reported",
        )
        caption = "Every effect as reported and as the reports use it (below no effect favours ketamine)"
        return HTML(
            folded(
                f"Show every effect ({plural(len(e), 'row')}) as reported and as used",
                table(head, body, caption),
            )
            + f'<p class="note">{esc(ORIENTATION_NOTE)}</p>'
            + more_note(len(e))
        )

    # ------------------------------------------------------------ pooling
    def pooling_summary(self) -> Markdown:
        groups = self.r.groups
        if not groups:
            return Markdown("No row of this selection has an effect that could be considered for pooling.")
        pooled = [g for g in groups if g.pooled]
        lines = [
            f"Rows were grouped by condition, effect measure, comparator class, time-point window and verification "
            f"status: {plural(len(groups), 'group')}, {len(pooled)} of them pooled "
            f"({model_words(SHOWN)}, with {interval_words(SHOWN)}; {interval_words(SENSITIVITY)} is shown only as a "
            "sensitivity analysis)."
        ]
        if len(pooled) > MAX_FORESTS:
            lines.append(
                f"Forest plots are drawn for the {MAX_FORESTS} largest pooled groups; all are in "
                "tables/pooled_effects.csv."
            )
        return Markdown(" ".join(lines))

    def pooling_table(self) -> HTML:
        d = decisions_table(self.r.groups)
        if d.empty:
            return HTML("")
        d = d.drop(columns=["k_pooled"])
        for c in ("condition", "effect_measure", "verification"):
            d[c] = d[c].astype(str).map(lambda v, c=c: word(c, v))
        d["outcome_kind"] = d["outcome_kind"].astype(str).map(OUTCOME_KIND_WORDS)
        d["comparator_group"] = d["comparator_group"].astype(str).map(comparator_words)
        d["timepoint"] = d["timepoint"].astype(str).map(lambda v: WINDOW_WORDS.get(v, v))
        d.columns = [
            "Condition",
            "Outcomes",
            "Measure",
            "Comparator",
            "Time point",
            "Verification",
            "Rows",
            "Studies",
            "Decision",
        ]
        return HTML(table_html(d, caption="Which groups were pooled, and why the others were not"))

    def pooled_groups(self) -> list[PoolGroup]:
        """The pooled groups that get a forest plot: all of them, or the largest MAX_FORESTS."""
        pooled = [g for g in self.r.groups if g.pooled]
        return sorted(pooled, key=lambda g: -g.k)[:MAX_FORESTS] if len(pooled) > MAX_FORESTS else pooled

    def forest_figure(self, group: PoolGroup):
        return describe(forest_plot(group), forest_alt(group))

    def pooled_text(self, group: PoolGroup) -> Markdown:
        fit = shown_fit(group)
        rec = record_of(fit)
        spec = DISPLAY[group.key["effect_measure"]]

        def back(x):
            return np.exp(x) if spec["log"] else x * (100 if group.key["effect_measure"] == "risk_difference" else 1)

        wald = group.wald
        names = ", ".join(md(row_name(r)) for _, r in group.used.iterrows())
        text = (
            f"**{md(group_label(group.key))}** ({names}): pooled {md(spec['label'].split(',')[0].lower())} "
            f"{decimals(back(fit.estimate))} ({ci_words(rec, named=True)} "
            f"{interval(back(fit.ci_lower), back(fit.ci_upper))}; "
            f"prediction interval {interval(back(fit.pi_lower), back(fit.pi_upper))}); "
            f"tau² = {significant(fit.tau2)}, I² = {percent(fit.i2, 0)}."
        )
        if wald is not None:
            wrec = record_of(wald)
            text += (
                f" Sensitivity analysis: with {interval_words(wrec, aka=True)}, {ci_words(wrec)} "
                f"{interval(back(wald.ci_lower), back(wald.ci_upper))}."
            )
        if rec.k < 5:
            text += (
                f" With only {count_word(rec.k)} studies, the between-study variance is barely estimable; "
                "read the interval, not the point."
            )
        return Markdown(text)
