"""The synthesis sections in built reports: a table given with --data gets them, the shipped table shows
them where they apply and says why where not, and no build prints a RuntimeWarning."""

import re
import shutil

import pandas as pd
import pytest

from helpers.paths import NOTEBOOKS
from support.metafor import HERE
from support.shipped import stderr_log


@pytest.fixture
def session(builds):
    """The build session, whose builds turn RuntimeWarnings into errors, as ``python -W`` does."""
    return builds


def checked_page(out, stderr: str) -> str:
    assert "Warning" not in stderr, stderr
    page = (out / "all" / "02_effect_sizes.html").read_text()
    assert "RuntimeWarning" not in page and "Traceback" not in page
    return page


def build_02(session, tmp_path, data, *extra):
    """Build only the effect-size report (a copy of notebooks/02 alone in a folder), condition all."""
    nbs = tmp_path / "nbs"
    nbs.mkdir(exist_ok=True)
    shutil.copy(NOTEBOOKS / "02_effect_sizes.ipynb", nbs)
    out = tmp_path / "out"
    res = session.build("--data", data, "--out", out, "--condition", "all", "--notebooks", nbs, "--jobs", "1", *extra)
    assert res.returncode == 0, res.stdout + res.stderr
    return out, checked_page(out, res.stderr)


def test_a_table_given_with_data_gets_every_synthesis(session, tmp_path):
    out, page = build_02(
        session, tmp_path, HERE / "studies" / "synthesis_bcg.csv", "--subgroup", "x_alloc", "--figures"
    )
    assert "Subgroups by <code>x_alloc</code>" in page
    assert "test for subgroup differences Q = 1.86, df = 2, p = 0.394" in page
    assert "moderator model QM = 1.77, p = 0.413" in page
    assert "leave-one-out: with one of the 13 studies left out" in page
    assert "cumulative by year (1988 to 2020)" in page
    assert "k = 13, z = " in page  # Egger's test, 13 studies
    figures = {p.name for p in (out / "figures" / "all" / "02_effect_sizes").iterdir()}  # --figures: 300-dpi PNGs
    assert {"effect_sizes.png", "leave_one_out_1.png", "cumulative_1.png", "funnel_1.png"} <= figures
    from PIL import Image

    with Image.open(out / "figures" / "all" / "02_effect_sizes" / "funnel_1.png") as im:
        assert round(im.info["dpi"][0]) == 300
    assert pd.read_csv(out / "tables" / "subgroups.csv")["subgroup"].tolist() == ["alternate", "random", "systematic"]
    index = (out / "index.html").read_text()
    assert 'href="tables/subgroups.csv"' in index
    assert "under <code>figures/</code> as a 300-dpi PNG" in index


def test_pooled_proportions_in_the_report(session, tmp_path):
    _, page = build_02(session, tmp_path, HERE / "studies" / "synthesis_pritz1997.csv")
    assert "These are uncontrolled rates, not comparisons" in page
    text = re.sub(r"<[^>]+>", "", page)  # the estimates are marked facts (<data>)
    assert "75.7% (95% CI 66.1% to 83.4%; prediction interval 46.6% to 91.8%) with the logit transform" in text
    assert "80.3% (70.2% to 88.9%) with the Freeman-Tukey double arcsine" in text


def test_the_shipped_table_says_why_where_a_synthesis_does_not_apply(shipped):
    """The shared build of the shipped table (condition all, RuntimeWarnings as errors) holds this report."""
    out = shipped
    page = checked_page(out, stderr_log(out).read_text(encoding="utf-8"))
    assert "These are uncontrolled rates, not comparisons" in page
    # each active drug is its own comparator, so the shipped table pools no group (tests/report/test_tables.py)
    assert "No group of this selection was pooled, so there is nothing to test for sensitivity." in page
    assert "no funnel plot and no Egger" in page
    assert "No subgroup comparison was asked for when these reports were built" in page
    assert set(pd.read_csv(out / "tables" / "pooled_effects.csv")["transform"].dropna()) == {"logit", "freeman_tukey"}
