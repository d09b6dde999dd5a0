"""What the notebooks open: the report context (parameters, data, effects, names) and its sections.

A notebook is prose, a parameters cell and one-line calls::

    from helpers.report import open_report
    r = open_report(condition, evidence, data_path, figures_dir)
    r.overview.studies_table()        # escaped HTML table
    r.show(r.effect_sizes.effect_figure(), "effect_sizes")  # shown, and saved when figures are asked for

Each section (overview, effect sizes, syntheses, follow-up, harms, appraisal)
is a module of :mod:`helpers.report.sections`, reached the same way from the
context. Nothing here depends on the kernel's working directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from ..data.dataset import DataSet, load_dataset
from ..stats.effects import harmonize
from ..stats.pooling import PoolGroup, pooling_groups
from .figures import style
from .names import study_names
from .numbers import count_word
from .params import ALL, DEFAULTS, ReportParams, check_subgroup, condition_label, select
from .sections.appraisal import Appraisal
from .sections.effect_sizes import EffectSizes
from .sections.followup import Followup
from .sections.harms import Harms
from .sections.overview import Overview
from .sections.synthesis import Synthesis
from .text import seed_sentence, verb


@dataclass
class Report:
    condition: str
    evidence: str
    data_path: str
    figures_dir: str = ""
    table: pd.DataFrame = field(repr=False, default=None)
    dataset: DataSet | None = field(repr=False, default=None)
    subgroup: str | None = None

    # ------------------------------------------------------------ data
    @cached_property
    def studies(self) -> pd.DataFrame:
        """The rows this report shows (condition and evidence filter applied)."""
        return select(self.table, self.condition, self.evidence)

    @cached_property
    def effects(self) -> pd.DataFrame:
        return harmonize(self.studies)

    @cached_property
    def names(self) -> dict[str, str]:
        """'Author year' for every study of the table."""
        return study_names(self.table)

    @cached_property
    def groups(self) -> list[PoolGroup]:
        return pooling_groups(self.effects)

    @property
    def label(self) -> str:
        return condition_label(self.condition)

    def save(self, fig, name: str):
        """Save a figure as a 300-dpi PNG when the build asked for figures. A figure with nothing to show is
        neither saved nor shown: its sentence is displayed as text instead (the notebook's plt.show() then has
        no figure to draw)."""
        empty = style.nothing_to_show(fig)
        if empty is not None:
            plt.close(fig)
            display(Markdown(f"*{empty}*"))
            return None
        return style.save(fig, name, self.figures_dir)

    def show(self, fig, name: str) -> None:
        """A figure's one call in a notebook: :meth:`save` it, then show it (``plt.show()``, as a plotting cell
        ends). Returns nothing, so the cell's only output is the figure, or the sentence of one with nothing to
        show."""
        self.save(fig, name)
        plt.show()

    # ------------------------------------------------------------ sections
    @cached_property
    def overview(self) -> Overview:
        return Overview(self)

    @cached_property
    def effect_sizes(self) -> EffectSizes:
        return EffectSizes(self)

    @cached_property
    def synthesis(self) -> Synthesis:
        """Pooled single-arm rates, subgroups, sensitivity analyses and small-study effects."""
        return Synthesis(self)

    @cached_property
    def followup(self) -> Followup:
        return Followup(self)

    @cached_property
    def harms(self) -> Harms:
        return Harms(self)

    @cached_property
    def appraisal(self) -> Appraisal:
        """The answer, Summary of Findings, claims and risk of bias (the bottom-line report's sections)."""
        return Appraisal(self)

    # ------------------------------------------------------------ shared prose
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


def open_report(
    condition: str = DEFAULTS["condition"],
    evidence: str = DEFAULTS["evidence"],
    data_path: str = DEFAULTS["data_path"],
    figures_dir: str = DEFAULTS["figures_dir"],
    subgroup: str = DEFAULTS["subgroup"],
) -> Report:
    """Check the parameters (their definition: helpers.report.params.PARAMETERS), load and validate the
    table, and set the figure style."""
    params = ReportParams.checked(condition, evidence, data_path, figures_dir, subgroup)
    style.apply_style()
    return report_for(params, load_dataset(params.data_path))


def report_for(params: ReportParams, ds: DataSet) -> Report:
    """The report of checked parameters on a loaded data set (the subgroup column checked against its table)."""
    return Report(
        condition=params.condition,
        evidence=params.evidence,
        data_path=params.data_path,
        figures_dir=params.figures_dir,
        table=ds.studies,
        dataset=ds,
        subgroup=check_subgroup(ds.studies, params.subgroup),
    )
