"""Codes of the data and of the statistics in plain words: prose and tables never show a raw code.

The words for a column's values come from the schema, through
:mod:`helpers.data.vocabulary` (``word``, ``comparator_words``), so the data
dictionary and the reports agree; the words for what the statistics decided
(why a row was not pooled, a pooling window) are kept here.
"""

from __future__ import annotations

import pandas as pd

from ..data.lines import NO_WINDOW
from ..data.vocabulary import comparator_words, designs, extension, word
from .numbers import plain

#: the comparator of a trial of two ketamine doses: counted apart from those against another drug, and its
#: harms said of the higher dose, not of ketamine
LOWER_DOSE = "ketamine_lower_dose"

#: each pooling window in plain words
WINDOW_WORDS = {
    "up_to_1_day": "within a day",
    "1_to_14_days": "after 1 to 14 days",
    "14_to_90_days": "after 2 weeks to 3 months",
    "over_90_days": "after more than 3 months",
    NO_WINDOW: "time point not reported",
}

#: the page a study's numbers were checked against (helpers.data.links.page_kind)
PAGE_WORDS = {
    "pubmed": "its PubMed record",
    "pmc": "its full text in PubMed Central",
    "doi": "the publisher's page its DOI leads to",
    "secondary": "a secondary copy (an aggregator, catalogue or mirror site)",
    "other": "the journal's or an institution's page",
}
#: why a row was left out of a pooled estimate (stats.pooling.EXCLUSIONS, effects.MISSING_CODES, REPEAT)
EXCLUSION_WORDS = {
    "article_claim": "claim of the source article that could not be located",
    "meta_analysis": "published meta-analysis: shown as its own estimate, never pooled with trials",
    "not_comparative": "proportion of ketamine-treated patients or no comparator: not a comparison "
    "(single-arm proportions with counts are pooled on their own, by outcome, as uncontrolled rates)",
    "median_without_se": "median difference without a standard error",
    "no_variance": "no confidence interval or arm data to give it a weight",
    "double_zero": "double-zero study (no events, or only events, in both arms): dropped for ratio measures, "
    "as metafor does by default",
    "small_arm": "an arm with fewer than 2 patients: no standard deviation, so no effect size from arm data",
    "zero_sd": "standard deviation 0 in both arms: no within-study variance to weight it",
    "repeat_of_study": "another time point or outcome of a study already in this group",
}
#: the same for pooled single-arm rates (stats.proportions.EXCLUSIONS)
PROPORTION_EXCLUSION_WORDS = {
    "article_claim": "claim of the source article that could not be located",
    "meta_analysis": "published meta-analysis: shown as its own estimate, never pooled with studies",
    "no_counts": "no counts (patients with the outcome and patients treated) to pool",
    "repeat_of_study": "another time point of a study already in this group",
}


#: stats.effects' outcome_kind in words
OUTCOME_KIND_WORDS = {"benefit": "benefits", "harm": "harms"}


def against(group: str) -> str:
    """'against placebo', 'against prochlorperazine', 'without a comparator'."""
    if group == "none":
        return "without a comparator"
    return f"against {comparator_words(group)}"


def group_label(key: dict) -> str:
    """A pooling key in plain words, with the verification status when it is not 'verified'."""
    text = word("condition", key["condition"])
    if "effect_measure" in key:
        text += f": {word('effect_measure', key['effect_measure'])} {against(key['comparator_group'])}"
        text += f", {WINDOW_WORDS.get(key['timepoint'], key['timepoint'])}"
    if key.get("verification") and key["verification"] != "verified":
        text += f" ({word('verification', key['verification'])})"
    return text


def _reason_words(group, words: dict) -> list[str]:
    return sorted({words.get(c, c) for c in group.rows["excluded"].dropna()})


def pooling_reason(group) -> str:
    """Why a group was or was not pooled, in a sentence (pooling_decisions.csv and the reports)."""
    if group.decision == "pooled":
        k = group.key
        text = (
            f"pooled: {group.k} comparable studies (same condition, {k['effect_measure'].replace('_', ' ')}, "
            f"{against(k['comparator_group'])}, time point {k['timepoint'].replace('_', ' ')}, all "
            f"{k['verification']})"
        )
        dropped = group.dropped_double_zero
        if dropped:
            text += (
                f"; {dropped} double-zero {'study' if dropped == 1 else 'studies'} dropped "
                "(no events, or only events, in both arms; as metafor does by default)"
            )
        return text
    reasons = _reason_words(group, EXCLUSION_WORDS)
    if group.decision == "single_study":
        return "not pooled: only one study in this group (at least two are needed)"
    if group.decision == "single_usable":
        return "not pooled: only one usable study; the others: " + "; ".join(reasons)
    return "not pooled: " + "; ".join(reasons)


