"""Report parameters: the one definition of what a notebook may be run with.

:data:`PARAMETERS` gives each parameter's name, type, default, allowed values
and which notebooks take it. The notebooks' parameters cells are written from
it (:func:`parameters_cell`), the build passes every parameter a notebook takes
(:func:`notebook_parameters`), :func:`open_report` takes its defaults from it,
and a test compares every committed notebook with it. Values are checked here
before any kernel starts; a value outside the allowed set is refused with a
message that lists the allowed values, so no parameter can carry code into a
notebook.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..data.schema import conditions, load_schema
from ..errors import ParameterError
from ..paths import ROOT, STUDIES_PATH, display_path
from ..stats.pooling import GROUP_KEY

EVIDENCE = ("all", "verified", "claims")
EVIDENCE_LABELS = {
    "all": "published evidence and the article's claims",
    "verified": "verified published evidence only",
    "claims": "the source article's claims only",
}
ALL = "all"


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str
    #: what a researcher may set it to, in a few words (the comment of the parameters cell)
    help: str
    #: the allowed values, when they are a list (computed: the conditions come from the schema)
    allowed: Callable[[], tuple[str, ...]] | None = None
    #: the notebooks (file stems) that take it; None: every report notebook
    notebooks: tuple[str, ...] | None = None
    type: str = "str"

    def taken_by(self, stem: str) -> bool:
        return self.notebooks is None or stem in self.notebooks


def _evidence_values() -> tuple[str, ...]:
    return EVIDENCE


PARAMETERS = (
    Parameter("condition", "all", "one of", allowed=lambda: report_conditions()),
    Parameter(
        "evidence",
        "all",
        "all rows, verified ones, or the article's claims; one of",
        allowed=_evidence_values,
    ),
    Parameter("data_path", "data/studies.csv", "the study table; relative paths start at the repository root"),
    Parameter("figures_dir", "", "a folder for 300-dpi PNGs of the figures; empty: none"),
    Parameter(
        "subgroup",
        "",
        "a categorical column to compare subgroups by, e.g. design; empty: none",
        notebooks=("02_effect_sizes",),
    ),
)
DEFAULTS = {p.name: p.default for p in PARAMETERS}


def parameters_of(stem: str) -> tuple[Parameter, ...]:
    """The parameters a report notebook takes, in the definition's order."""
    return tuple(p for p in PARAMETERS if p.taken_by(stem))


def parameters_cell(stem: str) -> str:
    """The source of a notebook's parameters cell: each parameter with its type, default and help
    (papermill's --help-notebook lists them from it)."""
    lines = []
    for p in parameters_of(stem):
        allowed = f" {', '.join(p.allowed())}" if p.allowed else ""
        lines.append(f"{p.name}: {p.type} = {json.dumps(p.default)}  # {p.help}{allowed}")
    return "\n".join(lines)


#: the tags of the researchers' cell: the first cell of every report notebook, never published
RESEARCHER_TAGS = ["researchers", "remove-cell"]
#: cell metadata that stock nbconvert honours (its templates skip the source of such a cell): a researcher's
#: papermill + jupyter nbconvert --to html shows neither the researchers' note nor a second parameters cell
STOCK_HIDDEN = {"transient": {"remove_source": True}}


def researcher_cell(stem: str) -> str:
    """The first (Markdown) cell of a report notebook: what a researcher in JupyterLab may change, with the
    allowed values, from this definition. The build removes it from the published report."""
    lines = [
        "**For researchers (this cell is not part of the published report).** To run this notebook for another "
        "selection, change the values in the parameters cell below and run all cells; a build passes its own "
        "values instead. The parameters and what they may be:",
        "",
    ]
    for p in parameters_of(stem):
        allowed = f" {', '.join(f'`{v}`' for v in p.allowed())}" if p.allowed else ""
        lines.append(f"- `{p.name}` (default `{json.dumps(p.default)}`): {p.help}{allowed}")
    lines += ["", "`make notebooks` resets the parameters to these defaults before it re-executes the notebooks."]
    return "\n".join(lines)


def notebook_parameters(stem: str, values: dict) -> dict:
    """Every parameter the notebook takes, explicitly: the given value or the default (so that nothing a
    notebook's own parameters cell holds ever reaches a build that did not ask for it)."""
    unknown = set(values) - {p.name for p in PARAMETERS}
    if unknown:
        raise ParameterError(
            f"unknown report parameter {', '.join(sorted(unknown))}: expected one of "
            f"{', '.join(p.name for p in PARAMETERS)}"
        )
    return {p.name: values.get(p.name, p.default) for p in parameters_of(stem)}


def report_conditions() -> tuple[str, ...]:
    """'all' followed by every condition of the schema."""
    return (ALL,) + conditions()


