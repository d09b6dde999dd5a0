"""Effect sizes: every effect with its interval, results given only as a direction, and the pooled groups."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from ...stats.effects import COMPARATIVE_MEASURES, direction_only
from ...stats.pooling import PoolGroup
from ..cells import MAX_TABLE_ROWS, as_reported, fmt_num, more_note
from ..figures import effects as effect_plots
from ..figures.alt import describe, direction_alt, effects_alt, forest_alt
from ..figures.forest import forest_plot
from ..html import md, table_html
from ..measures import DISPLAY
from ..names import row_name
from ..tables import decisions_table
from ..text import count_word, plural, verb
from ..words import OUTCOME_KIND_WORDS, WINDOW_WORDS, comparator_words, group_label, word

#: at most this many forest plots per report (the largest groups); every group is in the pooling table
MAX_FORESTS = 3


class EffectSizes:
    def __init__(self, report):
        self.r = report

    def headline(self) -> Markdown:
        """What the comparisons show: how many favour ketamine, show no clear difference or favour the comparator."""
        e = self.r.effects
        comp = e[
            (e["verification"].astype(str) != "not_found")
            & np.isfinite(e["lo"].astype(float))
            & e["effect_measure"].astype(str).isin(COMPARATIVE_MEASURES)
            & ~e["design"].astype(str).isin(["meta_analysis", "systematic_review"])
        ]
        null = comp["effect_measure"].astype(str).map(lambda m: DISPLAY[m]["null"]).astype(float)
        lo, hi = comp["lo"].astype(float), comp["hi"].astype(float)
        better, worse = int((hi < null).sum()), int((lo > null).sum())
        unclear = len(comp) - better - worse
        pooled = [g for g in self.r.groups if g.pooled]
        label = self.r.label.capitalize()
        if len(comp):
            text = (
                f"**{label}: of {plural(len(comp), 'comparison')} with a 95% CI from published studies, "
                f"{better} {verb(better, 'favours', 'favour')} ketamine, {unclear} {verb(unclear, 'shows', 'show')} no clear "
                f"difference and {worse} {verb(worse, 'favours', 'favour')} the comparator"
            )
        else:
            text = f"**{label}: no published comparison in this selection reports a 95% CI"
        text += f"; {plural(len(pooled), 'pooled estimate')}" if pooled else "; nothing could be pooled"
        return Markdown(text + ".**")

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
        e = self.r.effects
        if e.empty:
            return HTML("<p><em>No row of this selection reports an effect measure.</em></p>")
        rows = []
        for _, r in e.sort_values(["effect_measure", "year", "study_id"]).head(MAX_TABLE_ROWS).iterrows():
            spec = DISPLAY[str(r["effect_measure"])]
            est = fmt_num(r["est"])
            ci = f"{fmt_num(r['lo'])} to {fmt_num(r['hi'])}" if np.isfinite(r["lo"]) else ""
            rows.append(
                {
                    "Study": row_name(r)
                    + (" (article claim, not located)" if r["verification"] == "not_found" else ""),
                    "Outcome": r["outcome_description"] if pd.notna(r["outcome_description"]) else r["outcome"],
                    "Time point": r["followup_text"] if pd.notna(r["followup_text"]) else "",
                    "Measure": word("effect_measure", r["effect_measure"]),
                    "As reported": as_reported(r),
                    "Harmonized": f"{est} {spec['unit']}".strip(),
                    "95% CI": ci,
                    "Sign reversed": "yes" if r["oriented"] else "",
                    "Direction reported": word("direction", r["direction"]),
                }
            )
        df = pd.DataFrame(rows)
        caption = "Every effect with its harmonized value (left of the null favours ketamine)"
        return HTML(table_html(df, caption=caption) + more_note(len(e)))

    # ------------------------------------------------------------ pooling
    def pooling_summary(self) -> Markdown:
        groups = self.r.groups
        if not groups:
            return Markdown("No row of this selection has an effect that could be considered for pooling.")
        pooled = [g for g in groups if g.pooled]
        lines = [
            f"Rows were grouped by condition, effect measure, comparator class, time-point window and verification "
            f"status: {plural(len(groups), 'group')}, {len(pooled)} of them pooled "
            f"(random effects, REML, with the Hartung-Knapp interval; the normal interval is shown only as a sensitivity analysis)."
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
        fit = group.fits[0]
        spec = DISPLAY[group.key["effect_measure"]]

        def back(x):
            return np.exp(x) if spec["log"] else x * (100 if group.key["effect_measure"] == "risk_difference" else 1)

        wald = group.wald
        names = ", ".join(md(row_name(r)) for _, r in group.used.iterrows())
        text = (
            f"**{md(group_label(group.key))}** ({names}): pooled {md(spec['label'].split(',')[0].lower())} "
            f"{back(fit.estimate):.2f} (Hartung-Knapp 95% CI {back(fit.ci_lower):.2f} to {back(fit.ci_upper):.2f}; "
            f"prediction interval {back(fit.pi_lower):.2f} to {back(fit.pi_upper):.2f}); "
            f"tau² = {fit.tau2:.3g}, I² = {fit.i2:.0f}%."
        )
        if wald is not None:
            text += (
                f" Sensitivity analysis: with the normal (Wald) interval, 95% CI {back(wald.ci_lower):.2f} to "
                f"{back(wald.ci_upper):.2f}."
            )
        if fit.k < 5:
            text += (
                f" With only {count_word(fit.k)} studies, the between-study variance is barely estimable; "
                "read the interval, not the point."
            )
        return Markdown(text)