def proportion_reason(group) -> str:
    if group.decision == "pooled":
        return f"pooled: {group.k} single-arm series with counts (an uncontrolled rate, not a comparison)"
    if group.decision == "single_usable":
        return "not pooled: only one series with counts (at least two are needed)"
    return "not pooled: " + "; ".join(_reason_words(group, PROPORTION_EXCLUSION_WORDS))


def proportion_label(group) -> str:
    """A group of single-arm rates in words: 'other headache: patients with a 2-point drop'."""
    k = group.key
    rows = group.rows
    described = rows["outcome_description"].dropna() if "outcome_description" in rows else []
    what = str(described.iloc[0]) if len(described) else str(k["outcome"]).replace("_", " ")
    text = f"{word('condition', k['condition'])}: {what}"
    verification = k.get("verification")
    return text + (f" ({word('verification', verification)})" if verification not in (None, "verified") else "")


def missing_words(code) -> str | None:
    """effects.csv's missing_reason in words."""
    return None if code is None else EXCLUSION_WORDS.get(code, code)


# ---------------------------------------------------------------- follow-up and sizes from the structured values
def followup_words(row) -> str:
    """A row's follow-up from followup_min/max/unit/from: '6 months after surgery', '3 to 6 months after
    treatment', 'at discharge'; the empty string when the source gives no time."""
    hi = row.get("followup_max") if hasattr(row, "get") else None
    if hi is None or pd.isna(hi):
        return ""
    lo, unit, start = row.get("followup_min"), str(row.get("followup_unit")), row.get("followup_from")
    start = None if start is None or pd.isna(start) else str(start)
    ext_unit, ext_from = extension("followup_unit"), extension("followup_from")
    if float(hi) == 0 and start is not None:
        return ext_from["atZero"][start]
    name = ext_unit["singular"][unit] if float(hi) == 1 else word("followup_unit", unit)
    when = f"{plain(float(hi))} {name}"
    if lo is not None and not pd.isna(lo) and float(lo) != float(hi):
        when = f"{plain(float(lo))} to {when}"
    return when if start is None else f"{when} {word('followup_from', start)}"


def size_words(row) -> str:
    """A row's size as the source gives it: '54 randomized (23 / 28 analysed)', '60 randomized', '77', or
    '' when nothing is given. Per-arm numbers are ketamine / comparison."""

    def num(c):
        v = row.get(c) if hasattr(row, "get") else None
        return None if v is None or pd.isna(v) else int(v)

    nk, nc, total, analysed = num("n_ketamine"), num("n_control"), num("n_randomized"), num("n_analysed")
    crossover = str(row.get("design")) in designs("crossover")
    arms = None
    if crossover and (nk is not None or nc is not None):  # the same patients in both arms: counted once
        arms = f"{max(n for n in (nk, nc) if n is not None)} in each period"
    elif nk is not None or nc is not None:
        arms = f"{nk if nk is not None else 'not reported'} / {nc}" if nc is not None else str(nk)
    if total is None and analysed is None:
        return arms or ""
    head = f"{total} randomized" if total is not None else f"{analysed} analysed"
    if total is not None and analysed is not None and analysed != total:
        head += f", {analysed} analysed"
    if arms is None or crossover and total is not None:
        return head
    summed = (nk or 0) + (nc or 0)
    split = nk is not None and nc is not None and summed in (total, analysed)
    return f"{head} ({arms})" if split else f"{head} ({arms} in this analysis)"


def time_words(row, end: str = "max") -> str:
    """One end of a row's follow-up in its own unit ('18 months', '1 year', '30 min'); 'immediately' for 0."""
    value = float(row[f"followup_{end}"])
    if value == 0:
        return "immediately"
    unit = str(row["followup_unit"])
    name = extension("followup_unit")["singular"][unit] if value == 1 else word("followup_unit", unit)
    return f"{plain(value)} {name}"
