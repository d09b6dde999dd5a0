"""The source article's claims beside the real evidence, whose numbers come from the study table at build time."""

from __future__ import annotations

import pandas as pd

from ..data.rows import split_list
from ..data.schema import load_schema
from .html import Html, Row, esc, table
from .marks import mark, result_key
from .numbers import human_duration
from .placeholders import Filler
from .results import ORIENTATION_NOTE, result_html


def verdict_word(value: str) -> str:
    return load_schema("claims")["verdict"].label(value)


def study_numbers(fill: Filler, sid: str, conditions: list[str], limit: int = 2) -> str:
    """The study's results as the findings hold them (one path: report.results): for each of its outcomes the
    row that stands for it (stats.selection, as the Summary of Findings and pooling choose it), numbered ones
    first, each named by its outcome and time point."""
    rows = fill.rows_of(sid)
    if conditions:
        here = rows[rows["condition"].astype(str).isin(conditions)]
        rows = here if not here.empty else rows
    standing = [fill.stands(sid, outcome) for outcome in dict.fromkeys(rows["outcome"].astype(str))]
    standing = [s for s in standing if s is not None]
    picked = ([s for s in standing if s[1].est is not None] + [s for s in standing if s[1].est is None])[:limit]
    parts = []
    for row, r in picked:
        what = (
            str(row["outcome_description"])
            if pd.notna(row["outcome_description"])
            else str(r.outcome).replace("_", " ")
        )
        days = r.followup_days
        when = (
            "at " + mark(esc(human_duration(days)), days, "followup_days", sid, result_key(r.outcome, days))
            if days is not None
            else "time not stated"
        )
        parts.append(f'<span class="outcome-def">{esc(what)}</span> ({when}): {result_html(r)}')
    return "; ".join(parts)


def claims_for(claims: pd.DataFrame | None, condition: str) -> pd.DataFrame:
    if claims is None or claims.empty:  # a table brought with --data may have no claims.csv beside it
        return pd.DataFrame()
    if condition == "all":
        return claims
    return claims[claims["conditions"].astype(str).map(lambda v: condition in split_list(v))]


def claims_html(claims: pd.DataFrame, fill: Filler, caption: str) -> str:
    """Each claim beside the nearest real evidence; ``fill`` (report.placeholders.Filler) gives the results and
    fills the reasoning's placeholders."""
    if claims.empty:
        return "<p><em>The article makes no claim about this condition.</em></p>"
    rows = []
    for _, c in claims.iterrows():
        conds = split_list(c["conditions"])
        evidence = []
        for sid in split_list(c["evidence_study_ids"]):
            if not fill.has_study(sid):
                continue
            nums = study_numbers(fill, sid, conds)
            evidence.append(f"<li><strong>{esc(fill.names.get(sid, sid))}</strong>: {nums}</li>")
        ev = f"<ul>{''.join(evidence)}</ul>" if evidence else "<em>none located</em>"
        figure = c["claimed_figure"] if pd.notna(c["claimed_figure"]) else Html("<em>no number given</em>")
        verdict = Html(f"<strong>{esc(verdict_word(str(c['verdict'])))}</strong>")
        rows.append(Row((figure, verdict, Html(ev), Html(fill(c["reasoning"]))), header=c["claim"]))
    head = (
        "The article claims",
        "Figure it gives",
        "Verdict",
        "Nearest real evidence (numbers from the study table)",
        "Why",
    )
    return table(head, rows, caption, cls="claims") + f'<p class="note">{esc(ORIENTATION_NOTE)}</p>'


def verdict_counts(claims: pd.DataFrame) -> dict[str, int]:
    if claims.empty:
        return {}
    order = load_schema("claims").enum("verdict")
    vc = claims["verdict"].astype(str).value_counts()
    return {v: int(vc[v]) for v in order if v in vc.index}
