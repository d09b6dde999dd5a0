"""The answer a reader opens a report for: does ketamine help, how sure can we be, is the article right?

The short answer opens with the primary question's status (computed), then
the reviewers' answer and harms line from data/answers.csv, their numbers
filled from the findings (:mod:`helpers.report.answers`); the details add
every line's informative statement in GRADE's words
(:mod:`helpers.report.statements`), the harms lines' results and the
article's claims; the plain-language summary says what was studied, what was
found (the reviewers' summary), how sure and how up to date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.lines import HARM_PREFIX
from ..data.schema import conditions
from ..data.vocabulary import designs
from ..findings.lines import LineFinding, line_findings
from ..findings.questions import harms_lines, primary_status
from .answers import authored, certainty_badge
from .claims import claims_for, verdict_counts, verdict_word
from .html import esc
from .names import study_names
from .numbers import count_word
from .questions import claim_html, harms_html, status_html
from .statements import certainty_words, plain_html, statement_html
from .studied import others_phrase, routes_label, trials_phrase
from .text import plural
from .words import LOWER_DOSE, word


def labelled(text: str) -> str:
    """An authored line whose first words up to a colon are its label ("Harms (very low certainty):"), bold."""
    head, sep, rest = text.partition(":")
    return f"<strong>{head}{sep}</strong>{rest}" if sep and len(head.split()) <= 5 else text


#: the search log's purposes that look for studies or reviews not yet known; a look-up of a known record (its
#: identifier, full text, follow-up, a rule's source) does not make the evidence more current
FINDS_STUDIES = ("starting_list", "topic", "route", "setting", "population", "reference_list", "registry")
FINDS_STUDIES += ("scheduled_update",)


def last_search(ds) -> str | None:
    """The date of the latest search for studies in the data set's search log (ISO), or None."""
    return None if ds is None or "search_log" not in ds else last_search_in(ds.get("search_log"))


def last_search_in(log) -> str | None:
    """The date of the latest search for studies in a search log (ISO), or None."""
    finding = log["purpose"].astype(str).isin(FINDS_STUDIES) if "purpose" in log else True
    dates = pd.to_datetime(log.loc[finding, "date"], errors="coerce").dropna()
    return None if dates.empty else dates.max().strftime("%Y-%m-%d")


