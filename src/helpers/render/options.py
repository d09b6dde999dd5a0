"""A build's options as one value, checked once where they enter: the command line or ``build(**values)``.

Every option is checked before anything is read or written: the conditions and
the evidence filter against the definition (:mod:`helpers.report.params`), the
study table's path, the output folder (:func:`.outfolder.check_out_folder`),
the number of reports at once and the cell time limit. The plan, the event loop
and the publishing step take this value instead of a list of arguments. The
subgroup column is checked against the table once it is read (it is a column of
the table, not of the definition).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..paths import NOTEBOOKS, REPORTS
from ..report.params import ReportParams, check_condition, check_evidence, report_conditions, resolve_data_path
from .jobs import CELL_TIMEOUT, BuildError
from .outfolder import check_out_folder


@dataclass(frozen=True)
class BuildOptions:
    conditions: tuple[str, ...]
    evidence: str
    data_path: Path  # absolute; table.xlsx#Sheet names a worksheet
    out: Path  # absolute, a folder a build may publish into
    jobs: int  # reports executed at once
    force: bool
    notebooks_dir: Path  # absolute
    cell_timeout: int  # seconds
    subgroup: str  # a column to compare subgroups by; "" for none
    isolated: bool
    figures: bool

    @classmethod
    def checked(
        cls,
        *,
        conditions: list[str] | tuple[str, ...] | None = None,
        evidence: str = "all",
        data: str | Path | None = None,
        out: str | Path | None = None,
        jobs: int | None = None,
        force: bool = False,
        notebooks_dir: str | Path | None = None,
        cell_timeout: int = CELL_TIMEOUT,
        subgroup: str | None = None,
        isolated: bool = False,
        figures: bool = False,
    ) -> BuildOptions:
        """The options, each checked in this order; the first that fails stops the build in one line."""
        checked_conditions = tuple(check_condition(c) for c in (conditions or report_conditions()))
        check_evidence(evidence)
        data_path = resolve_data_path(str(data) if data else None)
        out_folder = check_out_folder(Path(out) if out else REPORTS, data_path)  # before anything is read or written
        # a kernel waits on its messages part of the time: two per core keep the cores busy
        # (benchmarks/results/executor-notes.md)
        workers = jobs if jobs is not None else 2 * (os.cpu_count() or 1)
        if workers < 1:
            raise BuildError(f"--jobs must be at least 1 (got {workers})")
        if cell_timeout < 1:
            raise BuildError(f"--cell-timeout must be at least 1 second (got {cell_timeout})")
        return cls(
            conditions=checked_conditions,
            evidence=evidence,
            data_path=data_path,
            out=out_folder,
            jobs=workers,
            force=bool(force),
            notebooks_dir=Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS,
            cell_timeout=cell_timeout,
            subgroup=subgroup or "",
            isolated=bool(isolated),
            figures=bool(figures),
        )

    @classmethod
    def from_args(cls, args) -> BuildOptions:
        """The options of ``python -m helpers build`` (argparse's namespace, paths already taken from the
        current folder by :func:`helpers.cli.paths_from_here`)."""
        return cls.checked(
            conditions=args.condition,
            evidence=args.evidence,
            data=args.data,
            out=args.out,
            jobs=args.jobs,
            force=args.force,
            notebooks_dir=args.notebooks,
            cell_timeout=args.cell_timeout,
            subgroup=args.subgroup,
            isolated=args.isolated,
            figures=args.figures,
        )

    def report_params(self, condition: str) -> ReportParams:
        """The parameters of this build's reports of one condition (figures_dir is set per report when staged)."""
        return ReportParams(condition, self.evidence, str(self.data_path), "", self.subgroup)

    @property
    def reuse(self) -> bool:
        """Whether a report may take its outputs from the execution cache (not with --force or --isolated)."""
        return not (self.force or self.isolated)
