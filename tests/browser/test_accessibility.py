"""Reports for readers who use screen readers, who print, and who cite: axe-core, print-to-PDF, citation links.

axe-core (npm, pinned in package.json / package-lock.json, installed by
``make test`` with ``npm ci``) is injected into Debian's headless Chromium,
driven by Playwright as in tests/test_browser.py, on every page of a build of
the shipped table: no violation of serious or critical impact is allowed. A
copy of a report with one figure's alt text removed must fail the same check.
One condition's reports are printed to PDF (Chromium's print to PDF, the
reports' print stylesheet): every figure lies whole on one page and links show
their target.

``A11Y_REPORTS=reports make a11y`` runs the page checks on an existing full build instead.
"""

from __future__ import annotations

import html as html_module
import os
import re
import unicodedata
from pathlib import Path

import pytest

from helpers.paths import NOTEBOOKS, ROOT
from support.chromium import CHROMIUM
from support.shipped import CHECKED, CONDITIONS

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
if not CHROMIUM.exists():
    pytest.skip(
        f"accessibility tests need the system Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )
if not AXE.exists():
    pytest.skip(
        f"accessibility tests need axe-core at {AXE.relative_to(ROOT)} (make a11y-deps: npm ci)",
        allow_module_level=True,
    )

PRINTED = "all"
BLOCKING = ("serious", "critical")
GENERIC_ALT = "No description has been provided for this image"


@pytest.fixture(scope="module")
def reports(request) -> Path:
    given = os.environ.get("A11Y_REPORTS")
    if given:
        return (ROOT / given).resolve()
    return request.getfixturevalue("shipped")


def pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html") if not p.name.startswith("."))


def expected_pages(conditions=CHECKED) -> list[str]:
    """The pages audited: every page of a full build (make a11y), else the shared build's CHECKED ones."""
    if os.environ.get("A11Y_REPORTS"):
        return pages((ROOT / os.environ["A11Y_REPORTS"]).resolve())
    stems = [nb.stem for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    return ["index.html"] + [f"{c}/{s}.html" for c in conditions for s in stems]


_FACTS = """() => ({
  lang: document.documentElement.getAttribute('lang') || '',
  images: Array.from(document.querySelectorAll('img')).map(i => i.getAttribute('alt')),
  headings: Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => +h.tagName[1]),
  tables: Array.from(document.querySelectorAll('table')).map(t => ({
    caption: (t.querySelector(':scope > caption') || {textContent: ''}).textContent.trim(),
    headers: t.querySelectorAll('thead th[scope=col]').length,
  })),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
})"""


def audit(browser, path: Path, rules: tuple[str, ...] = ()) -> tuple[list[dict], dict]:
    """axe-core's violations (all impacts; of every rule, or only of ``rules``) and the page facts the explicit
    checks use."""
    context = browser.new_context(bypass_csp=True)  # the reports' CSP forbids scripts, axe is one
    context.route(lambda u: not u.startswith(("file:", "data:")), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        options = {
            "resultTypes": ["violations"],
            **({"runOnly": {"type": "rule", "values": list(rules)}} if rules else {}),
        }
        result = page.evaluate("async (options) => await axe.run(document, options)", options)
        facts = page.evaluate(_FACTS)
    finally:
        context.close()
    return result["violations"], facts


def blocking(violations: list[dict]) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:160]})"
        for v in violations
        if v["impact"] in BLOCKING
    ]


# ------------------------------------------------------------------ every page
def test_every_page_is_checked(reports):
    assert pages(reports) == sorted(expected_pages(CONDITIONS if not os.environ.get("A11Y_REPORTS") else CHECKED))


@pytest.mark.parametrize("name", expected_pages())
def test_page_passes_axe_and_reads_well(reports, browser, name):
    violations, facts = audit(browser, reports / name)
    assert not blocking(violations), f"{name}:\n  " + "\n  ".join(blocking(violations))
    assert facts["lang"] == "en"
    levels = facts["headings"]
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{name}: heading levels skip: {levels}"
    for table in facts["tables"]:
        assert table["caption"] and table["headers"], f"{name}: a table without caption or header cells: {table}"
    for alt in facts["images"]:
        assert alt and alt != GENERIC_ALT and len(alt) > 60, (
            f"{name}: figure without alt text written from the data: {alt!r}"
        )
    for href in facts["links"]:  # the citation files and other relative links exist
        if not re.match(r"^(https?:|#)", href):
            target = href.split("#", 1)[0]  # a page's own appendix is the page at a fragment
            assert (reports / name).parent.joinpath(target).resolve().is_file(), f"{name}: broken link {href}"


