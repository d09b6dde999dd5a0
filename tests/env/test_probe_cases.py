"""Every case the reliability probe of version 1.0.0 judged bad or a crash is re-run by a named test.

The probe (shared/reviews/reliability-probe.md beside the repository, where it is laid) lists its cases by
number; this map names the test that re-runs each one now. A renamed or deleted test, or a case left out,
fails here.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from helpers.paths import ROOT

TESTS = ROOT / "tests"
PROBE = ROOT.parent / "shared" / "reviews" / "reliability-probe.md"

#: probe case -> (test file, test function) that re-runs it
CASES = {
    7: ("data/test_strict_parse.py", "test_probe_cases_end_in_one_line"),  # "16\n" in n_ketamine
    8: ("data/test_strict_parse.py", "test_probe_cases_end_in_one_line"),  # Arabic-Indic digits
    9: ("data/test_strict_parse.py", "test_every_check_refuses_what_its_conversion_would_lose"),  # in number columns
    10: ("data/test_strict_parse.py", "test_probe_cases_end_in_one_line"),  # study_id ending in a newline
    19: ("data/test_strict_parse.py", "test_case_19_absurd_magnitude_is_refused_without_overflow_warnings"),
    24: ("data/test_strict_parse.py", "test_probe_cases_end_in_one_line"),  # NUL in a text cell
    26: ("data/test_strict_parse.py", "test_probe_cases_end_in_one_line"),  # a 200,000-character cell
    27: ("data/test_strict_parse.py", "test_probe_cases_end_in_one_line"),  # a 23-digit integer
    34: ("report/test_figures.py", "test_a_citation_that_looks_like_a_formula_is_drawn_as_text"),
    35: ("data/test_spreadsheet.py", "test_a_formula_without_a_saved_value_is_refused_by_cell"),
    36: ("data/test_spreadsheet.py", "test_a_formula_without_a_saved_value_is_refused_by_cell"),
    39: ("data/test_spreadsheet.py", "test_a_sheet_name_may_hold_a_hash"),
    40: ("data/test_spreadsheet.py", "test_a_hidden_first_sheet_is_not_read_silently"),
    45: ("data/test_spreadsheet.py", "test_a_damaged_workbook_ends_in_one_line"),
    46: ("data/test_table_cache.py", "test_a_csv_renamed_xlsx_is_refused_whether_or_not_the_cache_is_warm"),
    47: ("data/test_spreadsheet.py", "test_a_value_far_right_is_reported_by_cell_at_a_bounded_cost"),
    50: ("data/test_spreadsheet.py", "test_a_number_shown_as_a_percentage_is_refused"),
    58: ("render/test_outfolder.py", "test_the_repository_and_its_sources_are_refused"),  # --out data
    59: ("render/test_outfolder.py", "test_the_repository_and_its_sources_are_refused"),  # --out .
    60: (
        "render/test_outfolder.py",
        "test_a_folder_with_files_no_build_made_is_refused_and_an_empty_or_report_folder_is_not",
    ),
    61: ("render/test_outfolder.py", "test_the_folder_holding_the_study_table_is_refused"),
    63: ("render/test_outfolder.py", "test_a_one_condition_build_keeps_the_other_conditions_and_the_users_files"),
    70: ("data/test_revision_faults.py", "test_tables_the_revision_cannot_give_are_not_compared_each_in_one_line"),
    77: ("render/test_outfolder.py", "test_relative_paths_are_taken_from_the_current_folder_and_said"),
    79: ("render/test_outfolder.py", "test_a_copy_of_the_repository_under_an_odd_path_builds"),  # and the kernel test
    84: ("render/test_outfolder.py", "test_a_low_open_file_limit_is_raised_or_named"),
    92: ("render/test_outfolder.py", "test_a_damaged_notebook_is_named_in_one_line"),
    94: ("data/test_table_cache.py", "test_a_planted_entry_with_a_valid_digest_but_not_a_table_is_a_miss"),
    95: ("data/test_table_cache.py", "test_no_flipped_bit_loads_other_data_or_raises"),
    97: ("render/test_outputs_cache.py", "test_a_tampered_entry_is_discarded_and_the_report_runs_on_a_kernel"),
    98: ("render/test_outfolder.py", "test_a_damaged_state_is_set_aside_in_one_line"),
    102: ("render/test_outputs_cache.py", "test_a_tampered_entry_is_discarded_and_the_report_runs_on_a_kernel"),
}


@cache
def functions_of(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def cases_judged_bad(text: str) -> set[int]:
    """The case numbers of the probe's rows whose last column (the verdict) says bad or crash."""
    found = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[0].isdigit() and re.search(r"\b(bad|crash)\b", cells[-1]):
            found.add(int(cells[0]))
    return found


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_is_re_run_by_a_test_that_exists(case):
    file, function = CASES[case]
    assert function in functions_of(TESTS / file), f"case {case}: no {function} in tests/{file}"


def test_every_case_judged_bad_or_a_crash_has_a_test():
    if not PROBE.is_file():
        pytest.skip(f"the probe is not laid beside the repository ({PROBE})")
    judged = cases_judged_bad(PROBE.read_text(encoding="utf-8"))
    assert len(judged) == 32  # 23 bad and 9 crashes, as its summary counts them
    assert judged - set(CASES) == set(), "cases without a test"


def test_the_verdict_reader_reads_rows_not_prose():  # negative control of the parser above
    table = "| 7 | `n_ketamine` | 0 | valid | n/a | **bad (silent loss)** |\n| 8 | x | 0 | fine | n/a | good |\n"
    assert cases_judged_bad(table + "Case 9 was bad, in prose.\n") == {7}
