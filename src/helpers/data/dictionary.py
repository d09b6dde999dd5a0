"""Generate the data dictionary (data/README.md) from data/schema.json."""

from __future__ import annotations

from pathlib import Path

from ..paths import DATA, display_path
from .companions import COMPANIONS
from .schema import EXTENSION, Schema, load_schema

DICTIONARY_PATH = DATA / "README.md"

INTRO = """\
# The study table: data dictionary

<!-- Generated from data/schema.json by `python -m helpers dictionary`; do not edit by hand. -->

`data/studies.csv` is an extraction sheet: one row per study x condition x
outcome x time point, UTF-8, comma-separated, with a header row. It holds two
kinds of rows, told apart by `source` and `verification`:

- **the source article's claims** (`source = seed_article`): the six studies
  the article cites. None could be located in the literature, so every such
  row is `verification = not_found`. They are kept so that the article can be
  compared with the evidence, and every chart marks them as unverified claims.
- **published evidence** (`source = literature`): studies located in the
  literature, each with a DOI or PMID and the page its numbers were checked
  against (`source_url`).

An empty cell means "not reported" or "not confirmed". It is never a guess.

The machine-readable schema is `data/schema.json` (a Frictionless Table
Schema). The validator (`python -m helpers validate`), the column types the
loader returns and this page are all derived from it.
"""

HOW_TO_ADD = """\
## How to add a study

1. Find the paper and open its abstract or full text (PubMed, doi.org, PMC).
2. Add one row per condition x outcome x time point. Give every row of the
   study the same `study_id`, `citation`, `year`, `source` and `verification`.
3. Copy numbers only from the page you read, and put its address in
   `source_url`. Express differences as ketamine minus comparator, in the
   outcome's own unit, and say in `better` which direction is good for the
   patient. Leave a cell empty rather than estimating it.
4. Set `verification = verified` only when every number in the row was
   checked against that page; the row then needs a `doi` or a `pmid`.
5. Run `python -m helpers validate` (or `make validate`). It lists every
   problem with its line and column; fix them and run it again.
6. Run `make notebooks` to refresh the committed notebooks, then `make test`.
"""


COMPANION_INTRO = """\
Each table below has its own schema in `data/schemas/`, written in the same
Table Schema style as the study table; `python -m helpers validate` checks every
table against its schema and then the references between them (every
screening record names a search of the log, every included record has rows in
the study table and every published study an included record, every study an
appraisal row, every certainty line real rows behind it, every article claim a
check). The scope that decides inclusion is in [`protocol.md`](protocol.md).
"""


def _constraints(f, raw_fields: list) -> str:
    parts = []
    if f.required:
        parts.append("required")
    if f.enum:
        parts.append("one of " + ", ".join(f"`{v}`" for v in f.enum))
    if f.pattern:
        parts.append(f"pattern `{f.pattern}`")
    if f.exclusive_minimum is not None:
        parts.append(f"> {f.exclusive_minimum:g}")
    if f.minimum is not None:
        parts.append(f">= {f.minimum:g}")
    raw_field = next(x for x in raw_fields if x["name"] == f.name)
    raw_max = {**raw_field.get("constraints", {}), **raw_field.get(EXTENSION, {})}.get("maximum")
    if raw_max == "current_year":
        parts.append("<= the current year")
    elif f.maximum is not None:
        parts.append(f"<= {f.maximum:g}")
    if f.max_length:
        parts.append(f"at most {f.max_length} characters")
    return "; ".join(parts)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _table(schema: Schema, level: str) -> list[str]:
    out = ["Columns marked **contract** are relied on by other tools and never renamed.", ""]
    out.append("| column | label | type | unit | constraints | description |")
    out.append("|---|---|---|---|---|---|")
    titles = {x["name"]: x.get("title", "") for x in schema.raw["fields"]}
    for f in schema.fields:
        name = f"`{f.name}`" + (" **contract**" if f.name in schema.contract_columns else "")
        out.append(
            f"| {name} | {_escape(titles.get(f.name, ''))} | {f.type} | {f.unit or ''} | "
            f"{_escape(_constraints(f, schema.raw['fields']))} | {_escape(f.description)} |"
        )
    user = schema.raw.get("userColumns")
    if user:
        out.append("")
        out.append("## Columns of your own")
        out.append("")
        out.append(f"Besides these, a table may have columns named to match `{user['pattern']}`. {user['description']}")
    out.append("")
    if any(f.enum and f.enum_descriptions for f in schema.fields):
        out.append(f"{level} Allowed values")
        for f in schema.fields:
            if f.enum and f.enum_descriptions:
                out += ["", f"{level}# `{f.name}`", ""]
                for value in f.enum:
                    out.append(f"- `{value}`: {f.enum_descriptions.get(value, '')}".rstrip(": "))
        out.append("")
    out += [f"{level} Rules across columns", ""]
    out.append(
        f"The key `({', '.join(schema.primary_key)})` is unique. Besides the per-column constraints above, the validator expects:"
    )
    out.append("")
    for rule in schema.rules:
        out.append(f"- `{rule.id}`: {rule.description}")
    out.append("")
    return out


def render(schema: Schema | None = None) -> str:
    schema = schema or load_schema()
    out = [INTRO, "## Columns", ""] + _table(schema, "##")
    out.append(HOW_TO_ADD)
    out += ["## The tables beside the study table", "", COMPANION_INTRO]
    for name in COMPANIONS:
        s = load_schema(name)
        out += [
            f"### `{s.raw.get('path', name + '.csv')}`: {s.title}",
            "",
            s.raw.get("description", ""),
            "",
            f"Schema: `{s.source}`.",
            "",
        ]
        out += _table(s, "####")
    return "\n".join(out).rstrip() + "\n"


def write_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path


def check_dictionary(path: Path = DICTIONARY_PATH) -> str | None:
    """None when the file matches the schema, else a message saying how to fix it."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current != render():
        return f"{display_path(path)} is out of date with data/schema.json or data/schemas/: run `python -m helpers dictionary`"
    return None
