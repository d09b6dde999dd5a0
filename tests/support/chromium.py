"""Debian's Chromium for the browser, accessibility and print tests: one path, one set of flags, one launcher.

No test tool ever downloads a browser; the tests skip when /usr/bin/chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
#: flags for a closed network: no background connections, no QUIC, a throw-away profile
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launched_browser(sync_api):
    """Yield a headless Chromium driven by Playwright (use as the body of a pytest fixture)."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
