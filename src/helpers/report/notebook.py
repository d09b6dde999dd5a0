"""What the notebooks call: one object per report with the data, prose, tables and figures.

A notebook is prose, a parameters cell and short calls such as::

    from helpers.report import open_report
    r = open_report(condition, evidence, data_path, figures_dir)
    r.headline()            # Markdown whose numbers come from the data
    r.studies_table()       # escaped HTML table
    fig = r.effect_figure(); r.save(fig, "effect_sizes"); plt.show()

Nothing here depends on the kernel's working directory.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from . import plots
from .figure_alt import describe, direction_alt, effects_alt, followup_alt, forest_alt
from ..stats.effects import COMPARATIVE_MEASURES, DISPLAY, direction_only, harmonize
from .html import doi_link, esc, md, pmid_link, table_html
from ..data.dataset import DataSet, load_dataset
from .params import ALL, EVIDENCE_LABELS, check_parameters, condition_label, select
from .plots import human_duration
from ..stats.pooling import PoolGroup, decisions_table, pooling_groups
from .text import count_word, plural, seed_sentence, verb
from .words import group_label, word

#: long tables are cut to this many rows in the HTML; the full table is written as CSV beside the report
MAX_TABLE_ROWS = 60
#: at most this many forest plots per report (the largest groups); every group is in the pooling table
MAX_FORESTS = 3

def short_name(row) -> str:
    return plots._short_name(row["citation"], row["year"])


@dataclass
class Report:
    condition: str
    evidence: str
    data_path: str
    figures_dir: str = ""
    table: pd.DataFrame = field(repr=False, default=None)
    dataset: DataSet | None = field(repr=False, default=None)

    # ------------------------------------------------------------ data
    @cached_property
    def studies(self) -> pd.DataFrame:
        """The rows this report shows (condition and evidence filter applied)."""
        return select(self.table, self.condition, self.evidence)

    @cached_property
    def effects(self) -> pd.DataFrame:
        return harmonize(self.studies)

    @cached_property
    def all_effects(self) -> pd.DataFrame:
        """Harmonized effects of the whole table (the Summary of Findings looks across the evidence filter)."""
        return harmonize(self.table)

    @cached_property
    def names(self) -> dict[str, str]:
        """'Author year' for every study of the table."""
        first = self.table.drop_duplicates("study_id")
        return {str(s): plots._short_name(c, y) for s, c, y in zip(first["study_id"], first["citation"], first["year"])}

    @cached_property
    def appraisal(self):
        """The answer, Summary of Findings, claims and risk of bias (the bottom-line report's sections)."""
        from .appraisal import Appraisal

        return Appraisal(self)

    @cached_property
    def groups(self) -> list[PoolGroup]:
        return pooling_groups(self.effects)

    @property
    def label(self) -> str:
        return condition_label(self.condition)

    def save(self, fig, name: str):
        """Save a figure as a 300-dpi PNG when the build asked for figures."""
        return plots.save(fig, name, self.figures_dir)

    # ------------------------------------------------------------ shared prose
    def scope(self) -> Markdown:
        s = self.studies
        n_studies = s["study_id"].nunique()
        text = (
            f"This report covers **{self.label}** ({EVIDENCE_LABELS[self.evidence]}): "
            f"{plural(len(s), 'row')} of the study table from {plural(n_studies, 'study', 'studies')}."
        )
        return Markdown(text)

    def claims_note(self) -> Markdown:
        """The plain statement at the top of every report about the article's citations."""
        t = self.table
        seed = t[t["source"] == "seed_article"]
        n = seed["study_id"].nunique()
        found = seed[seed["verification"] == "verified"]["study_id"].nunique()
        here = self.studies[self.studies["source"] == "seed_article"]["study_id"].nunique()
        text = f"**{seed_sentence(n, found)}** "
        if here and self.condition == ALL:
            text += (
                "Its claims appear here as claims: drawn hollow and labelled *article claim, not located*, "
                "never counted as evidence."
            )
        elif here:
            text += (
                f"{count_word(here).capitalize()} of its citations {verb(here, 'concerns', 'concern')} {self.label}; "
                f"{verb(here, 'it appears', 'they appear')} here as the article's "
                f"{verb(here, 'claim', 'claims')}, drawn hollow and labelled *article claim, not located*, never as evidence."
            )
        else:
            text += "None of its citations fall within this selection."
        return Markdown(text)

    # ------------------------------------------------------------ overview
    def overview_headline(self) -> Markdown:
        s = self.studies.drop_duplicates("study_id")
        lit = s[s["source"] == "literature"]
        verified = lit[lit["verification"] == "verified"]
        unverified = len(lit) - len(verified)
        trials = verified[verified["design"].astype(str).isin(["rct", "crossover_rct"])].sort_values(["year", "study_id"])
        seed = int((s["source"] == "seed_article").sum())
        head = f"{plural(len(verified), 'verified published study', 'verified published studies')}"
        if len(trials):
            names = ", ".join(md(self.names[str(x)]) for x in trials["study_id"])
            head += f", {len(trials)} of them randomized ({names})"
        else:
            head += ", none of them randomized"
        if unverified:
            head += f"; {plural(unverified, 'published study', 'published studies')} not yet verified"
        if seed:
            head += f"; {plural(seed, 'article claim')} that could not be located"
        return Markdown(f"**{self.label.capitalize()}: {head}.**")

    # ------------------------------------------------------------ search and selection (PRISMA 2020)
    @cached_property
    def prisma(self):
        """PRISMA counts of the whole search, or None when the table has no search log beside it."""
        ds = self.dataset
        if ds is None or "search_log" not in ds or "screening" not in ds:
            return None
        from ..data.prisma import prisma_counts

        pooled = {sid for g in pooling_groups(harmonize(self.table)) if g.pooled for sid in g.used["study_id"].astype(str)}
        return prisma_counts(ds.get("search_log"), ds.get("screening"), self.table, pooled)

    def prisma_summary(self) -> Markdown:
        from .prisma import flow_text

        c = self.prisma
        if c is None:
            return Markdown("This table has no search log and screening record beside it, so how its studies were "
                            "found is not documented here.")
        text = flow_text(c)
        if self.condition != ALL:
            here = self.studies[self.studies["source"] == "literature"]["study_id"].nunique()
            text += f" {plural(here, 'included study', 'included studies').capitalize()} {verb(here, 'concerns', 'concern')} {self.label}."
        return Markdown(text)

    def prisma_figure(self):
        from .prisma import flow_diagram, flow_text

        if self.prisma is not None:
            from .text import plain_text

            return describe(flow_diagram(self.prisma), "PRISMA 2020 flow diagram. " + plain_text(flow_text(self.prisma)))
        fig, ax = plots.plt.subplots(figsize=(7, 1.4))
        empty = "No search log and screening record beside this table: no flow to draw."
        plots._empty(ax, empty)
        return describe(fig, empty)

    def studies_table(self) -> HTML:
        """One line per study: citation, year, design, n, regimen, verification and identifiers."""
        s = self.studies.drop_duplicates(["study_id", "condition"]).sort_values(["source", "condition", "year", "study_id"])
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        rows = []
        for _, r in s.head(MAX_TABLE_ROWS).iterrows():
            claim = r["verification"] == "not_found"
            badge = (
                '<span class="claim-badge">article claim, not located</span>'
                if claim
                else f'<span class="verified-badge">{esc(r["verification"])}</span>'
            )
            n = _n_text(r)
            ids = " ".join(x for x in (doi_link(r["doi"]), pmid_link(r["pmid"])) if x)
            rows.append(
                f'<tr class="{"claim" if claim else "evidence"}"><td>{esc(r["citation"])}</td><td>{esc(r["year"])}</td>'
                f'<td>{esc(word("condition", r["condition"]))}</td><td>{esc(word("design", r["design"]))}{_indirect_note(r)}</td>'
                f"<td>{esc(n)}</td><td>{esc(r['regimen'])}</td><td>{esc(r['comparator'])}</td>"
                f"<td>{badge}</td><td>{ids}</td></tr>"
            )
        head = "".join(f'<th scope="col">{h}</th>' for h in ("Study", "Year", "Condition", "Design", "n (ketamine / comparator)", "Ketamine regimen", "Comparator", "Verification", "Identifiers"))
        more = _more_note(len(s))
        caption = "<caption>Studies in this report, one line per study and condition</caption>"
        return HTML(f'<table class="evidence-table">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}')

    def counts_table(self) -> HTML:
        """Studies by condition x design x verification."""
        s = self.studies.drop_duplicates(["study_id", "condition"])
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        counts = (
            s.groupby(["condition", "design", "verification"], observed=True).size().rename("studies").reset_index()
        )
        wide = counts.pivot_table(index=["condition", "design"], columns="verification", values="studies", fill_value=0, observed=True)
        wide = wide.reindex(columns=[v for v in ("verified", "unverified", "not_found") if v in wide.columns])
        wide = wide.reset_index()
        for c in ("condition", "design"):
            wide[c] = wide[c].astype(str).map(lambda v, c=c: word(c, v))
        wide.columns = [word("verification", c).capitalize() if c in ("verified", "unverified", "not_found") else c.capitalize()
                        for c in wide.columns]
        return HTML(table_html(wide, caption="Studies by condition, design and verification"))

    # ------------------------------------------------------------ effect sizes
    def effects_headline(self) -> Markdown:
        """What the comparisons show: how many favour ketamine, show no clear difference or favour the comparator."""
        e = self.effects
        comp = e[(e["verification"].astype(str) != "not_found") & np.isfinite(e["lo"].astype(float))
                 & e["effect_measure"].astype(str).isin(COMPARATIVE_MEASURES)
                 & ~e["design"].astype(str).isin(["meta_analysis", "systematic_review"])]
        null = comp["effect_measure"].astype(str).map(lambda m: DISPLAY[m]["null"]).astype(float)
        lo, hi = comp["lo"].astype(float), comp["hi"].astype(float)
        better, worse = int((hi < null).sum()), int((lo > null).sum())
        unclear = len(comp) - better - worse
        pooled = [g for g in self.groups if g.pooled]
        if len(comp):
            text = (f"**{self.label.capitalize()}: of {plural(len(comp), 'comparison')} with a 95% CI from published studies, "
                    f"{better} {verb(better, 'favours', 'favour')} ketamine, {unclear} {verb(unclear, 'shows', 'show')} no clear "
                    f"difference and {worse} {verb(worse, 'favours', 'favour')} the comparator")
        else:
            text = f"**{self.label.capitalize()}: no published comparison in this selection reports a 95% CI"
        text += f"; {plural(len(pooled), 'pooled estimate')}" if pooled else "; nothing could be pooled"
        return Markdown(text + ".**")

    @cached_property
    def direction_rows(self) -> pd.DataFrame:
        return direction_only(self.studies)

    def effect_figure(self):
        return describe(plots.effect_panels(self.effects, self.condition), effects_alt(self.effects, self.condition))

    def direction_figure(self):
        return describe(plots.direction_plot(self.direction_rows, self.condition), direction_alt(self.direction_rows, self.condition))

    def effects_table(self) -> HTML:
        e = self.effects
        if e.empty:
            return HTML("<p><em>No row of this selection reports an effect measure.</em></p>")
        rows = []
        for _, r in e.sort_values(["effect_measure", "year", "study_id"]).head(MAX_TABLE_ROWS).iterrows():
            spec = DISPLAY[str(r["effect_measure"])]
            est = _fmt_num(r["est"])
            ci = f"{_fmt_num(r['lo'])} to {_fmt_num(r['hi'])}" if np.isfinite(r["lo"]) else ""
            rows.append(
                {
                    "Study": short_name(r) + (" (article claim, not located)" if r["verification"] == "not_found" else ""),
                    "Outcome": r["outcome_description"] if pd.notna(r["outcome_description"]) else r["outcome"],
                    "Time point": r["followup_text"] if pd.notna(r["followup_text"]) else "",
                    "Measure": word("effect_measure", r["effect_measure"]),
                    "As reported": _as_reported(r),
                    "Harmonized": f"{est} {spec['unit']}".strip(),
                    "95% CI": ci,
                    "Sign reversed": "yes" if r["oriented"] else "",
                    "Direction reported": word("direction", r["direction"]),
                }
            )
        df = pd.DataFrame(rows)
        return HTML(table_html(df, caption="Every effect with its harmonized value (left of the null favours ketamine)") + _more_note(len(e)))

    def pooling_summary(self) -> Markdown:
        groups = self.groups
        if not groups:
            return Markdown("No row of this selection has an effect that could be considered for pooling.")
        pooled = [g for g in groups if g.pooled]
        lines = [
            f"Rows were grouped by condition, effect measure, comparator class, time-point window and verification "
            f"status: {plural(len(groups), 'group')}, {len(pooled)} of them pooled "
            f"(random effects, REML, with the Hartung-Knapp interval as a check)."
        ]
        if len(pooled) > MAX_FORESTS:
            lines.append(f"Forest plots are drawn for the {MAX_FORESTS} largest pooled groups; all are in tables/pooled_effects.csv.")
        return Markdown(" ".join(lines))

    def pooling_table(self) -> HTML:
        d = decisions_table(self.groups)
        if d.empty:
            return HTML("")
        d = d.drop(columns=["k_pooled"])
        from ..stats.pooling import WINDOW_WORDS

        for c in ("condition", "effect_measure", "comparator_class", "verification"):
            d[c] = d[c].astype(str).map(lambda v, c=c: word(c, v))
        d["timepoint"] = d["timepoint"].astype(str).map(lambda v: WINDOW_WORDS.get(v, v))
        d.columns = ["Condition", "Measure", "Comparator", "Time point", "Verification", "Rows", "Studies", "Decision"]
        return HTML(table_html(d, caption="Which groups were pooled, and why the others were not"))

    def pooled_groups(self) -> list[PoolGroup]:
        """The pooled groups that get a forest plot: all of them, or the largest MAX_FORESTS."""
        pooled = [g for g in self.groups if g.pooled]
        return sorted(pooled, key=lambda g: -g.k)[:MAX_FORESTS] if len(pooled) > MAX_FORESTS else pooled

    def forest_figure(self, group: PoolGroup):
        return describe(plots.forest_plot(group), forest_alt(group))

    def pooled_text(self, group: PoolGroup) -> Markdown:
        fit = group.fits[0]
        spec = DISPLAY[group.key["effect_measure"]]
        back = np.exp if spec["log"] else (lambda x: x * (100 if group.key["effect_measure"] == "risk_difference" else 1))
        knha = next((f for f in group.fits if f.test == "knha"), None)
        names = ", ".join(md(short_name(r)) for _, r in group.used.iterrows())
        text = (
            f"**{md(group_label(group.key))}** ({names}): pooled {md(spec['label'].split(',')[0].lower())} "
            f"{back(fit.estimate):.2f} (95% CI {back(fit.ci_lower):.2f} to {back(fit.ci_upper):.2f}; "
            f"prediction interval {back(fit.pi_lower):.2f} to {back(fit.pi_upper):.2f}); "
            f"tau² = {fit.tau2:.3g}, I² = {fit.i2:.0f}%."
        )
        if knha is not None:
            text += f" Hartung-Knapp 95% CI {back(knha.ci_lower):.2f} to {back(knha.ci_upper):.2f}."
        if fit.k < 5:
            text += f" With only {count_word(fit.k)} studies, the between-study variance is barely estimable; read the interval, not the point."
        return Markdown(text)

    # ------------------------------------------------------------ follow-up
    def followup_headline(self) -> Markdown:
        """How long patients were followed: the longest time point with a comparison, and how many studies give none."""
        s = self.studies[self.studies["source"] == "literature"]
        if s.empty:
            return Markdown(f"**{self.label.capitalize()}: no published study in this selection.**")
        times = s.dropna(subset=["followup_days"])
        compared = times[times["comparator_class"].astype(str).isin(["placebo", "active"])]
        none = s["study_id"].nunique() - times["study_id"].nunique()
        parts = []
        if len(compared):
            longest = compared.loc[compared["followup_days"].idxmax()]
            parts.append(f"the longest comparison with a control group ends at {human_duration(longest['followup_days'])} "
                         f"({md(self.names[str(longest['study_id'])])})")
        else:
            parts.append("no comparison with a control group states its follow-up time")
        if len(times):
            span = _span(times["followup_days"])
            parts.append(f"every published time point is {span}" if span.startswith("at ") else f"published time points run {span}")
        parts.append(f"{none} of {plural(s['study_id'].nunique(), 'published study', 'published studies')} "
                     f"{verb(none, 'states', 'state')} no follow-up time")
        return Markdown(f"**{self.label.capitalize()}: " + "; ".join(parts) + ".**")

    def followup_figure(self):
        return describe(plots.followup_plot(self.studies, self.condition), followup_alt(self.studies, self.condition))

    def followup_table(self) -> HTML:
        s = self.studies
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        firsts = s.drop_duplicates(["study_id", "condition"]).sort_values(["condition", "citation"])
        n_studies = len(firsts)
        keep = firsts.head(MAX_TABLE_ROWS)[["study_id", "condition"]]
        s = s.merge(keep, on=["study_id", "condition"])
        rows = []
        for (sid, cond), g in s.groupby(["study_id", "condition"], observed=True, sort=False):
            r = g.iloc[0]
            times = sorted(g["followup_days"].dropna().unique())
            rows.append(
                {
                    "Study": short_name(r) + (" (article claim, not located)" if r["verification"] == "not_found" else ""),
                    "Condition": word("condition", cond),
                    "Ketamine given for": human_duration(r["infusion_days"]) if pd.notna(r["infusion_days"]) else "not stated",
                    "Follow-up time points": ", ".join(human_duration(t) for t in times) or "not stated",
                    "As worded in the source": "; ".join(sorted(set(g["followup_text"].dropna().astype(str)))),
                }
            )
        df = pd.DataFrame(rows).sort_values(["Condition", "Study"])
        return HTML(table_html(df, caption="Infusion length and follow-up per study") + _more_note(n_studies))

    # ------------------------------------------------------------ adverse events
    def harms_headline(self) -> Markdown:
        s = self.studies.drop_duplicates("study_id")
        lit = s[s["source"] == "literature"]
        with_ae = lit["adverse_events"].notna().sum()
        seed = s[s["source"] == "seed_article"]
        seed_ae = seed["adverse_events"].notna().sum()
        text = (
            f"**{self.label.capitalize()}: {with_ae} of {plural(len(lit), 'published study', 'published studies')} "
            f"{verb(with_ae, 'records', 'record') if len(lit) != 1 else 'records'} harms in the table"
        )
        if len(seed):
            text += (
                f"; {count_word(seed_ae)} of the article's {plural(len(seed), 'claim')} "
                f"{verb(seed_ae, 'attributes', 'attribute')} a harm to a cited study"
            )
        text += ".**"
        return Markdown(text)

    def harms_table(self) -> HTML:
        s = self.studies.drop_duplicates(["study_id", "condition"]).sort_values(["condition", "source", "year"])
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        n = len(s)
        s = s.head(MAX_TABLE_ROWS)
        df = pd.DataFrame(
            {
                "Condition": s["condition"].astype(str).map(lambda v: word("condition", v)),
                "Study": [short_name(r) for _, r in s.iterrows()],
                "Source": s["source"].astype(str).map({"literature": "published", "seed_article": "article claim, not located"}),
                "Route": s["route"].astype(str).map(lambda v: word("route", v)),
                "Harms recorded": s["adverse_events"].fillna("none recorded in the table"),
            }
        )
        return HTML(table_html(df, caption="Harms by condition and source") + _more_note(n))

    def harms_counts(self) -> HTML:
        s = self.studies.drop_duplicates(["study_id", "condition"])
        if s.empty:
            return HTML("")
        t = s.assign(recorded=s["adverse_events"].notna().map({True: "harms recorded", False: "none recorded"}))
        wide = t.groupby(["condition", "source", "recorded"], observed=True).size().unstack(fill_value=0).reset_index()
        wide["condition"] = wide["condition"].astype(str).map(lambda v: word("condition", v))
        wide["source"] = wide["source"].astype(str).map({"literature": "published", "seed_article": "article claim"})
        return HTML(table_html(wide, caption="Studies with and without recorded harms"))


def _indirect_note(r) -> str:
    """'indirect: perioperative ...' under the design, with the reason, for studies flagged as indirect."""
    if not plots.is_indirect(r.get("indirect")):
        return ""
    reason = r.get("indirect_reason")
    reason = f": {esc(reason)}" if reason is not None and not pd.isna(reason) else ""
    return f'<br><span class="indirect-badge">indirect evidence, {esc(word("indirect", r["indirect"]))}</span>{reason}'


def _span(times: pd.Series) -> str:
    lo, hi = human_duration(times.min()), human_duration(times.max())
    return f"at {lo}" if lo == hi else f"from {lo} to {hi}"


def _n_text(r) -> str:
    nk, nc = r["n_ketamine"], r["n_control"]
    if pd.isna(nk) and pd.isna(nc):
        return "not reported"
    if pd.isna(nc):
        return f"{int(nk)}"
    return f"{'not reported' if pd.isna(nk) else int(nk)} / {int(nc)}"


def _fmt_num(x) -> str:
    if x is None or not np.isfinite(x):
        return ""
    return f"{x:.2f}"


def _as_reported(r) -> str:
    if pd.isna(r["effect"]):
        return "from arm data" if r["origin"] == "arm_data" else ""
    unit = {"mm_0_100": " mm", "points_0_10": " points", "percent": "%"}.get(str(r["unit"]), "")
    text = f"{r['effect']:g}{unit}"
    if pd.notna(r["ci_lower"]):
        text += f" ({r['ci_lower']:g} to {r['ci_upper']:g})"
    return text


def _more_note(n: int) -> str:
    if n <= MAX_TABLE_ROWS:
        return ""
    return (
        f'<p><em>The first {MAX_TABLE_ROWS} of {n} rows are shown; every row is in <a href="studies.csv">studies.csv</a> '
        "beside this report.</em></p>"
    )


def open_report(condition: str = ALL, evidence: str = "all", data_path: str = "data/studies.csv", figures_dir: str = "") -> Report:
    """Check the parameters, load and validate the table, and set the figure style."""
    condition, evidence, path = check_parameters(condition, evidence, data_path)
    plots.apply_style()
    ds = load_dataset(path)
    return Report(condition=condition, evidence=evidence, data_path=str(path), figures_dir=figures_dir or "",
                  table=ds.studies, dataset=ds)
