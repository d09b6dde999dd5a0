"""The Summary of Findings table in GRADE's layout, and how each certainty was reached.

Judgements come from ``certainty.csv``; the effects, participants and the
signals beside the judgements are computed from the study table at build
time (:mod:`helpers.stats.grade`). Nothing here is typed by hand.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.record_rules import DOMAINS
from ..data.rows import split_list
from ..data.schema import load_schema
from ..stats.effects import RATIO_MEASURES
from ..stats.grade import LineEvidence, Signal, compute_signals, line_evidence
from .html import esc
from .measures import DISPLAY
from .words import against, word

CERTAINTY_SYMBOLS = {
    "high": "\u2295\u2295\u2295\u2295",
    "moderate": "\u2295\u2295\u2295\u25ef",
    "low": "\u2295\u2295\u25ef\u25ef",
    "very_low": "\u2295\u25ef\u25ef\u25ef",
}
DOMAIN_WORDS = {
    "risk_of_bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication_bias": "publication bias",
}


def certainty_words(value: str) -> str:
    return load_schema("certainty")["certainty"].label(value).replace("_", " ")


@dataclass
class Line:
    """One row of certainty.csv with the evidence behind it."""

    row: pd.Series
    evidence: LineEvidence

    @property
    def certainty(self) -> str:
        return str(self.row["certainty"])

    @property
    def label(self) -> str:
        return str(self.row["outcome_label"])

    @property
    def comparison(self) -> str:
        group = self.row.get("comparator")
        if group is None or pd.isna(group):  # a table of lines without comparators
            group = self.row["comparator_class"]
        return against(str(group))


def lines_for(
    certainty: pd.DataFrame | None,
    condition: str,
    effects: pd.DataFrame,
    studies: pd.DataFrame,
    rob: pd.DataFrame | None,
) -> list[Line]:
    if certainty is None:
        return []
    rows = certainty if condition == "all" else certainty[certainty["condition"].astype(str) == condition]
    return [Line(r, compute_signals(line_evidence(effects, studies, r), rob)) for _, r in rows.iterrows()]


def _fmt(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def _display(measure: str, y: float) -> float:
    spec = DISPLAY[measure]
    if spec["log"]:
        return float(np.exp(y))
    return float(y * 100) if measure == "risk_difference" else float(y)


def direction_words(lo: float, hi: float, null: float) -> str:
    if lo < null < hi:
        return "no clear difference"
    return "favours ketamine" if hi <= null else "favours the comparator"


def effect_text(line: Line, names: dict[str, str]) -> tuple[str, str]:
    """(relative effect, absolute effect) in words, from the data."""
    ev = line.evidence
    rows = ev.rows
    if rows.empty:
        return "not reported", "directions as reported, without numbers: " + _directions(line, names)
    m = ev.measure
    spec = DISPLAY[m]
    unit = f" {spec['unit']}" if spec["unit"] and spec["unit"] != "%" else ("%" if spec["unit"] == "%" else "")
    if ev.fit is not None:
        f = ev.fit
        est, lo, hi = (_display(m, v) for v in (f.estimate, f.ci_lower, f.ci_upper))
        text = (
            f"pooled {word('effect_measure', m)} {_fmt(est)}{unit} (95% CI {_fmt(lo)} to {_fmt(hi)}), "
            f"{direction_words(lo, hi, spec['null'])}; {ev.fit.k} studies, random effects"
        )
    else:
        parts = []
        for _, r in rows.iterrows():
            name = names.get(str(r["study_id"]), str(r["study_id"]))
            est = float(r["est"])
            if np.isfinite(float(r["lo"])):
                tail = f" (95% CI {_fmt(float(r['lo']))} to {_fmt(float(r['hi']))})"
                if spec["null"] is not None:
                    tail += ", " + direction_words(float(r["lo"]), float(r["hi"]), spec["null"])
            else:
                tail = " (no interval reported)"
            label = word("effect_measure", str(r["effect_measure"]))
            parts.append(f"{name}: {label} {_fmt(est)}{unit if str(r['effect_measure']) == m else ''}{tail}")
        text = "; ".join(parts)
    if m in RATIO_MEASURES:
        return text, "not computed (no control-group risk in the table)"
    if m == "proportion":
        return "not applicable (no comparator)", text + " (uncontrolled rates)"
    return "not applicable", text


def _directions(line: Line, names: dict[str, str]) -> str:
    ev = line.evidence
    return "; ".join(
        f"{names.get(s, s)}: {word('direction', ev.directions.get(s, 'not_reported'))}" for s in ev.study_ids
    )


def participants_text(ev: LineEvidence) -> str:
    if not ev.without_n:
        return str(ev.participants)
    if not ev.participants:
        return "not reported"
    return f"at least {ev.participants} ({ev.without_n} {'study' if ev.without_n == 1 else 'studies'} without a size)"


def footnotes(line: Line) -> list[tuple[str, str]]:
    """(domain, reason) for each downgrade or upgrade of the line."""
    notes = []
    for d in DOMAINS:
        v = int(line.row[d])
        if v < 0:
            notes.append(
                (d, f"Downgraded {-v} level{'s' if v < -1 else ''} for {DOMAIN_WORDS[d]}: {line.row[d + '_reason']}")
            )
    if int(line.row["upgrade"]) > 0:
        notes.append(("upgrade", f"Upgraded {int(line.row['upgrade'])}: {line.row['upgrade_reason']}"))
    return notes


def sof_html(lines: list[Line], names: dict[str, str], caption: str) -> str:
    """GRADE's Summary of Findings layout: outcome; participants (studies); relative and absolute effect; certainty."""
    if not lines:
        return "<p><em>No Summary of Findings line for this selection.</em></p>"
    letters = iter(string.ascii_lowercase + string.ascii_uppercase)
    body, notes = [], []
    for line in lines:
        marks = []
        for _, text in footnotes(line):
            letter = next(letters)
            marks.append(letter)
            notes.append(f"<li><sup>{letter}</sup> {esc(text)}</li>")
        ev = line.evidence
        rel, absolute = effect_text(line, names)
        kind = "randomized" if str(line.row["evidence_type"]) == "randomized" else "observational"
        studies = ", ".join(names.get(s, s) for s in ev.study_ids)
        cert = (
            f'<span class="grade" aria-hidden="true">{CERTAINTY_SYMBOLS[line.certainty]}</span> '
            f"<strong>{esc(certainty_words(line.certainty).capitalize())}</strong>"
            + (f"<sup>{','.join(marks)}</sup>" if marks else "")
        )
        body.append(
            f'<tr><th scope="row">{esc(line.label)}<br><small>{esc(line.comparison)}</small></th>'
            f"<td>{participants_text(ev)} ({ev.k} {kind} {'study' if ev.k == 1 else 'studies'}: {esc(studies)})</td>"
            f"<td>{esc(rel)}</td><td>{esc(absolute)}</td><td>{cert}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in (
            "Outcome and comparison",
            "Participants (studies)",
            "Relative effect (95% CI)",
            "Absolute effect (95% CI)",
            "Certainty of the evidence (GRADE)",
        )
    )
    foot = f'<ol class="sof-notes">{"".join(notes)}</ol>' if notes else ""
    return (
        f'<table class="evidence-table sof"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        '<p class="note">Effects are oriented so that values below no effect (0 for differences, 1 for ratios) favour '
        "ketamine; VAS millimetres are shown as points on a 0-10 scale; percentages of single-arm series are "
        "uncontrolled rates, not comparisons.</p>" + foot
    )


