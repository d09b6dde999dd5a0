"""The update search in words and tables: registered trials by what became of them, and the reviews' AMSTAR 2
appraisal with the confidence computed from their answers.

The groups and the possibly-unpublished flag are :mod:`helpers.findings.registrations`'; the confidence is
:mod:`helpers.data.amstar`'s rule. Nothing here decides either: it writes them.
"""

from __future__ import annotations

import pandas as pd

from ..data.amstar import ITEMS, critical_items, item_text, ratings
from ..data.rows import cell_text
from ..data.schema import load_schema
from ..findings.registrations import registrations_view
from .html import Html, Row, esc, folded, table
from .text import plural
from .words import word

#: each group of registrations in words, as the table's group rows and the summary sentence name them
GROUP_WORDS = {
    "ongoing": "Ongoing (recruiting, not yet recruiting or active)",
    "completed_unpublished": "Completed, no publication in the study table",
    "completed_published": "Completed and published",
    "stopped": "Stopped early or withdrawn",
    "unknown": "Status unknown (the record was not updated after its expected completion)",
}
#: the same in the few words of the summary sentence
SUMMARY_WORDS = {
    "ongoing": "ongoing",
    "completed_unpublished": "completed without a publication in the study table",
    "completed_published": "completed and published",
    "stopped": "stopped early or withdrawn",
    "unknown": "of unknown status",
}
FLAG = "possibly unpublished"
REGISTRY_PAGES = {"clinicaltrials_gov": "https://clinicaltrials.gov/study/{}"}


def registry_link(r) -> Html:
    """The registration number linked to its registry page (built from the number), else to the page read."""
    rid = cell_text(r["registration_id"])
    pattern = REGISTRY_PAGES.get(cell_text(r["registry"]))
    url = pattern.format(rid) if pattern else cell_text(r["url"])
    return Html(f'<a href="{esc(url)}">{esc(rid)}</a>')


def _date(text) -> str:
    return cell_text(text) or "not given"


def followups_summary(followups: pd.DataFrame) -> str:
    """One sentence: how many screened protocols, registrations and conference abstracts were followed up, and
    what was found (for the whole search: a follow-up has no condition of its own)."""
    if followups.empty:
        return ""
    dates = sorted(set(followups["followed_on"].astype(str)))
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    counts = followups["result"].astype(str).value_counts()
    found = ", ".join(
        f"{int(counts[v])} {word('result', v, 'followups')}"
        for v in load_schema("followups").enum("result")
        if counts.get(v, 0)
    )
    n = plural(
        len(followups),
        "protocol, registration or conference abstract",
        "protocols, registrations and conference abstracts",
    )
    verb = "was" if len(followups) == 1 else "were"
    return f"In the whole search, {n} met in screening {verb} followed up for a publication ({when}): {found}."


def registrations_summary(registrations: pd.DataFrame, label: str) -> str:
    """One paragraph: how many registered trials, by group, and how many are possibly unpublished."""
    view = registrations_view(registrations)
    if view.empty:
        return f"No registered trial of ketamine for {label} was found in the registry records searched."
    counts = view["group"].value_counts()
    parts = [f"{int(counts[g])} {GROUP_WORDS[g].split(' (')[0].lower()}" for g in GROUP_WORDS if counts.get(g, 0) > 0]
    flagged = int(view["possibly_unpublished"].sum())
    text = f"{plural(len(view), 'registered trial')} found for {label}: {', '.join(parts)}."
    if flagged:
        text += (
            f" {plural(flagged, 'completed trial')} without a publication two years or more after completion "
            f"{'is' if flagged == 1 else 'are'} marked {FLAG}: a sign of possible publication bias."
        )
    return text


