"""Studies as a reader names them: 'Author year'."""

from __future__ import annotations

import pandas as pd


def short_name(citation, year) -> str:
    """'Etchison AR, et al. West J Emerg Med ...', 2018 -> 'Etchison 2018'."""
    first = str(citation).split(",")[0].split(" et al")[0].strip()
    first = first.split(" ")[0] if first else "?"
    return f"{first} {year}"


def study_names(table: pd.DataFrame) -> dict[str, str]:
    """'Author year' for every study of a table, by study_id."""
    first = table.drop_duplicates("study_id")
    return {str(s): short_name(c, y) for s, c, y in zip(first["study_id"], first["citation"], first["year"])}


def row_name(row) -> str:
    return short_name(row["citation"], row["year"])
