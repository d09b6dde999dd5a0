"""The registrations table refreshed from ClinicalTrials.gov: a registered trial the search returned gets its
status and dates as the registry gives them today; one not in the table yet gets a row, filed under the
strategy's condition and main question, linked to the study that cites its number if the study table has one."""

from __future__ import annotations

from ..data.rows import cell_text
from .found import Found
from .tables import RawTable

#: the columns a refresh rewrites; the rest (condition, question, link, notes) are a person's
REFRESHED = ("status", "start_date", "primary_completion_date", "completion_date", "last_update_posted", "has_results")


def linked_studies(studies) -> dict[str, str]:
    """{NCT number: study_id} of the study table's rows that name a registration (address or notes)."""
    from .identity import NCT

    out = {}
    for sid, *cells in zip(studies["study_id"], *(studies[c] for c in ("source_url", "notes") if c in studies)):
        for cell in cells:
            for nct in NCT.findall(cell_text(cell)):
                out.setdefault(nct.upper(), str(sid))
    return out


def refresh(
    table: RawTable, found: list[tuple[Found, dict | None, str]], today: str, links: dict[str, str]
) -> tuple[int, int]:
    """Update ``table`` from (record, strategy, search_id) triples (strategy None: a row of the table read again
    on its own); (rows whose status or dates changed, rows added)."""
    by_id = {r["registration_id"]: r for r in table.all_rows()}
    updated = added = 0
    for f, strategy, search_id in found:
        reg = f.registration
        if not reg:
            continue
        row = by_id.get(reg["registration_id"])
        note = "" if reg["registry_status"] == reg["status"] else f"registry status {reg['registry_status']}"
        if row is not None:
            before = {c: row.get(c, "") for c in REFRESHED}
            row.update({c: reg[c] for c in REFRESHED}, checked_on=today)
            if not row.get("title"):
                row["title"] = reg["title"][:500]
            updated += before != {c: row[c] for c in REFRESHED}
            table.rewritten = True
            continue
        if strategy is None:
            continue
        questions = str(strategy["question_ids"]).split("|")
        row = {
            **{c: reg[c] for c in ("registry", "registration_id", "url", *REFRESHED)},
            "title": reg["title"][:500],
            "condition": str(strategy["condition"]),
            "question_id": questions[0],
            "linked_study_id": links.get(reg["registration_id"], ""),
            "checked_on": today,
            "notes": "; ".join(x for x in (f"found by search {search_id} ({strategy['strategy_id']})", note) if x),
        }
        table.append(row)
        by_id[reg["registration_id"]] = row
        added += 1
    return updated, added
