"""Alternative text for the report figures, written from the data each figure draws.

A screen reader gets what the figure shows: which studies, which direction,
the range of the values and which points are the article's unlocated claims,
not the word "figure". :func:`describe` attaches the text to a matplotlib
figure; when the figure is displayed in a notebook, the text travels in the
output as an ``<img alt="...">`` (``text/html``), which the published HTML,
stock nbconvert and JupyterLab all show with its text.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from ...stats.pooling import record_of
from ...stats.selection import shown_fit
from ..measures import DISPLAY
from ..methods import STUDY, ci_words, level_words
from ..names import short_name
from ..numbers import human_duration, interval, plain, rounded
from ..params import condition_label
from ..text import plural, verb
from ..words import WINDOW_WORDS, against

#: at most this many study names are listed in one sentence; the rest are counted
MAX_NAMES = 12
_ALT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def describe(fig, text: str):
    """Attach ``text`` as the figure's alternative text and return the figure."""
    _ALT[fig] = " ".join(str(text).split())
    _install_png_formatter()
    return fig


def alt_text(fig) -> str | None:
    return _ALT.get(fig)


def _install_png_formatter() -> None:
    """Show a described figure as an ``<img>`` that carries its alt text (``text/html``), where stock nbconvert
    and JupyterLab both read it: neither reads an ``image/png`` output's alt metadata (nbconvert's lab template
    writes a bare ``<img>`` and warns). The PNG is the same one the inline backend draws; it is not also kept as
    a separate ``image/png`` output, which would store every figure twice in the committed notebooks."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is part of the pinned set
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    png = formatters["image/png"]
    try:
        current = png.lookup_by_type(Figure)
    except KeyError:
        return
    if getattr(current, "_adds_alt_text", False):
        return

    def png_unless_described(fig):
        return None if fig in _ALT else current(fig)

    def html_with_alt(fig):
        text = _ALT.get(fig)
        if text is None:
            return None
        data = _stored(current, fig)
        if isinstance(data, tuple):
            data = data[0]
        if data is None:
            return None
        return figure_html(data, text)

    png_unless_described._adds_alt_text = True
    png.for_type(Figure, png_unless_described)
    formatters["text/html"].for_type(Figure, html_with_alt)


def _stored(current, fig):
    """The inline backend's PNG of ``fig`` with its pixels stored, not deflated: :func:`compact_png` decodes it
    at once and writes the compressed one (deflating the first cost about a tenth of a figure's time). The
    pixels, and so the page, are the same. A formatter that takes no such option is called as it is."""
    try:
        return current(fig, pil_kwargs={"compress_level": 0})
    except TypeError:
        return current(fig)


def figure_html(png: bytes | str, text: str) -> str:
    """A PNG as an ``<img>`` with its alternative text (the PNG as bytes, or already base64-encoded)."""
    import base64
    import html

    raw = base64.b64decode(png) if isinstance(png, str) else png
    encoded = base64.b64encode(compact_png(raw)).decode("ascii")
    return f'<img alt="{html.escape(text, quote=True)}" src="data:image/png;base64,{encoded}">'


def compact_png(raw: bytes) -> bytes:
    """The figure as a 256-colour PNG: about a third of the size of the RGBA one the inline backend writes, which
    keeps a report of a large table light (benchmarks/results); charts of a few flat colours look the same.
    Octree quantization is fast and deterministic (nbval compares the alt text, the tests the bytes)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# ------------------------------------------------------------------ wording
def _names(rows: pd.DataFrame) -> str:
    names = list(dict.fromkeys(short_name(c, y) for c, y in zip(rows["citation"], rows["year"])))
    shown = names[:MAX_NAMES]
    text = ", ".join(shown)
    if len(names) > MAX_NAMES:
        text += f" and {len(names) - MAX_NAMES} more"
    return text


def _range(values, unit: str = "") -> str:
    lo, hi = rounded(min(values)), rounded(max(values))
    return f"at {lo}{unit}" if lo == hi else f"from {lo}{unit} to {hi}{unit}"


def _claims(rows: pd.DataFrame, what: str = "point", whats: str = "points") -> str:
    claims = rows[rows["verification"].astype(str) == "not_found"]
    if claims.empty:
        return ""
    n = len(claims)
    return (
        f" {plural(n, what, whats)} from the source article's citations that could not be located "
        f"({_names(claims)}) {verb(n, 'is drawn hollow and labelled as an article claim', 'are drawn hollow and labelled as article claims')}."
    )


def effects_alt(effects: pd.DataFrame, condition: str, harms: bool = False) -> str:
    label = condition_label(condition)
    what = "Adverse events" if harms else "Effect sizes"
    if "outcome_kind" in effects:  # as effect_panels draws them: benefits, or harms on their own
        effects = effects[effects["outcome_kind"].astype(str) == ("harm" if harms else "benefit")]
    rows = effects[np.isfinite(effects["est"].astype(float))]
    if rows.empty:
        return f"{what} for {label}: no {'adverse event' if harms else 'result'} of this selection has a number."
    parts = [
        f"{what} for {label}: {plural(len(rows), 'effect')} from "
        f"{plural(rows['study_id'].nunique(), 'study', 'studies')}, each with its {level_words(STUDY)} confidence interval where known."
    ]
    for measure in [m for m in DISPLAY if m in set(rows["effect_measure"].astype(str))]:
        spec = DISPLAY[measure]
        sub = rows[rows["effect_measure"].astype(str) == measure]
        est = sub["est"].astype(float)
        name = spec["label"].split(",")[0].replace(" (log scale)", "")
        unit = f" {spec['unit']}" if spec["unit"] and spec["unit"] != "%" else spec["unit"]
        text = f"{name}: {plural(len(sub), 'estimate')} ({_names(sub)}) {_range(est, unit)}"
        if spec["null"] is not None:
            left = int((est < spec["null"]).sum())
            right = int((est > spec["null"]).sum())
            on = len(sub) - left - right
            text += (
                f"; {left} {verb(left, 'lies', 'lie')} left of the no-difference line at {plain(spec['null'])} (towards "
                f"ketamine), {right} to its right (towards the comparator)" + (f", {on} on the line" if on else "")
            )
        else:
            text += " (single-arm results, not comparisons)"
        parts.append(text + ".")
    return " ".join(parts) + _claims(rows)


def direction_alt(rows: pd.DataFrame, condition: str) -> str:
    label = condition_label(condition)
    if rows.empty:
        return f"Results reported only as a direction for {label}: no result of this selection is reported as a direction alone."
    counts = rows["direction"].astype(str).value_counts()
    words = {
        "favours_ketamine": ("favours ketamine", "favour ketamine"),
        "no_difference": ("reports no difference", "report no difference"),
        "favours_comparator": ("favours the comparator", "favour the comparator"),
        "not_reported": ("states no direction", "state no direction"),
    }
    spread = ", ".join(f"{int(counts[d])} {verb(int(counts[d]), *w)}" for d, w in words.items() if counts.get(d, 0))
    return (
        f"Results reported only as a direction for {label}, one per study and outcome, favours ketamine on the left: "
        f"{plural(len(rows), 'result')} from "
        f"{plural(rows['study_id'].nunique(), 'study', 'studies')} ({_names(rows)}); {spread}."
        + _claims(rows, "result", "results")
    )


def followup_alt(studies: pd.DataFrame, condition: str) -> str:
    label = condition_label(condition)
    times = studies["followup_days"].dropna().astype(float)
    infusion = studies["infusion_days"].dropna().astype(float)
    if times.empty and infusion.empty:
        return f"Follow-up time points for {label}: no row of this selection states a follow-up time or an infusion length."
    d = studies[studies["followup_days"].notna() | studies["infusion_days"].notna()]
    text = (
        f"Follow-up time points for {label} on a logarithmic time axis: "
        f"{plural(d['study_id'].nunique(), 'study', 'studies')} ({_names(d)})."
    )
    if not times.empty:
        text += (
            f" {plural(int(times.nunique()), 'distinct time point')} from {human_duration(times.min())} "
            f"to {human_duration(times.max())} after ketamine was started."
        )
    if not infusion.empty:
        text += f" Ketamine was given for {human_duration(infusion.min())}" + (
            f" to {human_duration(infusion.max())}." if infusion.max() > infusion.min() else "."
        )
    return text + _claims(d.drop_duplicates("study_id"), "study", "studies")


def forest_alt(group) -> str:
    fit = shown_fit(group)
    measure = group.key["effect_measure"]
    spec = DISPLAY[measure]
    back = np.exp if spec["log"] else (lambda x: np.asarray(x) * (100 if measure == "risk_difference" else 1))
    used = group.used
    yi = back(used["yi"].astype(float).to_numpy())
    est, lo, hi = back(np.array([fit.estimate, fit.ci_lower, fit.ci_upper]))
    pil, piu = back(np.array([fit.pi_lower, fit.pi_upper]))
    null = spec["null"]
    if lo > null:
        verdict = "the whole interval lies on the side favouring the comparator"
    elif hi < null:
        verdict = "the whole interval lies on the side favouring ketamine"
    else:
        verdict = f"the interval crosses the no-difference value of {plain(null)}"
    name = spec["label"].split(",")[0].replace(" (log scale)", "").lower()
    unit = f" {spec['unit']}" if spec["unit"] else ""
    timepoint = group.key["timepoint"]
    return (
        f"Forest plot for {condition_label(group.key['condition'])}, {name}, "
        f"{against(group.key['comparator_group'])}, {WINDOW_WORDS.get(str(timepoint), str(timepoint))}: "
        f"{plural(fit.k, 'study', 'studies')} ({_names(used)}) with estimates {_range(yi)}. "
        f"Pooled {name} {rounded(est)}{unit} ({ci_words(record_of(fit))} {interval(lo, hi, rounded)}; prediction "
        f"interval {interval(pil, piu, rounded)}): {verdict}. Values below {plain(null)} favour ketamine."
    )
