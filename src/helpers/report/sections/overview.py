"""The evidence overview: which studies there are, by design and verification, and how they were found."""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown

from ...data.links import page_kind
from ...data.prisma import prisma_counts
from ...data.vocabulary import designs
from ...stats.effects import harmonize
from ...stats.pooling import pooling_groups
from ..cells import MAX_TABLE_ROWS, indirect_note, more_note, n_text
from ..figures.alt import describe
from ..figures.prisma import flow_diagram
from ..figures.style import empty_panel
from ..html import Html, Row, doi_link, esc, md, pmid_link, table, table_html
from ..params import ALL, EVIDENCE_LABELS
from ..prisma import flow_text
from ..search_update import (
    appraisal_summary,
    appraisal_table,
    followups_summary,
    registrations_summary,
    registrations_table,
)
from ..text import headline_markdown, headline_parts, joined, plain_text, plural, verb
from ..words import PAGE_WORDS, word

#: at most this many trials are named in a headline (more would not fit one readable sentence: the tables list them)
MAX_NAMED = 6


class Overview:
    def __init__(self, report):
        self.r = report

    def headline(self) -> Markdown:
        return Markdown(headline_markdown(*self.headline_facts()))

    def headline_facts(self) -> tuple[str, list[str]]:
        s = self.r.studies.drop_duplicates("study_id")
        lit = s[s["source"] == "literature"]
        verified = lit[lit["verification"] == "verified"]
        unverified = len(lit) - len(verified)
        trials = verified[verified["design"].astype(str).isin(designs("randomized"))].sort_values(["year", "study_id"])
        seed = int((s["source"] == "seed_article").sum())
        head = f"{plural(len(verified), 'verified published study', 'verified published studies')}"
        n = len(trials)
        head += (
            f", {n} of them {verb(n, 'a randomized trial', 'randomized trials')}" if n else ", none a randomized trial"
        )
        parts = [head]
        if unverified:
            noun = plural(unverified, "more published study", "more published studies")
            parts.append(f"{noun} {verb(unverified, 'is', 'are')} not yet verified")
        if seed:  # the article's citations: by definition none was located (a located one is a published study)
            parts.append(
                "the one study the article cites could not be located"
                if seed == 1
                else f"{'neither' if seed == 2 else 'none'} of the {seed} studies the article cites could be located"
            )
        if self.r.condition == ALL:  # a study of two conditions is one study here, but counted in each of theirs
            parts += self.counted_twice()
        if 0 < len(trials) <= MAX_NAMED:  # last: a count after a study's name would read as its number
            names = ", ".join(md(self.r.names[str(x)]) for x in trials["study_id"])
            parts.append(f"the verified randomized {verb(len(trials), 'trial is', 'trials are')} {names}")
        return headline_parts(self.r.label, parts)

    def counted_twice(self) -> list[str]:
        """For each published study under more than one condition: which conditions count it (so that the
        conditions' counts, added up, are not taken for the total)."""
        lit = self.r.studies[self.r.studies["source"] == "literature"]
        # each study's conditions in the order they first appear, kept only for a study with two or more:
        # whole columns, not a Python function per study (a table of thousands of studies spent 0.4 s here)
        pairs = lit[["study_id", "condition"]].astype(str).drop_duplicates()
        pairs = pairs[pairs["study_id"].map(pairs["study_id"].value_counts()) > 1]
        conditions = pairs.groupby("study_id", sort=False)["condition"].agg(list)
        return [
            f"{md(self.r.names[sid])} is counted under both {joined([word('condition', c) for c in conds])}"
            if len(conds) == 2
            else f"{md(self.r.names[sid])} is counted under each of {joined([word('condition', c) for c in conds])}"
            for sid, conds in conditions.items()
            if len(conds) > 1
        ]

    def scope(self) -> Markdown:
        s = self.r.studies
        n_studies = s["study_id"].nunique()
        text = (
            f"This report covers **{self.r.label}** ({EVIDENCE_LABELS[self.r.evidence]}): "
            f"{plural(len(s), 'row')} of the study table from {plural(n_studies, 'study', 'studies')}."
        )
        return Markdown(text)

    # ------------------------------------------------------------ search and selection (PRISMA 2020)
    @cached_property
    def prisma(self):
        """PRISMA counts of the whole search, or None when the table has no search log beside it."""
        ds = self.r.dataset
        if ds is None or "search_log" not in ds or "screening" not in ds:
            return None
        groups = pooling_groups(harmonize(self.r.table))
        pooled = {sid for g in groups if g.pooled for sid in g.used["study_id"].astype(str)}
        here = None if self.r.condition == "all" else set(self.r.studies["study_id"].astype(str))
        return prisma_counts(ds.get("search_log"), ds.get("screening"), self.r.table, pooled, here)

    def prisma_summary(self) -> Markdown:
        c = self.prisma
        if c is None:
            return Markdown(
                "This table has no search log and screening record beside it, so how its studies were "
                "found is not documented here."
            )
        text = flow_text(c)
        if self.r.condition != ALL:
            studies = self.r.studies
            here = studies[studies["source"] == "literature"]["study_id"].nunique()
            text += (
                f" {plural(here, 'included study', 'included studies').capitalize()} "
                f"{verb(here, 'concerns', 'concern')} {self.r.label}."
            )
        return Markdown(text)

    def prisma_figure(self):
        if self.prisma is not None:
            return describe(
                flow_diagram(self.prisma, self.r.label),
                "PRISMA 2020 flow diagram. " + plain_text(flow_text(self.prisma)),
            )
        fig, ax = plt.subplots(figsize=(7, 1.4))
        empty = "No search log and screening record beside this table: no flow to draw."
        empty_panel(ax, empty)
        return describe(fig, empty)

    # ------------------------------------------------------------ the update search: registrations and reviews
    def _companion(self, name: str):
        ds = self.r.dataset
        return None if ds is None or name not in ds else ds.get(name)

    @property
    def registrations(self):
        """The registered trials of this report's condition (None without a registrations table beside the data)."""
        reg = self._companion("registrations")
        if reg is None or self.r.condition == ALL:
            return reg
        return reg[reg["condition"].astype(str) == self.r.condition]

    def registrations_summary(self) -> Markdown:
        reg, fol = self.registrations, self._companion("followups")
        text = "No table of registered trials sits beside this study table." if reg is None else ""
        text = text or registrations_summary(reg, self.r.label)
        if fol is not None:
            text += " " + followups_summary(fol)
        return Markdown(text.strip())

    def registrations_table(self) -> HTML:
        reg = self.registrations
        if reg is None or reg.empty:
            return HTML("")
        return HTML(registrations_table(reg, self.r.names, "Registered trials"))

    @property
    def review_appraisal(self):
        """AMSTAR 2 rows of the reviews in this selection (None without the table beside the data)."""
        app = self._companion("review_appraisal")
        if app is None:
            return None
        return app[app["study_id"].astype(str).isin(set(self.r.studies["study_id"].astype(str)))]

    def reviews_summary(self) -> Markdown:
        app = self.review_appraisal
        if app is None:
            return Markdown("No appraisal of systematic reviews sits beside this study table.")
        return Markdown(appraisal_summary(app))

    def reviews_table(self) -> HTML:
        app = self.review_appraisal
        if app is None or app.empty:
            return HTML("")
        return HTML(appraisal_table(app, self.r.names, "Systematic reviews and meta-analyses appraised with AMSTAR 2"))

    # ------------------------------------------------------------ tables
    def studies_table(self) -> HTML:
        """One line per study: citation, year, design, n, regimen, verification and identifiers."""
        s = self.r.studies.drop_duplicates(["study_id", "condition"]).sort_values(
            ["source", "condition", "year", "study_id"]
        )
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
            ids = " ".join(x for x in (doi_link(r["doi"]), pmid_link(r["pmid"])) if x)
            kind = page_kind(r.get("source_url"))
            if kind is not None:  # provenance, after the study's own links (the page itself is in studies.csv)
                ids += f"{'<br>' if ids else ''}<small>checked against {esc(PAGE_WORDS[kind])}</small>"
            cells = (
                r["citation"],
                r["year"],
                word("condition", r["condition"]),
                Html(esc(word("design", r["design"])) + indirect_note(r)),
                n_text(r),
                r["regimen"],
                r["comparator"],
                Html(badge),
                Html(ids),
            )
            rows.append(Row(cells, cls="claim" if claim else "evidence"))
        head = (
            "Study",
            "Year",
            "Condition",
            "Design",
            "Participants: total (ketamine / comparator)",
            "Ketamine regimen",
            "Comparator",
            "Verification",
            "Identifiers",
        )
        caption = "Studies in this report, one line per study and condition"
        return HTML(table(head, rows, caption) + more_note(len(s)))

    def counts_table(self) -> HTML:
        """Studies by condition x design x verification."""
        s = self.r.studies.drop_duplicates(["study_id", "condition"])
        if s.empty:
            return HTML("<p><em>No studies in this selection.</em></p>")
        counts = (
            s.groupby(["condition", "design", "verification"], observed=True).size().rename("studies").reset_index()
        )
        wide = counts.pivot_table(
            index=["condition", "design"], columns="verification", values="studies", fill_value=0, observed=True
        )
        wide = wide.reindex(columns=[v for v in ("verified", "unverified", "not_found") if v in wide.columns])
        wide = wide.reset_index()
        for c in ("condition", "design"):
            wide[c] = wide[c].astype(str).map(lambda v, c=c: word(c, v))
        wide.columns = [
            word("verification", c).capitalize() if c in ("verified", "unverified", "not_found") else c.capitalize()
            for c in wide.columns
        ]
        return HTML(table_html(wide, caption="Studies by condition, design and verification"))
