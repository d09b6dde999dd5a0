"""The zygote's warm-up (helpers.render.warmup): what it computes is what a report finds already computed."""

import pytest

from helpers.data.dataset import load_dataset
from helpers.findings import lines
from helpers.paths import STUDIES_PATH
from helpers.render.warmup import warm_data


def _reload_and_ask(monkeypatch) -> list:
    """A report's question after the warm-up: the same tables loaded again, every line's finding asked for;
    computing one would fail."""
    ds = load_dataset(STUDIES_PATH)

    def computed(*_a, **_k):
        raise AssertionError("a line was computed again")

    monkeypatch.setattr(lines, "finding_for", computed)
    return lines.line_findings(ds.get("certainty"), ds.studies, ds.get("risk_of_bias"), "low_back_pain")


def test_a_warmed_process_finds_every_lines_finding_computed(monkeypatch):
    monkeypatch.setattr(lines, "_MEMO", type(lines._MEMO)())
    warm_data(str(STUDIES_PATH))
    found = _reload_and_ask(monkeypatch)
    assert found  # low back pain has graded lines, each found without computing it


def test_without_the_warm_up_the_lines_are_computed(monkeypatch):
    """Negative control: the check above can fail."""
    monkeypatch.setattr(lines, "_MEMO", type(lines._MEMO)())
    with pytest.raises(AssertionError, match="computed again"):
        _reload_and_ask(monkeypatch)


def test_a_table_that_fails_to_load_leaves_the_zygote_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "_MEMO", type(lines._MEMO)())
    bad = tmp_path / "studies.csv"
    bad.write_text("not,a,study,table\n1,2,3,4\n", encoding="utf-8")
    warm_data(str(bad))  # the kernel reports the table's problems; the warm-up says nothing
    assert len(lines._MEMO) == 0
