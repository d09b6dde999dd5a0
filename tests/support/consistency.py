"""Reading the facts a built page marks (``<data value=... data-field=...>``) and the numbers it does not.

Everything here reads the HTML and ``data/*.csv`` directly, never through the
package's findings: the consistency test compares the two.
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import DATA

from .tables import read_rows, write_rows

MARK = re.compile(r"<data ([^>]*)>(.*?)</data>", re.S)
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
BLOCK = re.compile(r"<(?:/?(?:p|li|td|th|tr|dt|dd|caption|h[1-6]|ul|ol|table|section|br|div|figcaption))\b[^>]*>", re.I)
DROP = re.compile(r"<(style|script|svg)\b.*?</\1>|<span class=\"outcome-def\">.*?</span>", re.S | re.I)
#: a number a reader would take for a fact (not a year, not the 95% of "95% CI", not a scale's ends)
NUMBER = re.compile(r"(?<![\w.])[-\u2212]?\d+(?:\.\d+)?(?![\w.]*\d)")
NOT_FACTS = re.compile(r"95% CI|0-10|0-100|\b(?:19|20)\d\d\b|per 1,000|\b[A-Z]\d\b|below 0|below no effect")


@dataclass(frozen=True)
class Mark:
    page: str
    field: str
    value: str
    study: str | None
    key: str | None
    line: str | None
    text: str


def marks(page: str, text: str) -> list[Mark]:
    out = []
    for m in MARK.finditer(text):
        a = dict(ATTR.findall(m.group(1)))
        out.append(
            Mark(
                page,
                a["data-field"],
                html_lib.unescape(a["value"]),
                a.get("data-study"),
                a.get("data-key"),
                a.get("data-line"),
                html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(2))),
            )
        )
    return out


def segments(text: str, keep_marks: bool = False) -> list[str]:
    """The page's reader text, split at block boundaries, with every marked fact removed (or kept)."""
    body = DROP.sub(" ", text) if not keep_marks else re.sub(r"<(style|script|svg)\b.*?</\1>", " ", text, flags=re.S)
    body = re.sub(r'\salt="[^"]*"', " ", body)  # alt text: alt_values_unmarked
    if not keep_marks:
        body = MARK.sub(" \u2063 ", body)  # a marked fact: a separator, not a number
    parts = BLOCK.split(body)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", p)).split()) for p in parts]


def unmarked_numbers(text: str, names: list[str]) -> list[str]:
    """'Name: ... 2.0 points' where a number follows a study's name in the same sentence without a mark."""
    found = []
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    for seg in segments(text):
        hits = list(pattern.finditer(seg))
        for i, h in enumerate(hits):
            end = hits[i + 1].start() if i + 1 < len(hits) else len(seg)
            tail = re.split(r"(?<=[a-z)])\. |; ", seg[h.end() : end], maxsplit=1)[0]
            tail = NOT_FACTS.sub(" ", tail)
            if NUMBER.search(tail):
                found.append(f"{h.group(0)}{seg[h.end() : h.end() + len(tail)]}")
    return found


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-4)


# ------------------------------------------------------------------ what the study table says, read here
CROSSOVER = ("crossover_rct", "crossover")
Z = 1.959963984540054


def f(x) -> float | None:
    return float(x) if x not in ("", None) else None


def size(rows: list[dict]) -> int | None:
    """GRADE's count of one study: a crossover's patients once, the largest of its rows; a row's size is its
    analysed total, else its arms, else its randomized total."""
    best = None
    for r in rows:
        nk, nc = f(r["n_ketamine"]), f(r["n_control"])
        total, analysed = f(r.get("n_randomized", "")), f(r.get("n_analysed", ""))
        if analysed is not None:
            n = analysed
        elif nk is not None or nc is not None:
            n = max(nk or 0, nc or 0) if r["design"] in CROSSOVER else (nk or 0) + (nc or 0)
        elif total is not None:
            n = total
        else:
            continue
        best = n if best is None else max(best, n)
    return None if not best else int(best)


