"""The source article's claims beside the real evidence, whose numbers come from the study table at build time."""

from __future__ import annotations

import pandas as pd

from ..data.rows import split_list
from ..data.schema import load_schema
from .html import esc

UNIT_WORDS = {"points_0_10": " points (0-10)", "mm_0_100": " mm (0-100)", "percent": "%", "sd_units": " SD"}


def verdict_word(value: str) -> str:
    return load_schema("claims")["verdict"].label(value)


def _num(x) -> str:
    return f"{float(x):g}"


def study_numbers(
    studies: pd.DataFrame, sid: str, conditions: list[str], limit: int = 2, rows: pd.DataFrame | None = None
) -> str:
    """The study's reported numbers, as the table holds them (never retyped); ``rows``: its rows, if known."""
    if rows is None:
        rows = studies[studies["study_id"].astype(str) == sid]
    if conditions:
        here = rows[rows["condition"].astype(str).isin(conditions)]
        rows = here if not here.empty else rows
    if rows.empty:
        return ""
    has_number = rows["effect"].notna() | rows["events_ketamine"].notna()
    picked = pd.concat([rows[has_number], rows[~has_number]]).head(limit)
    parts = []
    for _, r in picked.iterrows():
        what = (
            str(r["outcome_description"]) if pd.notna(r["outcome_description"]) else str(r["outcome"]).replace("_", " ")
        )
        unit = UNIT_WORDS.get(str(r["unit"]), "") if pd.notna(r["unit"]) else ""
        if pd.notna(r["effect"]):
            text = f"{load_schema()['effect_measure'].label(r['effect_measure'])} {_num(r['effect'])}{unit}"
            if pd.notna(r["ci_lower"]):
                text += f" (95% CI {_num(r['ci_lower'])} to {_num(r['ci_upper'])})"
            elif pd.notna(r["p_value"]):
                text += f" (p = {_num(r['p_value'])})"
            if str(r["direction"]) != "not_reported":
                text += f", {load_schema()['direction'].label(r['direction'])}"
        elif pd.notna(r["events_ketamine"]) and pd.notna(r["n_ketamine"]):
            text = f"{int(r['events_ketamine'])} of {int(r['n_ketamine'])} with ketamine"
            if pd.notna(r["events_control"]) and pd.notna(r["n_control"]):
                text += f" vs {int(r['events_control'])} of {int(r['n_control'])}"
        else:
            text = load_schema()["direction"].label(r["direction"]) + " (no number in the abstract)"
        parts.append(f"{what}: {text}")
    return "; ".join(parts)


def claims_for(claims: pd.DataFrame | None, condition: str) -> pd.DataFrame:
    if claims is None or claims.empty:  # a table brought with --data may have no claims.csv beside it
        return pd.DataFrame()
    if condition == "all":
        return claims
    return claims[claims["conditions"].astype(str).map(lambda v: condition in split_list(v))]


def claims_html(claims: pd.DataFrame, studies: pd.DataFrame, names: dict[str, str], caption: str) -> str:
    if claims.empty:
        return "<p><em>The article makes no claim about this condition.</em></p>"
    rows = []
    by_study = {str(k): g for k, g in studies.groupby(studies["study_id"].astype(str), sort=False)}
    for _, c in claims.iterrows():
        conds = split_list(c["conditions"])
        evidence = []
        for sid in split_list(c["evidence_study_ids"]):
            nums = study_numbers(studies, sid, conds, rows=by_study.get(sid, studies.iloc[0:0]))
            evidence.append(f"<li><strong>{esc(names.get(sid, sid))}</strong>: {esc(nums)}</li>")
        ev = f"<ul>{''.join(evidence)}</ul>" if evidence else "<em>none located</em>"
        figure = esc(c["claimed_figure"]) if pd.notna(c["claimed_figure"]) else "<em>no number given</em>"
        rows.append(
            f'<tr><th scope="row">{esc(c["claim"])}</th><td>{figure}</td>'
            f"<td><strong>{esc(verdict_word(str(c['verdict'])))}</strong></td><td>{ev}</td><td>{esc(c['reasoning'])}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in (
            "The article claims",
            "Figure it gives",
            "Verdict",
            "Nearest real evidence (numbers from the study table)",
            "Why",
        )
    )
    return (
        f'<table class="evidence-table claims"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def verdict_counts(claims: pd.DataFrame) -> dict[str, int]:
    if claims.empty:
        return {}
    order = load_schema("claims").enum("verdict")
    vc = claims["verdict"].astype(str).value_counts()
    return {v: int(vc[v]) for v in order if v in vc.index}
