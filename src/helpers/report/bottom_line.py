"""The answer a reader opens a report for: does ketamine help, how sure can we be, is the article right?

Every sentence is assembled from the data: the randomized trials in the study
table, the Summary of Findings lines of ``certainty.csv`` with their effects
computed at build time, and the verdicts of ``claims.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.schema import conditions
from ..stats.effects import Z975, harmonize
from .claims import claims_for, verdict_counts, verdict_word
from .names import study_names
from .sof import Line, certainty_words, lines_for
from .text import count_word, plural
from .words import word

RANDOMIZED = ("rct", "crossover_rct")


def _classify(lo: float, hi: float) -> str:
    if hi < 0:
        return "benefit"
    if lo > 0:
        return "harm"
    return "no_difference"


def finding(line: Line, studies: pd.DataFrame) -> str:
    """benefit, no_difference, harm, mixed, reported_benefit, reported_harm, reported_no_difference, uncontrolled or unknown."""
    ev = line.evidence
    if ev.measure == "proportion":
        return "uncontrolled"
    if ev.fit is not None:
        return _classify(ev.fit.ci_lower, ev.fit.ci_upper)
    rows = ev.rows[np.isfinite(ev.rows["vi"].astype(float))] if not ev.rows.empty else ev.rows
    if not rows.empty:
        se = np.sqrt(rows["vi"].astype(float))
        kinds = {_classify(y - Z975 * s, y + Z975 * s) for y, s in zip(rows["yi"].astype(float), se)}
        return kinds.pop() if len(kinds) == 1 else "mixed"
    directions = set(ev.directions.values()) - {"not_reported"}
    if directions == {"favours_ketamine"}:
        return "reported_benefit"
    if directions == {"favours_comparator"}:
        return "reported_harm"
    if directions == {"no_difference"}:
        return "reported_no_difference"
    return "mixed" if directions else "unknown"


def finding_clause(kind: str, line: Line) -> str:
    comp = word("comparator_class", str(line.row["comparator_class"]))
    outcome = line.label
    return {
        "benefit": f"ketamine did better than {comp} on {outcome}",
        "no_difference": f"the trials found no clear difference between ketamine and {comp} on {outcome}",
        "harm": f"{comp} did better than ketamine on {outcome}",
        "mixed": f"results on {outcome} against {comp} point in different directions",
        "reported_benefit": f"{outcome} is reported to favour ketamine over {comp}, without numbers that can be checked",
        "reported_harm": f"{outcome} is reported to favour {comp} over ketamine",
        "reported_no_difference": f"no difference from {comp} is reported on {outcome}",
        "uncontrolled": f"{outcome} is reported only as response rates without a comparison group's result, so no comparison is possible",
        "unknown": f"no result on {outcome} could be extracted",
    }[kind]


FINDING_SHORT = {
    "benefit": "ketamine did better",
    "no_difference": "no clear difference",
    "harm": "the comparator did better",
    "mixed": "results point in different directions",
    "reported_benefit": "reported to favour ketamine, without numbers that can be checked",
    "reported_harm": "reported to favour the comparator",
    "reported_no_difference": "no difference reported",
    "uncontrolled": "response rates without a comparison only",
    "unknown": "no extractable result",
}


def trials_phrase(n: int) -> str:
    return "no verified randomized trial" if n == 0 else f"{plural(n, 'verified randomized trial')} in all"


@dataclass
class BottomLine:
    condition: str
    label: str
    studies: pd.DataFrame  # the whole table (names, directions)
    selected: pd.DataFrame  # this report's rows
    lines: list[Line]
    claims: pd.DataFrame
    names: dict[str, str]

    # ------------------------------------------------------------ facts
    def trials(self, comparator_class: str | None = None, verified_only: bool = True) -> list[str]:
        s = self.selected[
            (self.selected["source"].astype(str) == "literature") & self.selected["design"].astype(str).isin(RANDOMIZED)
        ]
        if verified_only:
            s = s[s["verification"].astype(str) == "verified"]
        if comparator_class:
            s = s[s["comparator_class"].astype(str) == comparator_class]
        firsts = s.drop_duplicates("study_id").sort_values(["year", "study_id"])
        return list(firsts["study_id"].astype(str))

    def indirect_trials(self) -> list[str]:
        s = self.selected[self.selected["study_id"].astype(str).isin(self.trials())]
        s = s[s["indirect"].astype("string").fillna("none") != "none"]
        return list(dict.fromkeys(s["study_id"].astype(str)))

    def _named(self, ids: list[str]) -> str:
        return ", ".join(self.names.get(s, s) for s in ids)

    @property
    def main_line(self) -> Line | None:
        return self.lines[0] if self.lines else None

    # ------------------------------------------------------------ prose
    def per_condition(self) -> list[BottomLine]:
        """For the report on all conditions: one bottom line per condition that has trials or graded lines."""
        out = []
        for cond in conditions():
            lines = [x for x in self.lines if str(x.row["condition"]) == cond]
            selected = self.selected[self.selected["condition"].astype(str) == cond]
            b = BottomLine(cond, word("condition", cond), self.studies, selected, lines, self.claims, self.names)
            if lines or b.trials():
                out.append(b)
        return out

    def headline(self) -> str:
        """One sentence with the certainty: the answer for the index and the first line of the report."""
        if self.condition == "all":
            return self._headline_all()
        line = self.main_line
        n = len(self.trials())
        if line is None:
            return f"{self.label.capitalize()}: no Summary of Findings line has been graded; {trials_phrase(n)}"
        kind = finding(line, self.studies)
        return (
            f"{self.label.capitalize()}: {finding_clause(kind, line)} "
            f"({certainty_words(line.certainty)} certainty; {trials_phrase(n)})"
        )

    def _headline_all(self) -> str:
        if not self.lines:
            return f"All conditions: no Summary of Findings line has been graded; {trials_phrase(len(self.trials()))}"
        graded = [(x, finding(x, self.studies)) for x in self.lines]
        better = [(x, k) for x, k in graded if k in ("benefit", "reported_benefit")]
        order = ["very_low", "low", "moderate", "high"]
        best = max((x.certainty for x, _ in better), key=order.index) if better else None
        text = (
            f"All conditions: {len(better)} of {plural(len(graded), 'graded comparison')} "
            f"{'favours' if len(better) == 1 else 'favour'} ketamine"
        )
        if best:
            text += f", none with more than {certainty_words(best)} certainty"
        return text + f"; {trials_phrase(len(self.trials()))}"

    def details(self) -> str:
        """What follows the headline: the trials, each graded line, the article's claims."""
        if self.condition == "all":
            return " ".join(f"{b.headline()}." for b in self.per_condition()) + " " + self.claims_sentence()
        parts = []
        n = self.trials()
        placebo, active = self.trials("placebo"), self.trials("active")
        if n:
            text = f"{count_word(len(n)).capitalize()} verified randomized {'trial has' if len(n) == 1 else 'trials have'} tested ketamine for {self.label}"
            bits = []
            if placebo:
                bits.append(f"{count_word(len(placebo))} against placebo ({self._named(placebo)})")
            if active:
                bits.append(f"{count_word(len(active))} against active drugs ({self._named(active)})")
            text += (": " + " and ".join(bits)) if bits else ""
            indirect = self.indirect_trials()
            if indirect:
                text += (
                    f". {count_word(len(indirect)).capitalize()} of them {'answers' if len(indirect) == 1 else 'answer'} "
                    f"the question only indirectly ({self._named(indirect)})"
                )
            parts.append(text + ".")
        else:
            parts.append(f"No verified randomized trial has tested ketamine for {self.label}.")
        for line in self.lines:
            kind = finding(line, self.studies)
            parts.append(
                f"{line.label.capitalize()} {line.comparison}: {FINDING_SHORT[kind]} "
                f"({certainty_words(line.certainty)} certainty, {plural(line.evidence.k, 'study', 'studies')})."
            )
        parts.append(self.claims_sentence())
        return " ".join(parts)

    def claims_sentence(self) -> str:
        c = claims_for(self.claims, self.condition)
        if c.empty:
            return f"The source article makes no claim about {self.label}."
        counts = verdict_counts(c)
        listed = ", ".join(f"{n} {verdict_word(v)}" for v, n in counts.items())
        cited = list(c["seed_study_id"].dropna().astype(str))
        seeds = self.studies[self.studies["study_id"].astype(str).isin(cited)].drop_duplicates("study_id")
        located = int((seeds["verification"].astype(str) != "not_found").sum())
        papers = (
            f"none of the {plural(len(seeds), 'paper')} it cites for them could be located"
            if not located
            else f"{located} of the {plural(len(seeds), 'paper')} it cites for them could be located"
        )
        return (
            f"**Is the article right?** It makes {plural(len(c), 'claim')} about {self.label}, and {papers}; "
            f"weighed against the real evidence: {listed}."
        )


def bottom_line_for(
    condition: str,
    label: str,
    studies: pd.DataFrame,
    selected: pd.DataFrame,
    effects: pd.DataFrame,
    ds,
    names: dict[str, str],
) -> BottomLine:
    lines = lines_for(
        ds.get("certainty") if ds else None, condition, effects, studies, ds.get("risk_of_bias") if ds else None
    )
    claims = ds.get("claims") if ds is not None and "claims" in ds else pd.DataFrame()
    return BottomLine(condition, label, studies, selected, lines, claims, names)


def certainty_of(line: Line | None) -> str:
    return certainty_words(line.certainty) if line is not None else "not graded"


def index_answers(ds) -> list[tuple[str, str, str]]:
    """(condition label, one-sentence answer, certainty of its main line) per condition, for the index."""
    studies = ds.studies
    names = study_names(studies)
    whole = bottom_line_for("all", "all conditions", studies, studies, harmonize(studies), ds, names)
    return [(b.label, b.headline(), certainty_of(b.main_line)) for b in whole.per_condition()]
