"""A page prints short: its folded tables and the claims' nearest evidence print in its appendix view
(page.html#print-appendix), which the export marks; the browser print test measures the pages."""

from __future__ import annotations

from helpers.render.export import APPENDIX, CLAIMS_NOTE, PRINT_NOTE, appendix_view


def test_a_page_with_folds_gets_its_appendix_mark_and_a_note_before_each_fold():
    page = '<body><main><p>answer</p><details class="detail"><summary>Show</summary><table></table></details></main>'
    out = appendix_view(page)
    assert out.count(f'id="{APPENDIX}"') == 1 and out.index(f'id="{APPENDIX}"') < out.index("</main>")
    assert out.count(PRINT_NOTE) == 1 and out.index(PRINT_NOTE) < out.index("<details")
    claims = '<main><table class="evidence-table claims"><caption>claims</caption></table></main>'
    assert CLAIMS_NOTE in appendix_view(claims) and f'id="{APPENDIX}"' in appendix_view(claims)


def test_a_page_without_folds_is_left_as_it_is():
    page = "<body><main><p>answer</p><table></table></main>"
    assert appendix_view(page) == page
