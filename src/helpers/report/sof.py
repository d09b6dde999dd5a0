"""The Summary of Findings table in GRADEpro's layout, and how each certainty was reached.

Judgements come from ``certainty.csv``; everything else a line shows is its
finding (:mod:`helpers.findings.lines`): the studies and participants, each
study's result, the pooled estimate (named from its method record: :mod:`helpers.report.methods`), the
absolute effect per 1,000, and the statement in GRADE's words
(:mod:`helpers.report.statements`). The question above the table comes from
the protocol (data/protocol.md). Nothing here is typed by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.protocol import questions
from ..data.record_rules import DOMAINS
from ..data.rows import split_list
from ..data.schema import load_schema
from ..findings.lines import Absolute, LineFinding
from ..stats.effects import RATIO_MEASURES
from ..stats.grade import Signal
from ..stats.pooling import SHOWN, record_of
from ..stats.selection import pick
from .html import Html, Row, esc, footnote_letters, table
from .marks import mark
from .measures import DISPLAY, scale_label
from .methods import STUDY, ci_words, interval_words, studies_words
from .numbers import effect, interval, per_1000, percent, share
from .results import ORIENTATION_NOTE, events_html, result_html
from .statements import certainty_words, comment_html, comparison_words, designs_phrase, participants_phrase
from .words import WINDOW_WORDS, against, comparator_words, word

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
DIFFERENCE_HEAD = "Relative effect or difference"
QUESTION_WORDS = (
    ("population", "Population"),
    ("setting", "Setting"),
    ("intervention", "Intervention"),
    ("comparison", "Comparison"),
)


def _display(measure: str, y: float) -> float:
    spec = DISPLAY[measure]
    if spec["log"]:
        return float(np.exp(y))
    return float(y * 100) if measure == "risk_difference" else float(y)


def _scale(f: LineFinding) -> str:
    m = f.evidence.measure
    if m is None and f.covered is not None and f.covered["events_control"].notna().any():
        return "patients with the event, counted in each arm"
    if m is None:
        return "no numbers in the sources"
    return scale_label(m, f.evidence.rows["unit"] if "unit" in f.evidence.rows else ())


def _time_frame(f: LineFinding) -> str:
    frame = f.row.get("time_frame")
    if frame is None or pd.isna(frame):
        return "time point not stated"
    return WINDOW_WORDS.get(str(frame), str(frame))


def _against(f: LineFinding) -> str:
    return "without a comparator" if f.comparator == "none" else f"against {comparison_words(f)}"


def pooled_html(f: LineFinding) -> str:
    fit, m, rec = f.pooled, f.evidence.measure, f.record
    est, lo, hi = (_display(m, v) for v in (fit.estimate, fit.ci_lower, fit.ci_upper))
    text = (
        f"pooled {esc(word('effect_measure', m))} {mark(effect(est), est, 'estimate', line=f.line)} "
        f"({ci_words(rec, named=True)} {interval(lo, hi, effect)}; {studies_words(rec)})"
    )
    if f.sensitivity is not None:
        w, wrec = f.sensitivity, record_of(f.sensitivity)
        text += (
            f"; sensitivity analysis with {interval_words(wrec)}: {ci_words(wrec)} "
            f"{interval(_display(m, w.ci_lower), _display(m, w.ci_upper), effect)}"
        )
    return text


def results_html(f: LineFinding, names: dict[str, str]) -> str:
    """The line's effect: the pooled one, else each study's, else the directions as reported."""
    if f.pooled is not None:
        return pooled_html(f)
    # the line's absolute effect is in the risk columns: one difference per 1,000 per line
    whole = f.absolute is None
    parts = [f"{esc(names.get(r.study_id, r.study_id))}: {result_html(r, with_absolute=whole)}" for r in f.results]
    numbered = {r.study_id for r in f.results}
    for s in f.studies:
        counted = _counted_row(f, s.study_id)
        if s.study_id not in numbered and counted is not None:
            parts.append(
                f"{esc(names.get(s.study_id, s.study_id))}: {events_html(s.study_id, counted, comparator_words(f.comparator))}"
                "; no relative effect can be estimated without events in both arms"
            )
        elif s.study_id not in numbered:
            parts.append(
                f"{esc(names.get(s.study_id, s.study_id))}: {esc(word('direction', f.directions.get(s.study_id, 'not_reported')))} (no number in the source)"
            )
    return "; ".join(parts) if parts else "no result reported"


def _counted_row(f: LineFinding, sid: str):
    """The study's row of the line with events counted in both arms that stands for it (stats.selection), if any."""
    if f.covered is None:
        return None
    c = f.covered[
        (f.covered["study_id"].astype(str) == sid)
        & f.covered["events_ketamine"].notna()
        & f.covered["events_control"].notna()
    ]
    return None if c.empty else pick(c).iloc[0]


