"""The browser tests' one Chromium: started by the first test that asks for it in a test process, closed after
the last test of this folder there (a package fixture), each test opening a context of its own.

Launching Chromium and Playwright's driver costs about a second of CPU; the three modules here each launched
their own. The browser is closed when the folder's tests are done because Playwright's sync API keeps its event
loop marked as running between calls, which an ``asyncio.run`` in a later test would refuse.
"""

from __future__ import annotations

import pytest

from support.chromium import CHROMIUM, launched_browser


@pytest.fixture(scope="package")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need the system Chromium at {CHROMIUM} (apt-get install chromium)")
    yield from launched_browser(sync_api)
