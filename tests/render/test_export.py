"""The report's HTML export: nbconvert's lab page without its BeautifulSoup pass, whose two edits are made here."""

import re

import pytest

from helpers.render.export import FOCUSABLE
from support.shipped import CHECKED

START_TAGS = re.compile(r'<div class="([^"]*)"[^>]*>')


def focusable(html: str) -> str:
    return FOCUSABLE.sub(r'\1 tabindex="0">', html)


def test_outputs_and_cell_text_are_made_focusable_and_nothing_else():
    page = (
        '<div class="jp-OutputArea-child"><div class="jp-RenderedHTMLCommon jp-OutputArea-output " data-x="1">'
        '<div class="jp-Cell-inputWrapper"><div class="jp-OutputArea-outputs">'
        '<div class="jp-OutputArea-output-extra"><div class="my-jp-Cell-inputWrapper">'
    )
    done = focusable(page)
    assert done.count('tabindex="0"') == 2, done
    assert '<div class="jp-RenderedHTMLCommon jp-OutputArea-output " data-x="1" tabindex="0">' in done
    assert '<div class="jp-Cell-inputWrapper" tabindex="0">' in done


@pytest.mark.kernel
def test_every_page_of_the_shared_build_has_focusable_outputs_and_described_images(shipped):
    for condition in CHECKED:
        for path in sorted((shipped / condition).glob("*.html")):
            html = path.read_text(encoding="utf-8")
            for classes in (m.group(0) for m in START_TAGS.finditer(html)):
                names = re.search(r'class="([^"]*)"', classes).group(1).split()
                if "jp-OutputArea-output" in names or "jp-Cell-inputWrapper" in names:
                    assert 'tabindex="0"' in classes, (path.name, classes)
            assert not re.search(r"<img(?![^>]*\balt=)[^>]*>", html), (path.name, "an image without alt text")
