"""A local HTTP server (in this process, on a thread) that answers as PubMed's E-utilities, Europe PMC and
ClinicalTrials.gov do, from the response files in tests/fixtures/search/, and a copy of the data tables for a
search to write into."""

from __future__ import annotations

import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "search"
#: (method, path) -> response file
ROUTES = {
    ("GET", "/eutils/esearch.fcgi"): "pubmed/esearch.json",
    ("POST", "/eutils/esummary.fcgi"): "pubmed/esummary.json",
    ("GET", "/europepmc/search"): "europepmc/search.json",
    ("GET", "/ctgov/studies"): "clinicaltrials/studies.json",
    ("GET", "/ctgov/studies/NCT99000003"): "clinicaltrials/study.json",
}
#: the tables a search reads and writes (the appraisal tables, which it never reads, are left out: each run
#: validates the data set twice), and three of the shipped strategies, one per source
TABLES = ("studies", "search_log", "screening", "registrations")
STRATEGIES = ("pubmed_headache", "europepmc_headache", "clinicaltrials_headache")


class Api(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, str]] = []
        #: path -> ("status", code) | ("delay", seconds) | ("body", bytes): how a path misbehaves
        self.faults: dict[str, tuple[str, object]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet: the tests read self.server.requests
        pass

    def answer(self, method: str) -> None:
        path, _, query = self.path.partition("?")
        if method == "POST":
            query = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.requests.append((path, query))
        kind, value = self.server.faults.get(path, ("", None))
        if kind == "delay":
            time.sleep(value)
        route = ROUTES.get((method, path))
        if kind == "status":
            self.send(value, b'{"error": "test"}', {"Retry-After": "60"})
        elif kind == "body":
            self.send(200, value)
        elif route is None:
            self.send(404, b"{}")
        else:
            self.send(200, (FIXTURES / route).read_bytes())

    def send(self, status: int, body: bytes, headers=None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up first (the timeout case)
            pass

    def do_GET(self):
        self.answer("GET")

    def do_POST(self):
        self.answer("POST")


@pytest.fixture
def api(monkeypatch):
    server = Api()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    monkeypatch.setenv("HELPERS_PUBMED_URL", f"{server.url}/eutils")
    monkeypatch.setenv("HELPERS_EUROPEPMC_URL", f"{server.url}/europepmc")
    monkeypatch.setenv("HELPERS_CTGOV_URL", f"{server.url}/ctgov")
    monkeypatch.setenv("HELPERS_NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("HELPERS_NCBI_API_KEY", "test-key")  # 10 requests a second: no test waits a third of one
    monkeypatch.setenv("HELPERS_SEARCH_TIMEOUT", "2")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the data tables (registrations: header only), with three strategies (one per source) beside them."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in TABLES:
        shutil.copy(ROOT / "data" / f"{name}.csv", folder / f"{name}.csv")
    # every registration in the table is read again from the registry; the local server serves only the
    # fixtures' trials, so the copy keeps the shipped table's header and the tests plant their own rows
    header = (ROOT / "data" / "registrations.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "registrations.csv").write_text(header + "\n", encoding="utf-8")
    lines = (ROOT / "data" / "search_strategies.csv").read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0] in STRATEGIES]
    (folder / "search_strategies.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def snapshot():
    """Every file of a folder, name -> bytes: a table changed, or a file left behind, shows as a difference."""
    return folder_bytes
