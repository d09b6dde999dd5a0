"""The screening queue as RIS, for a reference manager or a screening tool, and the decisions read back.

Export writes every record awaiting screening with its record_id as ID. Import reads, per record, a keyword (KW)
or a note line (N1) that is exactly ``include`` or ``exclude`` followed by a reason of the screening record's
list (``exclude wrong_condition``): an included record goes on to the full text (awaiting classification, full
text not reached), an excluded one is excluded on title and abstract with its reason. A record without a
decision stays in the queue. An ID the queue does not hold, two decisions for one record or a reason off the
list stops the import in one line, and nothing is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import rispy

from ..data.prisma import QUEUED
from ..data.record_rules import reasons_by_decision
from ..errors import HelpersError
from ..files import write_atomic
from ..paths import display_path
from . import tables

DECISION = re.compile(r"^\s*(include|exclude)\b[\s:,-]*([a-z_]*)\s*$", re.I)
#: the words a screener writes, and the screening record's decision for each
OUTCOMES = {"include": "awaiting_classification", "exclude": "excluded_title_abstract"}


def _reasons() -> list[str]:
    """The reasons the screening schema allows for an exclusion on title and abstract."""
    return list(reasons_by_decision()[OUTCOMES["exclude"]])


def export_ris(folder: Path, out: Path) -> int:
    screening = tables.read(folder / "screening.csv", "screening")
    queue = [r for r in screening.rows if r["decision"] == QUEUED]
    how = "include, or exclude and one of: " + ", ".join(_reasons())
    entries = []
    for r in queue:
        entry = {
            "type_of_reference": "GEN",
            "id": r["record_id"],
            "title": r["title"],
            "notes": [r["note"], f"Awaiting screening. Record a decision as a keyword or a note line: {how}."],
        }
        if r["first_author"]:
            entry["authors"] = [r["first_author"]]
        if r["year"]:
            entry["year"] = r["year"]
        for key, label in (("doi", "DOI"), ("accession_number", "PMID")):
            m = re.search(rf"{label} (\S+?)[;.]?(?:;|$| )", r["note"])
            if m:
                entry[key] = m[1].rstrip(";.")
        entries.append(entry)
    write_atomic(out, rispy.dumps(entries))
    return len(entries)


def decision_of(entry: dict, where: str) -> tuple[str, str] | None:
    found = set()
    for line in [*entry.get("keywords", []), *(n for note in entry.get("notes", []) for n in str(note).splitlines())]:
        m = DECISION.match(str(line))
        if m:
            found.add((m[1].lower(), m[2].lower()))
    if len(found) > 1:
        raise HelpersError(
            f"{where}: expected one decision, found {len(found)} ({'; '.join(' '.join(d).strip() for d in sorted(found))})"
        )
    if not found:
        return None
    word, reason = found.pop()
    allowed = _reasons()
    if word == "exclude" and reason not in allowed:
        raise HelpersError(f"{where}: value {reason or '(none)'!r}: expected 'exclude' and one of {', '.join(allowed)}")
    if word == "include" and reason:
        raise HelpersError(f"{where}: value 'include {reason}': expected 'include' alone (the full text decides)")
    return word, reason


def import_ris(folder: Path, path: Path, today: str) -> tuple[int, int, int, list[Path]]:
    """Apply the decisions of ``path``; (included, excluded, left in the queue, files written)."""
    try:
        entries = rispy.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HelpersError(f"{display_path(path)}: cannot read it ({exc.strerror})") from None
    except Exception as exc:  # rispy's parse errors have no common base class
        raise HelpersError(f"{display_path(path)}: expected an RIS file ({type(exc).__name__}: {exc})") from None
    screening = tables.read(folder / "screening.csv", "screening")
    rows = {r["record_id"]: r for r in screening.rows}
    counts = {"include": 0, "exclude": 0, None: 0}
    for n, entry in enumerate(entries, start=1):
        rid = str(entry.get("id", "")).strip()
        where = f"{display_path(path)}, record {n} (ID {rid or 'missing'})"
        row = rows.get(rid)
        if row is None:
            raise HelpersError(
                f"{where}: expected the ID of a record of {display_path(screening.path)}; nothing was written"
            )
        if row["decision"] != QUEUED:
            raise HelpersError(
                f"{where}: expected a record awaiting screening, found one already decided ({row['decision']}); nothing was written"
            )
        decided = decision_of(entry, where)
        if decided is None:
            counts[None] += 1
            continue
        word, reason = decided
        counts[word] += 1
        row.update(
            decision=OUTCOMES[word],
            reason=reason or "full_text_not_reached",
            assessed_from="abstract",
            note=(
                row["note"]
                + f" Screened on {today} (imported from RIS): "
                + ("passed title and abstract; the full text decides." if word == "include" else f"excluded, {reason}.")
            ).strip()[:1000],
        )
        screening.rewritten = True
    written = tables.commit(folder, [screening])
    return counts["include"], counts["exclude"], counts[None], written
