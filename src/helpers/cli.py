"""Command line: ``python -m helpers validate [PATH]``, ``build``, ``changes --since REV`` and the rest."""

from __future__ import annotations

import argparse
import sys

from .errors import HelpersError
from .files import os_error_message
from .paths import ROOT, display_path
from .startup import skip_rfc3987_syntax


def _validate(args) -> int:
    from .data.bibliography import check_bibliography
    from .data.dataset import load_dataset
    from .findings.answers import check_answers
    from .findings.grading import check_grading
    from .findings.placeholders import check_placeholders
    from .paths import STUDIES_PATH
    from .report.summary import dataset_summary

    path = args.path or STUDIES_PATH
    ds = load_dataset(path)
    check_placeholders(ds)  # the facts the free text names exist
    items = check_bibliography(ds.studies, path)  # the published studies' metadata agree with the table
    check_grading(ds)  # GRADE's written rules, after the schema and reference checks
    check_answers(ds)  # each authored answer still fits the certainty and direction it was written for
    for p in [path, *(ds.paths[n] for n in ds.tables)]:
        print(f"{display_path(p)}: valid")
    if ds.tables:
        print("references between the tables: valid")
    if items is not None:
        print(f"bibliographic metadata of the published studies ({len(items)} items): valid")
    if "claims" in ds or "certainty" in ds:
        print("placeholders in the reasons: valid")
    if "certainty" in ds:
        print("certainty judgements by GRADE's written rules: valid")
    if "answers" in ds:
        print("answers written for the findings' certainty and direction: valid")
    print(dataset_summary(ds))
    return 0


def _changes(args) -> int:
    from .site.changes import changes_since, changes_text

    print(changes_text(args.since, changes_since(args.since)))
    return 0


def _dictionary(args) -> int:
    from .data.dictionary import check_dictionary, write_dictionary

    if args.check:
        stale = check_dictionary()
        if stale:
            print(stale, file=sys.stderr)
            return 1
        print("data/README.md is up to date with data/schema.json")
        return 0
    path = write_dictionary()
    print(f"wrote {display_path(path)}")
    return 0


def _tables(args) -> int:
    from pathlib import Path

    from .data.loader import load_studies
    from .report.params import resolve_data_path
    from .site.tables import write_tables

    out = Path(args.out).resolve()
    for path in write_tables(load_studies(resolve_data_path(args.data)), out, args.subgroup).values():
        print(f"wrote {display_path(path)}")
    return 0


def _search(args) -> int:
    from pathlib import Path

    from .paths import STUDIES_PATH

    study_path = Path(args.data or STUDIES_PATH)
    folder = study_path.resolve().parent
    if args.export_ris:
        from .search.ris import export_ris

        n = export_ris(folder, Path(args.export_ris))
        print(f"wrote {display_path(args.export_ris)}: {n} records awaiting screening")
        return 0
    if args.import_ris:
        import datetime as dt

        from .search.ris import import_ris

        included, excluded, left, written = import_ris(folder, Path(args.import_ris), dt.date.today().isoformat())
        print(f"{included} passed to the full text, {excluded} excluded, {left} left awaiting screening")
        for p in written:
            print(f"wrote {display_path(p)}")
        return 0
    from .search.queue import parse_date, run_search

    outcome = run_search(study_path, args.source, parse_date(args.since, "--since"), parse_date(args.until, "--until"))
    print("\n".join(outcome.lines()))
    return 0


def search_epilog() -> str:
    from .search.settings import VARIABLES

    env = "\n".join(
        f"  {name:<24}{what}" + (f" (default {default})" if default else "") for name, what, default in VARIABLES
    )
    return (
        "sources (the source column of data/search_strategies.csv):\n"
        "  pubmed          PubMed through NCBI's E-utilities (esearch, esummary); 3 requests a second, 10 with an API key\n"
        "  europepmc       Europe PMC's REST search (cursorMark paging)\n"
        "  clinicaltrials  ClinicalTrials.gov's API version 2 (/studies, pageToken paging); refreshes registrations.csv\n"
        "\nenvironment:\n" + env + "\n\n"
        "Each run appends one row per strategy to search_log.csv (source, exact query with its date range, run date,\n"
        "count) and queues the records that screening.csv and studies.csv do not hold (by DOI, PMID, NCT number or\n"
        "normalized title) in screening.csv as awaiting screening. Nothing is written unless every source answered."
    )


def _build(args) -> int:
    from .render.build import main as build_main

    return build_main(args)


SUBGROUP_HELP = (
    "compare subgroups of every pooled group by this categorical column (for example design, route "
    "or a column of your own named x_...): tables/subgroups.csv and a section of the effect-size reports"
)


