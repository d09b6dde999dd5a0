"""The tables of the deeper syntheses, as written under tables/ by the build and ``python -m helpers tables``."""
from __future__ import annotations

import pandas as pd

from ..stats.proportions import proportion_groups, proportion_table
from ..stats.sensitivity import cumulative_table, leave_one_out_table
from ..stats.small_study import small_study_table
from ..stats.subgroups import check_subgroup, subgroup_table


def pooled_with_proportions(pooled: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """pooled_effects.csv: the comparative pooled estimates, then the pooled single-arm proportions
    (in percent, with the transform and the outcome they pool)."""
    props = proportion_table(proportion_groups(studies))
    pooled = pooled.assign(transform="", outcome="")
    if props.empty:
        return pooled
    props = props.reindex(columns=pooled.columns)
    return pd.concat([pooled, props], ignore_index=True)


def synthesis_tables(studies: pd.DataFrame, groups, pooled: pd.DataFrame, subgroup: str | None = None) -> dict[str, pd.DataFrame]:
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
