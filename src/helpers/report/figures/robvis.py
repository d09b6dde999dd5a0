"""Risk-of-bias figures in robvis's conventions: a traffic-light plot and a weighted summary bar plot.

Each judgement has a colour *and* a symbol (+, −, !, ?, ×), so the figures
read in greyscale and for colour-blind readers; colours are Okabe-Ito.
Judgements made from an abstract are marked in the row label.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from ...data.rob import figure_domains
from ...data.vocabulary import figure_label, word
from .. import numbers
from .style import HEADING_PT, OKABE_ITO, TEXT_PT, empty_panel

#: judgement -> (colour, symbol, rank for ordering from best to worst)
STYLE = {
    "low": (OKABE_ITO["green"], "+", 0),
    "some_concerns": (OKABE_ITO["yellow"], "!", 1),
    "moderate": (OKABE_ITO["yellow"], "!", 1),
    "high": (OKABE_ITO["vermillion"], "\u2212", 3),
    "serious": (OKABE_ITO["orange"], "\u2212", 2),
    "critical": ("#7a2100", "\u00d7", 3),  # darker than serious's orange: the two differ in lightness too
    "no_information": ("#d9d9d9", "?", 1),
}


def _order(judgements) -> list[str]:
    """Judgements from best to worst, ties by name: never in a set's (hash-seed dependent) order."""
    return sorted(set(judgements), key=lambda j: (STYLE.get(j, ("", "", 9))[2], j))


def short(domain: str) -> str:
    """A domain's figure label (the schema's figureLabels), on two lines where it is long."""
    return textwrap.fill(figure_label("domain", domain, "risk_of_bias"), 12, break_long_words=False)


def judgement_word(value: str) -> str:
    return word("judgement", value, "risk_of_bias")


def assessed_rows(rob: pd.DataFrame, tools: tuple[str, ...]) -> pd.DataFrame:
    """Rows of the given tools, one judgement per study (and outcome) and domain; outcome rows override study rows."""
    r = rob[rob["tool"].astype(str).isin(tools)].copy()
    r["outcome"] = r["outcome"].astype("string").fillna("")
    return r


def per_study(r: pd.DataFrame) -> pd.DataFrame:
    """One judgement per study and domain: the study's own rows, completed by its first outcome's rows."""
    out = []
    for _sid, g in r.groupby(r["study_id"].astype(str), sort=False):
        base = g[g["outcome"] == ""]
        outcomes = [o for o in dict.fromkeys(g["outcome"]) if o]
        own = g[g["outcome"] == outcomes[0]] if outcomes else g.iloc[0:0]
        merged = pd.concat([base, own]).drop_duplicates("domain", keep="last")
        out.append(merged)
    return pd.concat(out) if out else r


def _label(study: str, outcome: str, names: dict[str, str], abstract: bool) -> str:
    text = names.get(study, study)
    if outcome:
        text += f" ({outcome.replace('_', ' ')})"
    return text + (" \u2020" if abstract else "")


def traffic_light(rob: pd.DataFrame, names: dict[str, str], title: str, tools: tuple[str, ...]) -> plt.Figure:
    """Study (and outcome) by domain, each cell a coloured circle with its symbol."""
    r = assessed_rows(rob, tools)
    if r.empty:
        fig, ax = plt.subplots(figsize=(7, 1.6))
        empty_panel(ax, f"{title}: no study of this kind in this selection.")
        ax.set_title(title, fontsize=HEADING_PT, loc="left")
        return fig
    order = figure_domains(tools)
    domains = [d for d in order if d in set(r["domain"].astype(str))]
    keys = list(dict.fromkeys(zip(r["study_id"].astype(str), r["outcome"])))
    # an outcome's row inherits the study's rows without an outcome
    cells = {}
    for sid, outcome in keys:
        base = r[(r["study_id"].astype(str) == sid) & (r["outcome"] == "")]
        own = r[(r["study_id"].astype(str) == sid) & (r["outcome"] == outcome)] if outcome else base.iloc[0:0]
        for _, row in pd.concat([base, own]).iterrows():
            cells[(sid, outcome, str(row["domain"]))] = (str(row["judgement"]), str(row["assessed_from"]))
    keys = [k for k in keys if not (k[1] == "" and any(o for s, o in keys if s == k[0] and o))]
    height = 0.42 * len(keys) + 2.2
    fig, ax = plt.subplots(figsize=(1.0 * len(domains) + 3.2, height))
    circles: list[tuple[int, int, str]] = []  # one collection: they never overlap (edges differ by a hair)
    for y, (sid, outcome) in enumerate(keys):
        judged = [d for d in domains if d != "overall" and (sid, outcome, d) in cells]
        if not judged and "overall" in domains and len(domains) > 1:  # never drawn as empty domains
            ax.text(
                (len(domains) - 2) / 2,
                y,
                "overall judgement only",
                ha="center",
                va="center",
                fontsize=TEXT_PT,
                fontstyle="italic",
                color=".35",
            )
        for x, d in enumerate(domains):
            j = cells.get((sid, outcome, d))
            if j is None:
                continue
            colour, symbol, _ = STYLE.get(j[0], ("#ffffff", "", 0))
            circles.append((x, y, colour))
            ink = "white" if j[0] == "critical" else "black"
            ax.text(x, y, symbol, ha="center", va="center", fontsize=HEADING_PT, fontweight="bold", color=ink, zorder=4)
    if circles:
        xs, ys, colours = zip(*circles)
        ax.scatter(xs, ys, s=340, color=list(colours), edgecolor=".25", linewidth=0.8, zorder=3)
    labels = []
    for sid, outcome in keys:
        abstract = any(v[1] == "abstract" for (s, o, _), v in cells.items() if s == sid and o in ("", outcome))
        labels.append(_label(sid, outcome, names, abstract))
    ax.set_yticks(range(len(keys)), labels, fontsize=TEXT_PT)
    # on two lines: a domain's name on one is wider than its column ("randomization" beside "period and carryover")
    names = [textwrap.fill(short(d), 11, break_long_words=False) for d in domains]
    ax.set_xticks(range(len(domains)), names, fontsize=TEXT_PT)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.6, len(domains) - 0.4)
    ax.set_ylim(len(keys) - 0.5, -0.6)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    present = [j for j in STYLE if any(v[0] == j for v in cells.values())]
    handles = [
        Patch(facecolor=STYLE[j][0], edgecolor=".25", label=f"{STYLE[j][1]}  {judgement_word(j)}") for j in present
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=TEXT_PT,
        frameon=False,
        title="Judgement",
    )
    fig.text(0.01, 0.005, "\u2020 judged from the abstract only", fontsize=TEXT_PT, color=".3")
    ax.set_title(title, fontsize=HEADING_PT, loc="left", pad=8)  # placed above the domains' names
    fig.tight_layout()
    return fig