def condition_label(condition: str) -> str:
    return "all conditions" if condition == ALL else load_schema()["condition"].label(condition)


def check_condition(condition) -> str:
    allowed = report_conditions()
    if not isinstance(condition, str) or condition not in allowed:
        raise ParameterError(f"unknown condition {condition!r}: expected one of {', '.join(allowed)}")
    return condition


def check_evidence(evidence) -> str:
    if not isinstance(evidence, str) or evidence not in EVIDENCE:
        raise ParameterError(f"unknown evidence value {evidence!r}: expected one of {', '.join(EVIDENCE)}")
    return evidence


def resolve_data_path(data_path) -> Path:
    """A study-table path: relative paths are taken from the repository root.

    Any file that exists is accepted, whatever letters its path holds (accents, spaces, parentheses,
    quotes): the path is data, never code, since papermill writes parameters as quoted literals.
    """
    if data_path in (None, ""):
        return STUDIES_PATH
    if not isinstance(data_path, (str, Path)) or "\0" in str(data_path):
        raise ParameterError(f"data_path {str(data_path)!r}: expected the path of a CSV or .xlsx study table")
    from ..data.spreadsheet import split_sheet, with_sheet

    path, sheet = split_sheet(data_path)  # table.xlsx#Sheet names a worksheet
    path = path if path.is_absolute() else ROOT / path
    if not path.is_file():
        raise ParameterError(f"data_path {display_path(path)}: no such file (expected a CSV or .xlsx study table)")
    return with_sheet(path.resolve(), sheet)


@dataclass(frozen=True)
class ReportParams:
    """One report's parameters as one value (the fields are :data:`PARAMETERS`, with their defaults).

    Checked once, where they enter: :meth:`checked` for the values a notebook or a person gives; the build
    makes its reports' parameters from its options, checked when they entered (helpers.render.options).
    ``subgroup`` is "" for none; ``figures_dir`` "" for no 300-dpi PNGs.
    """

    condition: str = DEFAULTS["condition"]
    evidence: str = DEFAULTS["evidence"]
    data_path: str = DEFAULTS["data_path"]
    figures_dir: str = DEFAULTS["figures_dir"]
    subgroup: str = DEFAULTS["subgroup"]

    @classmethod
    def checked(
        cls,
        condition=DEFAULTS["condition"],
        evidence=DEFAULTS["evidence"],
        data_path=DEFAULTS["data_path"],
        figures_dir=DEFAULTS["figures_dir"],
        subgroup=DEFAULTS["subgroup"],
    ) -> ReportParams:
        """The parameters, each checked (a condition and evidence filter of the definition, a study table that
        exists, its path made absolute); the subgroup column is checked against the table when it is read."""
        condition, evidence, path = check_condition(condition), check_evidence(evidence), resolve_data_path(data_path)
        return cls(condition, evidence, str(path), figures_dir or "", subgroup or "")

    def for_notebook(self, stem: str) -> dict:
        """Every parameter the notebook ``stem`` takes, explicitly (see :func:`notebook_parameters`)."""
        return notebook_parameters(stem, {p.name: getattr(self, p.name) for p in PARAMETERS})


def select(studies: pd.DataFrame, condition: str = ALL, evidence: str = "all") -> pd.DataFrame:
    """The rows a report shows: one condition (or all) and an evidence filter."""
    check_condition(condition)
    check_evidence(evidence)
    keep = pd.Series(True, index=studies.index)
    if condition != ALL:
        keep &= studies["condition"] == condition
    if evidence == "verified":
        keep &= studies["verification"] == "verified"
    elif evidence == "claims":
        keep &= studies["source"] == "seed_article"
    out = studies[keep].copy()
    out.attrs = dict(studies.attrs, condition=condition, evidence=evidence)
    return out


def subgroup_columns(studies: pd.DataFrame) -> list[str]:
    """Columns a subgroup analysis may use: the schema's categorical columns that can vary inside a
    pooled group, and the user's own x_... columns."""
    schema = load_schema()
    fixed = set(GROUP_KEY) | {"comparator_class"}
    enums = [f.name for f in schema.fields if f.enum and f.name not in fixed]
    return enums + [c for c in studies.columns if schema.is_user_column(c)]


def check_subgroup(studies: pd.DataFrame, column) -> str | None:
    """The subgroup column, checked; None when no subgroup analysis was asked for."""
    if column in (None, ""):
        return None
    allowed = subgroup_columns(studies)
    if not isinstance(column, str) or column not in allowed:
        raise ParameterError(
            f"subgroup column {column!r} cannot be used: expected a categorical column of the table, one of "
            + ", ".join(allowed)
            + " (add a column of your own named x_... to compare other subgroups)"
        )
    return column