def signal_text(sig: Signal) -> str:
    """What a computed GRADE signal found, in words."""
    f = sig.facts
    if sig.code in ("no_interval", "both_thresholds"):
        return SIGNAL_WORDS[sig.code] + "; " + participants_words(f)
    if sig.code == "imprecision":
        parts = []
        if f.get("thresholds") is not None:
            parts.append(
                "the 95% CI crosses one threshold of an important effect"
                if f.get("crossed", 0) == 1
                else "the 95% CI crosses neither threshold of an important effect"
            )
        if f["ci_includes_null"] is None:
            parts.append("no single interval to judge (no comparison with a standard error)")
        else:
            parts.append("the 95% CI includes no effect" if f["ci_includes_null"] else "the 95% CI excludes no effect")
        n, without = f["participants"], f["without_n"]
        counted = f"{n} participants" + (
            f" (and {without} {'study' if without == 1 else 'studies'} without a size in the table)" if without else ""
        )
        if f["below_ois"] and not without:
            parts.append(f"{counted}, fewer than the {f['ois']} of an optimal information size")
        elif f["below_ois"]:
            parts.append(f"{counted}: the total cannot be compared with an optimal information size of {f['ois']}")
        else:
            parts.append(counted)
        return "; ".join(parts)
    if sig.code == "pooled":
        return (
            f"I² = {f['i2']:.0f}% across {f['k']} studies; prediction interval "
            f"{'crosses' if f['pi_crosses_null'] else 'excludes'} no effect"
        )
    if sig.code == "shares":
        basis = {
            "weight": "weight",
            "participants": "participants",
            "studies": "studies (the table does not give every study's size)",
        }[f["basis"]]
        return f"{f['high']:.0%} of the {basis} from studies at high risk, {f['low']:.0%} at low risk"
    if sig.code == "same_direction":
        return f"{f['k']} studies, not pooled; none point clearly in opposite directions"
    if sig.code == "indirect_share":
        return f"{f['share']:.0%} of the participants from studies flagged as indirect evidence"
    if sig.code == "few_studies":
        return (
            f"{f['k']} {'study' if f['k'] == 1 else 'studies'}: fewer than {f['minimum']}, a funnel plot cannot be read"
        )
    return SIGNAL_WORDS[sig.code]


