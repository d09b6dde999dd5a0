"""Which reports a build needs, which are stale, and each report's parameterized notebook.

A report is stale when its notebook, its parameters, the data files' bytes,
the ``helpers`` source or the pinned dependencies changed since the last
build (``.build-state.json`` in the output folder keeps the keys).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..data.bibliography import bibliography_path
from ..data.companions import all_input_files
from ..data.spreadsheet import split_sheet
from ..data.version import evidence_version
from ..digest import code_digest
from ..paths import ROOT, SRC
from ..report.params import report_conditions
from . import outputs_cache
from .jobs import KERNEL_NAME, KERNELSPEC, Job
from .options import BuildOptions
from .outfolder import load_state


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shared_inputs_hash(data_path: Path) -> str:
    """Hash of everything every report depends on: data bytes, helpers source, pinned set."""
    h = hashlib.sha256()
    data_file, sheet = split_sheet(data_path)
    h.update(f"#{sheet}".encode() if sheet else b"")
    for path in all_input_files(data_file):  # the study table and the tables beside it
        h.update(path.name.encode())
        h.update(path.read_bytes())
    bibliography = bibliography_path(data_file)  # the published studies' metadata, for the citation files
    h.update(bibliography.read_bytes() if bibliography.is_file() else b"")
    h.update(code_digest(SRC).encode())  # the package's code and templates, wherever a file sits
    # the evidence's version and git state, which every colophon states
    h.update(repr(evidence_version()).encode())
    # a page gains its out-of-date notice on the day the search grows too old, with no input changed
    from ..site.colophon import searched_on
    from ..site.freshness import out_of_date

    h.update(b"out of date" if out_of_date(searched_on(str(data_path))) else b"")
    for path in [
        ROOT / "pyproject.toml",
        ROOT / "requirements.lock",
        ROOT / "CHANGELOG.md",
        ROOT / "data" / "datapackage.json",
        ROOT / "data" / "protocol.md",
        ROOT / "data" / "schema.json",
        *sorted((ROOT / "data" / "schemas").glob("*.json")),
    ]:
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()


def job_key(job: Job, shared: str) -> str:
    payload = json.dumps(
        {"params": job.parameters(), "figures": job.figures, "shared": shared}, sort_keys=True
    ).encode()
    return sha(Path(job.notebook).read_bytes() + payload)


def prepare(job: Job, staging: str | Path, shared: str = ""):
    """The parameterized notebook of a job, and its execution-cache key ("" when it must always run)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(job.notebook)
    nb = parameterize_notebook(
        nb, job.parameters(str(Path(staging) / job.figures_rel)), kernel_name=KERNEL_NAME, language="python"
    )
    nb.metadata["kernelspec"] = dict(KERNELSPEC)  # the committed notebooks name the project's kernel
    key = outputs_cache.execution_key(nb, shared, Path(job.notebook).parent) if shared and not job.figures else ""
    return nb, key


class Plan:
    """Which reports a build needs and which of them are stale."""

    def __init__(self, options: BuildOptions, nbs, locked: bool = False):
        self.options = options
        out = options.out
        self.state = load_state(out, set_aside=locked)  # under the lock, a damaged state is set aside
        self.shared = shared = shared_inputs_hash(options.data_path)
        self.jobs = [Job(str(nb), options.report_params(c), options.figures) for c in options.conditions for nb in nbs]
        self.keys = {j.name: job_key(j, shared) for j in self.jobs}
        old = self.state.get("reports", {})
        self.stale = [
            j
            for j in self.jobs
            if options.force or old.get(j.name, {}).get("key") != self.keys[j.name] or not (out / j.name).is_file()
        ]
        # a build of some conditions keeps the reports other conditions' builds published here
        built = {j.name for j in self.jobs}
        stems = {Path(nb).stem: str(nb) for nb in nbs}
        self.kept = [
            Job(stems[stem], options.report_params(condition))
            for name in old
            for condition, _, stem in [name.removesuffix(".html").partition("/")]
            if name not in built
            and condition not in options.conditions
            and condition in report_conditions()
            and stem in stems
            and (out / name).is_file()
        ]
        subgroup = options.subgroup
        self.tables_key = sha(
            f"{shared}|{sorted(options.conditions)}|{options.evidence}".encode()
            + (f"|{subgroup}".encode() if subgroup else b"")
        )
        self._prepared: dict = {}

    def prepared(self, job: Job):
        """A report's parameterized notebook and execution key, made once per build. Only for reports without
        ``--figures``: nothing else in them depends on the folder they are staged in."""
        if job.name not in self._prepared:
            self._prepared[job.name] = prepare(job, self.options.out, self.shared)
        return self._prepared[job.name]

    def up_to_date(self) -> bool:
        return (
            not self.stale
            and self.state.get("tables_key") == self.tables_key
            and (self.options.out / "index.html").is_file()
        )


def kept_data_outputs(plan: Plan, shown) -> dict | None:
    """The tables, citation files, index answers, report summaries and "What changed" of the last build, when they
    still hold.

    They depend on the data files, the ``helpers`` source, the pinned set, the
    conditions, the evidence and the subgroup column, which ``tables_key``
    covers; a rebuild after a notebook changed takes them as they are, unless
    ``--force`` asks for everything again, a file went missing, or a report's
    summary or the index's "What changed" is not recorded (``shown``: the
    reports the index lists).
    """
    kept = plan.state.get("data_outputs")
    if plan.options.force or kept is None or plan.state.get("tables_key") != plan.tables_key:
        return None
    if not kept.get("files") or not all((plan.options.out / rel).is_file() for rel in kept["files"]):
        return None
    summaries = kept.get("summaries")
    if not isinstance(summaries, dict) or not all(isinstance(summaries.get(j.name), str) for j in shown):
        return None
    if not isinstance(kept.get("changes"), str):  # the index's "What changed" (a state of an older build has none)
        return None
    return kept


def will_run_kernels(plan: Plan) -> bool:
    """Whether some stale report needs a kernel (False when the execution cache holds every one of them)."""
    if plan.options.force or not plan.stale or not any(outputs_cache.folder().glob("*.json")):
        return bool(plan.stale)
    return any(j.figures or not outputs_cache.exists(plan.prepared(j)[1]) for j in plan.stale)
