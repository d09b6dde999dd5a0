"""The report sections of the deeper syntheses: pooled single-arm proportions, subgroups,
leave-one-out and cumulative sensitivity analyses, and small-study effects.

A notebook reaches them from its report as ``r.synthesis`` (the subgroup
column is one of the report's parameters)::

    s = r.synthesis
    s.proportions_summary()
    for group in s.sensitivity_groups(): ...

Every number in the prose is computed here from the table.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from ...stats.pooling import SENSITIVITY, record_of
from ...stats.proportions import FITS as RATE_FITS
from ...stats.proportions import ProportionGroup, proportion_groups
from ...stats.selection import shown_fit
from ...stats.sensitivity import MAX_K_SENSITIVITY, MIN_K_LEAVE_ONE_OUT, group_cumulative, group_leave_one_out
from ...stats.small_study import MIN_K, egger_test
from ...stats.subgroups import subgroup_test_of
from ..figures import synthesis as plots_synthesis
from ..html import esc, md, table_html
from ..marks import mark
from ..measures import DISPLAY
from ..methods import MODEL, ci_words, estimator_words, prediction_words
from ..names import row_name
from ..numbers import count_word, decimals, interval, p_value, percent, significant, statistic
from ..text import plural, verb
from ..words import group_label, proportion_label, proportion_reason

#: at most this many groups get sensitivity forests or funnel plots (the largest); the CSVs hold all
MAX_GROUPS = 3
#: subgroup estimates are REML fits with normal intervals (stats.subgroups), as the sensitivity fit
SUBGROUPS = SENSITIVITY
TRANSFORM_LABELS = {"logit": "logit", "freeman_tukey": "Freeman-Tukey double arcsine"}


#: a pooled rate names its series when there are at most this many
MAX_NAMES = 12


def _names(rows: pd.DataFrame) -> str:
    if len(rows) > MAX_NAMES:
        return f"{len(rows)} series, listed in tables/pooled_effects.csv"
    return ", ".join(md(row_name(r)) for _, r in rows.iterrows())


class Synthesis:
    def __init__(self, report):
        self.report = report
        self.subgroup = report.subgroup  # checked against the table when the report was opened

    # ------------------------------------------------------------ data
    @cached_property
    def _proportion_groups(self) -> list[ProportionGroup]:
        return proportion_groups(self.report.studies)

    @property
    def _pooled(self) -> list:
        return sorted((g for g in self.report.groups if g.pooled), key=lambda g: (-g.k, group_label(g.key)))

    def _loo(self, group) -> pd.DataFrame:
        return self._cached("loo", group, group_leave_one_out)

    def _cum(self, group) -> pd.DataFrame:
        return self._cached("cum", group, group_cumulative)

    def _cached(self, kind: str, group, fn):
        cache = self.__dict__.setdefault("_cache", {})
        key = (kind, id(group))
        if key not in cache:
            cache[key] = fn(group)
        return cache[key]

    def _scale(self, group):
        return plots_synthesis.back_transform(group.key["effect_measure"])

    def _unit(self, group) -> str:
        u = DISPLAY[group.key["effect_measure"]]["unit"]
        return f" {u}" if u else ""

    # ------------------------------------------------------------ proportions
    def proportions_summary(self) -> HTML:
        groups = self._proportion_groups
        pooled = [g for g in groups if g.pooled]
        if not groups:
            return HTML("<p>No row of this selection reports a proportion of ketamine-treated patients.</p>")
        n_rows = sum(len(g.rows) for g in groups)
        text = (
            f"{plural(n_rows, 'row')} of this selection {verb(n_rows, 'reports', 'report')} the proportion of "
            f"ketamine-treated patients with an outcome. <strong>These are uncontrolled rates, not comparisons</strong>: "
            f"with no comparator they cannot say what ketamine added to time, placebo response or co-treatment. Rates "
            f"are pooled only within one outcome definition, condition and verification status, from studies that "
            f"give their counts; {plural(len(pooled), 'group')} of {len(groups)} could be pooled."
        )
        items = []
        for g in groups:
            if not g.pooled:
                items.append(f"<li><strong>{esc(proportion_label(g))}</strong>: {esc(proportion_reason(g))}.</li>")
                continue
            lo = shown_fit(g)
            fr = g.fit("freeman_tukey", lo.fit.method)  # the other transform, same method
            key = f"proportion:{g.key['condition']}:{g.key['outcome']}"
            names = (
                ", ".join(esc(row_name(r)) for _, r in g.used.iterrows())
                if len(g.used) <= MAX_NAMES
                else (f"{len(g.used)} series, listed in tables/pooled_effects.csv")
            )
            items.append(
                f"<li><strong>{esc(proportion_label(g))}</strong> ({names}): "
                f"{mark(percent(lo.estimate), lo.estimate, 'estimate', key=key)} ({ci_words(lo.record)} "
                f"{mark(percent(lo.ci_lower), lo.ci_lower, 'lower', key=key)} to "
                f"{mark(percent(lo.ci_upper), lo.ci_upper, 'upper', key=key)}; prediction interval "
                f"{interval(lo.pi_lower, lo.pi_upper, percent)}) with the logit transform; {percent(fr.estimate)} "
                f"({interval(fr.ci_lower, fr.ci_upper, percent)}) with the Freeman-Tukey double arcsine; {MODEL} "
                f"({estimator_words(lo.record)}), I² = {percent(lo.fit.i2, 0)} on the logit scale.</li>"
            )
        return HTML(f"<p>{text}</p>" + (f"<ul>{''.join(items)}</ul>" if items else ""))

    def proportions_table(self) -> HTML:
        rows, shown = [], RATE_FITS[0][1]  # every fit of the table has the level of the one shown
        for g in self._proportion_groups:
            for f in g.fits:
                rows.append(
                    {
                        "Condition": g.key["condition"].replace("_", " "),
                        "Outcome": g.key["outcome"].replace("_", " "),
                        "Verification": g.key["verification"],
                        "Series": f.fit.k,
                        "Transform": TRANSFORM_LABELS[f.transform],
                        "Method": f.method,
                        "Pooled rate": percent(f.estimate),
                        ci_words(shown): interval(f.ci_lower, f.ci_upper, percent),
                        prediction_words(shown): interval(f.pi_lower, f.pi_upper, percent),
                        "tau² (transformed scale)": significant(f.fit.tau2),
                    }
                )
        if not rows:
            return HTML("")
        return HTML(table_html(pd.DataFrame(rows), caption="Pooled single-arm rates (uncontrolled; not comparisons)"))

    # ------------------------------------------------------------ subgroups
    def subgroup_summary(self) -> Markdown:
        column = self.subgroup  # a schema or x_... name: safe in a code span
        if column is None:
            return Markdown(
                "No subgroup comparison was asked for when these reports were built. When one is (by design, by route, "
                "or by a category of the researcher's own), every pooled group gets "
                "subgroup estimates, a test for subgroup differences and a moderator model."
            )
        if not self._pooled:
            return Markdown(f"Subgroups by `{column}` were asked for, but no group of this selection was pooled.")
        lines = [
            f"Subgroups by `{column}`: for each pooled group, the random-effects (REML) estimate per subgroup; "
            "the test for subgroup differences as RevMan computes it (a fixed-effect fit to the subgroup estimates); "
            "and the mixed-effects model with the column as moderator (QM and the residual tau²)."
        ]
        for g in self._pooled:
            t = subgroup_test_of(g, column)
            head = f"- **{md(group_label(g.key))}**: {plural(len(t.subgroups), 'subgroup')}"
            if t.left_out:
                head += f", {plural(t.left_out, 'study', 'studies')} with no `{column}` left out"
            if len(t.subgroups) < 2:
                lines.append(head + "; with a single subgroup there is nothing to compare.")
                continue
            head += (
                f"; test for subgroup differences Q = {statistic(t.q_between)}, df = {t.df_between}, "
                f"p = {p_value(t.p_between)}"
            )
            if np.isfinite(t.qm):
                head += (
                    f"; moderator model QM = {statistic(t.qm)}, p = {p_value(t.qm_p)}, "
                    f"residual tau² = {significant(t.tau2_residual)}"
                )
            else:
                head += "; too few studies for a moderator model (it needs more studies than subgroups)"
            lines.append(head + ".")
        return Markdown("\n".join(lines))

    def subgroup_table(self) -> HTML:
        column = self.subgroup
        if column is None or not self._pooled:
            return HTML("")
        rows = []
        for g in self._pooled:
            back = self._scale(g)
            for s in subgroup_test_of(g, column).subgroups:
                est, lo, hi = back([s.estimate, s.ci_lower, s.ci_upper])
                rows.append(
                    {
                        "Group": group_label(g.key),
                        column: s.level,
                        "k": s.k,
                        f"Estimate ({ci_words(SUBGROUPS)})": f"{decimals(est)} ({interval(lo, hi)}){self._unit(g)}",
                        "tau²": significant(s.tau2),
                    }
                )
        return HTML(table_html(pd.DataFrame(rows), caption=f"Random-effects estimates by {column}"))

    # ------------------------------------------------------------ sensitivity
    def sensitivity_groups(self) -> list:
        """The pooled groups with at least three studies (the largest MAX_GROUPS that are refitted)."""
        return [g for g in self._pooled if MIN_K_LEAVE_ONE_OUT <= g.k <= MAX_K_SENSITIVITY][:MAX_GROUPS]

    def sensitivity_summary(self) -> Markdown:
        pooled = self._pooled
        if not pooled:
            return Markdown("No group of this selection was pooled, so there is nothing to test for sensitivity.")
        shown = self.sensitivity_groups()
        small = [g for g in pooled if g.k < MIN_K_LEAVE_ONE_OUT]
        text = [
            "Each pooled estimate is refitted with every study left out in turn (leave-one-out) and with the "
            "studies added in order of publication year (cumulative meta-analysis); both are random effects, REML. "
            "Every refit is in tables/leave_one_out.csv and tables/cumulative.csv."
        ]
        if small:
            text.append(
                f"{plural(len(small), 'pooled group')} {verb(len(small), 'has', 'have')} only two studies: leaving one "
                "out leaves a single study, so no leave-one-out or cumulative forest is drawn for "
                f"{verb(len(small), 'it', 'them')} (the cumulative steps are in the CSV)."
            )
        huge = [g for g in pooled if g.k > MAX_K_SENSITIVITY]
        if huge:
            text.append(
                f"{plural(len(huge), 'pooled group')} of more than {MAX_K_SENSITIVITY} studies "
                f"({', '.join(md(group_label(g.key)) for g in huge)}) {verb(len(huge), 'was', 'were')} not refitted: each "
                "analysis would take as many model fits as studies, and one study among so many cannot move the estimate."
            )
        n_big = sum(MIN_K_LEAVE_ONE_OUT <= g.k <= MAX_K_SENSITIVITY for g in pooled)
        if n_big > len(shown):
            text.append(f"Forests are drawn for the {len(shown)} largest of {n_big} groups with three or more studies.")
        return Markdown(" ".join(text))

    def leave_one_out_text(self, group) -> Markdown:
        d = self._loo(group)
        back = self._scale(group)
        names = plots_synthesis.names_of(group)
        d = d[d["estimate"].notna()].reset_index(drop=True)  # a refit whose REML did not converge is left out
        est = back(d["estimate"].to_numpy())
        full = float(back(shown_fit(group).estimate))
        i = int(np.argmax(np.abs(est - full)))
        null = DISPLAY[group.key["effect_measure"]]["null"]
        lo, hi = back(d["ci_lower"].to_numpy()), back(d["ci_upper"].to_numpy())
        crosses = int(np.sum((lo <= null) & (null <= hi)))
        wald = group.wald  # the refits have normal intervals: compare like with like
        full_crosses = float(back(wald.ci_lower)) <= null <= float(back(wald.ci_upper))
        text = (
            f"**{md(group_label(group.key))}**, leave-one-out: with one of the {count_word(group.k)} studies left out, the pooled "
            f"estimate ranges from {interval(est.min(), est.max())}{self._unit(group)} (all studies: {decimals(full)}); "
            f"leaving out {md(names.get(str(d['omitted'][i]), d['omitted'][i]))} moves it most. "
        )
        ci = ci_words(record_of(wald))
        if full_crosses:
            text += (
                f"The {ci} of all studies includes no difference, and so {verb(crosses, 'does', 'do')} "
                f"{count_word(crosses)} of the {len(d)} refits."
            )
        else:
            text += (
                f"The {ci} of all studies excludes no difference; {count_word(crosses)} of the {len(d)} refits "
                f"{verb(crosses, 'includes', 'include')} it."
            )
        return Markdown(text)

    def leave_one_out_figure(self, group):
        return plots_synthesis.sensitivity_forest(group, self._loo(group), "leave_one_out")

    def cumulative_text(self, group) -> Markdown:
        d = self._cum(group)
        back = self._scale(group)
        d = d[d["estimate"].notna()].reset_index(drop=True)
        first, last = d.iloc[0], d.iloc[-1]
        years = (
            f"{int(first['year'])}" if first["year"] == last["year"] else f"{int(first['year'])} to {int(last['year'])}"
        )
        est = back(d["estimate"].to_numpy())
        return Markdown(
            f"**{md(group_label(group.key))}**, cumulative by year ({years}): the estimate went from {decimals(est[0])} "
            f"with the first study to {decimals(est[-1])}{self._unit(group)} with all {count_word(group.k)}."
        )

    def cumulative_figure(self, group):
        return plots_synthesis.sensitivity_forest(group, self._cum(group), "cumulative")

    # ------------------------------------------------------------ small-study effects
    def funnel_groups(self) -> list:
        return [g for g in self._pooled if g.k >= MIN_K][:MAX_GROUPS]

    def small_study_summary(self) -> Markdown:
        pooled = self._pooled
        big = [g for g in pooled if g.k >= MIN_K]
        if not pooled:
            return Markdown("No group of this selection was pooled, so there is no funnel plot and no Egger's test.")
        if not big:
            largest = max(g.k for g in pooled)
            return Markdown(
                f"No funnel plot or Egger's test is shown: the largest pooled group has {count_word(largest)} "
                f"{verb(largest, 'study', 'studies')}, and both need at least {MIN_K}. With fewer, a test for "
                "funnel asymmetry has too little power to tell small-study effects from chance (Cochrane Handbook, "
                "section 13.3.5.4)."
            )
        lines = [
            f"{plural(len(big), 'pooled group')} {verb(len(big), 'has', 'have')} at least {MIN_K} studies: a funnel plot "
            "(effects against their standard errors, as metafor draws it) and Egger's regression test (a "
            'mixed-effects model of the effects on their standard errors, metafor\'s `regtest(model = "rma", '
            'predictor = "sei")`) look for small-study effects. Asymmetry can come from publication bias, but also '
            "from heterogeneity or chance."
        ]
        for g in big:
            t = egger_test(g.used["yi"], g.used["vi"])
            if t is None:
                lines.append(
                    f"- **{md(group_label(g.key))}**: k = {g.k}; Egger's test cannot be computed (the standard errors "
                    "do not vary enough to regress on, or the model did not converge)."
                )
            else:
                lines.append(f"- **{md(group_label(g.key))}**: k = {t.k}, z = {statistic(t.z)}, p = {p_value(t.p)}.")
        small = len(pooled) - len(big)
        if small:
            lines.append(
                f"The other {plural(small, 'pooled group')} {verb(small, 'has', 'have')} fewer than {MIN_K} "
                "studies, too few for either."
            )
        return Markdown("\n".join(lines))

    def funnel_figure(self, group):
        return plots_synthesis.funnel_plot(group, egger_test(group.used["yi"], group.used["vi"]))
