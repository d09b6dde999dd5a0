"""Problems a user can cause, reported all at once with file, line, column and value."""

from __future__ import annotations

from dataclasses import dataclass

from .paths import display_path

MAX_SHOWN_VALUE = 120


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule in one cell (or one file-level problem)."""

    line: int | None
    column: str | None
    value: str | None
    expected: str
    rule: str

    def where(self) -> list[str]:
        """Where the problem is, after the file name: the line and the column."""
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return where

    def describe(self, file: str) -> str:
        text = ", ".join([file, *self.where()])
        if self.value is not None:
            text += f": value {_show(self.value)}"
        return f"{text}: expected {self.expected} [{self.rule}]"


def _show(value: str) -> str:
    value = str(value)
    if len(value) > MAX_SHOWN_VALUE:
        value = value[:MAX_SHOWN_VALUE] + f"... ({len(value)} characters)"
    return repr(value)


class HelpersError(Exception):
    """An error caused by user input: printed as a message, never as a traceback."""

    def _render_traceback_(self) -> list[str]:
        """IPython's hook (a notebook, JupyterLab): the message alone, not a traceback through the package."""
        return [f"{type(self).__name__}: {line}" if i == 0 else line for i, line in enumerate(str(self).splitlines())]


class TableError(HelpersError):
    """The study table is invalid; carries every problem found."""

    def __init__(self, path, problems: list[Problem]):
        self.path = path
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.column or "", p.rule))
        super().__init__(self.report())

    def report(self, limit: int = 200) -> str:
        file = display_path(self.path)
        n = len(self.problems)
        head = f"{file}: {n} problem{'s' if n != 1 else ''} found"
        lines = [head] + ["  " + p.describe(file) for p in self.problems[:limit]]
        if n > limit:
            lines.append(f"  ... and {n - limit} more")
        return "\n".join(lines)


class ParameterError(HelpersError):
    """A report parameter has a value that is not allowed."""
