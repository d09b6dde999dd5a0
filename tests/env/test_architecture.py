"""The package keeps its architecture: layers in one direction, no cycles, no private names across
modules, small modules and classes. Each check is shown to fail on a planted breach."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.digest import code_digest
from helpers.paths import SRC
from support import contract, formatting


def test_layers_point_one_way():
    assert contract.upward_imports(SRC) == []


def test_no_import_cycles():
    assert contract.cycles(SRC) == []


def test_no_private_name_crosses_a_module():
    assert contract.private_uses(SRC) == []


def test_modules_and_classes_stay_small():
    assert contract.long_modules(SRC) == []
    assert contract.big_classes(SRC) == []


def test_comments_are_at_most_two_lines():
    assert contract.long_comments(SRC) == []


def test_site_and_build_never_read_a_fact_back_from_a_rendered_notebook():
    assert contract.rendered_output_reads(SRC) == []


def test_the_site_sits_between_the_report_layer_and_the_build():
    assert contract.layer_of("report.params") < contract.layer_of("site.index") < contract.layer_of("render.build")


def test_every_module_belongs_to_a_layer():
    for name in contract.modules(SRC):
        contract.layer_of(name)  # raises for a top-level module no layer names


# ------------------------------------------------------------------ negative controls on a copy of the package
@pytest.fixture
def package(tmp_path) -> Path:
    copy = tmp_path / "helpers"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def plant(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_planted_cycle_is_found_even_inside_a_function(package):
    plant(package / "data" / "csvfile.py", "\n\ndef _late():\n    from . import loader\n")
    assert any({"data.csvfile", "data.loader"} <= set(c) for c in contract.cycles(package))


def test_a_planted_upward_import_is_found(package):
    plant(package / "stats" / "meta.py", "\n\ndef _words():\n    from ..report.words import word\n")
    assert any(v.startswith("stats.meta") and "report.words" in v for v in contract.upward_imports(package))


def test_a_planted_private_name_is_found_imported_or_reached(package):
    plant(package / "data" / "dataset.py", "\nfrom .loader import _convert\n")
    plant(package / "report" / "claims.py", "\nfrom . import html\nx = html._fmt\n")
    found = contract.private_uses(package)
    assert any("imports _convert from data.loader" in f for f in found)
    assert any("reaches report.html._fmt" in f for f in found)


#: how the index once took each report's summary: the first output of the cell tagged "summary" (CSS, on the
#: bottom-line pages, where that output is the notebooks' table style)
SUMMARY_OF = """

def summary_of(nb):
    for cell in nb.cells:
        if "summary" in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                return out.get("data", {}).get("text/markdown")
