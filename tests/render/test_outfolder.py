"""A build removes only what a build made, into a folder it may use; paths are data; faults end in one line.

Each class of the reliability probe (W1, W3, W8, a damaged state file, left-over staging, a damaged
notebook, relative paths, --jobs 0, the open-file limit) with a negative control.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from helpers.errors import ParameterError
from helpers.paths import ROOT, STUDIES_PATH
from helpers.render.build import BuildError, build, check_notebooks, raise_open_file_limit
from helpers.render.jobs import STATE_FILE
from helpers.render.outfolder import DAMAGED_STATE, OutputFolderError, check_out_folder, load_state, recorded_paths
from helpers.render.publish import publish
from helpers.report.params import resolve_data_path
from support.notebooks import make_notebook

OK = 'from IPython.display import Markdown\nMarkdown(f"report for **{condition}**")'
#: a folder name a real user has: an accent, spaces, parentheses, a quote and an ampersand
ODD = "Jürgen (copy) l'été & co"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ which folders a build may publish into
@pytest.mark.parametrize(
    "where",
    [ROOT, ROOT.parent, ROOT / "data", ROOT / "data" / "schemas", ROOT / "src", ROOT / "notebooks", ROOT / "tests"],
    ids=["root", "above-root", "data", "data-sub", "src", "notebooks", "tests"],
)
def test_the_repository_and_its_sources_are_refused(where):
    with pytest.raises(OutputFolderError, match="refused") as err:
        check_out_folder(where)
    assert "\n" not in str(err.value)


def test_the_folder_holding_the_study_table_is_refused(tmp_path):
    table = tmp_path / "review" / "extraction.xlsx"
    table.parent.mkdir()
    table.write_bytes(b"PK")
    for out in (table.parent, tmp_path):  # the table's folder, and any folder above it
        with pytest.raises(OutputFolderError, match="holds the study table"):
            check_out_folder(out, f"{table}#Studies")
    # negative control: a new folder beside the table is fine
    assert check_out_folder(table.parent / "reports", table) == (table.parent / "reports").resolve()


def test_a_folder_with_files_no_build_made_is_refused_and_an_empty_or_report_folder_is_not(tmp_path):
    docs = tmp_path / "mydocs"
    (docs / "photos").mkdir(parents=True)
    (docs / "thesis.docx").write_text("years of work")
    (docs / "README.md").write_text("mine")
    with pytest.raises(OutputFolderError, match=r"no build of this project made \(photos/, thesis.docx\)"):
        check_out_folder(docs)
    assert files(docs) == {"README.md": b"mine", "thesis.docx": b"years of work"}
    # negative controls: missing, empty, a README alone, and a folder a build wrote are accepted
    (tmp_path / "empty").mkdir()
    (tmp_path / "readme").mkdir()
    (tmp_path / "readme" / "README.md").write_text("x")
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "index.html").write_text("x")
    (tmp_path / "built" / STATE_FILE).write_text("{}")
    for name in ("missing", "empty", "readme", "built"):
        check_out_folder(tmp_path / name)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputFolderError, match="not a folder"):
        check_out_folder(tmp_path / "a-file")


def test_out_is_checked_before_the_table_is_read_or_anything_written(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.docx").write_text("years of work")
    with pytest.raises(OutputFolderError):
        build(conditions=["migraine"], out=docs)
    assert files(docs) == {"thesis.docx": b"years of work"}  # no lock file, no staging folder


# ------------------------------------------------------------------ publishing replaces only what was recorded
def staged(tmp_path: Path, names: dict[str, str]) -> Path:
    staging = tmp_path / "out" / ".staging-0000abcd"
    for rel, text in names.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text)
    return staging


def test_publish_replaces_recorded_files_and_leaves_every_other_file(tmp_path):
    out = tmp_path / "out"
    (out / "migraine").mkdir(parents=True)
    (out / "neck").mkdir()
    (out / "migraine" / "00.html").write_text("old migraine")
    (out / "neck" / "00.html").write_text("old neck")  # recorded: the last build made it
    (out / "notes.txt").write_text("the user's")  # never recorded
    (out / "migraine" / "mine.txt").write_text("the user's too")
    staging = staged(tmp_path, {"migraine/00.html": "new migraine", "index.html": "index"})
    published = publish(staging, out, {"migraine/00.html", "neck/00.html"})
    assert published == ["index.html", "migraine/00.html"]
    assert files(out) == {
        "index.html": b"index",
        "migraine/00.html": b"new migraine",
        "migraine/mine.txt": b"the user's too",
        "notes.txt": b"the user's",
    }
    # negative control: the recorded report that was not published again is gone, with its emptied folder
    assert not (out / "neck").exists()
    assert not list(out.glob(".staging-*")) and not list(out.glob(".trash-*"))


def test_recorded_paths_never_leave_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "outside").mkdir()
    (out / "link").symlink_to(tmp_path / "outside")
    state = {"published": ["index.html", "../secret", "/etc/passwd", "link/x.html", "a/../../b", "README.md"]}
    assert recorded_paths(state, out) == {"index.html"}


def test_a_state_from_version_1_records_its_reports_figures_and_tables(tmp_path):
    out = tmp_path / "out"
    (out / "figures" / "neck" / "02_effect_sizes").mkdir(parents=True)
    (out / "figures" / "neck" / "02_effect_sizes" / "forest.png").write_bytes(b"png")
    state = {"reports": {"neck/02_effect_sizes.html": {"key": "k"}}, "data_outputs": {"files": ["tables/x.csv"]}}
    assert recorded_paths(state, out) == {
        "index.html",
        "neck/02_effect_sizes.html",
        "tables/x.csv",
        "figures/neck/02_effect_sizes/forest.png",
    }


# ------------------------------------------------------------------ a damaged state file
@pytest.mark.parametrize(
    "content",
    [b'{"reports": {"a.html": {"key"', b"\x89PNG\x00\xff\xfe", b'{"reports": []}', b"[1, 2]", b'{"published": 3}'],
    ids=["truncated", "binary", "reports-a-list", "not-an-object", "published-not-a-list"],
)
def test_a_damaged_state_is_set_aside_in_one_line(tmp_path, capsys, content):
    (tmp_path / STATE_FILE).write_bytes(content)
    assert load_state(tmp_path) == {}  # before the lock: only not trusted
    assert (tmp_path / STATE_FILE).exists()
    assert load_state(tmp_path, set_aside=True) == {}
    said = capsys.readouterr().out.strip()
    assert "\n" not in said and "could not be read" in said and DAMAGED_STATE in said
    assert not (tmp_path / STATE_FILE).exists() and (tmp_path / DAMAGED_STATE).read_bytes() == content


def test_a_sound_state_is_read_as_it_is(tmp_path):  # negative control of the damage check
    state = {"reports": {"all/01.html": {"key": "k"}}, "data_outputs": {"files": [], "answers": []}, "published": []}
    (tmp_path / STATE_FILE).write_text(json.dumps(state))
    assert load_state(tmp_path, set_aside=True) == state and (tmp_path / STATE_FILE).exists()


# ------------------------------------------------------------------ builds into a folder other builds wrote
@pytest.fixture(scope="module")
def two_conditions(tmp_path_factory, builds):
    """Reports of two conditions, from two quick notebooks, published once for the module."""
    base = tmp_path_factory.mktemp("two")
    make_notebook(base / "nbs", "01_first", [OK])
    make_notebook(base / "nbs", "02_second", [OK])
    out = base / "out"
    res = builds.build("--notebooks", base / "nbs", "--out", out, "--condition", "neck_pain", "--condition", "migraine")
    assert res.returncode == 0, res.stderr
    return base / "nbs", out


@pytest.mark.kernel
def test_a_one_condition_build_keeps_the_other_conditions_and_the_users_files(tmp_path, two_conditions, builds):
    nbs, published_once = two_conditions
    out = tmp_path / "out"
    shutil.copytree(published_once, out)
    (out / "my-notes.txt").write_text("kept")
    neck = {rel: data for rel, data in files(out).items() if rel.startswith(("neck_pain/", "figures/neck_pain"))}
    assert "neck_pain/01_first.html" in neck
    make_notebook(nbs.parent / "edited", "01_first", [OK + "\nprint('edited')"])
    shutil.copy(nbs / "02_second.ipynb", nbs.parent / "edited")
    res = builds.build("--notebooks", nbs.parent / "edited", "--out", out, "--condition", "migraine")
    assert res.returncode == 0, res.stderr
    assert "2 of other conditions kept" in res.stdout
    after = files(out)
    assert {rel: after.get(rel) for rel in neck} == neck  # every file of the other condition, byte for byte
    assert after["my-notes.txt"] == b"kept"
    assert b"edited" in after["migraine/01_first.html"]  # negative control: the asked condition was rebuilt
    index = after["index.html"].decode()
    assert "neck_pain/01_first.html" in index and "migraine/01_first.html" in index
    state = json.loads(after[STATE_FILE])
    assert {"neck_pain/01_first.html", "migraine/01_first.html"} <= set(state["reports"])
    assert "my-notes.txt" not in state["published"] and "neck_pain/01_first.html" in state["published"]


@pytest.mark.kernel
def test_a_damaged_state_never_blocks_the_next_build(tmp_path, two_conditions, builds):
    nbs, published_once = two_conditions
    out = tmp_path / "out"
    shutil.copytree(published_once, out)
    (out / STATE_FILE).write_bytes(b'{"reports": []}')
    args = ("--notebooks", nbs, "--out", out, "--condition", "migraine")
    for _ in range(2):  # the damaged one is set aside, and the one written next is read
        res = builds.build(*args)
        assert res.returncode == 0, res.stderr
        assert "Traceback" not in res.stderr
    assert "could not be read" in res.stdout or "up to date" in res.stdout
    assert (out / DAMAGED_STATE).read_bytes() == b'{"reports": []}'
    assert "migraine/01_first.html" in json.loads((out / STATE_FILE).read_text())["reports"]


@pytest.mark.kernel
def test_an_up_to_date_build_removes_what_an_interrupted_build_left(tmp_path, two_conditions, builds):
    nbs, published_once = two_conditions
    out = tmp_path / "out"
    shutil.copytree(published_once, out)
    (out / ".staging-0123abcd" / "neck_pain").mkdir(parents=True)  # as SIGHUP left it in version 1.0.0
    res = builds.build("--notebooks", nbs, "--out", out, "--condition", "neck_pain", "--condition", "migraine")
    assert res.returncode == 0 and "up to date" in res.stdout, res.stdout + res.stderr
    assert "left by a build that did not finish" in res.stdout and not list(out.glob(".staging-*"))


@pytest.mark.kernel
def test_odd_characters_in_paths_are_data(tmp_path, builds):
    """Accents, spaces, parentheses, quotes and & in the table's, the notebooks' and the output's paths: the
    kernels resolve the path they are given (version 1.0.0 refused it inside every kernel)."""
    odd = tmp_path / ODD
    table = odd / "data" / "studies.csv"
    table.parent.mkdir(parents=True)
    shutil.copy(STUDIES_PATH, table)
    make_notebook(
        odd / "nbs",
        "01_reads_the_table",
        ["from helpers.report.params import resolve_data_path\n" + OK + " if resolve_data_path(data_path) else None"],
    )
    res = builds.build("--notebooks", odd / "nbs", "--data", table, "--out", odd / "reports", "--condition", "migraine")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (odd / "reports" / "migraine" / "01_reads_the_table.html").is_file()


def test_a_path_with_odd_characters_is_accepted_and_a_missing_one_is_named(tmp_path):
    table = tmp_path / ODD / 'table "v2".csv'
    table.parent.mkdir()
    shutil.copy(STUDIES_PATH, table)
    assert resolve_data_path(str(table)) == table.resolve()
    with pytest.raises(ParameterError, match="no such file"):  # negative control
        resolve_data_path(str(table.with_name("other.csv")))


# ------------------------------------------------------------------ relative paths on the command line
def test_relative_paths_are_taken_from_the_current_folder_and_said(tmp_path, monkeypatch, capsys):
    from helpers.cli import paths_from_here

    (tmp_path / "data").mkdir()
    shutil.copy(STUDIES_PATH, tmp_path / "data" / "studies.csv")
    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(data="data/studies.csv", out="relout", notebooks=None)
    paths_from_here(args)
    assert args.data == str(tmp_path / "data" / "studies.csv")  # not the repository's table of the same name
    assert args.out == str(tmp_path / "relout")
    said = capsys.readouterr().err
    assert f"taken from the current folder, {tmp_path / 'data' / 'studies.csv'}" in said
    missing = argparse.Namespace(data="data/other.csv", out=None, notebooks=None)
    with pytest.raises(ParameterError, match="no such file in the current folder"):  # never looked for elsewhere
        paths_from_here(missing)


# ------------------------------------------------------------------ faults before any work, in one line
@pytest.mark.parametrize(
    "text", ['{"cells": [', '{"cells": "nope"}', "\xff\xfe"], ids=["truncated", "wrong-shape", "not-text"]
)
def test_a_damaged_notebook_is_named_in_one_line(tmp_path, text):
    path = tmp_path / "02_effect_sizes.ipynb"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(BuildError, match="02_effect_sizes.ipynb: not a readable notebook") as err:
        check_notebooks([path])
    assert "\n" not in str(err.value)
    check_notebooks(sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))  # negative control


def test_jobs_zero_is_refused_not_taken_as_the_default():
    with pytest.raises(BuildError, match="--jobs must be at least 1"):
        build(conditions=["migraine"], jobs=0)


def test_a_low_open_file_limit_is_raised_or_named(monkeypatch):
    import resource

    limits = {"soft": 48, "hard": 100000}
    monkeypatch.setattr(resource, "getrlimit", lambda _: (limits["soft"], limits["hard"]))
    monkeypatch.setattr(resource, "setrlimit", lambda _, value: limits.update(soft=value[0]))
    raise_open_file_limit()
    assert limits["soft"] == 4096  # ZeroMQ aborted the whole build at 48 (probe case 84)
    limits.update(soft=48, hard=64)
    with pytest.raises(BuildError, match="ulimit -n 256"):
        raise_open_file_limit()


@pytest.mark.slow  # five real reports on fresh kernels (make test-slow; CI runs it)
@pytest.mark.process
def test_a_copy_of_the_repository_under_an_odd_path_builds(tmp_path):
    """The repository itself under ~/Jürgen (copy)/... (version 1.0.0: "5 of 5 reports failed")."""
    import os

    from support.commands import run_helpers

    copy = tmp_path / ODD / "repo"
    copy.mkdir(parents=True)
    for name in ("pyproject.toml", "requirements.lock", "CHANGELOG.md", "data", "src", "notebooks"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, copy / name)
    env = dict(os.environ, PYTHONPATH=str(copy / "src"), HELPERS_ROOT="")
    res = run_helpers("build", "--condition", "migraine", "--isolated", cwd=copy, env=env, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(list((copy / "reports" / "migraine").glob("*.html"))) == 5