def registrations_table(registrations: pd.DataFrame, names: dict[str, str], caption: str) -> str:
    """Registered trials, one table per group (ongoing, completed without publication, completed and published,
    stopped, unknown); a completed trial without publication two years after completion is marked."""
    view = registrations_view(registrations)
    head = ("Registration", "Title", "Condition", "Review question", "Status", "Start to completion",
            "Results posted", "Publication", "Notes (our words)")  # fmt: skip
    out = []
    for key, rows in view.groupby("group", sort=False):
        body = []
        for _, r in rows.iterrows():
            status = word("status", r["status"], "registrations")
            if r["possibly_unpublished"]:
                status = Html(f"{esc(status)}; <strong>{FLAG}</strong>")
            linked = cell_text(r["linked_study_id"])
            end = cell_text(r["completion_date"]) or cell_text(r["primary_completion_date"])
            body.append(
                Row(
                    (
                        r["title"],
                        word("condition", r["condition"]),
                        cell_text(r["question_id"]).replace("_", " ") or "none directly",
                        status,
                        f"{_date(r['start_date'])} to {_date(end)}",
                        "yes" if cell_text(r["has_results"]) == "yes" else "no",
                        names.get(linked, linked) or "none",
                        r["notes"],
                    ),
                    header=registry_link(r),
                )
            )
        out.append(table(head, body, f"{caption}: {GROUP_WORDS[key].lower()}"))
    return "".join(out)


def appraisal_table(appraisal: pd.DataFrame, names: dict[str, str], caption: str) -> str:
    """One line per review: its overall confidence by AMSTAR 2's rule, the critical flaws, what it was read from;
    every item's answer and support folded below."""
    rated = ratings(appraisal)
    critical = set(critical_items())
    rows, items = [], []
    for sid, rating in rated.items():
        mine = appraisal[appraisal["study_id"].astype(str) == sid]
        source = word("assessed_from", mine["assessed_from"].iloc[0], "review_appraisal")
        flaws = ", ".join(f"{i} ({item_text(i)})" for i in rating.critical_flaws) or "none"
        rows.append(
            Row(
                (
                    Html(f"<strong>{esc(rating.confidence.replace('_', ' '))}</strong>"),
                    flaws,
                    plural(len(rating.weaknesses), "item") if rating.weaknesses else "none",
                    source,
                ),
                header=names.get(sid, sid),
            )
        )
        for _, x in mine.sort_values("item", key=lambda s: s.astype(int)).iterrows():
            item = str(x["item"])
            items.append(
                Row(
                    (
                        item + (" (critical)" if item in critical else ""),
                        item_text(item),
                        word("answer", x["answer"], "review_appraisal"),
                        x["support"],
                    ),
                    header=names.get(sid, sid),
                )
            )
    head = ("Review", "Overall confidence (AMSTAR 2)", "Critical flaws (items)", "Other weaknesses",
            "Appraised from")  # fmt: skip
    answers = table(("Review", "Item", "What it asks", "Answer", "Support (our words)"), items,
                    "Every AMSTAR 2 answer with its support")  # fmt: skip
    return table(head, rows, caption) + folded("Show every AMSTAR 2 answer with its support", answers)


def appraisal_summary(appraisal: pd.DataFrame) -> str:
    """What the ratings rest on: how many reviews were appraised from an abstract or a report of one."""
    rated = ratings(appraisal)
    if not rated:
        return "No review in this selection has been appraised with AMSTAR 2."
    first = appraisal.drop_duplicates("study_id")
    partial = int((first["assessed_from"].astype(str) != "full_text").sum())
    levels = pd.Series([r.confidence for r in rated.values()]).value_counts()
    listed = ", ".join(f"{n} {lvl.replace('_', ' ')}" for lvl, n in levels.items())
    text = (
        f"{plural(len(rated), 'review')} appraised with AMSTAR 2 ({len(ITEMS)} items, {len(critical_items())} of "
        f"them critical); overall confidence: {listed}."
    )
    if partial:
        text += (
            f" {partial} of them {'was' if partial == 1 else 'were'} appraised from an abstract or a report of one: "
            "AMSTAR 2 counts a step a review does not show as not done, so these ratings are a floor, not a "
            "finding that the reviews were badly done. Their pooled results are shown on their own and never "
            "pooled again with the trials inside them."
        )
    return text
