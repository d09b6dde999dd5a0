"""The "Cite this page" block that ends every published page, read from CITATION.cff and the evidence's version.

Who to credit and the work's title are CITATION.cff's (the one file a reference manager or GitHub also reads);
the site's base address is its ``url`` key, the one place it is set. The version and date are those of the
evidence that built the page: a released version gives its changelog date, data changed since give the date
they last changed and say that they are not a released version (``make release`` prevents that on a published
site). Kept apart from the colophon so that other footer lines are added beside it, not inside it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..data.version import CHANGELOG, ENTRY, evidence_version
from ..paths import DATA, ROOT
from ..report.html import esc

CITATION = ROOT / "CITATION.cff"


@cache
def citation_file(path: Path = CITATION) -> dict:
    """CITATION.cff as a mapping (an empty one where the file is missing or unreadable)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def contributors(cff: dict) -> str:
    """The authors as CITATION.cff names them: a person as "Given Family", an entity by its name."""
    names = []
    for a in cff.get("authors") or []:
        if not isinstance(a, dict):
            continue
        person = " ".join(str(a[k]) for k in ("given-names", "name-particle", "family-names") if a.get(k))
        names.append(person or str(a.get("name", "")).strip())
    names = [n for n in names if n]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def release_date(version: str, changelog: Path = CHANGELOG) -> str | None:
    """The date of ``version``'s changelog heading ("## 1.2.0 - 2026-12-02")."""
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError:
        return None
    return next((date for v, date in ENTRY.findall(text) if v == version and date), None)


def page_address(page: str, cff: dict) -> str:
    """The page's address on the published site: CITATION.cff's ``url`` joined with its path in the reports."""
    base = str(cff.get("url") or "").strip()
    return f"{base.rstrip('/')}/{page}" if base else ""


def cite_html(page: str, title: str, data_path=DATA / "studies.csv", cff: dict | None = None) -> str:
    """The "Cite this page" block of the page at ``page`` (its path inside the published reports, as
    ``migraine/00_bottom_line.html``) titled ``title``."""
    cff = citation_file() if cff is None else cff
    if Path(str(data_path).split("#")[0]).resolve().parent != DATA.resolve():
        return ""  # a table of the researcher's own is not the project's work to cite
    v = evidence_version()
    parts = [contributors(cff), title, cff.get("title", "")]
    if v.version:
        if v.unreleased:
            parts.append(f"Version {v.version} with unreleased changes to its data ({v.data_date or 'undated'})")
        else:
            parts.append(f"Version {v.version}")
            date = release_date(v.version)
            if date:
                parts.append(date)
    text = ". ".join(esc(str(p).rstrip(".")) for p in parts if p) + "."
    address = page_address(page, cff)
    where = (
        f' <a href="{esc(address)}">{esc(address)}</a>'
        if address
        else " (The published site's address is not set yet: cite the page by its title.)"
    )
    return (
        '<section class="report-cite" aria-labelledby="cite-h"><h2 id="cite-h">Cite this page</h2>'
        f"<p>{text}{where}</p></section>"
    )