def participants_words(f: dict) -> str:
    n, without = f["participants"], f["without_n"]
    text = f"{n} participants"
    if without:
        text += f" (and {without} {'study' if without == 1 else 'studies'} without a size in the table)"
    return text


SIGNAL_WORDS = {
    "uncontrolled": "uncontrolled rates: no difference between groups to be imprecise about (the limit is bias)",
    "no_interval": "no estimate with a confidence interval",
    "both_thresholds": "the 95% CI includes both an important benefit and an important harm",
    "directions_disagree": "the studies report results favouring opposite arms",
    "directions_agree": "the studies' reported directions do not favour opposite arms",
    "funnel_not_drawn": "not computed: a funnel plot is not drawn here",
    "opposite_directions": "studies with intervals that exclude no effect point in opposite directions",
    "one_study": "one study: consistency cannot be judged",
    "no_comparable_interval": "not computable: the studies report no comparable interval",
    "no_table": "no risk-of-bias table",
    "none_judged": "not computable: no study behind this line has a risk-of-bias judgement (reviews and "
    "meta-analyses are not assessed)",
    "no_weights": "not computable: no weights",
}


def signals_html(lines: list[Line], caption: str) -> str:
    """Each domain's judgement beside the signal computed from the data, with disagreements marked."""
    if not lines:
        return ""
    rows = []
    for line in lines:
        first = True
        for d in DOMAINS:
            sig = line.evidence.signals.get(d)
            judged = int(line.row[d])
            if sig is None:
                computed, flag = "not computed from the data", ""
            elif sig.value is None:
                computed, flag = signal_text(sig), ""
            else:
                computed = f"{sig.value:+d}: {signal_text(sig)}" if sig.value else f"0: {signal_text(sig)}"
                flag = "differs" if sig.value != judged else "agrees"
            cls = ' class="differs"' if flag == "differs" else ""
            said = flag
            if flag == "differs" and isinstance(line.row.get("departure_reason"), str):
                said = f"differs: {line.row['departure_reason']}"
            label = f"{line.label} ({line.comparison})" if first else ""
            rows.append(
                f'<tr{cls}><th scope="row">{esc(label)}</th><td>{esc(DOMAIN_WORDS[d])}</td>'
                f"<td>{judged:+d}</td><td>{esc(line.row[d + '_reason'])}</td><td>{esc(computed)}</td>"
                f"<td>{'<strong>' + esc(said) + '</strong>' if flag == 'differs' else esc(flag)}</td></tr>"
            )
            first = False
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in ("Line", "Domain", "Judged", "Reason", "Computed from the data", "Judgement vs signal")
    )
    return (
        f'<table class="evidence-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def covered_studies(certainty: pd.DataFrame | None, condition: str) -> set[str]:
    if certainty is None:
        return set()
    rows = certainty if condition == "all" else certainty[certainty["condition"].astype(str) == condition]
    return {s for v in rows["study_ids"] for s in split_list(v)}
