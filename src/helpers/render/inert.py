"""What a published page may not hold: anything that runs, and anything fetched from elsewhere.

Every page carries a Content-Security-Policy that stops a browser from running
or fetching such content; this check makes the build itself refuse it, for a
page made by a kernel and for one made from the execution cache alike, so the
promise does not rest on the browser (or on the tests alone). It reads the
page as a browser's tokenizer does (:class:`html.parser.HTMLParser`) and looks
at elements and attributes, never at text, which a page shows and never runs:
a hostile citation escaped into the text is inert and passes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

#: elements that run code, embed other documents, or redirect, post or rebase the page
ACTIVE_ELEMENTS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base", "form"}
)
#: attributes whose value a browser fetches (on any element but a link, which is only followed when clicked)
FETCHED = frozenset(
    {"src", "href", "xlink:href", "data", "srcset", "poster", "background", "lowsrc", "dynsrc", "action", "formaction"}
)
#: attributes holding a URL (a script URL runs when it is fetched or followed)
URLS = FETCHED | {"cite", "ping", "codebase", "longdesc", "usemap", "manifest", "icon", "archive", "classid"}
LINKS = frozenset({"a", "area"})
SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.I)
SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|livescript):", re.I)
CSS_ACTIVE = re.compile(r"@import|expression\(|behavior\s*:|-moz-binding", re.I)
CSS_URL = re.compile(r"(?:url|image-set)\(\s*(['\"]?)(.*?)\1\s*[),]", re.I | re.S)
CSS_WORDS = ("url", "image-set", "@import", "expression", "behavior", "binding")
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
# browsers drop ASCII whitespace and control characters inside a URL's scheme ("java\tscript:")
URL_NOISE = re.compile(r"[\x00-\x20]+")
MAX_LISTED = 5


class ActiveContentError(RuntimeError):
    """A report's page would hold active or external content: it is not published."""


def active_content(html: str) -> list[str]:
    """What in ``html`` would run or fetch from elsewhere (at most a few, described); [] for an inert page."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found[:MAX_LISTED]


def _urls(name: str, value: str) -> list[str]:
    # a srcset lists candidates, each a URL and a width or density
    return [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" else [value]


def _elsewhere(url: str) -> bool:
    """Whether fetching ``url`` from a page leaves it: any scheme but data:, or another host (//host, \\\\host)."""
    url = URL_NOISE.sub("", url)
    if url.lower().startswith("data:"):
        return False
    return bool(SCHEME.match(url)) or url.replace("\\", "/").startswith("//")


@lru_cache(maxsize=128)
def _css_fetches(text: str) -> bool:
    """Whether CSS imports, runs or fetches from elsewhere (its escapes undone: ``\\75 rl(`` is ``url(``).
    Remembered by text: every page carries the same JupyterLab style sheets (about half of the check's time)."""
    low = text.lower()
    if "\\" not in text and not any(word in low for word in CSS_WORDS):  # most style attributes: at once
        return False
    text = CSS_ESCAPE.sub(_unescape, re.sub(r"/\*.*?\*/", "", text, flags=re.S))
    return bool(CSS_ACTIVE.search(text)) or any(_elsewhere(m.group(2)) for m in CSS_URL.finditer(text))


def _unescape(m: re.Match) -> str:
    if m.group(2) is not None:
        return m.group(2)
    n = int(m.group(1), 16)
    return chr(n) if 0 < n <= 0x10FFFF else "\ufffd"


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_style = 0

    def _say(self, what: str) -> None:
        if len(self.found) < MAX_LISTED:
            self.found.append(what)

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "style":
            self.in_style += 1

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style" and self.in_style:
            self.in_style -= 1

    def handle_data(self, data):
        if self.in_style and _css_fetches(data):
            self._say("a <style> that imports or fetches from elsewhere")

    def _element(self, tag: str, attrs) -> None:
        if tag in ACTIVE_ELEMENTS:
            self._say(f"a <{tag}> element")
        for name, value in attrs:
            value = value or ""
            url = URL_NOISE.sub("", value)
            if name.startswith("on"):
                self._say(f"an event handler {name}= on <{tag}>")
            elif name in URLS and SCRIPT_URL.match(url):
                self._say(f"a {url.split(':', 1)[0].lower()}: URL in <{tag} {name}>")
            elif name in FETCHED and tag not in LINKS and any(_elsewhere(u) for u in _urls(name, value)):
                self._say(f"an external resource in <{tag} {name}>: {value.strip()[:80]}")
            elif name == "style" and _css_fetches(value):
                self._say(f"a style on <{tag}> that imports or fetches from elsewhere")
            elif tag == "meta" and name == "http-equiv" and value.strip().lower() == "refresh":
                self._say("a <meta http-equiv=refresh> redirect")
