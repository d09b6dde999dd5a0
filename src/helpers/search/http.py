"""One HTTP client for every source: a time limit on each request, a pace per host (NCBI's rate limit), and every
failure (no answer, a refusal, rate limiting, a body that is not what the API documents) as one line naming the
source and the address."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests

from ..errors import HelpersError


class SearchError(HelpersError):
    """A source could not be searched; nothing was written."""


class Pace:
    """At most ``rate`` requests a second: waits before a request that would come too soon after the last."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            self.sleep(self.interval - (now - self.last))
            now = self.clock()
        self.last = now


class Client:
    def __init__(self, timeout: float, session: requests.Session | None = None):
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = "helpers-ketamine-evidence (python -m helpers search)"
        self.paces: dict[str, Pace] = {}

    def pace(self, url: str, rate: float) -> None:
        """Requests to ``url``'s host go at most ``rate`` a second from now on."""
        self.paces[urlsplit(url).netloc] = Pace(rate)

    def json(self, source: str, url: str, params=None, data=None) -> dict:
        """The JSON object ``url`` answers with (GET, or POST when ``data`` is given); SearchError otherwise."""
        pace = self.paces.get(urlsplit(url).netloc)
        if pace:
            pace.wait()
        try:
            if data is None:
                r = self.session.get(url, params=params, timeout=self.timeout)
            else:
                r = self.session.post(url, params=params, data=data, timeout=self.timeout)
        except requests.Timeout:
            raise SearchError(
                f"search: {source} did not answer within {self.timeout:g} s ({url}); nothing was written"
            ) from None
        except requests.RequestException as exc:
            raise SearchError(
                f"search: {source} could not be reached ({url}): {type(exc).__name__}; nothing was written"
            ) from None
        if r.status_code == 429:
            wait = r.headers.get("Retry-After")
            later = f" (it asks to wait {wait} s)" if wait else ""
            raise SearchError(
                f"search: {source} refused the request as too many (HTTP 429, rate limited){later} ({url}); "
                "nothing was written: run again later" + (", or set HELPERS_NCBI_API_KEY" if source == "PubMed" else "")
            )
        if r.status_code >= 400:
            raise SearchError(f"search: {source} answered HTTP {r.status_code} ({url}); nothing was written")
        try:
            body = r.json()
        except ValueError:
            raise SearchError(malformed(source, url, "the body is not JSON")) from None
        if not isinstance(body, dict):
            raise SearchError(malformed(source, url, "the body is not a JSON object"))
        return body


def malformed(source: str, url: str, what: str) -> str:
    return f"search: {source} sent a malformed response ({url}): {what}; nothing was written"


def field(body, source: str, url: str, *path, kind=None):
    """``body[path[0]][path[1]]...``, checked: a missing key or a value of another kind is a malformed response."""
    value = body
    for key in path:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            raise SearchError(malformed(source, url, f"no {'.'.join(map(str, path))}"))
    if kind is not None and not isinstance(value, kind):
        raise SearchError(malformed(source, url, f"{'.'.join(map(str, path))} is not a {kind.__name__}"))
    return value
