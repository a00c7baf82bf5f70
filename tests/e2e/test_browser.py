"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright.

The test starts ``streamlit run app_dashboard.py`` on a free localhost port,
as a planner would, and checks what a person sees: the KPI cards appear, a
trigger change updates them (timed, for the record; the target is the benchmark's), a
bad upload shows its message, every view draws, and no error element shows
where none is expected. Screenshots and timings go to ``test-artifacts/``
(git-ignored). The server and the browser are shared with the other browser
tests (``tests/e2e/conftest.py``); each test has its own session. It skips
only where ``/usr/bin/chromium`` is absent; ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sim.dashboard.link import REPLICATIONS_MIN
from tests.calls.exports import export_zip
from tests.e2e.harness import (
    CHROMIUM,
    FIRST_RESULTS_MS,
    RERUN_MS,
    ROOT,
    charts_drawn,
    choose_view,
    cut_labels,
    error_texts,
    kpi_values,
    open_dashboard,
    set_number,
    settle,
    wait_for_metric_change,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is absent: `apt-get install chromium` (Debian) to run the browser tests",
        allow_module_level=True,
    )

ARTIFACTS = ROOT / "test-artifacts"
TRIGGER = "Trigger (recharge when the balance falls below)"
BALANCE = "Mean balance (cash tied up)"
RISK = "Outage risk a year"


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    """A tab of its own browser context (a fresh profile: a new Streamlit session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    yield context.new_page()
    context.close()


@pytest.fixture
def page(tab: Page, page_url: str) -> Page:
    """The tab on the Policy view, its KPI cards shown."""
    open_dashboard(tab, page_url)
    return tab


def test_the_default_page_has_no_error_then_its_kpis_follow_the_policy(page: Page) -> None:
    """The page as its link opens it (kept as a screenshot), three triggers, then a much
    leaner policy that shows outages: one page for all (opening one costs more than the
    changes). The address follows the sidebar, so that it can be sent as a link."""
    page.get_by_text("End-of-day balance across replications").wait_for(timeout=RERUN_MS)
    charts_drawn(page)
    assert error_texts(page) == []
    assert cut_labels(page) == []  # every KPI label whole at 1,400 px
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
    first = kpi_values(page)
    assert list(first) == [
        RISK, "Outage hours a year", "Blocked toll-free dial-ins a year", "Expected cost a year",
        "Forfeited funds a year", BALANCE, "Recharges a year", "Admin emails a year",
    ]  # fmt: skip
    assert first[RISK] == "0.0 %"
    assert error_texts(page) == []
    timings = []
    for trigger in ("300", "200", "350"):  # each a new policy: replayed, not read from a cache
        old = kpi_values(page)[BALANCE]
        began = time.perf_counter()
        set_number(page, TRIGGER, trigger)
        wait_for_metric_change(page, BALANCE, old)
        timings.append(time.perf_counter() - began)
    settle(page)
    assert page.get_by_text("Policy T350/A1000/I1000 over 40 replications").is_visible()
    page.wait_for_url(re.compile(r"[?&]trigger=350(&|$)"))
    assert "replications=40" in page.url and "scenario=midsize" in page.url
    measured = {"kpis_after_trigger_change_s": timings, "median_s": statistics.median(timings)}
    (ARTIFACTS / "responsiveness.json").write_text(json.dumps(measured, indent=2) + "\n")
    # Kept, not asserted: the 3 s target is checked by benchmarks/dashboard_bench.py, since
    # a timed test on a shared machine fails on noise (the developers' guide).
    print(f"new KPIs after a trigger change (midsize, 40 replications, warm): {measured}")
    assert error_texts(page) == []
    a_much_leaner_policy_shows_outages(page)


def a_much_leaner_policy_shows_outages(page: Page) -> None:
    """Trigger 50, amount 100, initial 100 on the page: the outage risk rises above 20 %."""
    set_number(page, TRIGGER, "50")
    set_number(page, "Recharge amount", "100")
    set_number(page, "Initial balance", "100")
    wait_for_metric_change(page, RISK, "0.0 %")
    page.get_by_text("Policy T50/A100/I100 over 40 replications").wait_for(timeout=RERUN_MS)
    charts_drawn(page)
    shown = kpi_values(page)
    assert float(shown[RISK].rstrip(" %")) > 20
    assert shown["Blocked toll-free dial-ins a year"] != "0.0"
    assert error_texts(page) == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-lean.png"))


def test_every_view_draws_and_takes_its_uploads(tab: Page, url: str, tmp_path: Path) -> None:
    """Every view in one session (opening a page costs more than switching views): a sweep,
    the demand, the backtest of a CSV and then of the admin center's zip (figures and rows by
    reason), the scenario, and last a bad scenario upload, which shows its message, not a
    traceback, and no KPIs. Opening a view through its link is
    ``tests/dashboard/test_link.py``'s; the same uploads through AppTest are
    ``tests/dashboard/test_backtest_uploads.py``'s and ``tests/dashboard/test_dashboard.py``'s."""
    page = tab
    # the fewest replications the link takes (sim/dashboard/link.py), as the AppTest sweep's:
    # drawing does not depend on size, and the sweep and its widening run in the shared server
    open_dashboard(page, f"{url}/?replications={REPLICATIONS_MIN}")
    page.get_by_text(f"over {REPLICATIONS_MIN} replications").wait_for(timeout=FIRST_RESULTS_MS)
    choose_view(page, "Trade-offs")
    page.get_by_label("Triggers").fill("100,400")
    page.get_by_label("Recharge amounts").fill("250,1000")
    page.get_by_role("button", name="Run the sweep").click()
    page.get_by_text("Recommended: T").first.wait_for(timeout=RERUN_MS)
    page.get_by_text("Outage risk against expected cost, per year").wait_for(timeout=RERUN_MS)
    choose_view(page, "Demand")
    page.get_by_text("When charged calls start").wait_for(timeout=RERUN_MS)
    choose_view(page, "Backtest")
    uploader = page.get_by_test_id("stMain").get_by_test_id("stFileUploaderDropzoneInput")
    uploader.set_input_files(str(ROOT / "examples" / "walkthrough.csv"))
    page.get_by_text("$218.35").first.wait_for(timeout=RERUN_MS)
    uploader.set_input_files(str(export_zip(tmp_path / "Calls.Export.1.zip")))
    page.get_by_text("Calls.Export.1.zip: teams format").wait_for(timeout=RERUN_MS)
    page.get_by_text("not credit-billed: direct_routing").wait_for(timeout=RERUN_MS)
    settle(page)
    assert error_texts(page) == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-backtest-zip.png"), full_page=True)
    choose_view(page, "Scenario")
    page.get_by_text("scenario 'midsize'").wait_for(timeout=RERUN_MS)
    settle(page)
    assert error_texts(page) == []
    a_bad_scenario_upload_shows_the_message_not_a_traceback(page)


def a_bad_scenario_upload_shows_the_message_not_a_traceback(page: Page) -> None:
    """On the Scenario view: a TOML syntax error is one line in the sidebar, nothing else."""
    page.get_by_text("Upload a TOML file").click()
    sidebar = page.get_by_test_id("stSidebar")
    uploader = sidebar.get_by_test_id("stFileUploaderDropzoneInput").first  # the scenario's
    uploader.set_input_files(
        files=[{"name": "typo.toml", "mimeType": "application/toml", "buffer": b"[scenario\n"}]
    )
    sidebar.get_by_text("typo.toml:1: TOML syntax error").wait_for(timeout=RERUN_MS)
    settle(page)
    (shown,) = error_texts(page)
    assert shown.startswith("typo.toml:1: TOML syntax error at column 10"), shown
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stMetric").count() == 0
