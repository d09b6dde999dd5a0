"""Which row stands for a study, which rows a Summary of Findings line covers, which fit of a pooled group a
page shows: each choice written once, here, and called by every page that makes it (the Summary of Findings
and its statements, pooling, the free text's placeholders, the figures, the index).

**The row that stands for a study** (:func:`pick`). A study often has several rows for one outcome: time
points, or two outcomes of one line. The caller passes the rows that qualify (an outcome, a line, a pooled
group's time window); of each study's rows, one stands for it:

1. the row with the most usable result (:func:`result_rank`): an estimate with an interval, then an
   estimate without one, then a direction stated without a number, then nothing;
2. among those, the latest follow-up; a row whose follow-up the source does not state counts as the
   earliest (nothing says it is later);
3. among those (two outcomes of one line measured at the same time), the row the study table lists
   first.

The rows come back one per study, the studies in the order the table first lists them. Pooling, the
Summary of Findings and the placeholders therefore show the same row of a study whenever they are asked
about the same rows: its latest result with an interval.

**The rows of a Summary of Findings line** (:func:`line_rows`): its studies, condition and outcomes, against
its comparator group, in its time window; rows without a follow-up count in every window
(:func:`helpers.data.lines.line_rows`, kept in the data layer, where the appraisal references need it).
Of these, one result per study (:func:`line_results`) by the rule above.

**The fit a page shows** (:func:`shown_fit`): a pooled group holds one fit per registered method, in the
order of its registry (:data:`helpers.stats.pooling.FITS`; single-arm rates:
:data:`helpers.stats.proportions.FITS`); the first is the estimate every page shows, the others are
sensitivity analyses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import lines as data_lines

STUDY = ("study_id",)
#: directions that say nothing (a row without a number that states no direction)
UNSTATED = ("not_reported", "nan", "<NA>", "None", "")
#: how usable a row's result is, best last (result_rank's values)
NOTHING, DIRECTION, ESTIMATE, INTERVAL = 0, 1, 2, 3


def result_rank(rows: pd.DataFrame) -> pd.Series:
    """How usable each row's result is: INTERVAL (a finite estimate with a positive, finite sampling
    variance), ESTIMATE (a finite estimate), DIRECTION (a stated direction), NOTHING. Reads ``est`` and ``vi``
    (stats.effects.harmonize, or :func:`with_results`) where the frame has them; study rows without them
    rank by their direction alone."""
    n = len(rows)
    est = rows["est"].astype(float).to_numpy() if "est" in rows else np.full(n, np.nan)
    vi = rows["vi"].astype(float).to_numpy() if "vi" in rows else np.full(n, np.nan)
    stated = (
        ~rows["direction"].astype(str).isin(UNSTATED).to_numpy() if "direction" in rows else np.zeros(n, dtype=bool)
    )
    has_est = np.isfinite(est)
    with np.errstate(invalid="ignore"):
        has_ci = has_est & np.isfinite(vi) & (vi > 0)
    rank = np.select([has_ci, has_est, stated], [INTERVAL, ESTIMATE, DIRECTION], NOTHING)
    return pd.Series(rank, index=rows.index, dtype=int)


def _groups(rows: pd.DataFrame, by) -> np.ndarray:
    """Each row's group (a study, by default), numbered in the order the frame first lists them."""
    keys = [rows[c].astype(str) for c in ([by] if isinstance(by, str) else list(by))]
    return rows.groupby(keys, sort=False).ngroup().to_numpy()


def _stands(rows: pd.DataFrame, groups: np.ndarray, rank: pd.Series | None) -> np.ndarray:
    """True on the row that stands for its group under the module's rule."""
    rank = (result_rank(rows) if rank is None else rank.reindex(rows.index)).to_numpy()
    days = rows["followup_days"].astype(float).fillna(-np.inf).to_numpy()
    # the study table's order is the frames' index (harmonize keeps it): the first of equals wins
    order = np.lexsort((rows.index.to_numpy(), -days, -rank, groups))
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    out = np.zeros(len(order), dtype=bool)
    out[order[first]] = True
    return out


def chosen(rows: pd.DataFrame, by=STUDY, rank: pd.Series | None = None) -> pd.Series:
    """True on the row that stands for its group (a study, by default) under the module's rule, False on
    the others; ``rank``, the rows' usability if not :func:`result_rank`'s."""
    if rows.empty:
        return pd.Series(False, index=rows.index, dtype=bool)
    return pd.Series(_stands(rows, _groups(rows, by), rank), index=rows.index)


def pick(rows: pd.DataFrame, by=STUDY, rank: pd.Series | None = None) -> pd.DataFrame:
    """One row per study (or per ``by``) by the module's rule, the groups in the order the table first lists
    them."""
    if rows.empty:
        return rows
    groups = _groups(rows, by)
    at = np.flatnonzero(_stands(rows, groups, rank))
    return rows.iloc[at[np.argsort(groups[at], kind="stable")]]


def row_keys(rows: pd.DataFrame) -> list[tuple]:
    """The study table's unique key of each row (an empty follow-up counts as one value): matches harmonized
    effects to study rows."""
    cols = [rows[c].astype(str).tolist() for c in ("study_id", "condition", "outcome")]  # lists: fast to zip
    return list(zip(*cols, rows["followup_days"].astype(float).fillna(-1.0).tolist()))


def with_results(studies: pd.DataFrame, effects: pd.DataFrame) -> pd.DataFrame:
    """The study rows with the ``est`` and ``vi`` of their harmonized effect (stats.effects.harmonize of
    ``studies``), so that :func:`result_rank` can rank rows with and without a number together."""
    effects = effects[effects["study_id"].astype(str).isin(set(studies["study_id"].astype(str)))]
    found = dict(zip(row_keys(effects), zip(effects["est"].astype(float), effects["vi"].astype(float))))
    values = [found.get(k, (np.nan, np.nan)) for k in row_keys(studies)]
    est = [v[0] for v in values]
    vi = [v[1] for v in values]
    return studies.assign(
        est=pd.Series(est, index=studies.index, dtype=float), vi=pd.Series(vi, index=studies.index, dtype=float)
    )


def line_rows(studies: pd.DataFrame, line) -> pd.DataFrame:
    """The study rows a Summary of Findings line covers (:func:`helpers.data.lines.line_rows`)."""
    return data_lines.line_rows(studies, line)


def line_results(effects: pd.DataFrame, covered: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """One harmonized effect with a number per study of a line: of the effects of its ``covered`` rows
    (:func:`line_rows`), the one that stands for the study (:func:`pick`)."""
    wanted = set(row_keys(covered))
    e = effects[effects["study_id"].astype(str).isin(ids)]  # the line's studies first: a small frame to key
    e = narrow(e)[np.array([k in wanted for k in row_keys(e)], dtype=bool)]
    return effects.loc[pick(e[np.isfinite(e["est"].astype(float))].sort_index()).index]


#: the columns the rule and the row keys read: a frame of the study table's width costs a copy of every
#: column at each step (most of a Summary of Findings line's time), so the rule runs on these alone
RULE_COLUMNS = ("study_id", "condition", "outcome", "followup_days", "direction", "est", "vi")


def narrow(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with only the columns :func:`pick` and :func:`row_keys` read (the same index)."""
    return rows[[c for c in RULE_COLUMNS if c in rows.columns]]


def shown_fit(group):
    """The fit of a pooled group (stats.pooling.PoolGroup, or a single-arm rates group) that every page
    shows: the fit of the first method of its registry, None for a group that was not pooled."""
    return group.fits[0] if group.fits else None
