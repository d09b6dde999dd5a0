"""Schema-valid synthetic study tables of any size, for benchmarks and scale tests.

Rows are copies of whole studies of the shipped table, each copy with its own
study_id and a citation that says it is synthetic; copies of verified studies
are marked ``unverified`` because nobody checked them. The result passes
``python -m helpers validate``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers.paths import STUDIES_PATH


def synthetic_table(n_rows: int, path: Path) -> Path:
    with open(STUDIES_PATH, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    studies: dict[str, list[dict]] = {}
    for r in rows:
        studies.setdefault(r["study_id"], []).append(r)
    blocks = list(studies.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    written, copy = 0, 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        while written < n_rows:
            block = blocks[copy % len(blocks)]
            for r in block:
                if written >= n_rows:
                    break
                s = dict(r)
                s["study_id"] = f"syn{copy:06d}_{r['study_id']}"[:60]
                s["citation"] = f"Synthetic copy {copy} of {r['citation'][:200]} (benchmark data, not evidence)"
                if s["verification"] == "verified":
                    s["verification"] = "unverified"
                w.writerow(s)
                written += 1
            copy += 1
    return path


if __name__ == "__main__":
    n = int(sys.argv[1])
    print(synthetic_table(n, Path(sys.argv[2])))
