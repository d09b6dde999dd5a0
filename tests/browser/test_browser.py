"""Reports built from a hostile study table are inert in a real browser (headless Chromium).

tests/fixtures/hostile/studies.csv is a valid table whose free-text cells hold
script tags, event-handler attributes, javascript: URLs, Markdown links, raw
HTML (iframe, a, style) and a template expression. The reports built from it
are opened one by one over file:// and must show that text as text: no dialog,
no console error, no page error, no request leaving the file (or data: URLs),
no element or link that came from the data, and the hostile strings readable
on the page.

Needs the playwright package (pinned in pyproject.toml, test group) and the system's
Chromium at /usr/bin/chromium; Playwright's own browser download is never used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support.chromium import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need the system Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )

from helpers.paths import NOTEBOOKS, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

HOSTILE_DIR = ROOT / "tests" / "fixtures" / "hostile"
HOSTILE_TABLE = HOSTILE_DIR / "studies.csv"
CONDITIONS = ("migraine",)  # every hostile row is a migraine row

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
MD_LINK = "[click me](javascript:alert(1))"
IFRAME = '<iframe src="https://evil.example/"></iframe>'
ANCHOR = '<a href="https://evil.example/">evil</a>'
STYLE = "<style>body{display:none}</style>"
TEMPLATE = "{{7*7}}"
ALL_HOSTILE = (SCRIPT, IMG, JS_URL, MD_LINK, IFRAME, ANCHOR, STYLE, TEMPLATE)

#: the hostile strings each report must show as text (which cells a report displays decides which)
VISIBLE_TEXT = {
    # the Summary of Findings, the certainty reasons, the claims and the risk-of-bias support (tables beside the study table)
    "00_bottom_line": ALL_HOSTILE,
    # citation, regimen and comparator of every study
    "01_evidence_overview": ALL_HOSTILE,
    # short names and outcome descriptions; the pooled sentence (Markdown) names the studies (its time points are
    # written from the structured follow-up, so the source's wording, and the anchor in it, is on 03_followup)
    "02_effect_sizes": (SCRIPT, IMG, JS_URL, MD_LINK, STYLE, TEMPLATE, "[click](javascript:alert(1)) 2019"),
    # short names and follow-up as worded in the source
    "03_followup": (SCRIPT, IMG, JS_URL, MD_LINK, ANCHOR, STYLE, TEMPLATE),
    # harms as recorded
    "04_adverse_events": ALL_HOSTILE,
}

#: links a report may hold: relative ones (other reports, anchors, tables) and the two identifier sites
ALLOWED_LINK_PREFIXES = ("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/")


# ------------------------------------------------------------------ what a page did
@dataclass
class PageReport:
    url: str
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    text: str = ""
    not_shown: list[str] = field(default_factory=list)  # strings asked for that no visible element shows
    body_visible: bool = False
    scripts: int = 0
    frames: int = 0  # iframe, frame, object, embed
    body_styles: int = 0
    hostile_styles: int = 0  # <style> anywhere whose text is data-derived
    bad_images: list[str] = field(default_factory=list)  # img not a data:image figure, or with onerror
    handler_attributes: list[str] = field(default_factory=list)  # any on* attribute
    hrefs: list[str] = field(default_factory=list)  # every href attribute as written

    @property
    def javascript_hrefs(self) -> list[str]:
        return [h for h in self.hrefs if "".join(h.split()).lower().startswith("javascript:")]

    @property
    def disallowed_hrefs(self) -> list[str]:
        return [h for h in self.hrefs if not _allowed_href(h)]

    def problems(self) -> list[str]:
        """Everything that must be empty for a page built from the hostile table."""
        out = []
        for label, items in (
            ("JavaScript dialogs", self.dialogs),
            ("console errors", self.console_errors),
            ("page errors", self.page_errors),
            ("requests other than file:// or data:", self.outside_requests),
            ("images that are not embedded figures or carry onerror", self.bad_images),
            ("event-handler attributes", self.handler_attributes),
            ("javascript: links", self.javascript_hrefs),
            ("links outside relative, doi.org and PubMed", self.disallowed_hrefs),
        ):
            if items:
                out.append(f"{label}: {items}")
        for label, n in (
            ("<script> elements", self.scripts),
            ("iframe/frame/object/embed elements", self.frames),
            ("<style> elements in the body", self.body_styles),
            ("<style> elements holding table text", self.hostile_styles),
        ):
            if n:
                out.append(f"{label}: {n}")
        if not self.body_visible:
            out.append("the body is not visible")
        return out


def _allowed_href(href: str) -> bool:
    h = href.strip()
    if h.startswith(ALLOWED_LINK_PREFIXES):
        return True
    parts = urlsplit(h)
    # relative: no scheme, no host (and not a scheme-relative //host/ link); backslashes count as slashes in browsers
    return not parts.scheme and not parts.netloc and not h.replace("\\", "/").startswith("//")


_DOM_FACTS = """() => {
  const all = Array.from(document.querySelectorAll('*'));
  const handlers = [];
  for (const el of all) for (const a of el.getAttributeNames())
    if (a.toLowerCase().startsWith('on')) handlers.push(el.tagName.toLowerCase() + '[' + a + ']');
  const styles = Array.from(document.querySelectorAll('style'));
  return {
    scripts: document.querySelectorAll('script').length,
    frames: document.querySelectorAll('iframe, frame, object, embed').length,
    bodyStyles: document.querySelectorAll('body style').length,
    hostileStyles: styles.filter(s => s.textContent.replace(/\\s/g, '').includes('body{display:none}')).length,
    badImages: Array.from(document.querySelectorAll('img'))
      .filter(i => !(i.getAttribute('src') || '').startsWith('data:image/') || i.hasAttribute('onerror'))
      .map(i => i.outerHTML.slice(0, 120)),
    handlers: handlers,
    hrefs: all.filter(el => el.hasAttribute('href')).map(el => el.getAttribute('href')),
    bodyVisible: !!document.body && getComputedStyle(document.body).display !== 'none'
                 && getComputedStyle(document.body).visibility !== 'hidden',
  };
}"""


def inspect_page(browser, path: Path, must_show: tuple[str, ...] = ()) -> PageReport:
    """Open one file in a fresh context and record everything the checks need.

    ``must_show``: strings that a visible element must show as text (collected in ``not_shown`` when not).
    """
    url = path.resolve().as_uri()
    rep = PageReport(url)
    context = browser.new_context(java_script_enabled=True, service_workers="block")

    def outside(route):  # never let a request leave the machine, but record it
        rep.outside_requests.append(route.request.url)
        route.abort()

    context.route(lambda u: not u.startswith(("file:", "data:")), outside)
    page = context.new_page()

    def on_dialog(dialog):
        rep.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request):
        if not request.url.startswith(("file://", "data:")) and request.url not in rep.outside_requests:
            rep.outside_requests.append(request.url)

    page.on("dialog", on_dialog)
    page.on("console", lambda msg: rep.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: rep.page_errors.append(str(err)))
    page.on("request", on_request)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(50)  # let late handlers (image errors, timers) fire
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # as a reader opens them
        rep.text = page.inner_text("body")
        for s in must_show:
            loc = page.get_by_text(s, exact=False)
            if not any(loc.nth(i).is_visible() for i in range(loc.count())):
                rep.not_shown.append(s)
        facts = page.evaluate(_DOM_FACTS)
    finally:
        context.close()
    rep.scripts = facts["scripts"]
    rep.frames = facts["frames"]
    rep.body_styles = facts["bodyStyles"]
    rep.hostile_styles = facts["hostileStyles"]
    rep.bad_images = facts["badImages"]
    rep.handler_attributes = facts["handlers"]
    rep.hrefs = facts["hrefs"]
    rep.body_visible = facts["bodyVisible"]
    return rep


# ------------------------------------------------------------------ fixtures
def build_reports(builds, table: Path, out: Path, conditions, notebooks_dir: Path | None = None) -> Path:
    """Build in the test process's build session (conftest.builds)."""
    args = ["--data", table, "--out", out, "--jobs", "1"]
    for c in conditions:
        args += ["--condition", c]
    if notebooks_dir is not None:
        args += ["--notebooks", notebooks_dir]
    proc = builds.build(*args)
    assert proc.returncode == 0, f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory, builds) -> Path:
    return build_reports(builds, HOSTILE_TABLE, tmp_path_factory.mktemp("hostile-reports"), CONDITIONS)


