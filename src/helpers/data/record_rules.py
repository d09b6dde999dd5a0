"""Cross-field rules of the tables that sit beside the study table.

Each rule takes the typed table and returns ``{column: mask}``, True where a
row passes, like the study table's rules in :mod:`helpers.data.validation`.
Rules that need more than one table live in :mod:`helpers.data.dataset`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from .rob import TOOLS, Tool, follows, parse_signalling
from .schema import load_schema


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string")


# ------------------------------------------------------------------ search log
def _lookup_has_target(d):
    lookup = _text(d["purpose"]).isin(["identifier", "citation_check", "full_text", "follow_up"]).fillna(False)
    return {"target": ~lookup | d["target"].notna()}


def _records_within_hits(d):
    r, h = d["records"], d["hits"]
    return {"records": (r.isna() | h.isna() | (r <= h)).fillna(True)}


# ------------------------------------------------------------------ screening record
@lru_cache(maxsize=1)
def reasons_by_decision() -> dict[str, list[str]]:
    raw = next(f for f in load_schema("screening").raw["fields"] if f["name"] == "reason")
    return raw["reasonsByDecision"]


def _reason_fits_decision(d):
    decision, reason = _text(d["decision"]), _text(d["reason"])
    ok = pd.Series(True, index=d.index)
    for dec, allowed in reasons_by_decision().items():
        rows = (decision == dec).fillna(False)
        ok &= ~rows | reason.isin(allowed).fillna(True)
    return {"reason": ok}


def _included_has_study(d):
    decision, reason = _text(d["decision"]), _text(d["reason"])
    needs = ((decision == "included") | (reason == "companion_report")).fillna(False)
    excluded = decision.str.startswith("excluded").fillna(False)
    has = d["study_id"].notna()
    return {"study_id": (~needs | has) & (~excluded | ~has)}


def _awaiting_says_what(d):
    awaiting = (_text(d["decision"]) == "awaiting_classification").fillna(False)
    return {"note": ~awaiting | d["note"].notna()}


def _duplicate_has_original(d):
    dup = (_text(d["decision"]) == "duplicate").fillna(False)
    has = d["duplicate_of"].notna()
    return {"duplicate_of": (dup & has) | (~dup & ~has)}


# ------------------------------------------------------------------ risk of bias
def _fits_tool(d, column: str, allowed_by_tool: Callable[[Tool], tuple[str, ...]]):
    tool, value = _text(d["tool"]), _text(d[column])
    ok = pd.Series(True, index=d.index)
    for t in TOOLS.values():
        rows = (tool == t.code).fillna(False)
        ok &= ~rows | value.isin(allowed_by_tool(t)).fillna(True)
    return {column: ok}


def _domain_fits_tool(d):
    return _fits_tool(d, "domain", lambda t: t.domains)


def _judgement_fits_tool(d):
    return _fits_tool(d, "judgement", lambda t: t.judgements)


def _signalling_given(d):
    # a tool with an algorithm decides each domain from its answers: they must be there
    tool, domain = _text(d["tool"]), _text(d["domain"])
    with_algorithm = [t.code for t in TOOLS.values() if t.algorithm is not None]
    needs = tool.isin(with_algorithm).fillna(False) & (domain != "overall").fillna(False)
    return {"signalling": ~needs | d["signalling"].notna()}


def _judgement_follows_signalling(d):
    ok = []
    for tool, domain, judgement, signalling in zip(d["tool"], d["domain"], d["judgement"], d["signalling"]):
        answers = parse_signalling(None if pd.isna(signalling) else signalling)
        expected = follows(str(tool), str(domain), answers) if answers else None
        ok.append(expected is None or pd.isna(judgement) or expected == str(judgement))
    # a judgement off the tool's scale is judgement_fits_tool's problem: one message per cell
    return {"judgement": pd.Series(ok, index=d.index, dtype=bool) | ~_judgement_fits_tool(d)["judgement"]}


def _assessed_from_given(d):
    assessed = ~_text(d["tool"]).isin([t.code for t in TOOLS.values() if not t.assessed]).fillna(False)
    return {"assessed_from": ~assessed | d["assessed_from"].notna()}


# ------------------------------------------------------------------ certainty (GRADE)
LEVELS = {4: "high", 3: "moderate", 2: "low", 1: "very_low"}
START = {"high": 4, "low": 2}
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")


def expected_certainty(start: str, downgrades: list[int], upgrade: int) -> str:
    """GRADE arithmetic: start (high 4, low 2) plus downgrades and upgrade, within 1 (very low) to 4 (high)."""
    level = START[start] + sum(downgrades) + upgrade
    return LEVELS[max(1, min(4, level))]


def _start_follows_type(d):
    t, s = _text(d["evidence_type"]), _text(d["start_level"])
    ok = ((t == "randomized") & (s == "high")) | ((t == "observational") & (s == "low"))
    return {"start_level": ok.fillna(True)}


def _certainty_follows(d):
    ok = []
    for _, r in d.iterrows():
        values = [r[c] for c in (*DOMAINS, "upgrade")]
        if pd.isna(r["start_level"]) or pd.isna(r["certainty"]) or any(pd.isna(v) for v in values):
            ok.append(True)  # a missing or malformed cell is reported by its own check
            continue
        ok.append(
            expected_certainty(str(r["start_level"]), [int(v) for v in values[:-1]], int(values[-1]))
            == str(r["certainty"])
        )
    return {"certainty": pd.Series(ok, index=d.index, dtype=bool)}


def _upgrade_has_reason(d):
    up = d["upgrade"].fillna(0) > 0
    has = d["upgrade_reason"].notna()
    return {"upgrade_reason": (up & has) | (~up & ~has)}


PICO = ("direct_population", "direct_intervention", "direct_comparator", "direct_outcome")


def _indirect_elements(d) -> pd.DataFrame:
    """True where a line's element does not match its question (GRADE's directness)."""
    return pd.DataFrame({c: (_text(d[c]) == "no").fillna(False) for c in PICO}, index=d.index)


def _directness_fits_indirectness(d):
    # GRADE rates indirectness from these four: a downgrade exactly when one of them differs from the question
    any_no = _indirect_elements(d).any(axis=1)
    rated = d["indirectness"]
    ok = rated.isna() | (any_no & (rated < 0)) | (~any_no & (rated == 0))
    return {"indirectness": ok.fillna(True).astype(bool)}


def _directness_has_reason(d):
    reason = _text(d["directness_reason"]).fillna("")
    out = {}
    for c in PICO:
        element = c.removeprefix("direct_")
        no = (_text(d[c]) == "no").fillna(False)
        out[c] = ~no | reason.str.contains(f"{element}:", regex=False)
    any_no = _indirect_elements(d).any(axis=1)
    out["directness_reason"] = any_no | (reason == "")
    return out


def _comparator_applicable(d):
    none = (_text(d["comparator"]) == "none").fillna(False)
    na = (_text(d["direct_comparator"]) == "not_applicable").fillna(False)
    return {"direct_comparator": none == na}


# ------------------------------------------------------------------ claims
def _verdict_has_evidence(d):
    located = (_text(d["verdict"]) != "not_located").fillna(False)
    return {"evidence_study_ids": ~located | d["evidence_study_ids"].notna()}


# ------------------------------------------------------------------ follow-ups
def _published_names_publication(d):
    published = (_text(d["result"]) == "published").fillna(False)
    has = d["publication"].notna()
    return {"publication": (published & has) | (~published & ~has)}


# ------------------------------------------------------------------ review appraisal (AMSTAR 2)
def _not_applicable_only_where_allowed(d):
    allowed = load_schema("review_appraisal").raw["fields"]
    may_not_apply = next(f for f in allowed if f["name"] == "item")["x-helpers"]["mayNotApply"]
    na = (_text(d["answer"]) == "not_applicable").fillna(False)
    return {"answer": ~na | _text(d["item"]).isin(may_not_apply).fillna(True)}


RULES = {
    "lookup_has_target": _lookup_has_target,
    "records_within_hits": _records_within_hits,
    "reason_fits_decision": _reason_fits_decision,
    "included_has_study": _included_has_study,
    "duplicate_has_original": _duplicate_has_original,
    "awaiting_says_what": _awaiting_says_what,
    "domain_fits_tool": _domain_fits_tool,
    "judgement_fits_tool": _judgement_fits_tool,
    "assessed_from_given": _assessed_from_given,
    "signalling_given": _signalling_given,
    "judgement_follows_signalling": _judgement_follows_signalling,
    "start_follows_type": _start_follows_type,
    "certainty_follows": _certainty_follows,
    "upgrade_has_reason": _upgrade_has_reason,
    "verdict_has_evidence": _verdict_has_evidence,
    "published_names_publication": _published_names_publication,
    "not_applicable_only_where_allowed": _not_applicable_only_where_allowed,
    "directness_fits_indirectness": _directness_fits_indirectness,
    "directness_has_reason": _directness_has_reason,
    "comparator_applicable": _comparator_applicable,
}