def paths_from_here(args) -> None:
    """Paths typed on the command line are taken from the current folder, as every command-line tool takes
    them (a notebook's ``data_path`` parameter is taken from the repository root instead). A relative one
    is said once with the folder it was taken from, and a --data that is not there is refused, never
    looked for somewhere else."""
    from pathlib import Path

    from .errors import ParameterError

    here = Path.cwd()
    for option in ("data", "out", "notebooks"):
        value = getattr(args, option, None)
        if not value or Path(str(value).split("#")[0]).is_absolute():
            continue
        if option == "data":
            from .data.spreadsheet import split_sheet, with_sheet

            file, sheet = split_sheet(value)  # table.xlsx#Sheet names a worksheet
            if not file.exists():
                raise ParameterError(
                    f"--data {value}: no such file in the current folder {here} (relative paths are taken from "
                    "the folder the command runs in; expected a CSV or .xlsx study table)"
                )
            resolved = str(with_sheet(file.resolve(), sheet))
        else:
            resolved = str(Path(value).resolve())
        if here.resolve() != ROOT:  # from the repository root the two readings agree: nothing to say
            print(f"--{option} {value}: taken from the current folder, {resolved}", file=sys.stderr)
        setattr(args, option, resolved)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate a study table and the tables beside it, and print a summary")
    v.add_argument(
        "path",
        nargs="?",
        help="study table: CSV, or .xlsx (table.xlsx#Sheet for a sheet other than the first); "
        "default data/studies.csv. search_log.csv, screening.csv and the appraisal tables in the same folder "
        "are checked with it",
    )
    v.set_defaults(func=_validate)

    c = sub.add_parser(
        "changes",
        help="what changed in data/ since a git revision, by meaning: studies, numbers, judgements, verdicts, "
        "short answers",
    )
    c.add_argument("--since", required=True, metavar="REV", help="a commit, tag or branch (for example HEAD~5)")
    c.set_defaults(func=_changes)

    d = sub.add_parser("dictionary", help="regenerate data/README.md from data/schema.json")
    d.add_argument("--check", action="store_true", help="only check that it is up to date")
    d.set_defaults(func=_dictionary)

    t = sub.add_parser(
        "tables",
        help="write the CSV tables only (effects, pooled effects, decisions, sensitivity, small-study effects, subgroups)",
    )
    t.add_argument("--data", metavar="PATH", help="study table (default: data/studies.csv)")
    t.add_argument("--out", metavar="DIR", required=True, help="folder for the CSV files")
    t.add_argument("--subgroup", metavar="COLUMN", help=SUBGROUP_HELP)
    t.set_defaults(func=_tables)

    se = sub.add_parser(
        "search",
        help="run the search strategies again (PubMed, Europe PMC, ClinicalTrials.gov), queue new records for "
        "screening, log the run; or export/import the queue as RIS",
        description="Run the strategies of data/search_strategies.csv for a date range and queue what is new for a "
        "person to screen; nothing enters the study table.",
        epilog=search_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    se.add_argument(
        "--source",
        action="append",
        choices=("pubmed", "europepmc", "clinicaltrials"),
        help="only this source; repeatable",
    )
    se.add_argument(
        "--since", metavar="YYYY-MM-DD", help="start of the date range (default: each strategy's start date)"
    )
    se.add_argument("--until", metavar="YYYY-MM-DD", help="end of the date range (default: today)")
    se.add_argument(
        "--data", metavar="PATH", help="study table whose folder holds the tables (default: data/studies.csv)"
    )
    ris = se.add_mutually_exclusive_group()
    ris.add_argument(
        "--export-ris", metavar="FILE", help="write the records awaiting screening as RIS, and search nothing"
    )
    ris.add_argument(
        "--import-ris",
        metavar="FILE",
        help="apply the decisions of an RIS file (a keyword or note line 'include', or 'exclude REASON'), and search nothing",
    )
    se.set_defaults(func=_search)

    b = sub.add_parser("build", help="execute the notebooks and render the HTML reports")
    b.add_argument(
        "--condition",
        action="append",
        metavar="C",
        help="build only this condition ('all' or a condition of the schema); repeatable",
    )
    b.add_argument("--evidence", default="all", help="all, verified or claims (default: all)")
    b.add_argument(
        "--data",
        metavar="PATH",
        help="study table to use: CSV, or .xlsx (first sheet, or table.xlsx#Sheet) (default: data/studies.csv)",
    )
    b.add_argument("--out", metavar="DIR", help="where to publish the reports (default: reports/)")
    b.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="reports executed at once, each on its own kernel (default: twice the number of cores)",
    )
    b.add_argument("--force", action="store_true", help="rebuild every report even if its inputs did not change")
    b.add_argument("--notebooks", metavar="DIR", help="folder of NN_name.ipynb notebooks (default: notebooks/)")
    b.add_argument(
        "--cell-timeout", type=int, default=300, metavar="S", help="time limit per cell in seconds (default: 300)"
    )
    b.add_argument("--subgroup", metavar="COLUMN", help=SUBGROUP_HELP)
    b.add_argument(
        "--isolated",
        action="store_true",
        help="start a fresh kernel process per report instead of forking a pre-imported one, and run every "
        "stale report even where only its prose changed (same reports, slower)",
    )
    b.add_argument(
        "--figures",
        action="store_true",
        help="also write every figure as a 300-dpi PNG under <out>/figures/ for manuscripts (slower)",
    )
    b.add_argument(
        "--refresh-notebooks",
        action="store_true",
        help="re-execute the committed notebooks (notebooks/, or --notebooks DIR) with their parameters cells reset to the defaults (for nbval)",
    )
    b.set_defaults(func=_build)
    return p


def main(argv: list[str] | None = None) -> int:
    skip_rfc3987_syntax()
    args = parser().parse_args(argv)

    try:
        paths_from_here(args)
        return args.func(args)
    except HelpersError as exc:
        print(str(exc), file=sys.stderr)
        return getattr(exc, "exit_code", 1)  # 128 + the signal's number for a build a signal stopped
    except OSError as exc:  # the disk, the folder's permissions: the path and the cause, not a traceback
        print(os_error_message(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
