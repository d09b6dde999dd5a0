"""References of the appraisal tables (risk of bias, certainty, claims) to the study table.

Run by :mod:`helpers.data.crossref` after its own checks; each problem names the file,
line and column where the fix belongs.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..errors import Problem
from .lines import NO_WINDOW, LineRows, comparator_groups
from .rob import TOOLS, tool_for
from .rows import cell_text, line_number, split_list
from .schema import load_schema
from .vocabulary import designs as design_class

#: problems found, by the table (file stem) where each fix belongs
Checks = dict[str, list[Problem]]


def _study_index(studies: pd.DataFrame) -> tuple[dict, dict]:
    first = studies.drop_duplicates("study_id")
    info = {str(r.study_id): r for r in first.itertuples(index=False)}
    lines = {}
    for i, sid in enumerate(studies["study_id"].astype(str)):
        lines.setdefault(sid, line_number(studies, i))
    return info, lines


def _risk_of_bias(ds, out: Checks) -> None:
    rob = ds.get("risk_of_bias")
    if rob is None:
        return
    studies = ds.studies
    info, first_line = _study_index(studies)
    outcomes = studies.groupby(studies["study_id"].astype(str))["outcome"].agg(lambda s: set(s.astype(str))).to_dict()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(rob.itertuples(index=False)):
        sid, outcome, tool = str(r.study_id), cell_text(r.outcome), str(r.tool)
        line = line_number(rob, i)
        if sid not in info:
            out["risk_of_bias"].append(Problem(line, "study_id", sid, "a study_id of the study table", "study_exists"))
            continue
        if outcome and outcome not in outcomes.get(sid, set()):
            out["risk_of_bias"].append(
                Problem(
                    line,
                    "outcome",
                    outcome,
                    f"one of {sid}'s outcomes ({', '.join(sorted(outcomes[sid]))}) or empty",
                    "outcome_exists",
                )
            )
        want = tool_for(str(info[sid].design), str(info[sid].source))
        if tool != want:
            out["risk_of_bias"].append(
                Problem(
                    line,
                    "tool",
                    tool,
                    f"{want} for a study of design {info[sid].design} ({info[sid].source})",
                    "tool_fits_design",
                )
            )
        groups[(sid, outcome, tool)].append(i)
    assessed = {k[0] for k in groups}
    for sid in info:
        if sid not in assessed:
            want = tool_for(str(info[sid].design), str(info[sid].source))
            out["studies"].append(
                Problem(
                    first_line[sid],
                    "study_id",
                    sid,
                    f"risk-of-bias rows for this study in risk_of_bias.csv (tool {want})",
                    "study_appraised",
                )
            )
    # a study's rows without an outcome hold for every outcome; rows for an outcome add to or override them
    by_study: dict[tuple, dict] = defaultdict(dict)
    for (sid, outcome, tool), idx in groups.items():
        by_study[(sid, tool)][outcome] = idx
    for (sid, tool), parts in by_study.items():
        common = parts.get("", [])
        targets = [o for o in parts if o] or [""]
        for outcome in targets:
            idx = list(common) + (list(parts[outcome]) if outcome else [])
            domains: dict[str, tuple[str, int]] = {}
            for i in idx:  # outcome rows come last and override the study's rows
                domains[str(rob.iloc[i]["domain"])] = (str(rob.iloc[i]["judgement"]), i)
            missing = [d for d in (TOOLS[tool].required if tool in TOOLS else ()) if d not in domains]
            line = line_number(rob, (parts[outcome] if outcome else common)[0])
            what = f"{sid}" + (f" ({outcome})" if outcome else "")
            if missing:
                out["risk_of_bias"].append(
                    Problem(
                        line,
                        "domain",
                        ", ".join(sorted(domains)),
                        f"every {tool} domain for {what} (rows without an outcome count for "
                        f"every outcome); missing: {', '.join(missing)}",
                        "domains_complete",
                    )
                )
            rank = TOOLS[tool].rank if tool in TOOLS and TOOLS[tool].assessed else None
            if "overall" not in domains or rank is None or rank(domains["overall"][0]) is None:
                continue
            overall, oi = domains["overall"]
            judged = {d: j for d, (j, _) in domains.items() if d != "overall" and rank(j) is not None}
            worst = max((rank(j) for j in judged.values()), default=0)
            if rank(overall) < worst:
                out["risk_of_bias"].append(
                    Problem(
                        line_number(rob, oi),
                        "judgement",
                        overall,
                        f"an overall judgement for {what} at least as serious as its worst domain "
                        f"({', '.join(f'{d} {j}' for d, j in judged.items())})",
                        "overall_follows",
                    )
                )


def _mixed_measures(covered) -> str:
    """'' when a line's rows share one effect measure and one unit, else what they mix: a Summary of Findings line
    never puts a risk difference beside a median difference, or points beside millimetres, under one heading."""
    said = []
    for column in ("effect_measure", "unit"):
        values = sorted(set(covered[column].dropna().astype(str)))
        if len(values) > 1:
            rows = covered[covered[column].notna()]
            said.append(
                f"this line mixes {column} "
                + ", ".join(
                    f"{v} ({', '.join(sorted(set(rows.loc[rows[column].astype(str) == v, 'study_id'].astype(str))))})"
                    for v in values
                )
            )
    return "; ".join(said)


def _certainty(ds, out: Checks) -> None:
    cert = ds.get("certainty")
    if cert is None:
        return
    studies = ds.studies
    info, _ = _study_index(studies)
    rows_of = LineRows(studies, ("study_id", "effect_measure", "unit"))
    lines = cert.to_dict("records")
    for i, r in enumerate(cert.itertuples(index=False)):
        line = line_number(cert, i)
        cond, cls = str(r.condition), str(r.comparator_class)
        ids = split_list(r.study_ids)
        unknown = [s for s in ids if s not in info]
        if unknown:
            out["certainty"].append(
                Problem(line, "study_ids", "|".join(unknown), "study_ids of the study table", "study_exists")
            )
            continue
        codes = split_list(r.outcomes)
        covered = rows_of(lines[i])
        comparator = cell_text(getattr(r, "comparator", None)) or cls
        frame = cell_text(getattr(r, "time_frame", None)) or NO_WINDOW
        mixed = _mixed_measures(covered)
        if mixed:
            out["certainty"].append(
                Problem(
                    line,
                    "outcomes",
                    str(r.outcomes),
                    f"rows of one effect measure and one unit ({mixed})",
                    "line_is_one_measure",
                )
            )
        for sid in ids:
            if (covered["study_id"].astype(str) == sid).any():
                continue
            mine = studies[(studies["study_id"].astype(str) == sid) & (studies["condition"].astype(str) == cond)]
            against = set(comparator_groups(mine)) if not mine.empty else set()
            rule, expected = (
                "rows_exist",
                (
                    f"a study with {cond} rows of outcome {' or '.join(codes)} against {comparator} in the time frame {frame}"
                ),
            )
            if not mine.empty and against and comparator not in against:
                rule = "line_is_one_comparator"
                expected = (
                    f"a study compared with {comparator} (this one is compared with {', '.join(sorted(against))})"
                )
            out["certainty"].append(Problem(line, "study_ids", sid, expected, rule))
        designs = {str(info[s].design) for s in ids}
        # published meta-analyses in this table pool randomized trials
        want = (
            "randomized"
            if designs <= {*design_class("randomized"), *design_class("pooled_estimate")}
            else "observational"
        )
        if str(r.evidence_type) != want:
            out["certainty"].append(
                Problem(
                    line,
                    "evidence_type",
                    str(r.evidence_type),
                    f"{want} (designs: {', '.join(sorted(designs))})",
                    "type_fits_designs",
                )
            )


def _claims(ds, out: Checks) -> None:
    claims = ds.get("claims")
    if claims is None:
        return
    studies = ds.studies
    info, first_line = _study_index(studies)
    conditions = set(load_schema().enum("condition"))
    searches = set(ds.get("search_log")["search_id"].astype(str)) if "search_log" in ds else set()
    claimed = set()
    for i, r in enumerate(claims.itertuples(index=False)):
        line = line_number(claims, i)
        seed = cell_text(r.seed_study_id)
        if seed:
            claimed.add(seed)
            if seed not in info or str(info[seed].source) != "seed_article":
                out["claims"].append(
                    Problem(
                        line,
                        "seed_study_id",
                        seed,
                        "the study_id of an article claim (source seed_article)",
                        "claim_exists",
                    )
                )
        bad = [c for c in split_list(r.conditions) if c not in conditions]
        if bad:
            out["claims"].append(
                Problem(
                    line,
                    "conditions",
                    "|".join(bad),
                    "conditions of the study table: " + ", ".join(sorted(conditions)),
                    "conditions_known",
                )
            )
        ev = [s for s in split_list(r.evidence_study_ids) if s not in info or str(info[s].source) != "literature"]
        if ev:
            out["claims"].append(
                Problem(
                    line,
                    "evidence_study_ids",
                    "|".join(ev),
                    "study_ids of published studies in the study table",
                    "evidence_exists",
                )
            )
        missing = [s for s in split_list(r.searches) if s not in searches]
        if missing:
            out["claims"].append(
                Problem(
                    line,
                    "searches",
                    "|".join(missing),
                    "search_ids of search_log.csv beside the table",
                    "search_exists",
                )
            )
    for sid, r in info.items():
        if str(r.source) == "seed_article" and sid not in claimed:
            out["studies"].append(
                Problem(first_line[sid], "study_id", sid, "a row for this article claim in claims.csv", "claim_checked")
            )


APPRAISAL_CHECKS = (_risk_of_bias, _certainty, _claims)
