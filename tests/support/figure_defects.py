"""Figure defects measured in the drawn figure (matplotlib's renderer, in this process, no PNG written).

Four classes, each a function returning what it found: text over text, a line through a label, a marker cut
by its axes' edge, and a panel with nothing in it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: overlaps and cuts smaller than this (display pixels at the figure's dpi) are antialiasing, not defects
SLACK = 1.0


def report_figures(r):
    """Every figure a report draws, by the calls its notebooks make."""
    a, e, s = r.appraisal, r.effect_sizes, r.synthesis
    figures = [a.rob_figure(t) for t in ("rob2", "robins_i", "murad_case_series")] + [a.rob_summary_figure("rob2")]
    figures += [r.overview.prisma_figure(), e.effect_figure(), e.direction_figure(), r.followup.figure()]
    figures += [r.harms.figure()] + [e.forest_figure(g) for g in e.pooled_groups()]
    figures += [s.leave_one_out_figure(g) for g in s.sensitivity_groups()]
    return figures + [s.funnel_figure(g) for g in s.funnel_groups()]


def _undrawn_tick_labels(fig) -> set[int]:
    """Tick labels matplotlib keeps but does not draw: those of ticks beyond their axis' view limits."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = {id(tick) for tick in axis._update_ticks()}  # the ticks an axis draws (no public equivalent)
            for tick in axis.majorTicks + axis.minorTicks:
                if id(tick) not in drawn:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return hidden


def _texts(fig, renderer):
    out = []
    hidden = _undrawn_tick_labels(fig)
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or t.figure is None or id(t) in hidden:
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            out.append((t, _line_boxes(t, box, renderer)))
    return out


def _line_boxes(t, box, renderer) -> list:
    """The boxes of a text's lines: a two-line tick label ("1" over "no difference") is two boxes, not the one
    around both, which would reach over its neighbour's line. Rotated or one-line texts keep their box."""
    if "\n" not in t.get_text() or t.get_rotation() % 360:
        return [box]
    _, lines, _ = t._get_layout(renderer)  # matplotlib's own layout of the lines (no public equivalent)
    x, y = t.get_transform().transform(t.get_unitless_position())
    return [Bbox.from_bounds(x + dx, y + dy - d, w, h) for _, (w, h, d), (dx, dy) in lines if w > 0]


def _name(t) -> str:
    return " ".join(t.get_text().split())[:40]


def overlapping_text(fig) -> list[tuple[str, str]]:
    """Pairs of visible texts whose drawn boxes overlap."""
    renderer = fig.canvas.get_renderer()
    texts = _texts(fig, renderer)
    found = []
    for i, (a, boxes_a) in enumerate(texts):
        for b, boxes_b in texts[i + 1 :]:
            if any(_overlap(ba, bb) for ba in boxes_a for bb in boxes_b):
                found.append((_name(a), _name(b)))
    return found


def _overlap(ba, bb) -> bool:
    w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
    h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
    return w > SLACK and h > SLACK


def _segments(ax):
    """The data lines of an axes (not its grid, ticks or spines) as display-space segments, with their zorder."""
    for line in ax.lines:
        if not line.get_visible() or line.get_linestyle() in ("None", "", " "):
            continue
        xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
        yield from ((p, q, line.get_zorder()) for p, q in zip(xy[:-1], xy[1:]))
    for coll in ax.collections:
        if isinstance(coll, LineCollection) and coll.get_visible():
            tr = coll.get_transform()
            for seg in coll.get_segments():
                xy = tr.transform(np.asarray(seg, dtype=float))
                yield from ((p, q, coll.get_zorder()) for p, q in zip(xy[:-1], xy[1:]))


def _crosses(p, q, box) -> bool:
    """Whether the segment p-q passes through the inside of ``box`` (shrunk by SLACK), by clipping it."""
    x0, y0, x1, y1 = box.x0 + SLACK, box.y0 + SLACK, box.x1 - SLACK, box.y1 - SLACK
    if x0 >= x1 or y0 >= y1 or not np.all(np.isfinite([*p, *q])):
        return False
    t0, t1 = 0.0, 1.0
    d = q - p
    for pk, qk in ((-d[0], p[0] - x0), (d[0], x1 - p[0]), (-d[1], p[1] - y0), (d[1], y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def lines_through_labels(fig) -> list[str]:
    """Texts inside an axes that one of its data lines runs through."""
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        segments = list(_segments(ax))
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            box = t.get_window_extent(renderer)
            ground = t.get_bbox_patch()
            opaque = ground is not None and ground.get_facecolor()[3] == 1 and ground.get_visible()
            # an opaque ground drawn above a line hides it where the words are: the line stops, it does not strike
            if any(_crosses(p, q, box) for p, q, z in segments if not (opaque and z < t.get_zorder())):
                found.append(_name(t))
    return found


def _marker_points(ax):
    """(display xy, radius in pixels) of every clipped marker of an axes."""
    dpi = ax.figure.dpi
    for line in ax.lines:
        if line.get_visible() and line.get_marker() not in (None, "None", "", " ") and line.get_clip_on():
            xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
            r = line.get_markersize() / 2 * dpi / 72 + line.get_markeredgewidth() / 2 * dpi / 72
            yield from ((p, r) for p in xy)
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible() and coll.get_clip_on():
            offsets = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float))
            sizes = coll.get_sizes()
            for i, p in enumerate(offsets):
                s = sizes[i % len(sizes)] if len(sizes) else 36.0
                yield p, np.sqrt(s) / 2 * dpi / 72


def cut_markers(fig) -> list[tuple[float, float]]:
    """Markers that their axes' edge cuts (the centre inside, part of the marker outside)."""
    found = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        box = ax.bbox
        for p, r in _marker_points(ax):
            if not np.all(np.isfinite(p)):
                continue
            inside = box.x0 <= p[0] <= box.x1 and box.y0 <= p[1] <= box.y1
            whole = box.x0 - SLACK <= p[0] - r and p[0] + r <= box.x1 + SLACK
            whole = whole and box.y0 - SLACK <= p[1] - r and p[1] + r <= box.y1 + SLACK
            if inside and not whole:
                found.append((round(float(p[0])), round(float(p[1]))))
    return found


def defects(fig) -> dict[str, list]:
    """Every defect class found in ``fig``, laid out once as it is drawn (legends and layout placed, no pixels)."""
    fig.draw_without_rendering()
    found = {
        "overlapping text": overlapping_text(fig),
        "line through a label": lines_through_labels(fig),
        "cut marker": cut_markers(fig),
        "empty panel": empty_panels(fig),
    }
    return {k: v for k, v in found.items() if v}


def empty_panels(fig) -> list[str]:
    """Visible axes with no data drawn (no line, marker, bar, patch or image) and no words in them."""
    found = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        drawn = ax.lines or ax.collections or ax.patches or ax.images or [t for t in ax.texts if t.get_text().strip()]
        if not drawn:
            found.append(ax.get_title(loc="left") or ax.get_title() or f"axes {i}")
    return found
