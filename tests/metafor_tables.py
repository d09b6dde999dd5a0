"""Turn the metafor fixtures (tests/fixtures/metafor/NAME.csv) into study tables.

The study tables are committed under tests/fixtures/metafor/studies/ so that
the public path can be run by hand:

    python -m helpers build --data tests/fixtures/metafor/studies/bcg.csv --out /tmp/bcg

Regenerate them with ``python tests/metafor_tables.py``. The rows are test
data for the statistics, not evidence: their citations say so.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent / "fixtures" / "metafor"
OUT = HERE / "studies"
MEASURES = {"RR": "risk_ratio", "OR": "odds_ratio", "RD": "risk_difference", "MD": "mean_difference", "SMD": "standardized_mean_difference"}
UNITS = {"RR": "ratio", "OR": "ratio", "RD": "percent", "MD": "points_0_10", "SMD": "sd_units"}


def fixture_names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.json"))


def expected(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text())


def study_rows(name: str) -> list[dict]:
    measure = expected(name)["measure"]
    rows = []
    with open(HERE / f"{name}.csv", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=1):
            slug = re.sub(r"[^a-z0-9]+", "_", r["study"].lower()).strip("_")
            row = {
                "study_id": f"fx_{name}_{i:02d}_{slug}"[:60],
                "citation": f"{r['study']} (metafor fixture {name}; test data, not evidence)",
                "year": "2000",
                "source": "literature",
                "verification": "unverified",
                "condition": "chronic_pain_mixed",
                "design": "rct",
                "route": "iv",
                "comparator": "control arm of the fixture",
                "comparator_class": "placebo",
                "outcome": "fixture_outcome",
                "unit": UNITS[measure],
                "better": "lower",
                "effect_measure": MEASURES[measure],
                "direction": "not_reported",
            }
            if "ai" in r:
                row.update(events_ketamine=r["ai"], n_ketamine=r["n1i"], events_control=r["ci"], n_control=r["n2i"])
            else:
                row.update(
                    mean_ketamine=r["m1i"], sd_ketamine=r["sd1i"], n_ketamine=r["n1i"],
                    mean_control=r["m2i"], sd_control=r["sd2i"], n_control=r["n2i"],
                )
            rows.append(row)
    return rows


def write_study_table(name: str, path: Path) -> Path:
    from helpers.data.schema import load_schema

    columns = load_schema().names
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns, lineterminator="\n")
        w.writeheader()
        for row in study_rows(name):
            w.writerow({c: row.get(c, "") for c in columns})
    return path


if __name__ == "__main__":
    for name in fixture_names():
        print(write_study_table(name, OUT / f"{name}.csv"))
