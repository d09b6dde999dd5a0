"""References of the update-search tables (follow-ups, registrations, review appraisal) to the rest.

Run by :mod:`helpers.data.crossref` after each table validated alone; each problem names the file, line and
column where the fix belongs.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .amstar import ITEMS
from .appraisal_refs import Checks
from .rows import cell_text, line_number, split_list
from .vocabulary import designs

#: the screening reason of a protocol or registration without results: such a record must be followed up
NEEDS_FOLLOW_UP = "no_results"


def needs_follow_up(screening: pd.DataFrame) -> pd.Series:
    """True for the screening records that must have a row in followups.csv: first records (not duplicates)
    excluded as a protocol or registration without results."""
    reason = screening["reason"].astype("string")
    first = screening["decision"].astype("string") != "duplicate"
    return ((reason == NEEDS_FOLLOW_UP) & first).fillna(False)


def _studies(ds) -> set[str]:
    return set(ds.studies["study_id"].astype(str))


def _followups(ds, out: Checks) -> None:
    scr, fol = ds.get("screening"), ds.get("followups")
    # a data set without follow-ups (an earlier revision, a user's own table) is not held to them
    if scr is None or fol is None:
        return
    followed = set(fol["record_id"].astype(str))
    ids = scr["record_id"].astype(str)
    for i in scr.index[needs_follow_up(scr).to_numpy()]:
        rid = ids.iloc[i]
        if rid not in followed:
            out["screening"].append(
                Problem(
                    line_number(scr, i),
                    "record_id",
                    rid,
                    "a row in followups.csv for this protocol or registration without results (what its "
                    "follow-up searches found)",
                    "followed_up",
                )
            )
    known, searches = set(ids), set(ds.get("search_log")["search_id"].astype(str)) if "search_log" in ds else set()
    studies = _studies(ds)
    for i, r in enumerate(fol.itertuples(index=False)):
        line = line_number(fol, i)
        if str(r.record_id) not in known:
            out["followups"].append(
                Problem(line, "record_id", str(r.record_id), "a record_id of screening.csv", "record_exists")
            )
        missing = [s for s in split_list(r.searches) if s not in searches]
        if missing:
            out["followups"].append(
                Problem(line, "searches", "|".join(missing), "search_ids of search_log.csv", "search_exists")
            )
        pub = cell_text(r.publication)
        if pub and not pub.startswith("10.") and pub not in studies:
            out["followups"].append(
                Problem(line, "publication", pub, "a study_id of the study table, or a DOI", "publication_exists")
            )


def _registrations(ds, out: Checks) -> None:
    reg = ds.get("registrations")
    if reg is None:
        return
    studies = _studies(ds)
    for i, sid in enumerate(reg["linked_study_id"]):
        sid = cell_text(sid)
        if sid and sid not in studies:
            out["registrations"].append(
                Problem(line_number(reg, i), "linked_study_id", sid, "a study_id of the study table", "study_exists")
            )


def _review_appraisal(ds, out: Checks) -> None:
    app = ds.get("review_appraisal")
    if app is None:
        return
    first = ds.studies.drop_duplicates("study_id")
    design = dict(zip(first["study_id"].astype(str), first["design"].astype(str)))
    reviews = set(designs("pooled_estimate")) | {"systematic_review"}
    seen: dict[str, tuple[int, set[str]]] = {}
    for i, r in enumerate(app.itertuples(index=False)):
        sid, line = str(r.study_id), line_number(app, i)
        if sid not in design:
            out["review_appraisal"].append(
                Problem(line, "study_id", sid, "a study_id of the study table", "study_exists")
            )
            continue
        if design[sid] not in reviews:
            out["review_appraisal"].append(
                Problem(
                    line,
                    "study_id",
                    sid,
                    f"a systematic review or meta-analysis (this study's design is {design[sid]}; primary studies "
                    "are appraised in risk_of_bias.csv)",
                    "appraises_a_review",
                )
            )
        seen.setdefault(sid, (line, set()))[1].add(str(r.item))
    for sid, (line, items) in seen.items():
        missing = [i for i in ITEMS if i not in items]
        if missing and sid in design:
            out["review_appraisal"].append(
                Problem(
                    line,
                    "item",
                    ", ".join(sorted(items, key=int)),
                    f"all 16 AMSTAR 2 items for {sid}; missing: {', '.join(missing)}",
                    "items_complete",
                )
            )


SEARCH_CHECKS = (_followups, _registrations, _review_appraisal)