def wilson(e: float, n: float) -> tuple[float, float]:
    p = e / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


ABSOLUTE_FIELDS = ("risk_ketamine", "risk_control", "risk_difference", "risk_difference_lower", "risk_difference_upper")


def expected_absolute(r: dict) -> tuple[int, ...]:
    """Per 1,000, whole: risk with ketamine, with the comparator, the difference and its Wald interval
    (1/2 added to every cell of a table with a zero cell, as metafor does)."""
    ek, nk, ec, nc = (float(r[c]) for c in ("events_ketamine", "n_ketamine", "events_control", "n_control"))
    a, b, c, d = ek, nk - ek, ec, nc - ec
    if 0 in (a, b, c, d):
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    p1, p2 = a / (a + b), c / (c + d)
    se = math.sqrt(p1 * (1 - p1) / (a + b) + p2 * (1 - p2) / (c + d))
    return tuple(round(1000 * x) for x in (ek / nk, ec / nc, ek / nk - ec / nc, p1 - p2 - Z * se, p1 - p2 + Z * se))


def expected_result(r: dict) -> tuple[float, float | None, float | None]:
    """(estimate, lower, upper) as a page must show a row: oriented so below no effect favours ketamine."""
    m, unit = r["effect_measure"], r["unit"]
    factor = {"mm_0_100": 0.1, "percent": 0.01}.get(unit, 1.0)
    ek, nk, ec, nc = (f(r[c]) for c in ("events_ketamine", "n_ketamine", "events_control", "n_control"))
    lo = hi = None
    if m == "mean_difference" and all(r[c] for c in ("mean_ketamine", "sd_ketamine", "mean_control", "sd_control")):
        y = (float(r["mean_ketamine"]) - float(r["mean_control"])) * factor
        se = factor * math.sqrt(float(r["sd_ketamine"]) ** 2 / nk + float(r["sd_control"]) ** 2 / nc)
        lo, hi = y - Z * se, y + Z * se
    elif m in ("risk_ratio", "odds_ratio", "risk_difference") and None not in (ek, nk, ec, nc):
        a, b, c, d = ek, nk - ek, ec, nc - ec
        if 0 in (a, b, c, d):
            a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        if m == "risk_ratio":
            y, v = math.log((a / (a + b)) / (c / (c + d))), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
        elif m == "odds_ratio":
            y, v = math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
        else:
            p1, p2 = a / (a + b), c / (c + d)
            y, v = p1 - p2, p1 * (1 - p1) / (a + b) + p2 * (1 - p2) / (c + d)
        lo, hi = y - Z * math.sqrt(v), y + Z * math.sqrt(v)
    elif m == "proportion" and ek is not None and nk:
        y = ek / nk
        lo, hi = wilson(ek, nk)
    elif r["effect"]:
        y = float(r["effect"])
        y = math.log(y) if m in ("risk_ratio", "odds_ratio") else y * factor
        if r["ci_lower"]:
            lo, hi = (
                math.log(float(r[c])) if m in ("risk_ratio", "odds_ratio") else float(r[c]) * factor
                for c in ("ci_lower", "ci_upper")
            )
    else:
        raise AssertionError(f"a page shows a result for a row without one: {r['study_id']} {r['outcome']}")
    if m != "proportion" and r["better"] == "higher":
        y, lo, hi = -y, (None if hi is None else -hi), (None if lo is None else -lo)

    def show(x):
        if x is None:
            return None
        if m in ("risk_ratio", "odds_ratio"):
            return math.exp(x)
        return 100 * x if m in ("risk_difference", "proportion") else x

    return show(y), show(lo), show(hi)


def row_for(rows: list[dict], study: str, key: str) -> dict:
    outcome, days = key.split("@")
    mine = [
        r
        for r in rows
        if r["study_id"] == study
        and r["outcome"] == outcome
        and (
            (not days and not r["followup_days"])
            or (days and r["followup_days"] and close(float(r["followup_days"]), float(days)))
        )
    ]
    assert mine, (study, key)
    return mine[0]


