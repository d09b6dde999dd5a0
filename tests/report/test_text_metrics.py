"""The shared measure of figure texts (report.figures.style.share_text_metrics): same pixels, font settings kept."""

import io

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import text as mtext
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

from helpers.report.figures import style


@pytest.fixture
def unshared(monkeypatch):
    """matplotlib's own per-renderer measure, restored after the test (as a fresh kernel has it)."""
    style.apply_style()
    shared = mtext._get_text_metrics_with_cache
    assert getattr(shared, "shared", False), "apply_style installs the shared measure"
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", shared.original)
    return shared.original, shared


def _figure() -> Figure:
    fig = Figure(figsize=(4, 2.5), dpi=style.SCREEN_DPI)
    ax = fig.add_subplot()
    ax.barh(["Loftus 2010", "Nielsen 2017", "a long, long study label"], [1, 2, 3])
    ax.set_title("Risk of bias")
    ax.set_xlabel("standardized mean difference (favours ketamine)")
    ax.legend(["verified"], loc="upper left", bbox_to_anchor=(1, 1))
    fig.tight_layout()
    return fig


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(out, format="png", dpi=fig.dpi, bbox_inches="tight")
    return out.getvalue()


def test_figures_are_drawn_the_same_with_texts_measured_once(unshared, monkeypatch):
    own, shared = unshared
    with matplotlib.rc_context():
        style.apply_style()
        monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", own)
        before = _png(_figure())
        monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", shared)
        assert _png(_figure()) == before
        assert _png(_figure()) == before  # the second time from the shared sizes alone


def test_a_changed_font_list_is_measured_again(unshared, monkeypatch):
    """A planted change of the fonts behind "sans-serif" (same font properties, another font file) must not
    be given the sizes measured with the first fonts."""
    _own, shared = unshared
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", shared)
    renderer = RendererAgg(200, 100, style.SCREEN_DPI)
    prop = matplotlib.font_manager.FontProperties(family="sans-serif", size=10)
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        proportional = shared(renderer, "iiiiiiii", prop, ismath=False, dpi=style.SCREEN_DPI)
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans Mono"]}):
        monospaced = shared(renderer, "iiiiiiii", prop, ismath=False, dpi=style.SCREEN_DPI)
    assert monospaced[0] > proportional[0]
    plt.close("all")
