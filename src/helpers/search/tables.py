"""The data tables as the command changes them: read as text with the project's CSV reader, rows appended (the file
above them kept byte for byte) or, for the registrations, rewritten; then staged, the whole data set validated as
it will be, and only then every changed file put in place, so that a failure leaves every table as it was."""

from __future__ import annotations

import csv
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..data.csvfile import read_text, records
from ..data.dataset import load_dataset
from ..data.loader import load_table
from ..data.schema import load_schema
from ..errors import HelpersError
from ..paths import display_path


@dataclass
class RawTable:
    path: Path
    name: str
    header: list[str]
    rows: list[dict]
    text: str = ""
    appended: list[dict] = field(default_factory=list)
    rewritten: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.appended) or self.rewritten or not self.path.exists()

    def append(self, row: dict) -> None:
        self.appended.append(row)

    def all_rows(self) -> list[dict]:
        return self.rows + self.appended

    def render(self) -> str:
        """The file's new text: the old text with the new rows below it, or every row again when rewritten."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if self.rewritten or not self.text:
            writer.writerow(self.header)
            rows = self.all_rows()
            head = ""
        else:
            rows = self.appended
            head = self.text if self.text.endswith("\n") else self.text + "\n"
        for row in rows:
            writer.writerow([row.get(c, "") for c in self.header])
        return head + out.getvalue()


def read(path: Path, name: str, validate: bool = True) -> RawTable:
    """A table's rows as text, in its own columns; a table with rows is validated first (line and column of
    every problem). A missing file is an empty table in its schema's columns."""
    if not path.exists():
        return RawTable(path, name, load_schema(name).names, [])
    text = read_text(path)
    rows = list(records(text))
    header = rows[0] if rows else load_schema(name).names
    body = [r for r in rows[1:] if r]
    if body and validate:
        load_table(path, name)
    return RawTable(path, name, header, [dict(zip(header, r)) for r in body], text)


def commit(folder: Path, tables: list[RawTable]) -> list[Path]:
    """Put every changed table in place, after validating the data set as it will be; nothing when one fails."""
    changed = [t for t in tables if t.changed]
    if not changed:
        return []
    staging = folder / f".search-staging-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    try:
        for t in changed:
            (staging / t.path.name).write_text(t.render(), encoding="utf-8")
        for p in folder.glob("*.csv"):  # the rest of the data set, to check the references between tables
            if not (staging / p.name).exists():
                shutil.copy2(p, staging / p.name)
        check(staging, changed)
        for t in changed:  # each rename is atomic; all of them come after every check passed
            os.replace(staging / t.path.name, t.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [t.path for t in changed]


def check(staging: Path, changed: list[RawTable]) -> None:
    try:
        if (staging / "studies.csv").exists():
            load_dataset(staging / "studies.csv")
        for t in changed:
            if t.name not in ("search_log", "screening") and t.all_rows():
                load_table(staging / t.path.name, t.name)
    except HelpersError as exc:
        where = ", ".join(display_path(t.path) for t in changed)
        raise HelpersError(
            f"search: the new rows would not be valid, so nothing was written to {where}:\n{exc}"
        ) from None