def summary_bars(rob: pd.DataFrame, title: str, tools: tuple[str, ...]) -> plt.Figure:
    """Share of studies with each judgement, per domain (robvis's summary plot, unweighted; a study judged per
    outcome counts once, with its first outcome's judgements)."""
    r = per_study(assessed_rows(rob, tools))
    fig, ax = plt.subplots(figsize=(8.2, 0.5 * 8 + 1.4))
    if r.empty:
        empty_panel(ax, f"{title}: no study of this kind in this selection.")
        ax.set_title(title, fontsize=HEADING_PT, loc="left")
        return fig
    order = figure_domains(tools)
    domains = [d for d in order if d in set(r["domain"].astype(str))]
    judgements = _order(r["judgement"].astype(str))
    fig.set_size_inches(8.2, 0.5 * len(domains) + 1.6)
    for y, d in enumerate(domains):
        sub = r[r["domain"].astype(str) == d]["judgement"].astype(str)
        n = len(sub)
        left = 0.0
        for j in judgements:
            share = (sub == j).sum() / n if n else 0
            if share == 0:
                continue
            colour, symbol, _ = STYLE.get(j, ("#ffffff", "", 0))
            ax.barh(y, share * 100, left=left, color=colour, edgecolor="white", height=0.7)
            if share >= 0.08:
                ax.text(
                    left + share * 50, y, f"{symbol} {numbers.share(share)}", ha="center", va="center", fontsize=TEXT_PT
                )
            left += share * 100
        ax.text(101, y, f"n = {n}", va="center", fontsize=TEXT_PT)
    ax.set_yticks(range(len(domains)), [figure_label("domain", d, "risk_of_bias") for d in domains], fontsize=TEXT_PT)
    ax.set_ylim(len(domains) - 0.5, -0.5)
    ax.set_xlim(0, 110)
    ax.set_xlabel("Share of studies, percent")
    ax.grid(axis="y", visible=False)
    handles = [Patch(facecolor=STYLE[j][0], label=f"{STYLE[j][1]}  {judgement_word(j)}") for j in judgements]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncol=min(4, len(handles)),
        fontsize=TEXT_PT,
        frameon=False,
    )
    ax.set_title(title, fontsize=HEADING_PT, loc="left")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ alternative text, written from the judgements
def traffic_light_alt(rob: pd.DataFrame, names: dict[str, str], title: str, tools: tuple[str, ...]) -> str:
    r = per_study(assessed_rows(rob, tools))
    if r.empty:
        return f"{title}: no study of this kind in this selection."
    overall = r[r["domain"].astype(str) == "overall"]
    parts = []
    for j in _order(overall["judgement"].astype(str)):
        who = [names.get(s, s) for s in overall[overall["judgement"].astype(str) == j]["study_id"].astype(str)]
        parts.append(f"{judgement_word(j)} overall: {', '.join(who)}")
    abstract = r[r["assessed_from"].astype(str) == "abstract"]["study_id"].nunique()
    n = r["study_id"].nunique()
    return (
        f"{title}. Traffic-light chart of {n} {'study' if n == 1 else 'studies'} by domain. "
        + "; ".join(parts)
        + f". {abstract} of the {n} were judged from the abstract only."
    )


def summary_alt(rob: pd.DataFrame, title: str, tools: tuple[str, ...]) -> str:
    r = per_study(assessed_rows(rob, tools))
    if r.empty:
        return f"{title}: no study of this kind in this selection."
    order = figure_domains(tools)
    parts = []
    for d in [d for d in order if d in set(r["domain"].astype(str))]:
        sub = r[r["domain"].astype(str) == d]["judgement"].astype(str)
        shares = ", ".join(f"{numbers.share((sub == j).mean())} {judgement_word(j)}" for j in _order(sub))
        parts.append(f"{figure_label('domain', d, 'risk_of_bias')}: {shares}")
    return f"{title}. Share of studies with each judgement, per domain: " + "; ".join(parts) + "."
