"""Figures that read the same way everywhere: favours ketamine on the left of every effect axis, the
direction-only plot included; harms never among the benefits; one mark per study and outcome."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.report import open_report
from helpers.report.figures.effects import direction_plot, effect_panels
from helpers.report.figures.forest import forest_plot
from helpers.stats.effects import direction_only
from support.figure_defects import defects, overlapping_text, report_figures
from support.reports import shipped_report


def left_and_right(fig) -> tuple[str, str]:
    """The words at the left and right end of the figure's first effect axis."""
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    if any("favours" in t for t in ticks):
        return ticks[0], ticks[-1]
    notes = sorted((t for t in ax.texts if "favours" in t.get_text()), key=lambda t: t.get_position()[0])
    return notes[0].get_text(), notes[-1].get_text()


def test_direction_and_forest_plots_share_their_orientation():
    r = shipped_report("all")
    direction = direction_plot(direction_only(r.studies), "all")
    pooled = open_report("all", data_path="tests/fixtures/metafor/studies/k2_md.csv").groups
    forest = forest_plot(next(g for g in pooled if g.pooled))
    for fig in (direction, forest):
        left, right = left_and_right(fig)
        assert "ketamine" in left and "comparator" in right, (left, right)
    plt.close("all")


def test_the_direction_plot_draws_one_mark_per_study_and_outcome_and_no_harm():
    r = shipped_report("all")
    rows = direction_only(r.studies)
    assert not rows["outcome"].astype(str).str.startswith("ae_").any()
    assert not rows.duplicated(["study_id", "condition", "outcome"]).any()
    stated = rows[rows["direction"].astype(str) != "not_reported"]
    fig = direction_plot(rows, "all")
    assert len(fig.axes[0].get_yticklabels()) == len(stated)  # a result without a direction is not on the scale
    plt.close("all")


def test_effect_labels_are_words_and_never_cut_and_harms_have_their_own_figure():
    from helpers.report.figures.effects import effect_panels

    r = shipped_report("all")
    benefits, harms = effect_panels(r.effects, "all"), effect_panels(r.effects, "all", harms=True)
    labels = [t.get_text() for fig in (benefits, harms) for ax in fig.axes for t in ax.get_yticklabels()]
    assert labels and not [x for x in labels if "\u2026" in x or "_" in x or "pct" in x]
    harm_names = {t.get_text().split(":")[0] for ax in harms.axes for t in ax.get_yticklabels()}
    benefit_text = " ".join(t.get_text() for ax in benefits.axes for t in ax.get_yticklabels())
    assert "withdrawals because of adverse effects" not in benefit_text and harm_names
    plt.close("all")


def test_one_call_saves_and_shows_a_figure_or_shows_the_sentence_of_an_empty_one(monkeypatch, tmp_path):
    """r.show is a notebook's whole figure cell: saved when figures are asked for, then plt.show() as a plotting
    cell ends; an empty figure is neither saved nor drawn, its sentence shown instead. Nothing is returned, so a
    cell has no second output."""
    from helpers.report import context
    from helpers.report.figures.style import empty_panel

    events = []
    monkeypatch.setattr(context.plt, "show", lambda: events.append(("show", plt.get_fignums())))
    monkeypatch.setattr(context, "display", lambda obj: events.append(("text", obj.data)))
    plt.close("all")
    r = context.Report("all", "all", "", figures_dir=str(tmp_path / "figures"))
    drawn, _ = plt.subplots(figsize=(1, 1))
    assert r.show(drawn, "drawn") is None
    assert (tmp_path / "figures" / "drawn.png").is_file() and events == [("show", [drawn.number])]
    plt.close("all")  # as the inline backend's show does
    events.clear()
    empty, ax = plt.subplots()
    empty_panel(ax, "Nothing to draw here.")
    r.show(empty, "empty")
    assert not (tmp_path / "figures" / "empty.png").exists() and events == [
        ("text", "*Nothing to draw here.*"),
        ("show", []),
    ]
    plt.close("all")
    events.clear()
    context.Report("all", "all", "").show(plt.subplots()[0], "unsaved")  # no figures folder: shown only
    assert [e[0] for e in events] == ["show"] and sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "drawn.png"
    ]
    plt.close("all")


def test_a_figure_with_nothing_to_show_is_replaced_by_its_sentence(monkeypatch):
    from helpers.report import context
    from helpers.report.figures.style import nothing_to_show

    shown = []
    monkeypatch.setattr(context, "display", lambda obj: shown.append(obj.data))

    r = open_report("chronic_pain_mixed")  # meta-analyses only: no trial has risk-of-bias rows to draw
    fig = r.appraisal.rob_figure("rob2")
    assert "no study of this kind" in nothing_to_show(fig)
    assert r.save(fig, "risk_of_bias_randomized") is None and not plt.fignum_exists(fig.number)
    assert shown and "no study of this kind" in shown[0]  # the sentence is displayed instead
    drawn = open_report("all").appraisal.rob_figure("rob2")
    assert nothing_to_show(drawn) is None
    plt.close("all")


