"""Placeholders of the free text filled from the findings, in words (the syntax: helpers.findings.placeholders)."""

from __future__ import annotations

import re

import pandas as pd

from ..data.lines import comparator_group, study_size
from ..data.vocabulary import designs
from ..findings.placeholders import PLACEHOLDER
from ..findings.results import StudyResult, study_results
from ..stats.effects import harmonize
from ..stats.selection import pick, with_results
from .html import esc
from .marks import mark, result_key
from .numbers import count_word, human_duration
from .results import direction_phrase, events_html, result_html, study_size_html
from .words import word


class Filler:
    """Fills placeholders for one study table: ``Filler(studies, names)(text)`` is HTML."""

    def __init__(self, studies: pd.DataFrame, names: dict[str, str]):
        self.studies = studies
        self.names = names
        # each study's row positions; a frame per study is cut only when a placeholder names it (a 10,000-row
        # table has thousands of studies, and cutting them all cost 8 s)
        ids = studies["study_id"].astype(str)
        self._positions = {str(k): v for k, v in studies.groupby(ids, sort=False).indices.items()}
        self._results: dict[str, list[StudyResult]] | None = None
        self._ranked: pd.DataFrame | None = None
        # a claims table asks for the same study's rows and results many times (135 asks, 34 pairs): each is
        # cut and chosen once
        self._rows: dict[str, pd.DataFrame] = {}
        self._standing: dict[tuple[str, str], tuple[pd.Series, StudyResult] | None] = {}

    def has_study(self, sid: str) -> bool:
        return sid in self._positions

    def rows_of(self, sid: str) -> pd.DataFrame:
        """The study's rows, in the table's order."""
        if sid not in self._rows:
            self._rows[sid] = self.studies.iloc[self._positions[sid]]
        return self._rows[sid]

    @property
    def results(self) -> dict[str, list[StudyResult]]:
        """Each study's results, one per row in the table's order."""
        if self._results is None:
            effects = harmonize(self.studies)
            self._results = study_results(self.studies, effects)
            self._ranked = with_results(self.studies, effects)
        return self._results

    def stands(self, sid: str, outcome: str) -> tuple[pd.Series, StudyResult] | None:
        """The study's row that stands for the outcome, at any time point (stats.selection.pick), and its
        result; None when the study has no row of the outcome."""
        if (sid, outcome) not in self._standing:
            self._standing[sid, outcome] = self._stands(sid, outcome)
        return self._standing[sid, outcome]

    def _stands(self, sid: str, outcome: str) -> tuple[pd.Series, StudyResult] | None:
        results = self.results[sid]
        rows = self._ranked.loc[self.rows_of(sid).index]
        rows = rows[rows["outcome"].astype(str) == outcome]
        if rows.empty:
            return None
        row = pick(rows).iloc[0]
        return row, results[list(self.rows_of(sid).index).index(row.name)]

    def _condition(self, cond: str, field: str) -> str:
        s = self.studies[
            (self.studies["condition"].astype(str) == cond) & (self.studies["source"].astype(str) == "literature")
        ]
        if field == "trials":
            s = s[s["design"].astype(str).isin(designs("randomized")) & (s["verification"].astype(str) == "verified")]
        n = s["study_id"].nunique()
        return mark(count_word(n), n, field, study=f"condition:{cond}")

    def one(self, m: re.Match) -> str:
        target, field, outcome = m.groups()
        if target not in self._positions:
            return self._condition(target, field)
        name = esc(self.names.get(target, target))
        if field is None:
            return name
        first = self.rows_of(target).iloc[0]
        if field == "n":
            return study_size_html(target, *study_size(self.rows_of(target)))
        if field in ("design", "route", "setting"):
            return esc(word(field, first[field]))
        if field == "year":
            return esc(str(first["year"]))
        row, res = self.stands(target, outcome)
        if field == "direction":
            return direction_phrase(res.direction, _comparator(row))
        if field == "result":
            return result_html(res)
        if field == "followup":
            days = row["followup_days"]
            if pd.isna(days):
                return "at a time not stated"
            key = result_key(str(row["outcome"]), float(days))
            return mark(esc(human_duration(float(days))), float(days), "followup_days", target, key)
        return events_html(target, row)

    def __call__(self, text) -> str:
        if not isinstance(text, str):
            return ""
        out, last = [], 0
        for m in PLACEHOLDER.finditer(text):
            out.append(esc(text[last : m.start()]))
            out.append(self.one(m))
            last = m.end()
        out.append(esc(text[last:]))
        return "".join(out)


def _comparator(row) -> str | None:
    if row is None:
        return None
    drug = row.get("comparator_drug")
    return comparator_group(drug, row.get("comparator_class"))