@dataclass
class BottomLine:
    condition: str
    label: str
    studies: pd.DataFrame  # the whole table (names, directions)
    selected: pd.DataFrame  # this report's rows
    lines: list[LineFinding]
    claims: pd.DataFrame
    names: dict[str, str]
    searched: str | None = None  # the date of the last search
    questions: pd.DataFrame | None = None  # data/questions.csv: the review questions
    answers: pd.DataFrame | None = None  # data/answers.csv: the reviewers' answers

    # ------------------------------------------------------------ facts
    def trials(self, comparator_class: str | None = None, verified_only: bool = True, drug: str = "") -> list[str]:
        s = self.selected[
            (self.selected["source"].astype(str) == "literature")
            & self.selected["design"].astype(str).isin(designs("randomized"))
        ]
        if verified_only:
            s = s[s["verification"].astype(str) == "verified"]
        if comparator_class:
            s = s[s["comparator_class"].astype(str) == comparator_class]
        if drug:
            s = s[s["comparator_drug"].astype(str) == drug]
        firsts = s.drop_duplicates("study_id").sort_values(["year", "study_id"])
        return list(firsts["study_id"].astype(str))

    def indirect_trials(self) -> list[str]:
        """The trials that answer the main question only indirectly: by the review question's rule (on no line
        that answers it directly) where the condition has one, else by the study table's indirect flag."""
        status = primary_status(self.condition, self.questions, self.lines)
        if status is not None:
            direct = {s.study_id for x in status.direct for s in x.studies}
            return [t for t in self.trials() if t not in direct]
        s = self.selected[self.selected["study_id"].astype(str).isin(self.trials())]
        s = s[s["indirect"].astype("string").fillna("none") != "none"]
        return list(dict.fromkeys(s["study_id"].astype(str)))

    def _named(self, ids: list[str]) -> str:
        """Study names, each active placebo said (the protocol codes an active placebo as placebo)."""
        drugs = {}
        if "comparator_drug" in self.selected:
            drugs = dict(zip(self.selected["study_id"].astype(str), self.selected["comparator_drug"].astype(str)))
        return ", ".join(
            esc(self.names.get(s, s))
            + (" with midazolam as an active placebo" if drugs.get(s) == "midazolam_active_placebo" else "")
            for s in ids
        )

    @property
    def main_line(self) -> LineFinding | None:
        main = self.main_lines()
        return main[0] if main else None

    def main_lines(self) -> list[LineFinding]:
        """The lines of the condition's main outcome: the first benefit line's outcome, one line per comparison."""
        benefits = [x for x in self.lines if not x.is_harm] or self.lines
        if not benefits:
            return []
        return [x for x in benefits if x.label == benefits[0].label]

    # ------------------------------------------------------------ prose (HTML, facts marked)
    def per_condition(self) -> list[BottomLine]:
        """For the report on all conditions: one bottom line per condition that has trials or graded lines."""
        out = []
        for cond in conditions():
            lines = [x for x in self.lines if x.condition == cond]
            selected = self.selected[self.selected["condition"].astype(str) == cond]
            b = BottomLine(
                cond,
                word("condition", cond),
                self.studies,
                selected,
                lines,
                self.claims,
                self.names,
                self.searched,
                self.questions,
                self.answers,
            )
            if lines or b.trials():
                out.append(b)
        return out

    def written(self, kind: str, column: str = "answer", badge: bool = False) -> str | None:
        """The reviewers' text for this condition's primary or harms question, filled; None if none is written."""
        qid = f"{self.condition}_{kind}"
        return authored(qid, column, self.questions, self.answers, self.lines, self.names, badge)

    def answer(self) -> str:
        """The primary question's status, then the reviewers' answer (or, without a primary question, the
        statements of the main outcome); then what is known about harms."""
        status = primary_status(self.condition, self.questions, self.lines)
        if status is not None:
            text = status_html(status, self.names, plain=True)
            own = self.written("primary")
            if own:
                text += " " + own
            elif status.answered:
                text += " " + " ".join(statement_html(x, self.names) for x in status.direct)
        elif self.main_lines():
            text = " ".join(statement_html(x, self.names) for x in self.main_lines())
        else:
            text = f"No Summary of Findings line has been graded; {trials_phrase(len(self.trials()))}."
        return text + " " + self.harms()

    def answered_lines(self) -> list[LineFinding]:
        """The lines whose statements the short answer gives: the primary question's direct and closest lines
        (harms are summarized there, and their statements follow in the details)."""
        status = primary_status(self.condition, self.questions, self.lines)
        return (status.direct + status.closest) if status is not None else self.main_lines()

    def harms(self) -> str:
        """What is known about harms: the reviewers' harms line, else the graded harms lines' results."""
        own = self.written("harms")
        return labelled(own) if own else self.harms_detail()

    def index_answer(self) -> str:
        """The index's answer: the primary question's status and the reviewers' answer (the question, the
        closest evidence and harms are one click down, on the condition's bottom line)."""
        status = primary_status(self.condition, self.questions, self.lines)
        own = self.written("primary", badge=True)  # the index shows the certainty as a badge
        if status is None:
            return own or self.answer()
        return claim_html(status) + (" " + own if own else "")

    def harms_detail(self) -> str:
        """The graded harms lines' results, or how many harms results went ungraded."""
        lines = harms_lines(self.condition, self.questions, self.lines)
        s = self.selected
        reported = int(
            (s["outcome"].astype(str).str.startswith(HARM_PREFIX) & (s["source"].astype(str) == "literature")).sum()
        )
        return harms_html(lines, self.names, reported)

    def headline(self) -> str:
        """The short answer (HTML): for one condition its main statements, for all conditions each one's."""
        if self.condition == "all":
            text = " ".join(f"<strong>{esc(b.label.capitalize())}.</strong> {b.answer()}" for b in self.per_condition())
            own = self.written("harms")
            return text + (f" <strong>All conditions.</strong> {labelled(own)}" if own else "")
        return self.answer()

    def details(self) -> str:
        """What follows the short answer: the trials, every other line's statement, the article's claims."""
        if self.condition == "all":  # the trials and comparisons are each condition's: this page answers by condition
            return "Each condition's own bottom line names its trials and what each comparison found. " + (
                self.claims_sentence()
            )
        parts = []
        n = self.trials()
        placebo, active = self.trials("placebo"), self.trials("active")
        if n:
            text = (
                f"{count_word(len(n)).capitalize()} verified randomized "
                f"{'trial has' if len(n) == 1 else 'trials have'} given ketamine to people with {esc(self.label)}"
            )
            doses = self.trials("active", drug=LOWER_DOSE)  # two doses of ketamine: not another drug
            against = [(placebo, "placebo"), ([t for t in active if t not in doses], "active drugs")]
            bits = [(ids, what) for ids, what in [*against, (doses, word("comparator_drug", LOWER_DOSE))] if ids]
            if len(bits) == 1:  # one comparison for all of them: their number is not said again
                ids, what = bits[0]
                text += f", {'' if len(ids) == 1 else 'both ' if len(ids) == 2 else 'all '}against {what} ({self._named(ids)})"
            elif bits:
                text += ": " + " and ".join(
                    f"{count_word(len(i))} against {what} ({self._named(i)})" for i, what in bits
                )
            indirect = self.indirect_trials()
            if len(indirect) == len(n):  # every one of them (named just before)
                text += ". " + ("It answers" if len(n) == 1 else "All of them answer")
                text += " the main question only indirectly"
            elif indirect:
                text += (
                    f". {count_word(len(indirect)).capitalize()} of them {'answers' if len(indirect) == 1 else 'answer'} "
                    f"the main question only indirectly ({self._named(indirect)})"
                )
            parts.append(text + ".")
        else:
            parts.append(f"No verified randomized trial of {esc(self.label)} is in the table itself.")
        shown = {id(x) for x in self.answered_lines()}
        others = [x for x in self.lines if id(x) not in shown]
        status = primary_status(self.condition, self.questions, self.lines)
        if status is not None and status.closest and self.written("primary"):
            parts.append(
                "<br>The closest evidence, line by line: " + status_html(status, self.names).split("</strong> ", 1)[1]
            )
        if others:
            parts.append("<br>Other outcomes: " + " ".join(statement_html(x, self.names) for x in others))
        if self.written("harms"):
            parts.append("<br>" + self.harms_detail())
        parts.append("<br>" + self.claims_sentence())
        return " ".join(parts)

    def plain_summary(self) -> str:
        """A Cochrane-style plain-language summary (HTML): what was studied, found, how sure, how up to date."""
        if self.condition == "all":
            blocks = [
                f"<li><strong>{esc(b.label.capitalize())}</strong>: {b._studied(named=False)}</li>"
                for b in self.per_condition()
            ]
            studied = f"<ul>{''.join(blocks)}</ul>"
        else:
            studied = f"<p>{self._studied()}</p>"
        status = primary_status(self.condition, self.questions, self.lines)
        opening = f"<p>{status_html(status, self.names, plain=True)}</p>" if status is not None else ""
        return (
            opening + "<h3>What was studied</h3>" + studied + "<h3>What was found</h3>"
            f"<p>{self._found()}</p>"
            f"<h3>How sure can we be?</h3><p>{self._how_sure()}</p>"
            f"<h3>How up to date is this?</h3><p>{self._up_to_date()}</p>"
        )

    def _found(self) -> str:
        if self.condition == "all":
            return " ".join(f"<strong>{esc(b.label.capitalize())}.</strong> {b._found()}" for b in self.per_condition())
        own, harms = self.written("primary", "summary"), self.written("harms", "summary")
        if own:
            return own + " " + (harms or self.harms_detail())
        main = self.main_lines()
        if not main:
            return "No comparison has been graded. " + self.harms()
        return plain_html(main) + " " + self.harms()

    def _studied(self, named: bool = True) -> str:
        """What was studied; ``named=False`` where the condition is the list item's label."""
        s = self.selected[self.selected["source"].astype(str) == "literature"].drop_duplicates("study_id")
        trials = self.trials()
        others = s[~s["study_id"].astype(str).isin(trials)]
        codes = s["route"].astype("string").fillna("not_reported")
        if trials:
            text = f"{count_word(len(trials)).capitalize()} verified randomized {'trial' if len(trials) == 1 else 'trials'}"
        else:
            text = "No verified randomized trial"
        text += f" of ketamine for {esc(self.label)}." if named else "."
        if len(others):  # short sentences: each list on its own
            text += f" Other studies: {others_phrase(others)}."
        return text + routes_label(codes)
        return text

    def _how_sure(self) -> str:
        if not self.lines:
            return "No comparison has been graded."
        counts: dict[str, int] = {}
        for x in self.lines:
            counts[x.certainty] = counts.get(x.certainty, 0) + 1
        n = len(self.lines)
        if len(counts) == 1:
            only = certainty_words(next(iter(counts)))
            text = f"{'The one graded outcome and comparison is' if n == 1 else f'All {n} graded outcomes and comparisons are'} of {only} certainty (GRADE)."
        else:
            listed = ", ".join(f"{k} of {certainty_words(c)} certainty" for c, k in counts.items())
            text = f"Of the {n} graded outcomes and comparisons, {listed} (GRADE)."
        if set(counts) == {"very_low"}:
            text += " At very low certainty the true effect may well be substantially different from what the studies found."
        return text

    def _up_to_date(self) -> str:
        if not self.searched:
            return "The search log beside this table has no dates."
        return f"The evidence is as found by searches last run on {self.searched}."

    def claims_sentence(self) -> str:
        c = claims_for(self.claims, self.condition)
        if c.empty:
            return f"The source article makes no claim about {esc(self.label)}."
        counts = verdict_counts(c)
        listed = ", ".join(f"{n} {esc(verdict_word(v))}" for v, n in counts.items())
        cited = list(c["seed_study_id"].dropna().astype(str))
        seeds = self.studies[self.studies["study_id"].astype(str).isin(cited)].drop_duplicates("study_id")
        located = int((seeds["verification"].astype(str) != "not_found").sum())
        if seeds.empty:
            papers = "it cites no paper for them"
        elif not located:
            papers = f"none of the {plural(len(seeds), 'paper')} it cites for them could be located"
        else:
            papers = f"{located} of the {plural(len(seeds), 'paper')} it cites for them could be located"
        return (
            f"<strong>Is the article right?</strong> It makes {plural(len(c), 'claim')} about {esc(self.label)}, and "
            f"{papers}; weighed against the real evidence: {listed}."
        )


