"""Wording around numbers in prose: plurals and agreement (the numbers themselves: :mod:`helpers.report.numbers`)."""

from __future__ import annotations

from .numbers import count_word

# helpers.report.changes takes durations from here; they are written by .numbers like every number


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """'1 study', '2 studies'."""
    return f"{int(n)} {word if int(n) == 1 else (plural_form or word + 's')}"


def verb(n: int, singular: str, plural_form: str) -> str:
    return singular if int(n) == 1 else plural_form


def joined(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def seed_sentence(n_cited: int, n_found: int) -> str:
    """The plain statement about the article's citations, used at the top of every report and the index."""
    found = "none of them" if n_found == 0 else f"{count_word(n_found)} of them"
    return (
        f"The source article cites {count_word(n_cited)} {verb(n_cited, 'study', 'studies')}, and {found} "
        f"could be located in the literature."
    )


def headline_parts(label: str, parts: list[str]) -> tuple[str, list[str]]:
    """A section's headline as its label and facts; the first fact is the one the index shows."""
    return label.capitalize(), [p for p in parts if p]


def headline_markdown(label: str, parts: list[str], after: str = "") -> str:
    """The headline a report shows: the label and its first fact in bold, each further fact a sentence of its
    own (one short sentence at a time, not clauses joined by semicolons), then ``after``."""
    lead, *rest = parts
    text = f"**{label}: {lead}.**" + "".join(f" {_sentence(p)}." for p in rest)
    return text + (f" {after}" if after else "")


def _sentence(part: str) -> str:
    """A fact as a sentence: capitalized, a small count it opens with in words ('Two studies', not '2 studies')."""
    first = part.split(" ", 1)
    if first[0].isdigit() and int(first[0]) <= 10:
        part = " ".join([count_word(int(first[0])), *first[1:]])
    return part[:1].upper() + part[1:]


def plain_text(markdown: str) -> str:
    """Markdown as the plain text a reader sees: no emphasis marks, escapes or character references."""
    import html
    import re

    text = re.sub(r"<[^>]+>", "", markdown)  # inline HTML (marked facts, emphasis) shows as its text
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~$])", r"\1", text.replace("**", ""))
    return " ".join(html.unescape(text).split())
