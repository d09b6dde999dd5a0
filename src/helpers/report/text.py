"""Wording for numbers in prose: counts as words or digits, plurals, agreement."""

from __future__ import annotations

import numpy as np

NUMBER_WORDS = {
    0: "none",
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}


def count_word(n: int) -> str:
    """Small counts as words ('none', 'one' ... 'ten'), larger ones as digits."""
    return NUMBER_WORDS.get(int(n), str(int(n)))


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """'1 study', '2 studies'."""
    return f"{int(n)} {word if int(n) == 1 else (plural_form or word + 's')}"


def verb(n: int, singular: str, plural_form: str) -> str:
    return singular if int(n) == 1 else plural_form


def seed_sentence(n_cited: int, n_found: int) -> str:
    """The plain statement about the article's citations, used at the top of every report and the index."""
    found = "none of them" if n_found == 0 else f"{count_word(n_found)} of them"
    return (
        f"The source article cites {count_word(n_cited)} {verb(n_cited, 'study', 'studies')}, and {found} "
        f"could be located in the literature."
    )


def plain_text(markdown: str) -> str:
    """Markdown as the plain text a reader sees: no emphasis marks, escapes or character references."""
    import html
    import re

    text = re.sub(r"<[^>]+>", "", markdown)  # inline HTML (marked facts, emphasis) shows as its text
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~$])", r"\1", text.replace("**", ""))
    return " ".join(html.unescape(text).split())


def human_duration(days: float) -> str:
    """A duration in days as a person would say it (30 min, 2 h, 5 days, 6 weeks, 4 months, 1 year)."""
    if days is None or not np.isfinite(days):
        return "not stated"
    minutes = days * 1440
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = days * 24
    if hours < 36:
        return f"{hours:.0f} h"
    if days < 14:
        return f"{days:.0f} days"
    if days < 60:
        return f"{days / 7:.0f} weeks"
    if days < 365:
        return f"{days / 30.44:.0f} months"
    years = days / 365.25
    return f"{years:.0f} year" + ("s" if round(years) != 1 else "")