def more_or_fewer(x: float) -> str:
    """A difference per 1,000 in words: '46 more', '26 fewer', '0 more'."""
    if round(x) == 0:
        return "0"
    return f"{per_1000(abs(x))} {'more' if x > 0 else 'fewer'}"


def absolute_cells(f: LineFinding) -> tuple[str, str]:
    """(risk with the comparator, risk with ketamine) per 1,000, with the reason where it cannot be given."""
    a: Absolute | None = f.absolute
    if a is not None:
        comp = mark(per_1000(a.comparator), round(a.comparator), "risk_comparator", line=f.line) + " per 1,000"
        keta = mark(per_1000(a.ketamine), round(a.ketamine), "risk_ketamine", line=f.line) + " per 1,000"
        if not a.by_difference:
            keta += f" ({interval(a.ketamine_lower, a.ketamine_upper, per_1000)})"
        keta += (
            f": {more_or_fewer(a.difference)} per 1,000 "
            f"({more_or_fewer(a.difference_lower)} to {more_or_fewer(a.difference_upper)})"
        )
        if a.by_difference:
            basis = "as counted; no relative effect can be estimated, so the difference is from the counts"
            if f.row.get("zero_events") == "inferred":
                basis += "; the zero is inferred because every patient completed, not reported"
        else:
            basis = "the median risk of the control arm" + ("s" if a.control_arms > 1 else "") + " (GRADE's default)"
        return f"{comp}<br><small>{'' if a.by_difference else 'assumed: '}{basis}</small>", keta
    m = f.evidence.measure
    if f.comparator == "none":
        return "no comparison group", "not applicable"
    if m in RATIO_MEASURES or (m is None and f.covered is not None and f.covered["events_control"].notna().any()):
        arms = f.covered if f.covered is not None else pd.DataFrame(columns=["events_ketamine", "events_control"])
        counted = (arms["events_ketamine"].notna() & arms["events_control"].notna()).any()
        return "not estimable", f"not estimable: {'no events in one or both arms' if counted else 'no counts per arm'}"
    if m == "proportion":
        return "not estimable", "not estimable: the study reports a rate with ketamine only"
    if m is None:
        return "not estimable", "not estimable: no numbers"
    if m == "risk_difference":  # dichotomous, but without counts per arm in the table
        return "not estimable: no counts per arm in the table", f"see {DIFFERENCE_HEAD.lower()}"
    return "not applicable (a continuous outcome)", f"see {DIFFERENCE_HEAD.lower()}"


def question_html(condition: str) -> str:
    q = questions().get(condition)
    if not q:
        return ""
    items = "".join(f"<dt>{label}</dt><dd>{esc(q[key])}</dd>" for key, label in QUESTION_WORDS)
    return f'<dl class="sof-question">{items}</dl>'


def footnotes(line: LineFinding) -> list[tuple[str, str]]:
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


