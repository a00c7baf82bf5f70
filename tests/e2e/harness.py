"""Drive the dashboard in a real browser: Streamlit on a free localhost port, Debian's Chromium.

Shared by ``tests/e2e/test_browser.py`` and ``docs/make_screenshots.py`` so the
screenshots in the README come from the same setup the tests check.
Playwright's own browser downloads are not used (``playwright install`` is
not needed): Playwright drives the system's ``/usr/bin/chromium``.

Waits are on what the page shows (selectors, texts), never on sleeps:
Streamlit reruns the script after each input, and how long that takes varies.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 60
FIRST_RESULTS_MS = 180_000
"""The first page builds midsize's 200-replication demand bank (seconds; more on a busy CI)."""
RERUN_MS = 60_000
PLOTLY_SETTLE_MS = 750
"""Plotly's own relayout after a resize has no event to wait on: screenshots wait this long."""
METRIC = '[data-testid="stMetric"]'
ERRORS = (
    '[data-testid="stException"], [data-testid="stAlert"]:has([data-testid="stAlertContentError"])'
)


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dashboard_server(log: Path | None = None) -> Iterator[str]:
    """``streamlit run app_dashboard.py`` on a free port (headless, localhost); yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app_dashboard.py",
               "--server.port", str(port), "--server.headless", "true",
               "--server.address", "localhost"]  # fmt: skip
    sink = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://localhost:{port}"
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log:
            sink.close()  # type: ignore[union-attr]


def _wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer on {url} within {START_TIMEOUT_S} s")


def chromium(playwright: Playwright) -> Browser:
    """Debian's headless Chromium; each ``new_context`` is a fresh, temporary profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[Page]:
    """A page in headless Chromium with a fresh, temporary profile."""
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            yield context.new_page()
        finally:
            browser.close()


def open_dashboard(page: Page, url: str) -> None:
    """Load the page and wait for the first KPI cards (the first run builds the demand)."""
    page.goto(url)
    page.wait_for_selector(METRIC, timeout=FIRST_RESULTS_MS)
    settle(page)


def settle(page: Page) -> None:
    """Wait until no element is stale (Streamlit marks the last run's elements during a rerun).

    Call it after waiting for something the rerun shows: right after an input
    the rerun may not have started yet.
    """
    page.wait_for_function(
        """() => !document.querySelector('[data-stale="true"]')""", timeout=RERUN_MS
    )


def charts_drawn(page: Page) -> None:
    """Until every plotly chart has drawn its layout, then two frames more (for screenshots).

    Plotly lays a figure out asynchronously after Streamlit hands it over; a
    screenshot taken in between can show shapes on the old axes.
    """
    settle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
                 .every(plot => plot._fullLayout && plot.querySelector('.main-svg'))""",
        timeout=RERUN_MS,
    )
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    page.wait_for_timeout(PLOTLY_SETTLE_MS)


def kpi_values(page: Page) -> dict[str, str]:
    """The KPI cards as label -> shown value."""
    cards = page.locator(METRIC)
    return {
        cards.nth(i).get_by_test_id("stMetricLabel").inner_text().strip():
        cards.nth(i).get_by_test_id("stMetricValue").inner_text().strip()
        for i in range(cards.count())
    }  # fmt: skip


def cut_labels(page: Page) -> list[str]:
    """KPI card labels the page cuts short (an ellipsis: wider than their box)."""
    return page.evaluate(
        """() => [...new Set([...document.querySelectorAll(
                '[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div')]
            .filter(box => box.scrollWidth > box.clientWidth + 1)
            .map(box => box.innerText.trim()))]"""
    )


def set_number(page: Page, label: str, value: str) -> None:
    """Type into a number input and commit it (Enter), as a planner does."""
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def wait_for_metric_change(page: Page, label: str, old: str, timeout_ms: int = RERUN_MS) -> None:
    """Until the card ``label`` shows a value other than ``old`` (at most ``timeout_ms``)."""
    page.wait_for_function(
        """([label, old]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
            card => {
                const text = (id) => card.querySelector(`[data-testid="${id}"]`)?.innerText.trim();
                return text("stMetricLabel") === label && text("stMetricValue") !== old
                    && card.closest('[data-stale="true"]') === null;
            })""",
        arg=[label, old],
        timeout=timeout_ms,
    )


def choose_view(page: Page, name: str) -> None:
    """Click a view in the view selector."""
    page.get_by_role("radio", name=name, exact=True).click()


def error_texts(page: Page) -> list[str]:
    """Texts of exceptions and error alerts on the page (none is expected but where tested)."""
    return page.locator(ERRORS).all_inner_texts()
