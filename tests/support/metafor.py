"""Turn the metafor fixtures (tests/fixtures/metafor/NAME.csv) into study tables.

The study tables are committed under tests/fixtures/metafor/studies/ so that
the public path can be run by hand:

    python -m helpers build --data tests/fixtures/metafor/studies/bcg.csv --out /tmp/bcg

Regenerate them with ``python tests/support/metafor.py``. The rows are test
data for the statistics, not evidence: their citations say so.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "metafor"
OUT = HERE / "studies"
MEASURES = {
    "RR": "risk_ratio",
    "OR": "odds_ratio",
    "RD": "risk_difference",
    "MD": "mean_difference",
    "SMD": "standardized_mean_difference",
}
#: the mean-difference fixtures (dat.normand1999) are lengths of hospital stay: no pain scale, so "other"
UNITS = {"RR": "ratio", "OR": "ratio", "RD": "percent", "MD": "other", "SMD": "sd_units"}


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
                    mean_ketamine=r["m1i"],
                    sd_ketamine=r["sd1i"],
                    n_ketamine=r["n1i"],
                    mean_control=r["m2i"],
                    sd_control=r["sd2i"],
                    n_control=r["n2i"],
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


# ------------------------------------------------------------------ synthesis fixtures (tests/fixtures/metafor/synthesis)
SYNTHESIS = HERE / "synthesis"
SYNTHESIS_TABLES = ("bcg", "pritz1997", "hackshaw1998")
#: dat.bcg's years start in 1948, before the schema's first year (1962): the table shifts them by 40,
#: which keeps their order (and ties) for the cumulative analysis
BCG_YEAR_SHIFT = 40


def synthesis_expected(name: str) -> dict:
    return json.loads((SYNTHESIS / f"{name}.json").read_text())


def _base(name: str, i: int, label: str, year) -> dict:
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return {
        "study_id": f"fx_{name}_{i:02d}_{slug}"[:60],
        "citation": f"{label} (metafor fixture {name}; test data, not evidence)",
        "year": str(year),
        "source": "literature",
        "verification": "unverified",
        "condition": "chronic_pain_mixed",
        "design": "rct",
        "route": "iv",
        "comparator": "control arm of the fixture",
        "comparator_class": "placebo",
        "outcome": "fixture_outcome",
        "better": "lower",
        "direction": "not_reported",
    }


def synthesis_rows(name: str) -> list[dict]:
    """Study-table rows of a synthesis fixture: bcg (risk ratios from counts, with x_alloc), pritz1997
    (single-arm proportions from counts), hackshaw1998 (odds ratios from a reported estimate and 95% CI)."""
    import math

    from scipy import special

    z = float(special.ndtri(0.975))
    rows = []
    with open(SYNTHESIS / f"{name}.csv", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=1):
            if name == "bcg":
                row = _base(name, i, r["study"], int(r["year"]) + BCG_YEAR_SHIFT)
                row.update(
                    unit="ratio",
                    effect_measure="risk_ratio",
                    x_alloc=r["alloc"],
                    events_ketamine=r["ai"],
                    n_ketamine=r["n1i"],
                    events_control=r["ci"],
                    n_control=r["n2i"],
                )
            elif name == "pritz1997":
                row = _base(name, i, r["study"], 2000)
                row.update(
                    design="case_series",
                    comparator="none",
                    comparator_class="none",
                    unit="percent",
                    better="higher",
                    effect_measure="proportion",
                    events_ketamine=r["xi"],
                    n_ketamine=r["ni"],
                )
            else:
                yi, se = float(r["yi"]), math.sqrt(float(r["vi"]))
                row = _base(name, i, r["study"], r["year"])
                row.update(
                    unit="ratio",
                    effect_measure="odds_ratio",
                    effect=repr(math.exp(yi)),
                    ci_lower=repr(math.exp(yi - z * se)),
                    ci_upper=repr(math.exp(yi + z * se)),
                )
            rows.append(row)
    return rows


def write_synthesis_table(name: str, path: Path) -> Path:
    from helpers.data.schema import load_schema

    rows = synthesis_rows(name)
    columns = load_schema().names + [c for c in rows[0] if c.startswith("x_")]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in columns})
    return path


if __name__ == "__main__":
    for name in fixture_names():
        print(write_study_table(name, OUT / f"{name}.csv"))
    for name in SYNTHESIS_TABLES:
        print(write_synthesis_table(name, OUT / f"synthesis_{name}.csv"))