def sof_html(
    lines: list[LineFinding], names: dict[str, str], caption: str, condition: str | None = None, reasons=None
) -> str:
    """GRADEpro's layout: the question; per outcome its time frame and scale, the risk with the comparator and
    with ketamine, the relative effect, participants (studies), certainty and a plain-language comment.
    ``reasons(text)`` fills a reason's placeholders (helpers.report.placeholders)."""
    if not lines:
        return "<p><em>No Summary of Findings line for this selection.</em></p>"
    fill = reasons or esc
    letters = footnote_letters()
    notes = []
    grouped = len({line.condition for line in lines}) > 1  # the all-conditions table: a heading per condition
    if grouped:  # each condition's lines together, in the schema's order of conditions (stable within one)
        order = list(load_schema().enum("condition"))
        lines = sorted(lines, key=lambda f: order.index(f.condition) if f.condition in order else len(order))
    chunks: dict[str, list] = {}  # rows per condition (one chunk when the table is one condition's)
    for line in lines:
        body = chunks.setdefault(line.condition if grouped else "", [])
        marks = []
        for _domain, text in footnotes(line):
            letter = next(letters)
            marks.append(letter)
            notes.append(f"<li><sup>{letter}</sup> {fill(text)}</li>")
        cert = (
            f'<span class="grade" aria-hidden="true">{CERTAINTY_SYMBOLS[line.certainty]}</span> '
            f"<strong>{mark(esc(certainty_words(line.certainty).capitalize()), line.certainty, 'certainty', line=line.line)}</strong>"
            + (f"<sup>{','.join(marks)}</sup>" if marks else "")
        )
        risk_c, risk_k = absolute_cells(line)
        unverified = set()
        if line.covered is not None and "verification" in line.covered:
            rows = line.covered
            unverified = set(rows.loc[rows["verification"].astype(str) != "verified", "study_id"].astype(str))
        studies = ", ".join(
            esc(names.get(s.study_id, s.study_id)) + (" (not yet verified)" if s.study_id in unverified else "")
            for s in line.studies
        )
        outcome = (
            f"{esc(line.label)}<br><small>{esc(_against(line))}; {esc(_time_frame(line))}; {esc(_scale(line))}</small>"
        )
        cells = (
            risk_c,
            risk_k,
            results_html(line, names),
            f"{participants_phrase(line, names)} ({designs_phrase(line)}: {studies})",
            cert,
            comment_html(line, names),
        )
        body.append(Row([Html(c) for c in cells], header=Html(outcome)))
    ci = ci_words(SHOWN)  # of the fit a line shows; a study's own interval is named in its cell
    head = (
        "Outcome, comparison, time frame and scale",
        "Risk with the comparator",
        f"Risk with ketamine ({ci})",
        f"{DIFFERENCE_HEAD} ({ci})",
        "Participants (studies)",
        "Certainty of the evidence (GRADE)",
        "Comment",
    )
    foot = f'<ol class="sof-notes">{"".join(notes)}</ol>' if notes else ""
    # the all-conditions summary: one table per condition under its own caption (a heading that prints and
    # reads on a phone with its rows), footnote letters running on across them
    stem = caption.split(":")[0]
    tables = "".join(
        table(head, rows, f"{stem}: ketamine for {word('condition', c)}" if grouped else caption, cls="sof")
        for c, rows in chunks.items()
    )
    return (
        (question_html(condition) if condition else "") + tables + f'<p class="note">{esc(ORIENTATION_NOTE)}</p>' + foot
    )


