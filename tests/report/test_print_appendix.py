"""A page prints short: its folded tables and the claims' evidence and reasons print in its appendix view
(page.html#print-appendix), which the export marks and links by address; the browser print test measures
the pages."""

from __future__ import annotations

from helpers.render.export import APPENDIX, appendix_view, claims_note, print_note

PAGE = "../migraine/00_bottom_line.html"


def test_a_page_with_folds_gets_its_appendix_mark_and_a_note_before_each_fold():
    page = '<body><main><p>answer</p><details class="detail"><summary>Show</summary><table></table></details></main>'
    out = appendix_view(page, PAGE)
    assert out.count(f'id="{APPENDIX}"') == 1 and out.index(f'id="{APPENDIX}"') < out.index("</main>")
    assert out.count(print_note(PAGE)) == 1 and out.index(print_note(PAGE)) < out.index("<details")
    claims = '<main><table class="evidence-table claims"><caption>claims</caption></table></main>'
    assert claims_note(PAGE) in appendix_view(claims, PAGE) and f'id="{APPENDIX}"' in appendix_view(claims, PAGE)


def test_the_notes_and_the_screen_link_name_the_appendix_by_its_address():
    """A printed page shows a link's address after it, but not a bare #fragment: the notes name the page."""
    out = appendix_view("<main><details><summary>Show</summary></details></main>", PAGE)
    assert f'href="{PAGE}#{APPENDIX}"' in print_note(PAGE) and f'href="{PAGE}#{APPENDIX}"' in claims_note(PAGE)
    assert out.count(f'href="{PAGE}#{APPENDIX}"') == 2 and 'class="appendix-link"' in out  # the note, the link
    assert 'href="#' not in out


def test_a_page_without_folds_is_left_as_it_is():
    page = "<body><main><p>answer</p><table></table></main>"
    assert appendix_view(page, PAGE) == page


def test_the_screen_link_is_last_in_the_contents_and_the_appendix_leads_back():
    page = (
        '<main><nav class="contents" aria-label="Contents"><p><strong>Contents</strong></p><ol><li>a</li></ol></nav>'
        "<details><summary>Show</summary></details></main>"
    )
    out = appendix_view(page, PAGE)
    nav = out[out.index("<nav") : out.index("</nav>")]
    assert 'class="appendix-link"' in nav and out.count('class="appendix-link"') == 1
    assert f'<a href="{PAGE}">Back to the page</a>' in out[out.index(f'id="{APPENDIX}"') :]