def bottom_line_for(
    condition: str,
    label: str,
    studies: pd.DataFrame,
    selected: pd.DataFrame,
    ds,
    names: dict[str, str],
) -> BottomLine:
    lines = line_findings(
        ds.get("certainty") if ds else None, studies, ds.get("risk_of_bias") if ds else None, condition
    )
    claims = ds.get("claims") if ds is not None and "claims" in ds else pd.DataFrame()
    questions = ds.get("questions") if ds is not None else None
    answers = ds.get("answers") if ds is not None and "answers" in ds else None
    return BottomLine(condition, label, studies, selected, lines, claims, names, last_search(ds), questions, answers)


def certainty_of(line: LineFinding | None) -> str:
    return certainty_words(line.certainty) if line is not None else "not graded"


def index_answers(ds) -> list[tuple[str, str, str, str]]:
    """(condition label, the short answer, its certainty, the index's shorter answer; all HTML) per condition."""
    studies = ds.studies
    names = study_names(studies)
    whole = bottom_line_for("all", "all conditions", studies, studies, ds, names)
    return [
        (b.label, b.answer(), certainty_badge(f"{b.condition}_primary", b.questions, b.lines), b.index_answer())
        if b.questions is not None
        else (b.label, b.answer(), certainty_of(b.main_line), b.index_answer())
        for b in whole.per_condition()
    ]


def index_harms(ds) -> str | None:
    """The reviewers' harms line over all conditions (HTML, filled), or None."""
    studies = ds.studies
    whole = bottom_line_for("all", "all conditions", studies, studies, ds, study_names(studies))
    own = whole.written("harms")
    return labelled(own) if own else None
