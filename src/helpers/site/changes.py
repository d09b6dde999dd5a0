"""What changed in the evidence, in words: for ``python -m helpers changes`` and the index's "What changed".

One wording for both: :func:`change_sections` gives (heading, lines) in plain text; the command prints them
and the index escapes them. Study keys are named as citations, codes in words, fields by their schema labels.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..data.changes import DataChanges, data_changes, field_title, short_rev
from ..data.dataset import DataSetError, load_dataset
from ..data.schema import load_schema
from ..data.vocabulary import outcome_words
from ..errors import TableError
from ..paths import ROOT
from ..report.bottom_line import index_answers, index_harms
from ..report.html import esc
from ..report.names import short_name
from ..report.numbers import human_duration
from ..report.params import condition_label
from ..report.text import plural

TABLE_WORDS = {
    "studies": "study table",
    "search_log": "search log",
    "screening": "screening record",
    "followups": "follow-ups of screened protocols and registrations",
    "registrations": "registered trials",
    "risk_of_bias": "risk-of-bias judgements",
    "review_appraisal": "AMSTAR 2 appraisal of the reviews",
    "certainty": "GRADE certainty judgements",
    "claims": "verdicts on the source article's claims",
}
_TAG = re.compile(r"<[^>]+>")


def _value(table: str, column: str, value) -> str:
    if value is None or value == "":
        return "not given"
    try:
        field = load_schema(table)[column]
    except KeyError:
        return str(value)
    if field.enum:
        return field.label(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _key_words(key: tuple, columns: tuple[str, ...], names: dict[str, str]) -> str:
    parts = []
    for col, part in zip(columns, key):
        if not part:
            continue
        if col in ("study_id", "seed_study_id"):
            parts.append(names.get(part, part))
        elif col == "followup_days":
            parts.append(human_duration(float(part)))
        elif col == "outcome":
            parts.append(outcome_words(part))
        elif col == "condition":
            parts.append(condition_label(part))
        else:
            parts.append(part.replace("_", " "))
    return ", ".join(parts)


def _names(ch: DataChanges) -> dict[str, str]:
    names = {}
    for sid, citation in ch.studies_added + ch.studies_removed:
        names[sid] = short_name(citation, "").strip()
    try:
        studies = load_dataset().studies
    except (DataSetError, TableError):
        return names
    first = studies.drop_duplicates("study_id")
    names.update({str(s): short_name(c, y) for s, c, y in zip(first["study_id"], first["citation"], first["year"])})
    return names


def change_sections(ch: DataChanges, answers: list[tuple[str, str, str]] | None = None) -> list[tuple[str, list[str]]]:
    """(heading, lines) of what changed since ``ch.since``; ``answers``: (condition, before, after)."""
    names = _names(ch)
    sections = []
    if ch.studies_added:
        sections.append((f"Studies added ({len(ch.studies_added)})", [c for _, c in ch.studies_added]))
    if ch.studies_removed:
        sections.append((f"Studies removed ({len(ch.studies_removed)})", [c for _, c in ch.studies_removed]))
    for name, diff in ch.tables.items():
        words = TABLE_WORDS.get(name, name.replace("_", " "))
        lines = []
        if diff.not_compared:
            lines.append(f"Not compared: {diff.not_compared}.")
        if diff.added or diff.removed:
            lines.append(f"{plural(len(diff.added), 'row')} added, {len(diff.removed)} removed.")
        for key, column, old, new in diff.changed:
            lines.append(
                f"{_key_words(key, diff.key, names)}: {field_title(name, column)} "
                f"{_value(name, column, old)} \u2192 {_value(name, column, new)}"
            )
        for column in diff.columns_added:
            lines.append(f"New column: {field_title(name, column)}.")
        for column, n in sorted(diff.text_changed.items()):
            lines.append(f"{field_title(name, column).capitalize()}: reworded in {n} {'row' if n == 1 else 'rows'}.")
        if lines:
            sections.append((words[0].upper() + words[1:], lines))
    if answers is not None:
        lines = [
            f"{label.capitalize()}, now: {after} (It said: {before})"
            for label, before, after in answers
            if before != after
        ]
        sections.append(("Short answers", lines or ["Every condition's short answer is as it was."]))
    return sections


#: the index's harms line across the conditions: compared between versions as one more short answer
HARMS_LABEL = "harms across all conditions"


def _compared(answers, harms: str | None) -> dict[str, str]:
    """The short answers a version is compared by, in plain text: each condition's, then the harms line."""
    out = {label: _TAG.sub("", a) for label, a, *_ in answers}
    if harms:
        out[HARMS_LABEL] = _TAG.sub("", harms)
    return out


