"""Figure defects, measured in the drawn figures (matplotlib's renderer in this process, no PNG): no text over
text, no line through a label, no marker cut by its axes, no empty panel. Each class has a planted figure that
has the defect (the check finds it) beside one that does not."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from helpers.report.figures.style import masks_lines, nothing_to_show, null_line
from helpers.report.params import report_conditions
from support.figure_defects import (
    cut_markers,
    defects,
    empty_panels,
    lines_through_labels,
    overlapping_text,
    report_figures,
)
from support.reports import shipped_report


def shipped_defects(condition: str) -> dict[str, dict]:
    found, shown = {}, 0
    for fig in report_figures(shipped_report(condition)):
        if nothing_to_show(fig) is None:  # a figure with nothing to show is published as its sentence
            shown += 1
            title = fig.texts[0].get_text() if fig.texts else fig.axes[0].get_title(loc="left")
            if d := defects(fig):
                found[title] = d
        plt.close(fig)
    assert shown >= 3, (condition, shown)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("condition", [c for c in report_conditions() if c != "all"])
def test_every_condition_s_figures_have_no_defect(condition):
    assert shipped_defects(condition) == {}


# ------------------------------------------------------------------ planted figures, one per class
def drawn(fig):
    fig.draw_without_rendering()
    return fig


def test_text_over_text_is_found_and_text_beside_text_is_not():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.text(0.1, 0.5, "randomization", transform=ax.transAxes)
    ax.text(0.15, 0.5, "period and carryover", transform=ax.transAxes)
    assert overlapping_text(drawn(fig)) == [("randomization", "period and carryover")]
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.text(0.05, 0.5, "randomization", transform=ax.transAxes)
    ax.text(0.05, 0.2, "period and carryover", transform=ax.transAxes)
    ax.set_xticks([0, 0.5, 1], ["0", "0.5\nno difference", "1"])  # a two-line label is measured line by line
    assert overlapping_text(drawn(fig)) == []
    # a tick beyond its axis' limits is kept but not drawn: its label is not over the text drawn where it would be
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.set_yticks([0, 1.3], ["low", "beyond"])
    ax.set_ylim(0, 1)
    ax.text(-0.02, 1.3, "a title", transform=ax.get_yaxis_transform(), ha="right", va="center", clip_on=False)
    assert overlapping_text(drawn(fig)) == []
    plt.close("all")


def test_a_line_through_a_label_is_found_and_a_masked_or_moved_label_is_not():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 1], [0.5, 0.5])
    ax.text(0.5, 0.5, "no difference", ha="center", va="center")
    assert lines_through_labels(drawn(fig)) == ["no difference"]
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.axvline(0.5, zorder=1)
    ax.text(0.5, 0.5, "no events in both groups", ha="center", va="center", **masks_lines())
    ax.plot([0, 1], [0.1, 0.1])
    ax.text(0.5, 0.8, "above the line", ha="center")
    assert lines_through_labels(drawn(fig)) == []
    plt.close("all")


def test_the_null_is_named_under_its_tick_never_inside_the_plot():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([-1, 2], [0, 0])
    null_line(ax, 0.0)
    fig.draw_without_rendering()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert [x.split("\n")[1] for x in labels if "\n" in x] == ["no difference"] and not ax.texts
    plt.close("all")


def test_a_marker_cut_at_0_or_100_percent_is_found_and_a_whole_one_is_not():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 50, 100], [1, 2, 3], marker="o", markersize=9, linestyle="none")
    ax.set_xlim(0, 100)
    assert len(cut_markers(drawn(fig))) == 2
    ax.set_xlim(-5, 105)
    ax.set_ylim(0, 4)
    assert cut_markers(drawn(fig)) == []
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.scatter([0], [1], s=80)
    ax.set_xlim(0, 1)
    assert len(cut_markers(drawn(fig))) == 1
    plt.close("all")


def test_an_empty_panel_is_found_and_a_drawn_or_worded_one_is_not():
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(6, 2))
    a.set_title("Risk ratio", loc="left")
    b.plot([0, 1], [0, 1])
    c.text(0.5, 0.5, "no events in either group")
    assert empty_panels(drawn(fig)) == ["Risk ratio"]
    plt.close("all")
