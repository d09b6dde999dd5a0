"""Pages that work on a phone and answer on the first screen (headless Chromium, the shared build's pages)."""

from __future__ import annotations

import pytest

from support.chromium import CHROMIUM
from support.shipped import CHECKED

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need the system Chromium at {CHROMIUM}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

MEASURE = """() => ({
  scroll: document.documentElement.scrollWidth, width: window.innerWidth,
  wide: [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().width > window.innerWidth + 1)
    .map(t => (t.querySelector('caption') || {textContent: '?'}).textContent),
  unlabelled: [...document.querySelectorAll('table.evidence-table tbody td')].filter(td => !td.dataset.label).length,
  answer: (document.querySelector('.short-answer') || {getBoundingClientRect: () => null}).getBoundingClientRect(),
  condition: (document.querySelector('.report-condition') || {getBoundingClientRect: () => null}).getBoundingClientRect(),
  body: parseFloat(getComputedStyle(document.querySelector('.jp-RenderedHTMLCommon p') || document.body).fontSize),
  shrunk: [...document.querySelectorAll('.jp-OutputArea-output img')].filter(i => i.clientWidth < i.naturalWidth - 1)
    .map(i => [i.naturalWidth, i.clientWidth]),
  column: Math.min(...[...document.querySelectorAll('.jp-OutputArea-output')].map(o => o.clientWidth)),
  outside: [...document.querySelectorAll('.jp-OutputArea-output img')].filter(i => {
    const r = i.getBoundingClientRect(); return r.left < -1 || r.right > window.innerWidth + 1; }).length,
  overprinted: [...document.querySelectorAll('dl.sof-question dt')].filter(dt => {  // a label over its value
    const a = dt.getBoundingClientRect(), b = dt.nextElementSibling.getBoundingClientRect();
    return dt.scrollWidth > dt.clientWidth + 1 || (a.right > b.left + 1 && a.bottom > b.top + 1 && b.bottom > a.top + 1);
  }).map(dt => dt.textContent),
  small: (() => {  // text a reader sees set under 13 px, outside footnotes, superscripts and the colophon
    const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      const n = walk.currentNode, el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest('footer.colophon, .sof-notes, sup, sub, style, .jp-InputArea')) continue;
      if (!el.getClientRects().length) continue;  // not shown: a closed fold, a hidden header row
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < 12.99) out.push(`${el.tagName.toLowerCase()} ${px}px: ${n.textContent.trim().slice(0, 40)}`);
    }
    return out.slice(0, 6);
  })(),
})"""


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_no_page_scrolls_sideways_and_no_table_is_wider_than_the_screen(shipped, browser, width, height):
    from helpers.report.figures.style import BODY_PX, COLUMN_PX  # it imports matplotlib: here, not at collection

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        # the index and the CHECKED conditions' pages (another condition's pages share their template and
        # hold a subset of their tables and figures)
        for path in [shipped / "index.html", *sorted(p for c in CHECKED for p in (shipped / c).glob("*.html"))]:
            page.goto(path.resolve().as_uri(), wait_until="load")
            m = page.evaluate(MEASURE)
            name = str(path.relative_to(shipped))
            assert m["scroll"] <= m["width"], (name, width, m["scroll"])
            assert not m["wide"], (name, width, m["wide"])
            assert not m["overprinted"], (name, width, "question labels over their values", m["overprinted"])
            assert m["unlabelled"] == 0, (name, "table cells without their column's name for the narrow layout")
            if width == 1280 and path.name != "index.html":
                # the figure test's premise: body text of BODY_PX, a column of at least COLUMN_PX, and figures
                # shown at their own size, so figure text of TEXT_PT at SCREEN_DPI is body size
                assert m["body"] == BODY_PX and m["column"] >= COLUMN_PX, (name, m["body"], m["column"])
                assert not m["shrunk"], (name, "figures shrunk to fit", m["shrunk"])
            else:
                # on a phone every figure fits the column, all its points in view, and no reader text is tiny
                assert m["outside"] == 0, (name, "figures reaching past the screen")
                assert not m["small"], (name, "text under 13 px on a phone", m["small"])
            if path.name == "00_bottom_line.html" and width == 1280:
                # the first screen shows the condition and the short answer
                assert m["condition"]["bottom"] <= height and m["answer"]["top"] < height - 100, (name, m)
        if width == 390:  # negative control: planted tiny text and a figure wider than the phone are found
            page.set_content(
                '<p style="font-size:11px">tiny</p><footer class="colophon"><p style="font-size:11px">ok</p></footer>'
                '<div class="jp-OutputArea-output"><img style="width:900px;height:9px" alt="" '
                'src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></div>'
            )
            planted = page.evaluate(MEASURE)
            assert planted["small"] == ["p 11px: tiny"] and planted["outside"] == 1, planted
            page.set_content(
                '<div class="jp-OutputArea-output"><dl class="sof-question" style="width:300px">'
                '<dt style="float:left;width:20%;overflow:visible;white-space:nowrap">Intervention</dt>'
                '<dd style="float:left;width:80%;margin:0">Ketamine</dd></dl></div>'
            )
            assert page.evaluate(MEASURE)["overprinted"] == ["Intervention"]
    finally:
        context.close()


FIRST_SCREEN = """() => {
  const box = e => e.getBoundingClientRect();
  const cited = document.querySelector('.callout');
  const range = document.createRange();
  const words = t => { const i = cited.textContent.indexOf(t); const n = [...cited.childNodes][0];
    range.setStart(n, i); range.setEnd(n, i + t.length); return range.getBoundingClientRect().bottom; };
  return {
    answers: [...document.querySelectorAll('.answers li')].map(li => box(li).bottom),
    badges: [...document.querySelectorAll('.answers .badge')].map(b => [b.textContent, box(b).bottom]),
    harms: box(document.querySelector('.harms-line')).bottom,
    names: NAMES.map(words),
  };
}"""


@pytest.mark.parametrize("width,height,names", [(1280, 900, 6), (390, 844, 2)])
def test_the_index_answers_on_its_first_screen(shipped, browser, width, height, names):
    """Each condition's answer with its certainty badge, the harms line (at 1280 px) and the article's
    citations by name (all six at 1280 px, the first two on a phone) lie inside the first screen."""
    from helpers.data.dataset import load_dataset
    from helpers.report.names import study_names

    ds = load_dataset()
    seeds = ds.studies[ds.studies["source"].astype(str) == "seed_article"]["study_id"].astype(str).unique()
    cited = [study_names(ds.studies)[s] for s in seeds]
    assert len(cited) == 6
    conditions = ds.get("questions").query("kind == 'primary'")["condition"].astype(str)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto((shipped / "index.html").resolve().as_uri(), wait_until="load")
        m = page.evaluate(FIRST_SCREEN.replace("NAMES", repr(cited[:names])))
        assert len(m["answers"]) == len(set(conditions)) and max(m["answers"]) <= height, m
        assert all(text.startswith("Certainty: ") and bottom <= height for text, bottom in m["badges"]), m
        if width == 1280:
            assert m["harms"] <= height, m
        assert len(m["names"]) == names and max(m["names"]) <= height, m
        # negative control: the same page with its answers pushed down fails the measure
        page.add_style_tag(content=".answers { margin-top: 1000px; }")
        pushed = page.evaluate(FIRST_SCREEN.replace("NAMES", repr(cited[:names])))
        assert min(pushed["answers"]) > height and max(pushed["names"]) > height, pushed
    finally:
        context.close()
