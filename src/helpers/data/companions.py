"""The tables kept beside a study table, and which of them need another to make sense.

A study table may have companions in its own folder, each with a schema in
``data/schemas/``: ``search_log.csv`` and ``screening.csv`` (how the evidence
was found), and the appraisal tables.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import STUDIES_PATH

#: companion tables, in the order they are checked
COMPANIONS = (
    "search_log",
    "screening",
    "followups",
    "registrations",
    "risk_of_bias",
    "review_appraisal",
    "questions",
    "certainty",
    "claims",
    "answers",
)
#: companions that need another one to make sense
REQUIRES = {
    "screening": "search_log",
    "search_log": "screening",
    "certainty": "risk_of_bias",
    "followups": "screening",
    "answers": "questions",
}


def companion_paths(study_path: Path | str | None = None) -> dict[str, Path]:
    """The companion tables present beside a study table."""
    folder = Path(study_path or STUDIES_PATH).resolve().parent
    return {name: folder / f"{name}.csv" for name in COMPANIONS if (folder / f"{name}.csv").is_file()}


def all_input_files(study_path: Path | str | None = None) -> list[Path]:
    """The study table and its companions: every data file a report depends on."""
    path = Path(study_path or STUDIES_PATH).resolve()
    return [path, *companion_paths(path).values()]
