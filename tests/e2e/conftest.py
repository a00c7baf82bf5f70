"""One Streamlit server and one Chromium for every browser test of a pytest process.

Why shared: starting the server and opening its first page (which generates
the default scenario's 200-replication demand bank, kept by the server
afterwards) is most of what a browser test costs; every test opens its own
browser context (a fresh profile, a new Streamlit session), so no test sees
another's inputs. The server's log is ``test-artifacts/streamlit.log``; a test
that reads it looks for lines only its own actions write.

Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio
loop running in the test thread while it is open, and every later test that
calls ``asyncio.run`` (the Graph fetch's, tests/calls/test_graph_fetch.py)
then fails. The browser tests run first (tests/conftest.py), so the server and
the browser close as soon as the last of them ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.harness import ROOT, chromium, dashboard_server

ARTIFACTS = ROOT / "test-artifacts"
LINK_REPLICATIONS = 40
"""The replications the browser tests open the page with, through its link
(``?replications=40``, sim/dashboard/link.py): what they check does not depend on size,
and the responsiveness at the default 200 is ``benchmarks/dashboard_bench.py``'s."""


@pytest.fixture(scope="session")
def server_log() -> Path:
    """The shared server's log (stdout and stderr)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / "streamlit.log"


@pytest.fixture(scope="package")
def url(server_log: Path) -> Iterator[str]:
    """``streamlit run app_dashboard.py`` on a free localhost port, for the whole session."""
    with dashboard_server(server_log) as address:
        yield address


@pytest.fixture(scope="package")
def page_url(url: str) -> str:
    """The page's address with ``LINK_REPLICATIONS`` replications (midsize, as by default)."""
    return f"{url}/?replications={LINK_REPLICATIONS}"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium (one Playwright per process: its sync API does not nest)."""
    with sync_playwright() as playwright:
        launched = chromium(playwright)
        yield launched
        launched.close()