def signal_text(sig: Signal, ci: str) -> str:
    """What a computed GRADE signal found, in words; ``ci`` names the intervals it judged ('95% CI')."""
    f = sig.facts
    if sig.code in ("no_interval", "both_thresholds"):
        return SIGNAL_WORDS[sig.code].format(ci=ci) + "; " + participants_words(f)
    if sig.code == "imprecision":
        parts = []
        if f.get("thresholds") is not None:
            crossed = "one threshold" if f.get("crossed", 0) == 1 else "neither threshold"
            parts.append(f"the {ci} crosses {crossed} of an important effect")
        if f["ci_includes_null"] is None:
            parts.append("no single interval to judge (no comparison with a standard error)")
        else:
            parts.append(f"the {ci} {'includes' if f['ci_includes_null'] else 'excludes'} no effect")
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
            f"I² = {percent(f['i2'], 0)} across {f['k']} studies; prediction interval "
            f"{'crosses' if f['pi_crosses_null'] else 'excludes'} no effect"
        )
    if sig.code == "shares":
        basis = {
            "weight": "of the weight in the pooled estimate",
            "participants": "of the participants",
            "studies": "of the studies (counted as studies: the table does not give every study's size)",
        }[f["basis"]]
        return f"{_share(f['high'])} {basis} at high risk of bias, {_share(f['low'])} at low risk"
    if sig.code == "same_direction":
        return f"{f['k']} studies, not pooled; none point clearly in opposite directions"
    if sig.code == "indirect_share":
        return f"{_share(f['share'])} of the participants from studies flagged as indirect evidence"
    if sig.code == "few_studies":
        return (
            f"{f['k']} {'study' if f['k'] == 1 else 'studies'}: fewer than {f['minimum']}, a funnel plot cannot be read"
        )
    return SIGNAL_WORDS[sig.code].format(ci=ci)


def _share(x: float) -> str:
    return "all" if x == 1 else "none" if x == 0 else share(x)


def levels_words(value: int) -> str:
    """A GRADE judgement in words: 'down two levels', 'no change'."""
    return {0: "no change", -1: "down one level", -2: "down two levels", 1: "up one level", 2: "up two levels"}.get(
        value, f"{value:+d} levels"
    )


def participants_words(f: dict) -> str:
    n, without = f["participants"], f["without_n"]
    text = f"{n} participants"
    if without:
        text += f" (and {without} {'study' if without == 1 else 'studies'} without a size in the table)"
    return text


SIGNAL_WORDS = {
    "uncontrolled": "uncontrolled rates: no difference between groups to be imprecise about (the limit is bias)",
    "no_interval": "no estimate with a confidence interval",
    "both_thresholds": "the {ci} includes both an important benefit and an important harm",
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


def signals_html(lines: list[LineFinding], caption: str, reasons=None) -> str:
    """Each domain's judgement beside the signal computed from the data, with disagreements marked;
    ``reasons(text)`` fills a reason's placeholders."""
    if not lines:
        return ""
    fill = reasons or esc
    rows = []
    for line in lines:
        first = True
        ci = ci_words(line.record or STUDY)  # the pooled interval, else each study's
        for d in DOMAINS:
            sig = line.evidence.signals.get(d)
            judged = int(line.row[d])
            if sig is None:
                computed, flag = "not computed from the data", ""
            elif sig.value is None:
                computed, flag = signal_text(sig, ci), ""
            else:
                computed = f"{levels_words(sig.value)}: {signal_text(sig, ci)}"
                flag = "differs" if sig.value != judged else "agrees"
            said = flag
            if flag == "differs" and isinstance(line.row.get("departure_reason"), str):
                said = f"differs: {fill(line.row['departure_reason'])}"
            label = f"{line.label} ({against(line.comparator)})" if first else ""
            cells = (
                DOMAIN_WORDS[d],
                levels_words(judged),
                Html(fill(line.row[d + "_reason"])),
                computed,
                Html(f"<strong>{said}</strong>") if flag == "differs" else flag,
            )
            rows.append(Row(cells, header=label, cls=flag if flag == "differs" else ""))
            first = False
    head = ("Line", "Domain", "Judged", "Reason", "Computed from the data", "Judgement vs signal")
    return table(head, rows, caption)


def covered_studies(certainty: pd.DataFrame | None, condition: str) -> set[str]:
    if certainty is None:
        return set()
    rows = certainty if condition == "all" else certainty[certainty["condition"].astype(str) == condition]
    return {s for v in rows["study_ids"] for s in split_list(v)}
