"""PRISMA 2020 flow counts, computed from the search log, the screening record and the study table.

Nothing here is typed by hand: every box of the flow diagram is a count of
rows. The identities that must hold are checked by the tests:

    identified - duplicates = screened
    screened - excluded on title/abstract = assessed
    assessed - excluded after reading - awaiting classification = included = published studies in the table

Records awaiting classification (in scope, but a fact needed to include them
could not be reached) are counted apart, as PRISMA 2020 and Cochrane reviews
do, never among the exclusions. Records a scheduled search queued that nobody
has screened yet are identified but not screened: counted apart as awaiting
screening (:func:`awaiting_screening`, the one count every page reads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .schema import load_schema


@dataclass(frozen=True)
class PrismaCounts:
    identified_by_source: dict[str, int]
    duplicates: int
    screened: int
    excluded_screening: dict[str, int]
    assessed: int
    excluded_assessment: dict[str, int]
    included: int
    included_by_design: dict[str, int] = field(default_factory=dict)
    searches: int = 0
    searches_by_source: dict[str, int] = field(default_factory=dict)
    unresolved_lookups: int = 0
    pooled_studies: int | None = None
    awaiting: dict[str, int] = field(default_factory=dict)
    #: included studies whose full text (or preprint, or registration) was looked for, and how many of them were
    #: reached (a look-up that returned the methods or results)
    full_texts_sought: int = 0
    full_texts_reached: int = 0
    #: look-ups of each purpose (identifier, citation_check, full_text ...)
    searches_by_purpose: dict[str, int] = field(default_factory=dict)
    #: the first and last date each source was searched (ISO dates)
    source_dates: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: the source article's citations, and how many of them were located
    article_citations: int = 0
    article_citations_located: int = 0
    #: included studies that hold rows of the report's condition (None: the report is about all conditions)
    included_here: int | None = None
    #: records a scheduled search queued that nobody has screened yet (not in screened)
    awaiting_screening: int = 0

    @property
    def identified(self) -> int:
        return sum(self.identified_by_source.values())

    @property
    def excluded_screening_total(self) -> int:
        return sum(self.excluded_screening.values())

    @property
    def excluded_assessment_total(self) -> int:
        return sum(self.excluded_assessment.values())

    @property
    def awaiting_total(self) -> int:
        return sum(self.awaiting.values())


#: the look-ups for a study or a record by its identifier or citation (full-text look-ups are counted apart)
LOOKUPS = ("identifier", "citation_check")


def _full_texts(search_log: pd.DataFrame) -> tuple[int, int]:
    ft = search_log[search_log["purpose"].astype(str) == "full_text"]
    status = ft.groupby(ft["target"].astype(str))["status"].agg(lambda s: set(s.astype(str)))
    return len(status), int(sum("complete" in s for s in status))


def _counts(series: pd.Series, order) -> dict[str, int]:
    vc = series.astype(str).value_counts()
    return {k: int(vc[k]) for k in order if k in vc.index and vc[k] > 0}


def _unresolved_targets(search_log: pd.DataFrame) -> int:
    """Identifier and citation look-ups (by target) that no search settled: every attempt for it is unresolved."""
    lookups = search_log[search_log["target"].notna() & search_log["purpose"].astype(str).isin(LOOKUPS)]
    status = lookups.groupby(lookups["target"].astype(str))["status"].agg(lambda s: set(s.astype(str)))
    return int(sum("complete" not in s for s in status))


def _source_dates(search_log: pd.DataFrame) -> dict[str, tuple[str, str]]:
    dates = pd.to_datetime(search_log["date"], errors="coerce")
    out = {}
    for source, d in dates.groupby(search_log["source"].astype(str)):
        d = d.dropna()
        if not d.empty:
            out[source] = (d.min().strftime("%Y-%m-%d"), d.max().strftime("%Y-%m-%d"))
    return out


#: the decision of a record a scheduled search queued for a person to screen
QUEUED = "awaiting_screening"


def awaiting_screening(screening: pd.DataFrame | None) -> int:
    """How many records wait for a person to screen them."""
    if screening is None:
        return 0
    return int((screening["decision"].astype(str) == QUEUED).sum())


def prisma_counts(
    search_log: pd.DataFrame,
    screening: pd.DataFrame,
    studies: pd.DataFrame | None = None,
    pooled_study_ids: set[str] | None = None,
    here: set[str] | None = None,
) -> PrismaCounts:
    """The flow's counts; ``here``: the study_ids of the report's condition, for the included box."""
    sources = load_schema("search_log").enum("source")
    reasons = load_schema("screening").enum("reason")
    source_of = dict(zip(search_log["search_id"].astype(str), search_log["source"].astype(str)))
    rec_source = screening["search_id"].astype(str).map(source_of)
    decision = screening["decision"].astype(str)
    identified = _counts(rec_source, sources)
    duplicates = int((decision == "duplicate").sum())
    queued = awaiting_screening(screening)
    screened = len(screening) - duplicates - queued
    ex_ta = screening[decision == "excluded_title_abstract"]["reason"]
    ex_ft = screening[decision == "excluded_full_text"]["reason"]
    awaiting = screening[decision == "awaiting_classification"]["reason"]
    included_ids = screening.loc[decision == "included", "study_id"].astype(str)
    by_design: dict[str, int] = {}
    if studies is not None:
        design = studies.drop_duplicates("study_id").set_index("study_id")["design"].astype(str)
        by_design = _counts(included_ids.map(design).dropna(), load_schema().enum("design"))
    sought, reached = _full_texts(search_log)
    seeds = located = 0
    if studies is not None:
        first = studies.drop_duplicates("study_id")
        seed = first[first["source"].astype(str) == "seed_article"]
        seeds, located = len(seed), int((seed["verification"].astype(str) != "not_found").sum())
    return PrismaCounts(
        identified_by_source=identified,
        duplicates=duplicates,
        screened=screened,
        excluded_screening=_counts(ex_ta, reasons),
        assessed=screened - len(ex_ta),
        excluded_assessment=_counts(ex_ft, reasons),
        included=int(included_ids.nunique()),
        included_by_design=by_design,
        searches=len(search_log),
        searches_by_source=_counts(search_log["source"], sources),
        unresolved_lookups=_unresolved_targets(search_log),
        pooled_studies=None if pooled_study_ids is None else len(set(included_ids) & set(pooled_study_ids)),
        awaiting=_counts(awaiting, reasons),
        full_texts_sought=sought,
        full_texts_reached=reached,
        searches_by_purpose=_counts(search_log["purpose"], load_schema("search_log").enum("purpose")),
        source_dates=_source_dates(search_log),
        article_citations=seeds,
        article_citations_located=located,
        included_here=None if here is None else int(included_ids[included_ids.isin(here)].nunique()),
        awaiting_screening=queued,
    )