def test_risk_of_bias_colours_differ_in_lightness_and_overall_only_studies_say_so():
    from matplotlib.colors import to_rgb

    from helpers.report.figures.robvis import STYLE

    def lightness(colour):  # relative luminance, as WCAG computes it
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    levels = ["low", "some_concerns", "serious", "critical"]
    values = [lightness(STYLE[j][0]) for j in levels]
    assert all(abs(a - b) > 0.05 for i, a in enumerate(values) for b in values[i + 1 :]), values
    from helpers.data.dataset import load_dataset
    from helpers.report.figures.robvis import traffic_light

    rob = load_dataset().get("risk_of_bias")
    trial = rob[rob["study_id"].astype(str) == "etchison2018"]
    only_overall = trial[trial["domain"].astype(str) == "overall"].assign(study_id="overall_only_study")
    fig = traffic_light(pd.concat([trial, only_overall]), {}, "test", ("rob2",))
    assert [t.get_text() for t in fig.axes[0].texts].count("overall judgement only") == 1  # the planted one only
    plt.close("all")


def test_prisma_names_its_sources_with_dates_branches_the_citation_checks_and_counts_the_condition():
    from helpers.report.prisma import flow_text

    r = shipped_report("migraine")
    c = r.overview.prisma
    assert c.included_here is not None and 0 < c.included_here < c.included
    text = flow_text(c)
    assert "(searched 20" in text and "looked up one by one" in text
    assert f"({c.included_here} of them about this report's condition)" in text
    fig = r.overview.prisma_figure()
    words = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "Citation checks (other methods)" in words and f"about migraine: {c.included_here}" in words
    assert shipped_report("all").overview.prisma.included_here is None
    plt.close("all")


def smallest_text_px(fig) -> tuple[float, int]:
    """The smallest figure text as a 1280-px window shows it, from the figure's drawn width, its fonts and dpi
    (a figure wider than the report column is shrunk to fit it, and its text with it), and the drawn width."""
    from matplotlib import rcParams
    from matplotlib.text import Text

    from helpers.report.figures.style import COLUMN_PX, SCREEN_DPI

    # the drawn width as the inline backend writes it: the tight box and its padding, without encoding a PNG
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    width = round((box.width + 2 * rcParams["savefig.pad_inches"]) * SCREEN_DPI)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes) * SCREEN_DPI / 72 * min(1.0, COLUMN_PX / width), width


@pytest.mark.integration
def test_figure_text_at_1280_px_is_at_least_body_size_and_no_figure_has_a_defect():
    """Every all-conditions figure (every study's row is in them) and a pooled group's: text at body size, and
    no text over text, line through a label, cut marker or empty panel (support.figure_defects; every
    condition's figures are checked in the slow tier, tests/report/test_figure_defects.py)."""
    from helpers.report.figures.style import BODY_PX, nothing_to_show

    pooled = open_report("all", data_path="tests/fixtures/metafor/studies/synthesis_bcg.csv")
    checked = 0
    e, s = pooled.effect_sizes, pooled.synthesis
    pooled_figures = [e.forest_figure(e.pooled_groups()[0]), s.leave_one_out_figure(s.sensitivity_groups()[0])]
    for fig in report_figures(shipped_report("all")) + pooled_figures + [s.funnel_figure(s.funnel_groups()[0])]:
        if nothing_to_show(fig) is None:
            px, width = smallest_text_px(fig)
            title = fig.texts[0].get_text() if fig.texts else fig.axes[0].get_title(loc="left")
            assert px >= BODY_PX - 0.01, (title, round(px, 1), width)
            assert defects(fig) == {}, title
            checked += 1
        plt.close(fig)
    assert checked >= 10, checked  # a forest, a leave-one-out and a funnel plot included (the fixture pools)


def test_a_figure_too_wide_for_the_column_is_found():
    from helpers.report.figures.style import BODY_PX

    fig, ax = plt.subplots(figsize=(16, 2))  # shown shrunk to the column, its 10.5-pt text with it
    ax.set_title("too wide")
    assert smallest_text_px(fig)[0] < BODY_PX
    plt.close(fig)


@pytest.mark.integration
def test_stock_nbconvert_finds_the_alt_text_of_every_figure_of_the_committed_notebooks():
    import logging

    from nbconvert import HTMLExporter

    from helpers.paths import ROOT

    exporter = HTMLExporter()  # stock: the lab template, no project configuration
    warnings = []
    handler = logging.Handler()
    handler.emit = lambda record: warnings.append(record.getMessage())
    exporter.log.addHandler(handler)
    images = 0
    try:
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            page, _ = exporter.from_filename(str(path))
            images += page.count("<img ")
            assert "No description has been provided" not in page, path.name
    finally:
        exporter.log.removeHandler(handler)
    assert images >= 8 and not [w for w in warnings if "Alternative text" in w], (images, warnings)


@pytest.fixture(scope="module")
def many_studies(tmp_path_factory):
    """The benchmarks' synthetic table of 300 rows: over 60 studies, and panels of more than 20 rows."""
    import sys

    from helpers.data.loader import load_studies
    from helpers.paths import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import synthetic_table

    return load_studies(synthetic_table(300, tmp_path_factory.mktemp("many") / "t.csv"), cache=False)


