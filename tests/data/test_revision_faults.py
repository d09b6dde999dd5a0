"""``changes --since REV`` where the revision's tables cannot be read: each is reported as not compared, in one
line, as the README promises (probe case 70 gave a JSONDecodeError, csv.Error or TypeError traceback).

In-process: the revision is a damaged copy of data/, compared with the repository's as `changes` does after
extracting it (tests/data/test_changes.py covers git and the extraction).
"""

from __future__ import annotations

import csv
import json
import shutil

from helpers.data.changes import compare
from helpers.paths import ROOT
from helpers.site.changes import change_sections, changes_text
from support.tables import read_rows


def edit_rows(path, change) -> None:
    rows = read_rows(path)[:3]  # a short table: the faults are planted in its first row
    change(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_tables_the_revision_cannot_give_are_not_compared_each_in_one_line(tmp_path):
    old = tmp_path / "old" / "data"
    shutil.copytree(ROOT / "data", old)
    (old / "schema.json").write_text('{"fields": [', encoding="utf-8")  # a broken schema.json
    edit_rows(old / "risk_of_bias.csv", lambda rows: rows[0].update(support="x" * 200_000))  # over the csv limit
    edit_rows(old / "search_log.csv", lambda rows: rows[0].update(hits="9" * 23))  # beyond 64 bits
    edit_rows(old / "screening.csv", lambda rows: None)
    screening = json.loads((old / "schemas" / "screening.json").read_text(encoding="utf-8"))
    next(f for f in screening["fields"] if f["name"] == "search_id")["constraints"]["pattern"] = "S[0-9"
    (old / "schemas" / "screening.json").write_text(json.dumps(screening), encoding="utf-8")  # a pattern re refuses
    (old / "certainty.csv").unlink()  # absent then
    new = tmp_path / "new"  # now: the small claims table, intact, to compare (the others are absent now)
    shutil.copytree(ROOT / "data", new / "data", ignore=shutil.ignore_patterns("*.csv"))
    shutil.copy(ROOT / "data" / "claims.csv", new / "data")

    ch = compare("REV", "0" * 40, new, old)
    why = {name: t.not_compared for name, t in ch.tables.items()}
    assert "its schema there cannot be read (schema.json: JSONDecodeError" in why["studies"], why
    assert "does not meet its own schema there (1 problems)" in why["risk_of_bias"], why
    assert "does not meet its own schema there (1 problems)" in why["search_log"], why
    assert "its schema there cannot be applied" in why["screening"], why
    assert why["certainty"] == "at REV: the table is not there"
    assert why["claims"] is None  # the negative control: intact, so compared
    text = changes_text("REV", change_sections(ch))
    lines = [line for line in text.splitlines() if "Not compared" in line]
    assert len(lines) == 5 and all(line.startswith("  - Not compared: at REV: ") for line in lines), text
