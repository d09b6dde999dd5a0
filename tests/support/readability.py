"""Reading level of the text a reader is given first (answers and plain-language summaries), by textstat.

textstat 0.7.3 counts syllables with pyphen's bundled dictionaries (later releases download one at run time);
it imports pkg_resources only to read its own word lists, which setuptools 81 removed, so a two-line stand-in
from importlib.resources is installed when pkg_resources is missing.
"""

from __future__ import annotations

import html
import re
import sys
import types
from collections import Counter
from importlib import resources

if "pkg_resources" not in sys.modules:
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        shim = types.ModuleType("pkg_resources")
        shim.resource_stream = lambda package, path: resources.files(package).joinpath(path).open("rb")
        sys.modules["pkg_resources"] = shim

import textstat

MAX_GRADE = 9
MAX_WORDS = 25
MAX_REPEATS = 2  # a phrase of PHRASE words at most this often on one page
PHRASE = 5
SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")
WORD = re.compile(r"[A-Za-z0-9'’-]+")


def sentences(text: str) -> list[str]:
    """The sentences of a text whose blocks (headings, paragraphs, list items) are on lines of their own."""
    return [s for block in text.splitlines() for s in SENTENCE.split(" ".join(block.split())) if s]


def phrases(sentence: str) -> list[str]:
    """The sentence's runs of PHRASE words, labels in parentheses left out (a label may repeat)."""
    words = [w.lower() for w in WORD.findall(re.sub(r"\([^)]*\)", " ", sentence))]
    return [" ".join(words[i : i + PHRASE]) for i in range(len(words) - PHRASE + 1)]


def page_text(html_text: str) -> str:
    """A page's HTML as text, one block (heading, paragraph, list item) per line."""
    blocks = re.sub(r"</?(h[1-6]|p|li|ul|ol|div|section|br)\b[^>]*>", "\n", html_text)
    return html.unescape(re.sub(r"<[^>]+>", " ", blocks))


def reading_problems(page: str, text: str, labels: tuple[str, ...] = ()) -> list[str]:
    """What is too hard in one page's answer text; ``labels`` are sentences that repeat by design."""
    out = []
    grade = textstat.flesch_kincaid_grade(text)
    if grade > MAX_GRADE:
        out.append(f"{page}: Flesch-Kincaid grade {grade} over {MAX_GRADE}")
    said = sentences(text)
    for s in said:
        n = len(WORD.findall(s))
        if n > MAX_WORDS:
            out.append(f"{page}: a sentence of {n} words: {s[:80]}")
    counts = Counter(p for s in said if s not in labels for p in phrases(s))
    out += [f"{page}: {p!r} {k} times" for p, k in counts.items() if k > MAX_REPEATS]
    return out
