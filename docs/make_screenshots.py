"""Screenshots of each dashboard view for the docs: ``python docs/make_screenshots.py``.

Starts ``streamlit run app_dashboard.py`` on a free localhost port and drives
Debian's headless Chromium with Playwright, exactly as the browser test does
(``tests/e2e/harness.py``), then writes ``docs/dashboard-<view>.png``. Needs
``/usr/bin/chromium`` and the test extras (``pip install -e ".[test]"``).
About a minute: the trade-offs view runs midsize's default 100-policy sweep.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import (  # noqa: E402 (the repository root is on the path only now)
    FIRST_RESULTS_MS,
    RERUN_MS,
    browser_page,
    charts_drawn,
    choose_view,
    dashboard_server,
    open_dashboard,
    set_number,
)

DOCS = ROOT / "docs"
WIDTH = 1400
TRIGGER = "Trigger (recharge when the balance falls below)"


def main() -> None:
    """Each view of midsize, in the order of docs/dashboard.md."""
    began = time.perf_counter()
    with dashboard_server() as url, browser_page(WIDTH, 2300) as page:
        open_dashboard(page, url)
        # Policy: a lean policy against the file's T400/A1000/I1000 (the cards' changes).
        set_number(page, TRIGGER, "100")
        set_number(page, "Recharge amount", "250")
        page.get_by_text("Policy T100/A250/I1000 over 200").wait_for(timeout=RERUN_MS)
        shot(page, "policy")
        set_number(page, TRIGGER, "400")
        set_number(page, "Recharge amount", "1000")
        page.get_by_text("Policy T400/A1000/I1000 over 200").wait_for(timeout=RERUN_MS)
        choose_view(page, "Trade-offs")
        page.get_by_role("button", name="Run the sweep").click()
        page.get_by_text("Recommended: T").first.wait_for(timeout=FIRST_RESULTS_MS)
        page.set_viewport_size({"width": WIDTH, "height": 2700})
        shot(page, "tradeoffs")
        page.set_viewport_size({"width": WIDTH, "height": 2000})
        choose_view(page, "Demand")
        page.get_by_text("When charged calls start").wait_for(timeout=RERUN_MS)
        shot(page, "demand")
        page.set_viewport_size({"width": WIDTH, "height": 1500})
        choose_view(page, "Backtest")
        uploader = page.get_by_test_id("stMain").get_by_test_id("stFileUploaderDropzoneInput")
        uploader.set_input_files(str(ROOT / "examples" / "calls.csv"))
        page.get_by_text("Journal of").wait_for(timeout=RERUN_MS)
        shot(page, "backtest")
        page.set_viewport_size({"width": WIDTH, "height": 1300})
        page.get_by_text("Edit the world").click()
        choose_view(page, "Scenario")
        page.get_by_text("scenario 'midsize'").wait_for(timeout=RERUN_MS)
        shot(page, "scenario")
        tenant(page)
    print(f"wrote docs/dashboard-*.png in {time.perf_counter() - began:.0f} s")


def tenant(page: Page) -> None:
    """ "Your tenant": the bundled 14-month export fitted, the Scenario view's calibration."""
    page.set_viewport_size({"width": WIDTH, "height": 1900})
    page.get_by_test_id("stSidebar").get_by_text("Your tenant").click()
    fill(page, "Balance today (optional)", "800")
    fill(page, "Country (public holidays)", "US")
    fill(page, "Time zone", "America/New_York")
    uploader = page.get_by_test_id("stSidebar").get_by_test_id("stFileUploaderDropzoneInput")
    uploader.first.set_input_files(str(ROOT / "examples" / "tenant-usage.csv"))
    page.get_by_text("Your tenant: the scenario fitted to your exports").wait_for(
        timeout=FIRST_RESULTS_MS
    )
    main = page.get_by_test_id("stMain")
    main.locator(".js-plotly-plot").first.wait_for(timeout=RERUN_MS)
    main.get_by_test_id("stDataFrame").first.wait_for(timeout=RERUN_MS)
    shot(page, "tenant")


def fill(page: Page, label: str, value: str) -> None:
    """Type into a sidebar text input and commit it (Enter), as a planner does."""
    box = page.get_by_label(label).last  # a rerun can briefly leave the old widget too
    box.fill(value)
    box.press("Enter")
    page.wait_for_timeout(300)


def shot(page: Page, view: str) -> None:
    """``docs/dashboard-<view>.png`` once the charts have drawn."""
    charts_drawn(page)
    path = DOCS / f"dashboard-{view}.png"
    page.screenshot(path=str(path))
    print(f"{path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
