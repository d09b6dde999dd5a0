"""Short text summaries of the study table (used by the CLI and in notebook prose)."""

from __future__ import annotations

import pandas as pd


def counts_by(studies: pd.DataFrame, rows: str, cols: str, unit: str = "study_id") -> pd.DataFrame:
    """Distinct studies (or rows, with unit=None) per rows x cols, with totals; every category shown."""
    if unit is None:
        table = pd.crosstab(studies[rows], studies[cols], dropna=False)
    else:
        table = studies.drop_duplicates([unit, rows, cols]).pipe(lambda d: pd.crosstab(d[rows], d[cols], dropna=False))
    table = table.reindex(
        index=list(studies[rows].cat.categories) if hasattr(studies[rows], "cat") else table.index,
        columns=list(studies[cols].cat.categories) if hasattr(studies[cols], "cat") else table.columns,
        fill_value=0,
    )
    table.index.name, table.columns.name = rows, cols
    return table


def table_summary(studies: pd.DataFrame) -> str:
    n_rows = len(studies)
    n_studies = studies["study_id"].nunique()
    lines = [f"{n_rows} rows, {n_studies} studies"]
    counts = counts_by(studies, "condition", "verification")
    lines.append("studies by condition x verification:")
    lines.append(counts.to_string())
    return "\n".join(lines)


def dataset_summary(ds) -> str:
    """The study table's summary, then the search and screening counts when they exist."""
    lines = [table_summary(ds.studies)]
    if "search_log" in ds and "screening" in ds:
        from ..data.prisma import prisma_counts

        c = prisma_counts(ds.get("search_log"), ds.get("screening"), ds.studies)
        lines.append(
            f"search: {c.searches} searches ({c.unresolved_lookups} look-ups unresolved), {c.identified} records, "
            f"{c.duplicates} duplicates, {c.screened} screened, {c.assessed} assessed, {c.included} studies included"
        )
    for name in ("risk_of_bias", "certainty", "claims"):
        if name in ds:
            table = ds.get(name)
            lines.append(f"{name}: {len(table)} rows")
    return "\n".join(lines)
