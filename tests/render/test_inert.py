"""The one check every page passes before it is published: nothing that runs, nothing fetched from elsewhere."""

import pytest

from helpers.render.inert import active_content

#: each a different way a page could run code or leave its file, as written or disguised
ACTIVE = {
    "script": "<p>x</p><script>alert(1)</script>",
    "script in svg": "<svg><script>alert(1)</script></svg>",
    "event handler": "<img src=x onerror=alert(1)>",
    "handler, upper case": '<DIV ONMOUSEOVER="alert(1)">x</DIV>',
    "javascript: link": '<a href="javascript:alert(1)">x</a>',
    "javascript: as entities": '<a href="&#106;avascript&#58;alert(1)">x</a>',
    "javascript: with a tab": '<a href="java\tscript:alert(1)">x</a>',
    "vbscript: link": "<a href='vbscript:msgbox(1)'>x</a>",
    "external image": '<img src="https://evil.example/x.png">',
    "external image, scheme-relative": '<img src="//evil.example/x.png">',
    "external image, no slashes": '<img src="https:evil.example/x.png">',
    "external srcset": '<img src="a.png" srcset="a.png 1x, https://evil.example/b.png 2x">',
    "external stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="x.swf"></object>',
    "embed": '<embed src="x.swf">',
    "svg use": '<svg><use xlink:href="https://evil.example/s.svg#a"/></svg>',
    "css import": "<style>@import 'https://evil.example/x.css';</style>",
    "css url": "<style>body { background: url(https://evil.example/x.png) }</style>",
    "css url, escaped": r"<style>body { background: \75 rl(//evil.example/x.png) }</style>",
    "style attribute url": "<p style=\"background-image: url('http://evil.example/x.png')\">x</p>",
    "meta refresh": '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    "base": '<base href="https://evil.example/">',
    "form": '<form action="https://evil.example/"><input></form>',
}
#: what the pages hold: escaped hostile text, links out, embedded figures, inline styles
INERT = {
    "escaped markup": "<td>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</td>",
    "script words as text": "<p>javascript:alert(1) url(https://evil.example) @import onerror=</p>",
    "links out": '<a href="https://doi.org/10.1/x">doi</a> <a href="../index.html#top">index</a>',
    "embedded figure": '<img alt="javascript:alert(1)" src="data:image/png;base64,//8AAA==">',
    "inline styles": '<td style="text-align: right; color: #333">1</td><style>td { padding: 0 }</style>',
    "csp meta": '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:">',
}


@pytest.mark.parametrize("html", ACTIVE.values(), ids=ACTIVE.keys())
def test_active_or_external_content_is_found(html):
    assert active_content(html), html


@pytest.mark.parametrize("html", INERT.values(), ids=INERT.keys())
def test_inert_content_passes(html):
    """Negative control: what a page is made of is not taken for active content."""
    assert active_content(html) == []


def test_the_findings_name_what_and_where():
    found = active_content(ACTIVE["event handler"] + ACTIVE["javascript: link"] + ACTIVE["external image"])
    assert found == [
        "an event handler onerror= on <img>",
        "a javascript: URL in <a href>",
        "an external resource in <img src>: https://evil.example/x.png",
    ]