def test_alt_text_says_what_the_figures_show(reports):
    """The alt text names the condition, the studies drawn and the direction, all taken from the table."""
    from helpers.data.loader import load_studies
    from helpers.report.names import short_name
    from helpers.report.params import condition_label, report_conditions, select

    html = (reports / PRINTED / "02_effect_sizes.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img[^>]* alt="([^"]*)"', html)
    assert len(alts) >= 2
    studies = load_studies()
    rows = select(studies, PRINTED)
    names = {short_name(c, y) for c, y in zip(rows["citation"], rows["year"])}
    labels = [condition_label(c) for c in report_conditions()]
    for alt in alts:
        assert any(label in alt for label in labels), alt  # forest plots name their group's condition
        assert any(n in alt for n in names), alt
        assert re.search(r"favour|direction|no difference|interval", alt), alt


def test_each_report_links_its_condition_citation_files(reports):
    for name in expected_pages():
        if name == "index.html":
            continue
        html = (reports / name).read_text(encoding="utf-8")
        for stem in ("references", "article_citations_not_located"):
            for ext in ("bib", "ris", "json"):
                assert f'href="{stem}.{ext}"' in html, (name, stem, ext)
                assert (reports / name).parent.joinpath(f"{stem}.{ext}").is_file()


def test_negative_control_missing_alt_fails(reports, browser, tmp_path):
    """A report with one figure's alt text removed: axe reports a critical image-alt violation."""
    source = (reports / PRINTED / "02_effect_sizes.html").read_text(encoding="utf-8")
    planted = re.sub(r'(<img[^>]*?) alt="[^"]*"', r"\1", source, count=1)
    assert planted != source
    page = tmp_path / "planted.html"
    page.write_text(planted, encoding="utf-8")
    violations, _ = audit(browser, page, rules=("image-alt",))  # the rule the control is about; the page is a report's
    assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in violations), violations
    assert blocking(violations)


# ------------------------------------------------------------------ print
def pdf_of(browser, path: Path, out: Path, fragment: str = "") -> Path:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(path.resolve().as_uri() + fragment, wait_until="load")
        page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    return out


def images_drawn(page) -> int:
    """The images a PDF page's resources draw, its forms' included, read from the page's dictionaries
    (pypdf's ``page.images`` decodes every image to list them: a second a report)."""
    from pypdf.generic import IndirectObject

    seen = set()

    def walk(resources) -> int:
        xobjects = resources.get_object().get("/XObject") if resources else None
        count = 0
        for ref in (xobjects.get_object() if xobjects else {}).values():
            key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
            if key in seen:
                continue
            seen.add(key)
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":
                count += walk(obj.get("/Resources"))
        return count

    return walk(page.get("/Resources"))


def read_pdf(pdf: Path) -> tuple[list[int], list[str]]:
    """Per page of the PDF: how many images it draws (a figure split over two pages is drawn on both), and
    its text."""
    from pypdf import PdfReader

    pages = PdfReader(pdf).pages
    return [images_drawn(page) for page in pages], [page.extract_text() for page in pages]


def image_placements(pdf: Path) -> list[int]:
    from pypdf import PdfReader

    return [images_drawn(page) for page in PdfReader(pdf).pages]


#: printed in make test: the longest page and the forest plots; the other pages in the slow tier
PRINTED_IN_MAKE_TEST = ("00_bottom_line", "02_effect_sizes")


@pytest.mark.parametrize(
    "stem",
    [
        stem if stem in PRINTED_IN_MAKE_TEST else pytest.param(stem, marks=pytest.mark.slow)
        for stem in (nb.stem for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
    ],
)
def test_printed_report_keeps_figures_whole_and_shows_links(reports, browser, tmp_path, stem):
    html = reports / PRINTED / f"{stem}.html"
    source = html.read_text(encoding="utf-8")
    figures = source.count("<img ")
    pdf = pdf_of(browser, html, tmp_path / f"{stem}.pdf")
    per_page, texts = read_pdf(pdf)
    # folded detail tables and the claims' evidence print in the page's appendix, not in the page: the
    # all-conditions bottom line prints in at most 20 pages (13 measured; 62 when its folds printed open)
    limit = 20 if stem == "00_bottom_line" else 70
    assert 1 <= len(per_page) <= limit, f"{stem}: {len(per_page)} pages"
    assert sum(per_page) == figures, f"{stem}: {figures} figures drawn {sum(per_page)} times over the pages {per_page}"
    lines = [len(t.splitlines()) for t in texts]
    sparse = [i + 1 for i, (n, images) in enumerate(zip(lines, per_page)) if n < 5 and not images]
    assert not sparse, f"{stem}: pages with fewer than five lines of text and no figure: {sparse}"
    text = "".join(unicodedata.normalize("NFKC", "\n".join(texts)).split())  # the PDF's ligatures (ﬀ) as letters
    claims = re.search(r'<table class="evidence-table claims"><caption>(.*?)</caption>', source)
    if "<details" in source or claims:  # folded detail tables and the claims print in the appendix, only there
        appendix = pdf_of(browser, html, tmp_path / f"{stem}-appendix.pdf", fragment="#print-appendix")
        appendix_text = "".join(unicodedata.normalize("NFKC", "\n".join(read_pdf(appendix)[1])).split())
        assert "Appendix:thedetailtablesofthispage" in appendix_text and "Printedonitsown" in text
    if claims:  # the claims print with their verdicts; the nearest evidence and the reasons in the appendix
        caption = "".join(html_module.unescape(re.sub(r"<[^>]+>", "", claims.group(1))).split())
        evidence = "Nearestrealevidence(numbersfromthestudytable)"
        assert caption in text and caption in appendix_text, f"{stem}: the claims table is not printed"
        assert evidence in appendix_text and evidence not in text, f"{stem}: the claims' evidence prints in the page"
    if "<details" in source:
        for summary in re.findall(r"<summary>(.*?)</summary>", source):
            caption = re.search(
                rf"<summary>{re.escape(summary)}</summary>.*?<caption>(.*?)</caption>",
                source,
                re.S,
            )
            if caption:
                folded = "".join(caption.group(1).split())
                assert folded in appendix_text, f"{stem}: folded table not in the appendix: {caption.group(1)}"
                outside = re.sub(r"<details\b.*?</details>", "", source, flags=re.S)  # a caption the page also shows
                if caption.group(1) not in outside:
                    assert folded not in text, f"{stem}: folded table printed in the page: {caption.group(1)}"
    assert "<references.bib>" in text, "link targets are printed after the links"
    if stem == "01_evidence_overview":
        assert "<https://doi.org/10." in text


#: a condition's bottom line prints in at most this many A4 pages (the all-conditions one in 20, above)
CONDITION_PAGES = 8


@pytest.fixture(scope="module")
def all_conditions(request, tmp_path_factory, builds) -> Path:
    """The bottom lines of the conditions the shared build leaves out, built into a folder of this module's."""
    from helpers.report.params import report_conditions
    from support.shipped import build_shipped

    given = os.environ.get("A11Y_REPORTS")
    if given:
        return (ROOT / given).resolve()
    others = [c for c in report_conditions() if c not in CONDITIONS]
    return build_shipped(tmp_path_factory.mktemp("conditions"), builds, conditions=others)


def bottom_line_conditions() -> list:
    from helpers.report.params import report_conditions

    return [
        c if c in CONDITIONS else pytest.param(c, marks=pytest.mark.slow) for c in report_conditions() if c != "all"
    ]


@pytest.mark.parametrize("condition", bottom_line_conditions())
def test_a_conditions_bottom_line_prints_in_a_few_pages(request, browser, tmp_path, condition):
    folder = request.getfixturevalue("reports" if condition in CONDITIONS else "all_conditions")
    html = folder / condition / "00_bottom_line.html"
    per_page, texts = read_pdf(pdf_of(browser, html, tmp_path / f"{condition}.pdf"))
    assert len(per_page) <= CONDITION_PAGES, f"{condition}: {len(per_page)} pages"
    lines = [len(t.splitlines()) for t in texts]
    sparse = [i + 1 for i, (n, images) in enumerate(zip(lines, per_page)) if n < 5 and not images]
    assert not sparse, f"{condition}: pages with fewer than five lines of text and no figure: {sparse} ({lines})"


def test_negative_control_split_figure_is_detected(browser, tmp_path):
    """A figure taller than a page is cut across pages without the print stylesheet; with it, it fits on one."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 30), dpi=60)  # 1800 px: taller than an A4 page
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)  # explicit: another test may have set savefig.dpi in this process
    plt.close(fig)
    img = base64.b64encode(buf.getvalue()).decode()
    css = (ROOT / "src" / "helpers" / "report" / "templates" / "report" / "report.css").read_text()
    body = (
        '<p style="height: 600px">text above the figure</p><div class="jp-OutputArea-output jp-RenderedImage">'
        f'<img alt="a tall test figure" src="data:image/png;base64,{img}"></div>'
    )
    counts = {}
    for label, style in (("plain", ""), ("report", css)):
        page = tmp_path / f"{label}.html"
        page.write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'<style>{style}</style></head><body class="jp-Notebook">{body}</body></html>'
        )
        counts[label] = image_placements(pdf_of(browser, page, tmp_path / f"{label}.pdf"))
    assert sum(counts["plain"]) == 2, counts  # cut: drawn on two pages
    assert sum(counts["report"]) == 1, counts