def answers_before_after(
    ch: DataChanges, root: Path = ROOT, now: list[tuple[str, str, str]] | None = None, now_harms: str | None = None
) -> list[tuple[str, str, str]] | str:
    """(condition, short answer at the revision, short answer now) in plain text, and the harms line across the
    conditions; or why the revision's answers cannot be computed (its tables do not meet today's schemas, which
    the answers are computed with). ``now`` and ``now_harms``: root's answers as :func:`index_answers` gives them
    and its harms line (:func:`index_harms`), when the caller has them already."""
    if ch.folder is None:
        return "the revision's data were not kept"
    try:
        # validated tables are kept by their bytes: a table the revision shares with today is read, not checked again
        then = load_dataset(ch.folder / "studies.csv")
        old = _compared(index_answers(then), index_harms(then))
    except (DataSetError, TableError) as exc:
        count = len(getattr(exc, "errors", [exc]))
        return f"its tables do not meet today's schemas ({count} {'table' if count == 1 else 'tables'} refused)"
    if now is None:
        ds = load_dataset(root / "data" / "studies.csv")
        now, now_harms = index_answers(ds), index_harms(ds)
    new = _compared(now, now_harms)
    return [(label, old.get(label, "no answer then"), new.get(label, "no answer now")) for label in new]


def changes_since(
    rev: str, root: Path = ROOT, answers: list[tuple[str, str, str]] | None = None
) -> list[tuple[str, list[str]]]:
    """Everything the ``changes`` command says about ``rev`` (``answers``: today's, if already computed)."""
    return sections_and_answers(rev, root, answers)[0]


def sections_and_answers(
    rev: str, root: Path = ROOT, now: list[tuple[str, str, str]] | None = None, now_harms: str | None = None
):
    """(what changed since ``rev`` in sections, each condition's (label, answer then, answer now) or None);
    ``now`` and ``now_harms``: today's answers and harms line, if already computed."""
    with tempfile.TemporaryDirectory() as tmp:
        ch = data_changes(rev, root, keep=Path(tmp))
        answers = answers_before_after(ch, root, now, now_harms)
    sections = change_sections(ch, answers if isinstance(answers, list) else None)
    if isinstance(answers, str):
        # a commit's 40 characters do not wrap on a phone: its first 12 name it as well
        shown = short_rev(rev)
        sections.append(("Short answers", [f"Not computed for {shown}: {answers}."]))
    return sections, (answers if isinstance(answers, list) else None)


def changes_text(rev: str, sections: list[tuple[str, list[str]]]) -> str:
    if not sections or all(h == "Short answers" and len(ls) == 1 and "as it was" in ls[0] for h, ls in sections):
        return f"The data have not changed since {rev}."
    out = [f"What changed in the data since {rev}:"]
    for heading, lines in sections:
        out.append(f"\n{heading}")
        out.extend(f"  - {line}" for line in lines)
    return "\n".join(out)


def changes_html(version: str, sections: list[tuple[str, list[str]]]) -> str:
    """The index's "What changed since version X" section."""
    body = "".join(
        f"<h3>{esc(h)}</h3><ul>{''.join(f'<li>{esc(line)}</li>' for line in lines)}</ul>" for h, lines in sections
    )
    return f'<section aria-labelledby="changes-h"><h2 id="changes-h">What changed since version {esc(version)}</h2>{body}</section>'


def version_changes(
    data_path, root: Path = ROOT, answers: list[tuple[str, str, str]] | None = None, harms: str | None = None
):
    """(previous version, sections, answers) of what changed since the shipped data's previous version, computed
    once per build for the index and the feed; None for a table of the user's own or without a previous version.
    ``answers``: the index's answers for the data set at ``data_path``, when the caller computed them (they are
    today's short answers when that is root's study table), and ``harms`` its harms line."""
    from ..data.version import evidence_version

    if Path(str(data_path).split("#")[0]).resolve().parent != (root / "data").resolve():
        return None
    v = evidence_version(root)
    if not v.previous or not v.previous_commit:
        return None
    shipped = Path(str(data_path)).resolve() == (root / "data" / "studies.csv").resolve()
    now = (answers, harms) if shipped and answers is not None else (None, None)
    return (v.previous, *sections_and_answers(v.previous_commit, root, *now))


def version_changes_html(data_path, root: Path = ROOT, changes=None, answers=None) -> str:
    """The index's "What changed since version X", when the shipped data have a previous version (else "");
    ``changes``: :func:`version_changes` already computed; ``answers``: today's, as :func:`version_changes` takes them."""
    changes = changes or version_changes(data_path, root, answers)
    return changes_html(changes[0], changes[1]) if changes else ""