WINDOWS = (("up_to_1_day", 1.0), ("1_to_14_days", 14.0), ("14_to_90_days", 90.0), ("over_90_days", math.inf))


def window(days: str) -> str:
    if not days:
        return "not_reported"
    return next(name for name, upper in WINDOWS if float(days) <= upper)


def line_rows(line: dict, rows: list[dict], pools_as: dict) -> list[dict]:
    ids, outcomes = line["study_ids"].split("|"), line["outcomes"].split("|")

    def group(r):
        drug = r["comparator_drug"]
        return pools_as.get(drug, drug) if drug else r["comparator_class"]

    out = [
        r
        for r in rows
        if r["study_id"] in ids
        and r["condition"] == line["condition"]
        and r["outcome"] in outcomes
        and group(r) == line["comparator"]
    ]
    frame = line["time_frame"]
    if frame and frame != "not_reported":
        out = [r for r in out if not r["followup_days"] or window(r["followup_days"]) == frame]
    return out


def expected_line(field: str, key: str | None, line: dict, rows: list[dict], pools_as: dict) -> float | str:
    mine = line_rows(line, rows, pools_as)
    ids = line["study_ids"].split("|")
    if field == "certainty":
        return line["certainty"]
    if field == "studies":
        designs = {r["study_id"]: r["design"] for r in rows}
        return sum(designs[s] == key for s in ids)
    if field == "participants":
        sizes = [size([r for r in mine if r["study_id"] == s]) for s in ids]
        counts = {s: [r["n_counts"] for r in mine if r["study_id"] == s] for s in ids}
        return sum(n for s, n in zip(ids, sizes) if n and "encounters" not in counts[s])
    if field in ("risk_comparator", "risk_ketamine"):
        arms = sorted(
            float(r["events_control"]) / float(r["n_control"]) for r in mine if r["events_control"] and r["n_control"]
        )
        k = len(arms)
        acr = arms[k // 2] if k % 2 else (arms[k // 2 - 1] + arms[k // 2]) / 2
        if field == "risk_comparator":
            return round(1000 * acr)
        (r,) = [x for x in mine if x["events_control"]]
        est, _, _ = expected_result(r)
        return round(1000 * min(1.0, acr * est))
    raise AssertionError(f"a mark names a line field this test does not know: {field}")


def mismatches(found: list[Mark], rows: list[dict], lines: list[dict], pools_as: dict) -> list[str]:
    """Marks whose value differs from what the study table and certainty.csv give, read here."""
    out = []
    by_study: dict[str, list[dict]] = {}
    for r in rows:
        by_study.setdefault(r["study_id"], []).append(r)
    for m in found:
        where = f"{m.page}: {m.field} of {m.study or 'line ' + str(m.line)} {m.key or ''} = {m.value}"
        if m.line is not None:
            want = expected_line(m.field, m.key, lines[int(m.line) - 2], rows, pools_as)
        elif m.study and m.study.startswith("condition:"):
            cond = m.study.split(":", 1)[1]
            here = [r for r in rows if r["condition"] == cond and r["source"] == "literature"]
            if m.field == "trials":
                here = [r for r in here if r["design"] in ("rct", "crossover_rct") and r["verification"] == "verified"]
            want = len({r["study_id"] for r in here})
        elif m.study and m.field == "n":
            want = size(by_study[m.study])
        elif m.study and m.field in ("effect", "lower", "upper"):
            est, lo, hi = expected_result(row_for(rows, m.study, m.key))
            want = {"effect": est, "lower": lo, "upper": hi}[m.field]
        elif m.study and m.field in ABSOLUTE_FIELDS:
            want = expected_absolute(row_for(rows, m.study, m.key))[ABSOLUTE_FIELDS.index(m.field)]
        elif m.study and m.field in ("events_ketamine", "events_control", "n_ketamine", "n_control", "followup_days"):
            want = f(row_for(rows, m.study, m.key)[m.field])
        elif m.field in ("estimate", "lower", "upper") and (m.key or "").startswith("proportion:"):
            continue  # a pooled rate: compared with the build's own table (test_consistency)
        else:
            out.append(f"{where}: a mark this test cannot check")
            continue
        if isinstance(want, str):
            ok = want == m.value
        else:
            ok = want is not None and close(float(m.value), float(want))
        if not ok:
            out.append(f"{where}, expected {want}")
    return out


def disagreements(found: list[Mark]) -> list[str]:
    """The same fact (field, study or line, key) marked with two values anywhere."""
    seen: dict[tuple, set] = {}
    for m in found:
        seen.setdefault((m.field, m.study, m.line, m.key), set()).add(m.value)
    return [f"{k}: {sorted(v)}" for k, v in seen.items() if len(v) > 1]


VALUE = re.compile(r"(?<![\w.])[-\u2212]?\d+\.\d+|(?<![\w.])[-\u2212]?\d+(?=%| points| percentage)")


def alt_values_unmarked(page: str, text: str, names: list[str]) -> tuple[int, list[str]]:
    """Values (decimals, percentages, points) in a figure's alt text, in a sentence naming a study, that no mark
    of the same page holds: the alt text must read the same finding the page shows. (values checked, offenders)"""
    values = []
    for m in marks(page, text):
        try:
            values.append(float(m.value))
        except ValueError:
            pass
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    out, checked = [], 0
    for alt in re.findall(r'\salt="([^"]*)"', text):
        for sentence in re.split(r"(?<=[a-z)])\. ", html_lib.unescape(alt)):
            hit = pattern.search(sentence)
            if not hit:
                continue
            for num in VALUE.findall(NOT_FACTS.sub(" ", sentence[hit.end() :])):
                x = float(num.replace("\u2212", "-"))
                checked += 1
                if not any(abs(x - v) <= max(0.006, abs(v) * 0.006) for v in values):
                    out.append(f"{num} in: {sentence[:160]}")
    return checked, out


def page_problems(
    pages: dict[str, str], rows: list[dict], lines: list[dict], pools_as: dict, names: list[str]
) -> list[str]:
    """Everything the consistency test asks of a set of built pages, as one list of problems."""
    found = [m for page, text in pages.items() for m in marks(page, text)]
    out = disagreements(found) + mismatches(found, rows, lines, pools_as)
    for page, text in pages.items():
        out += [f"{page}: unmarked {x}" for x in unmarked_numbers(text, names)]
        out += [f"{page}: alt text {x}" for x in alt_values_unmarked(page, text, names)[1]]
    return out


#: days per follow-up unit and the starting points counted from ketamine, written out again on purpose
UNIT_DAYS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
FROM_KETAMINE = {"", "treatment", "injection", "surgery", "randomization"}


def read(path: Path) -> list[dict]:
    """The rows of a table; a study table's followup_days filled in from its structured follow-up, as a page
    counts it (a time from admission or discharge has none)."""
    rows = read_rows(path)
    for r in rows:
        if r.get("followup_max"):
            ok = r["followup_from"] in FROM_KETAMINE
            r["followup_days"] = repr(float(r["followup_max"]) * UNIT_DAYS[r["followup_unit"]]) if ok else ""
    return rows


def write(path: Path, rows: list[dict]) -> None:
    """Written back with the time given once (followup_days only where no structured follow-up is)."""
    write_rows(path, [dict(r, followup_days="") if r.get("followup_max") else r for r in rows])


def pools_as() -> dict:
    schema = json.loads((DATA / "schema.json").read_text())
    return next(x for x in schema["fields"] if x["name"] == "comparator_drug")["poolsAs"]


def names(rows: list[dict]) -> list[str]:
    """'Author year' as a reader sees a study named, from the citation read here."""
    out = set()
    for r in rows:
        first = r["citation"].split(",")[0].split(" et al")[0].strip().split(" ")[0]
        out.add(f"{first} {r['year']}")
    return sorted(out)