@pytest.mark.integration
def test_many_studies_follow_up_chart_tells_unverified_rows_by_hatch_and_keeps_its_key_off_its_title(many_studies):
    """Over 60 studies the follow-up chart is a stacked histogram: unverified bars carry a hatch as well. Its
    key has a row of its own under the long title (beside it, the title ran under the key)."""
    import matplotlib

    matplotlib.use("agg")
    from helpers.report.figures import followup, style

    studies = many_studies.copy()
    studies.loc[studies.index[::2], "verification"] = "verified"
    fig = followup.followup_plot(studies, "all")
    seen = {}
    for ax in fig.axes:
        for patch in ax.patches:
            if isinstance(patch, matplotlib.patches.Rectangle) and patch.get_height() == 0:
                continue  # an empty bin's bar covers nothing: it is left unhatched (drawing a hatch costs time)
            colour = matplotlib.colors.to_hex(patch.get_facecolor()[:3])
            seen.setdefault(colour, set()).add(patch.get_hatch() or "")
    assert seen[matplotlib.colors.to_hex(style.VERIFICATION_COLOURS["unverified"])] == {"...."}
    assert seen[matplotlib.colors.to_hex(style.VERIFICATION_COLOURS["verified"])] == {""}
    labels = {h.get_label(): h.get_hatch() for h in fig.legends[0].legend_handles if hasattr(h, "get_hatch")}
    assert labels[style.VERIFICATION_LABELS["unverified"]] == "...."
    fig.draw_without_rendering()
    assert "distribution of time points" in fig.texts[0].get_text()
    assert overlapping_text(fig) == []


@pytest.mark.integration
def test_the_note_of_rows_not_drawn_sits_right_under_its_axis_label(many_studies):
    """A panel of more than 20 rows draws the most precise and says how many it left out, just under its axis
    label: placed at a share of a tall panel's height, it left a gap of inches (and a taller picture)."""
    from matplotlib.text import Text

    from helpers.stats.effects import harmonize

    fig = effect_panels(harmonize(many_studies), "all")
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    notes = [t for t in fig.findobj(Text) if "not drawn" in t.get_text()]
    assert notes
    for note in notes:
        gap = note.axes.xaxis.label.get_window_extent(renderer).y0 - note.get_window_extent(renderer).y1
        assert 0 <= gap < 12, gap  # under the label, never over it, and no wider apart than a line
    assert overlapping_text(fig) == []
    plt.close(fig)


# ------------------------------------------------------------------ text from the data is text (probe case 34, W6)
HOSTILE_CITATION = r"$\undefinedmacro$, et al. Test J 2000"


def figures_naming(tmp_path, citation: str) -> tuple[str, list]:
    """Forest, follow-up and risk-of-bias figures of a user's table (no bibliography beside it) whose first
    study's citation is ``citation``; returns the study's short name and the figures, drawn."""
    from helpers.data.dataset import load_dataset
    from helpers.paths import ROOT
    from helpers.report.figures.robvis import traffic_light
    from helpers.report.names import short_name
    from support.tables import read_rows, write_rows

    rows = read_rows(ROOT / "tests" / "fixtures" / "metafor" / "studies" / "k2_md.csv")
    rows[0]["citation"] = citation
    for row in rows:
        row["followup_days"] = "7"
    r = open_report("all", data_path=str(write_rows(tmp_path / "studies.csv", rows)))
    name = short_name(citation, 2000)
    rob = load_dataset().get("risk_of_bias")
    rob = rob[rob["study_id"].astype(str) == "etchison2018"]
    figures = [
        forest_plot(next(g for g in r.groups if g.pooled)),
        r.followup.figure(),
        traffic_light(rob, {"etchison2018": name}, "Risk of bias", ("rob2",)),
    ]
    for fig in figures:
        fig.canvas.draw()  # where matplotlib would parse the text
    return name, figures


def test_a_citation_that_looks_like_a_formula_is_drawn_as_text(tmp_path):
    name, figures = figures_naming(tmp_path, HOSTILE_CITATION)
    assert name == r"$\undefinedmacro$ 2000"
    for fig in figures:
        labels = [t for ax in fig.axes for t in ax.get_yticklabels() if name in t.get_text()]
        assert labels and not any(t.get_parse_math() for t in labels), fig
    plt.close("all")


def test_with_mathtext_on_the_same_figures_fail(tmp_path, monkeypatch):
    """Negative control: with matplotlib's default, the citation is parsed as a formula and cannot be drawn."""
    from helpers.report.figures import style

    house = style.apply_style

    def with_mathtext():
        house()
        plt.rcParams["text.parse_math"] = True

    monkeypatch.setattr(style, "apply_style", with_mathtext)  # the style open_report sets, mathtext on
    with matplotlib.rc_context(), pytest.raises(ValueError, match="undefinedmacro"):
        figures_naming(tmp_path, HOSTILE_CITATION)
    plt.close("all")