def expected_pages() -> list[str]:
    stems = [nb.stem for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    return ["index.html"] + [f"{c}/{s}.html" for c in CONDITIONS for s in stems]


# ------------------------------------------------------------------ tests
def test_fixture_holds_every_hostile_string():
    text = HOSTILE_TABLE.read_text(encoding="utf-8")
    for s in ALL_HOSTILE:
        assert s in text.replace('""', '"'), s


def test_every_html_file_is_checked(hostile_reports):
    found = sorted(p.relative_to(hostile_reports).as_posix() for p in hostile_reports.rglob("*.html"))
    assert found == sorted(expected_pages())
    assert set(VISIBLE_TEXT) == {Path(p).stem for p in expected_pages() if p != "index.html"}


@pytest.mark.parametrize("name", expected_pages())
def test_report_is_inert_in_chromium(hostile_reports, browser, name):
    stem = Path(name).stem
    rep = inspect_page(browser, hostile_reports / name, must_show=VISIBLE_TEXT.get(stem, ()))
    assert not rep.problems(), f"{name}:\n  " + "\n  ".join(rep.problems())
    if stem in VISIBLE_TEXT:
        missing = [s for s in VISIBLE_TEXT[stem] if s not in rep.text]
        assert not missing, f"{name}: hostile text not in the page's text: {missing}"
        assert not rep.not_shown, f"{name}: hostile text not shown by a visible element: {rep.not_shown}"
    if stem == "01_evidence_overview":  # the link allowlist is not vacuous: the identifier links are there
        assert any(h.startswith(ALLOWED_LINK_PREFIXES) for h in rep.hrefs), rep.hrefs


NEGATIVE_CONTROL = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head><body>
<p>plain text</p>
{SCRIPT}
<script>console.error("control console error")</script>
<script>throw new Error("control page error")</script>
{IMG}
{IFRAME}
<a href="javascript:alert(1)">js</a>
{ANCHOR}
{STYLE}
</body></html>
"""


def test_negative_control_every_check_can_fail(tmp_path, browser):
    """The same checks on a page that really contains the hostile HTML: each one must fire."""
    page = tmp_path / "control.html"
    page.write_text(NEGATIVE_CONTROL, encoding="utf-8")
    rep = inspect_page(browser, page, must_show=("plain text",))
    assert any("alert: 1" == d for d in rep.dialogs), rep.dialogs
    assert any("control console error" in m for m in rep.console_errors), rep.console_errors
    assert any("control page error" in e for e in rep.page_errors), rep.page_errors
    assert any(u.startswith("https://evil.example/") for u in rep.outside_requests), rep.outside_requests
    assert rep.scripts == 3
    assert rep.frames == 1
    assert rep.body_styles == 1 and rep.hostile_styles == 1
    assert any('src="x"' in i for i in rep.bad_images), rep.bad_images
    assert "img[onerror]" in rep.handler_attributes
    assert rep.javascript_hrefs == ["javascript:alert(1)"]
    assert "https://evil.example/" in rep.disallowed_hrefs
    assert not rep.body_visible
    assert SCRIPT not in rep.text  # the script ran instead of being shown
    assert rep.not_shown == ["plain text"]  # hidden by the injected style
    assert len(rep.problems()) >= 10


def test_href_allowlist():
    for ok in (
        "../index.html",
        "#Pooling",
        "all/01_evidence_overview.html",
        "tables/effects.csv",
        "https://doi.org/10.5811/westjem.2018.8.37875",
        "https://pubmed.ncbi.nlm.nih.gov/30429927/",
    ):
        assert _allowed_href(ok), ok
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "https://evil.example/",
        "//evil.example/",
        "\\\\evil.example/",
        "https://evil%5C.example/a",
        "https://2130706433/b",
        "data:text/html,x",
        "https://doi.org.evil.example/",
    ):
        assert not _allowed_href(bad), bad


def test_url_in_citation_is_not_linked_in_pooled_sentence(tmp_path, browser, builds):
    """Two poolable studies whose citations start with a URL: their short names must stay text."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    (nbdir / "02_effect_sizes.ipynb").write_bytes((NOTEBOOKS / "02_effect_sizes.ipynb").read_bytes())
    out = build_reports(
        builds, ROOT / "tests" / "fixtures" / "autolink" / "studies.csv", tmp_path / "reports", ["migraine"], nbdir
    )
    rep = inspect_page(browser, out / "migraine" / "02_effect_sizes.html")
    assert "https://evil.example/a 2018" in rep.text
    assert not rep.disallowed_hrefs, rep.disallowed_hrefs
