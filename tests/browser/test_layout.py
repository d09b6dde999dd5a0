"""Pages that work on a phone and answer on the first screen (headless Chromium, the shared build's pages)."""

from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")

from support.chromium import CHROMIUM, launched_browser  # noqa: E402

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
})"""


@pytest.fixture(scope="module")
def browser():
    yield from launched_browser(sync_api)


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_no_page_scrolls_sideways_and_no_table_is_wider_than_the_screen(shipped, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for path in sorted(shipped.rglob("*.html")):
            page.goto(path.resolve().as_uri(), wait_until="load")
            m = page.evaluate(MEASURE)
            name = str(path.relative_to(shipped))
            assert m["scroll"] <= m["width"], (name, width, m["scroll"])
            assert not m["wide"], (name, width, m["wide"])
            assert m["unlabelled"] == 0, (name, "table cells without their column's name for the narrow layout")
            if path.name == "00_bottom_line.html" and width == 1280:
                # the first screen shows the condition and the short answer
                assert m["condition"]["bottom"] <= height and m["answer"]["top"] < height - 100, (name, m)
    finally:
        context.close()
