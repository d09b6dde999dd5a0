"""The machine-readable tables the build publishes: ``tables/`` (and ``python -m helpers tables``), each
report's rows as ``<condition>/studies.csv``, and the data the reports read under ``data/``.

Every CSV is written here, its text cells that a spreadsheet would run as formulas neutralized.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from ..files import write_atomic
from ..report.params import check_subgroup, select
from ..report.tables import decisions_table, synthesis_tables
from ..report.words import missing_words
from ..stats.effects import harmonize
from ..stats.pooling import pooled_table, pooling_groups

_FORMULA = re.compile(r"^[=+\-@\t\r]")


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote; numbers stay numbers."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype):
            text = s.astype("string")
            mask = text.str.match(_FORMULA).fillna(False).astype(bool)
            if mask.any():
                out[col] = text.where(~mask, "'" + text)
    return out


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    write_atomic(path, neutralize_formulas(df).to_csv(index=False, float_format="%.10g", lineterminator="\n"))
    return path


def write_tables(studies: pd.DataFrame, folder: Path, subgroup: str | None = None) -> dict[str, Path]:
    """effects.csv (every row's harmonized effect), pooled_effects.csv (with pooled single-arm
    proportions), pooling_decisions.csv, leave_one_out.csv, cumulative.csv, small_study.csv and,
    with a subgroup column, subgroups.csv."""
    subgroup = check_subgroup(studies, subgroup)  # a column the table cannot be split by stops before any file
    effects = harmonize(studies)
    groups = pooling_groups(effects)
    written = {
        "effects": write_csv(
            effects.assign(missing_reason=effects["missing_reason"].map(missing_words)), folder / "effects.csv"
        ),
        "pooling_decisions": write_csv(decisions_table(groups), folder / "pooling_decisions.csv"),
    }
    for name, df in synthesis_tables(studies, groups, pooled_table(groups), subgroup).items():
        written[name] = write_csv(df, folder / f"{name}.csv")
    return written


def write_condition_tables(studies: pd.DataFrame, folder: Path, conditions, evidence: str) -> None:
    """The full rows of each report's selection, as <condition>/studies.csv beside its reports."""
    for condition in conditions:
        write_csv(select(studies, condition, evidence), folder / condition / "studies.csv")


def write_data_tables(ds, table: Path, folder: Path) -> None:
    """The data the reports read, published beside them (data/) so that a page can link the search log it
    cites: the study table and the tables beside it as validated (formulas neutralized, as every CSV written
    here), and the data dictionary, the protocol and the search strategies where they sit beside the table."""
    write_csv(ds.studies, folder / "studies.csv")
    for name, path in ds.paths.items():
        if ds.get(name) is not None:
            write_csv(ds.get(name), folder / Path(path).name)
    here = Path(str(table).split("#")[0]).parent  # a spreadsheet's sheet is named after '#'
    for extra in ("README.md", "protocol.md", "references.csl.json", "search_strategies.csv"):
        if (here / extra).is_file():
            write_atomic(folder / extra, (here / extra).read_bytes())
    write_data_package(here, folder)


def write_data_package(here: Path, folder: Path) -> None:
    """The data package (``datapackage.json`` and the schemas its resources name) beside the published tables,
    when the table read is one of the package's own: a table from elsewhere is published without it."""
    package = here / "datapackage.json"
    if not package.is_file():
        return
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resources = descriptor.get("resources", [])
    if not all((folder / r["path"]).is_file() for r in resources):
        return
    for r in resources:
        if isinstance(r.get("schema"), str):
            write_atomic(folder / r["schema"], (here / r["schema"]).read_bytes())
    write_atomic(folder / "datapackage.json", package.read_bytes())
    changelog = here.parent / "CHANGELOG.md"  # the versions of the package's evidence
    if changelog.is_file():
        write_atomic(folder / "CHANGELOG.md", changelog.read_bytes())