"""


def test_a_planted_read_of_a_rendered_notebook_is_found(package):
    plant(package / "site" / "index.py", SUMMARY_OF)
    plant(package / "render" / "build.py", "\n\ndef _first(nb):\n    return nb.cells[0].outputs[0]\n")
    plant(package / "render" / "plan.py", "\n\ndef _html(out):\n    return out['data']['text/html']\n")
    found = contract.rendered_output_reads(package)
    assert any(f.startswith("site.index") and ".get('outputs')" in f for f in found), found
    assert any(f.startswith("site.index") and ".get('text/markdown')" in f for f in found), found
    assert any(f.startswith("render.build") and ".outputs" in f for f in found), found
    assert any(f.startswith("render.plan") and "['text/html']" in f for f in found), found
    # negative controls: the execution cache may read them, and clearing them is no read
    plant(package / "render" / "outputs_cache.py", SUMMARY_OF)
    plant(package / "render" / "loop.py", "\n\ndef _clear(cell):\n    cell.outputs = []\n")
    again = contract.rendered_output_reads(package)
    assert not [f for f in again if f.startswith(("render.outputs_cache", "render.loop"))], again


def test_a_planted_import_of_the_site_by_the_report_layer_is_found(package):
    plant(package / "report" / "claims.py", "\n\ndef _index():\n    from ..site import index\n")
    assert any(v.startswith("report.claims") and "site.index" in v for v in contract.upward_imports(package))


def test_a_long_module_and_a_big_class_are_found(package):
    plant(package / "errors.py", "\n" * 400)
    methods = "".join(f"    def m{i}(self):\n        return {i}\n" for i in range(16))
    plant(package / "paths.py", f"\n\nclass Big:\n{methods}")
    assert any(v.startswith("errors:") for v in contract.long_modules(package))
    assert contract.big_classes(package) == ["paths.Big: 16 public methods (at most 15)"]


def test_a_long_comment_is_found(package):
    plant(package / "digest.py", "\n# one\n# two\n# three\nX = 1\n")
    assert any(v.startswith("digest:") for v in contract.long_comments(package))


# ------------------------------------------------------------------ cache keys from content
def test_moving_a_module_keeps_the_code_digest_and_editing_one_changes_it(package):
    data = package / "data"
    before = code_digest(data)
    (data / "io").mkdir()
    shutil.move(data / "csvfile.py", data / "io" / "csvfile.py")
    assert code_digest(data) == before  # a cache keyed by it stays valid
    plant(data / "io" / "csvfile.py", "\n# edited\n")
    assert code_digest(data) != before


def test_the_table_cache_is_keyed_by_the_data_subpackage_code():
    from helpers.data import loader

    assert Path(loader.CODE[0]) == SRC / "data"


# ------------------------------------------------------------------ which row stands for a study: one module
def test_only_the_selection_module_picks_a_row_per_study():
    assert contract.row_picks(SRC) == []


def test_a_planted_row_pick_is_found_and_a_study_field_read_is_not(package):
    plant(
        package / "stats" / "grade.py", '\n\ndef _first(e):\n    return e.drop_duplicates("study_id", keep="first")\n'
    )
    plant(
        package / "report" / "placeholders.py",
        '\n\ndef _latest(s):\n    return s.sort_values("followup_days").groupby(s["study_id"].astype(str)).tail(1)\n',
    )
    plant(
        package / "findings" / "lines.py",
        '\n\ndef _again(e):\n    return e[["study_id", "outcome"]].duplicated(keep="last")\n',
    )
    plant(package / "report" / "tables.py", '\n\ndef _names(s):\n    return s.drop_duplicates("study_id")\n')
    plant(
        package / "stats" / "selection.py", '\n\ndef _same(e):\n    return e.drop_duplicates("study_id", keep="last")\n'
    )
    found = contract.row_picks(package)
    assert [f.split(" (")[0] for f in found] == ["findings.lines", "report.placeholders", "stats.grade"], found


# ------------------------------------------------------------------ one way to write a number and an interval's level
def test_numbers_are_written_by_one_module_and_levels_worded_by_one():
    assert formatting.second_formatters(SRC) == []


def test_a_planted_second_formatter_is_found_and_the_formatting_modules_are_not(package):
    plant(package / "report" / "sof.py", '\n\ndef _rate(x):\n    return f"{x:.1f}%"\n')
    plant(package / "report" / "figures" / "forest.py", '\n\nHEAD = "effect [95% CI]"\n')
    plant(package / "findings" / "lines.py", '\n\ndef _two(x):\n    return format(x, ".2f")\n')
    plant(package / "stats" / "meta.py", '\n\ndef _p(p):\n    return "p = %.3g" % p\n')
    plant(package / "report" / "words.py", '\n\ndef _share(x):\n    return "{:.0%} of them".format(x)\n')
    plant(package / "report" / "numbers.py", '\n\ndef _third(x):\n    return f"{x:.3f}"\n')
    plant(package / "report" / "methods.py", '\n\nNINETY = "90% CI"\n')
    plant(package / "report" / "cells.py", '\n\ndef _doc():\n    """(95% CI 0.1 to 0.2), explained."""\n')
    found = formatting.second_formatters(package)
    assert [f.split(" (")[0] for f in found] == [
        "findings.lines",
        "report.figures.forest",
        "report.sof",
        "report.words",
        "stats.meta",
    ], found


def test_every_report_table_is_built_by_one_builder():
    assert formatting.tables_outside_builder(SRC) == []


def test_a_planted_table_outside_the_builder_is_found_and_the_builder_is_not(package):
    plant(package / "report" / "sof.py", '\n\ndef _cell(x):\n    return f"<td>{x}</td>"\n')
    plant(package / "report" / "sections" / "harms.py", "\n\nHEAD = '<table class=\"evidence-table\">'\n")
    plant(package / "report" / "html.py", '\n\ndef _row(x):\n    return f"<tr>{x}</tr>"\n')
    plant(package / "report" / "cells.py", '\n\ndef _doc():\n    """Builds no <table>, says so."""\n')
    found = formatting.tables_outside_builder(package)
    assert [f.split(" (")[0] for f in found] == ["report.sections.harms", "report.sof"], found


def test_a_study_interval_s_quantile_is_stated_once():
    assert formatting.typed_quantiles(SRC) == []


def test_a_planted_quantile_is_found_typed_or_computed(package):
    plant(package / "findings" / "results.py", "\n\ndef _lo(y, se):\n    return y - 1.959963984540054 * se\n")
    plant(package / "report" / "figures" / "forest.py", "\n\nZ = 1.96\n")
    plant(package / "stats" / "grade.py", "\n\nfrom scipy import special\nZ = special.ndtri(0.975)\n")
    plant(package / "stats" / "effects.py", "\n\nZ = 1.96\n")
    found = formatting.typed_quantiles(package)
    assert [f.split(" (")[0] for f in found] == ["findings.results", "report.figures.forest", "stats.grade"], found


# ------------------------------------------------------------------ design codes: the schema's, read in one module
def design_codes() -> frozenset[str]:
    from helpers.data.schema import load_schema

    return frozenset(load_schema().enum("design"))


def test_no_module_lists_design_codes_but_the_vocabulary():
    assert contract.design_lists(SRC, design_codes()) == []


def test_a_planted_list_of_design_codes_is_found_and_one_code_or_the_vocabulary_is_not(package):
    plant(package / "report" / "placeholders.py", '\nRANDOMIZED = ("rct", "crossover_rct")\n')
    plant(
        package / "stats" / "grade.py",
        '\n\ndef _reviews(r):\n    return r["design"].isin(["meta_analysis", "review"])\n',
    )
    plant(package / "report" / "statements.py", '\nNOUNS = {"case_series": "series", "single_arm_trial": "trial"}\n')
    plant(package / "findings" / "lines.py", '\n\ndef _x(d):\n    return d in {"crossover", "controlled_cohort"}\n')
    # negative controls: one design code among other codes, and the vocabulary module itself
    plant(package / "stats" / "pooling.py", '\nOTHER = ("article_claim", "meta_analysis", "no_variance")\n')
    plant(package / "data" / "vocabulary.py", '\nKNOWN = ("rct", "crossover_rct")\n')
    found = contract.design_lists(package, design_codes())
    assert [f.split(" (")[0] for f in found] == [
        "findings.lines",
        "report.placeholders",
        "report.statements",
        "stats.grade",
    ], found
    assert "lists the design codes crossover_rct, rct" in found[1]
