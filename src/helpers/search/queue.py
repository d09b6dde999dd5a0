"""A search run: every strategy of the chosen sources for a date range, each logged in search_log.csv with its
exact query and count; the records no table knows yet queued in screening.csv as awaiting screening (never in the
study table); the registered trials refreshed in registrations.csv. Every source is searched before anything is
written, and the tables are written together or not at all."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.dataset import load_dataset
from ..data.loader import load_table
from ..data.prisma import QUEUED
from ..data.schema import load_schema
from ..data.unpublished import UNPUBLISHED_AFTER_YEARS, unpublished_rows
from ..errors import HelpersError
from ..paths import STUDIES_PATH, display_path
from . import registry, tables
from .found import Found
from .identity import found_keys, known_keys
from .sources import NAMES, SourceRun, runner
from .sources.clinicaltrials import one as one_registration

STRATEGIES = "search_strategies.csv"


@dataclass
class Outcome:
    runs: list[tuple[str, SourceRun, int]] = field(default_factory=list)  # (search_id, run, records queued)
    registrations: tuple[int, int] = (0, 0)  # (updated, added)
    unpublished: list[str] = field(default_factory=list)  # completed over two years ago, no publication
    written: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{sid} {NAMES[r.source]} {r.strategy_id}: {r.hits} found from {r.start} to {r.end} ({r.date_field}), "
            f"{queued} new queued for screening"
            for sid, r, queued in self.runs
        ]
        updated, added = self.registrations
        out.append(f"registrations: {updated} changed, {added} added")
        if self.unpublished:
            out.append(
                f"possibly unpublished (completed over {UNPUBLISHED_AFTER_YEARS} years ago, no publication or results): "
                + ", ".join(self.unpublished)
            )
        out += [f"wrote {display_path(p)}" for p in self.written]
        return out


def next_number(ids, prefix: str, width: int) -> tuple[int, int]:
    """(the number after the highest ``prefix``-number in ``ids``, the digits they are written with)."""
    nums = [m for m in (re.fullmatch(prefix + r"(\d+)", str(i)) for i in ids) if m]
    if not nums:
        return 1, width
    return max(int(m[1]) for m in nums) + 1, max(width, max(len(m[1]) for m in nums))


def screening_row(record_id: str, search_id: str, f: Found, strategy_id: str, run_date: str) -> dict:
    ids = "; ".join(
        f"{label} {value}"
        for label, value in (("DOI", f.doi), ("PMID", f.pmid), ("PMCID", f.pmcid), ("registration", f.nct))
        if value
    )
    year = f.year if f.year and 1962 <= f.year <= dt.date.today().year else ""
    return {
        "record_id": record_id,
        "search_id": search_id,
        "identifier": f.identifier[:500],
        "title": f.title[:500],
        "first_author": f.first_author[:100],
        "year": str(year),
        "decision": QUEUED,
        "reason": "not_yet_screened",
        "assessed_from": "search_result",
        "note": f"Found by {NAMES[f.source]} (strategy {strategy_id}) on {run_date}; {ids}."[:1000],
    }


def log_row(search_id: str, run: SourceRun, queued: int, known: int, run_date: str) -> dict:
    return {
        "search_id": search_id,
        "source": run.source,
        "purpose": "scheduled_update",
        "query": run.query,
        "date": run_date,
        "hits": str(run.hits),
        "records": str(queued),
        "result": f"strategy {run.strategy_id}; {run.date_field} from {run.start} to {run.end}; {queued} new "
        f"{'record' if queued == 1 else 'records'} queued for screening, {known} already recorded",
        "status": "complete",
    }


def parse_date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HelpersError(f"search {option} {value}: expected a date as YYYY-MM-DD") from None


def strategies(folder: Path, sources: list[str] | None) -> list[dict]:
    table = load_table(folder / STRATEGIES, "search_strategies")
    rows = [{k: ("" if v is None or v != v else str(v)) for k, v in r.items()} for r in table.to_dict("records")]
    return [r for r in rows if not sources or r["source"] in sources]


def run_search(
    study_path: Path | str | None = None,
    sources: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    settings=None,
    client=None,
    today: dt.date | None = None,
) -> Outcome:
    from .http import Client
    from .settings import from_environment

    study_path = Path(study_path or STUDIES_PATH)
    folder = study_path.resolve().parent
    today = today or dt.datetime.now(dt.UTC).date()
    until = until or today
    settings = settings or from_environment()
    client = client or Client(settings.timeout)
    ds = load_dataset(study_path)  # the tables as they are must be valid before anything is added to them
    log = tables.read(folder / "search_log.csv", "search_log", validate=False)
    screening = tables.read(folder / "screening.csv", "screening", validate=False)
    regs = tables.read(folder / "registrations.csv", "registrations")
    chosen = strategies(folder, sources)
    runs = []
    for s in chosen:  # every source first: a failure here leaves every table as it was
        start = max(since, dt.date.fromisoformat(s["start_date"])) if since else dt.date.fromisoformat(s["start_date"])
        if start > until:
            raise HelpersError(f"search: the date range of {s['strategy_id']} starts on {start}, after its end {until}")
        runs.append((s, runner(s["source"])(client, settings, s, start, until)))
    extra = []
    if any(r.source == "clinicaltrials" for _, r in runs):  # the table's trials the search did not return
        seen = {f.nct for _, r in runs for f in r.found if f.nct}
        extra = [
            one_registration(client, settings, row["registration_id"])
            for row in regs.rows
            if row.get("registry") == "clinicaltrials_gov" and row["registration_id"] not in seen
        ]
    return record(ds, log, screening, regs, runs, extra, today.isoformat())


def record(ds, log, screening, regs, runs, extra, run_date: str) -> Outcome:
    known = known_keys(screening.rows, ds.studies)
    n_search, w_search = next_number([r["search_id"] for r in log.rows], "S", 3)
    n_record, w_record = next_number([r["record_id"] for r in screening.rows], "R", 4)
    outcome = Outcome()
    trials = []
    for strategy, run in runs:
        search_id = f"S{n_search:0{w_search}d}"
        n_search += 1
        queued = 0
        for f in run.found:
            keys = found_keys(f)
            new = not keys & known
            if f.registration:  # a new registration gets a row; a known one only refreshes the row it has
                trials.append((f, strategy if new else None, search_id))
            if not new:
                continue
            known |= keys
            screening.append(screening_row(f"R{n_record:0{w_record}d}", search_id, f, run.strategy_id, run_date))
            n_record += 1
            queued += 1
        log.append(log_row(search_id, run, queued, len(run.found) - queued, run_date))
        outcome.runs.append((search_id, run, queued))
    trials += [(f, None, "") for f in extra]
    links = registry.linked_studies(ds.studies)
    outcome.registrations = registry.refresh(regs, trials, run_date, links)
    table = pd.DataFrame(regs.all_rows(), columns=regs.header)
    flagged = unpublished_rows(table, dt.date.fromisoformat(run_date))
    outcome.unpublished = list(flagged["registration_id"])
    outcome.written = tables.commit(ds.paths["studies"].resolve().parent, [log, screening, regs])
    return outcome


def source_names() -> tuple[str, ...]:
    return load_schema("search_strategies").enum("source")
