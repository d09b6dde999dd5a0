"""The machine-readable tables of the statistics, as data frames: the pooling decisions a report shows, and the
tables the build publishes under ``tables/`` (written by :mod:`helpers.site.tables`).

Numbers and codes come from the statistics; the columns that explain a
decision (why a group was or was not pooled, why a row has no weight) are
written in words here.
"""

from __future__ import annotations

import pandas as pd

from ..stats.pooling import GROUP_KEY
from ..stats.proportions import proportion_groups, proportion_table
from ..stats.sensitivity import cumulative_table, leave_one_out_table
from ..stats.small_study import small_study_table
from ..stats.subgroups import subgroup_table
from .params import check_subgroup
from .words import pooling_reason


def decisions_table(groups) -> pd.DataFrame:
    """One row per group: what it holds and why it was or was not pooled (pooling_decisions.csv)."""
    return pd.DataFrame(
        [
            {
                **g.key,
                "rows": len(g.rows),
                "studies": g.rows["study_id"].nunique(),
                "k_pooled": g.k if g.pooled else 0,
                "decision": pooling_reason(g),
            }
            for g in groups
        ],
        columns=GROUP_KEY + ["rows", "studies", "k_pooled", "decision"],
    )


def pooled_with_proportions(pooled: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """pooled_effects.csv: the comparative pooled estimates, then the pooled single-arm proportions
    (in percent, with the transform and the outcome they pool)."""
    props = proportion_table(proportion_groups(studies))
    pooled = pooled.assign(transform="", outcome="")
    if props.empty:
        return pooled
    props = props.reindex(columns=pooled.columns)
    return pd.concat([pooled, props], ignore_index=True)


def synthesis_tables(
    studies: pd.DataFrame, groups, pooled: pd.DataFrame, subgroup: str | None = None
) -> dict[str, pd.DataFrame]:
    tables = {
        "pooled_effects": pooled_with_proportions(pooled, studies),
        "leave_one_out": leave_one_out_table(groups),
        "cumulative": cumulative_table(groups),
        "small_study": small_study_table(groups),
    }
    column = check_subgroup(studies, subgroup)
    if column:
        tables["subgroups"] = subgroup_table(groups, column)
    return tables
