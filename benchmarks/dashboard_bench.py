"""Dashboard benchmark: what a planner waits for, and the memory it takes, in headless Chromium.

    python benchmarks/dashboard_bench.py [--scenarios midsize enterprise] [--sweep]
        [--no-check-run] [--out FILE]

Starts ``streamlit run app_dashboard.py`` on a free localhost port (the browser
test's harness, ``tests/e2e/harness.py``) and, for each scenario with the
default 200 replications, times:

1. the first view: from opening the page (``midsize``, the default) or picking
   the scenario in the sidebar (the others) to its KPI cards (every
   replication's demand is generated, then the first policy replayed), and
   to the whole page (replication 1's path and charts below the cards);
2. new policies: from typing a trigger (Enter) to its KPI cards, and to the
   whole page, warm (the demand kept), for triggers never seen before;
3. a policy already seen: the same, answered from the cache;
4. a payments edit (the recharge failure probability): from Enter to the new
   cards; the demand is kept (its key holds only what demand depends on);
5. with ``--sweep``, on ``midsize``, the Trade-offs view's default sweep (100 policies).

While each scenario runs, the resident memory of the server's process tree
(streamlit and any worker it starts) is sampled every 0.1 s: its peak is
``peak_rss_mb`` (the other scenario's demand, kept, counts too), and each step's own
peak is in ``peak_rss_mb_by_step`` (first view, new policies, the seen policy and the
inputs, the payments edits).

After each scenario's timed steps (never during one), the KPI cards its first
view showed (the file's policy, at the seed and replications the sidebar
shows) are checked against ``credsim run FILE --replications N --seed S
--json``, turned into card texts by the page's own code (``card_check.py``):
``cards_equal_credsim_run`` in the figures, each differing card (label,
shown, expected) in ``cards_differing``. The run adds its own time,
``check_run_s`` (at 200 replications, 2 December: enterprise 16-22 s, midsize
4-10 s); ``--no-check-run`` skips it for a quick timing run.

Exits 1 when a card differs from ``credsim run`` or a target is missed: a new
policy on midsize within 3 s (issue 5), enterprise's first view within 10 s and
its peak under 1 GB (issue 15). Needs ``/usr/bin/chromium`` and the test extras
(``pip install -e ".[test]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from bench_out import emit, tree_rss
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from card_check import (  # noqa: E402 (imports sim: ROOT's)
    differing_cards,
    expected_cards,
    unequal_scenarios,
)

from sim.world import bundled  # noqa: E402
from sim.world.load import load_scenario  # noqa: E402
from tests.e2e.harness import (  # noqa: E402 (the repository root is on the path only now)
    METRIC,
    RERUN_MS,
    browser_page,
    choose_view,
    dashboard_server,
    kpi_values,
    set_number,
    settle,
    wait_for_metric_change,
)

TRIGGER = "Trigger (recharge when the balance falls below)"
FAILURE = "Recharge failure probability (%)"
BALANCE = "Mean balance (cash tied up)"
NEW_TRIGGERS = {"midsize": ("300", "200", "350", "250", "450", "500"),
                "enterprise": ("3000", "2000")}  # fmt: skip
SEEN = {"midsize": ("300", "400", "300"), "enterprise": ("3000",)}
FIRST_VIEW_MS = 1_800_000
SWEEP_MS = 600_000
EDIT_MS = 600_000
"""An edit's wait: on enterprise, while other jobs held both cores (load 9-12), a new
trigger queued behind replication 1's journal outlasted the tests' 60 s (2 December)."""
TARGETS = {"midsize_new_policy_s": 3.0, "enterprise_first_view_s": 10.0,
           "enterprise_peak_rss_mb": 1024.0}  # fmt: skip
"""Issue 5 (a new policy on midsize) and issue 15 (enterprise's first view and memory)."""


class PeakRss:
    """The peak resident memory of a process and its children, sampled on a thread."""

    def __init__(self, pid: int, every_s: float = 0.1) -> None:
        self.root, self.every_s, self.peak = psutil.Process(pid), every_s, 0
        self._step_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def now(self) -> int:
        """Bytes resident in the tree now (processes that end while read count 0)."""
        return tree_rss(self.root)

    def _sample(self) -> None:
        while not self._stop.wait(self.every_s):
            resident = self.now()
            self.peak = max(self.peak, resident)
            self._step_peak = max(self._step_peak, resident)

    def step(self) -> int:
        """The peak since the last step (or the start) in MB, then start a new step from what
        is resident now; ``peak`` keeps the whole block's."""
        resident = self.now()
        peak_mb = round(max(self._step_peak, resident) / 2**20)
        self._step_peak = resident
        return peak_mb

    @contextmanager
    def watching(self) -> Iterator[PeakRss]:
        """Sample while the block runs; ``peak`` starts from what is resident now."""
        self.peak = self._step_peak = self.now()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


def server_pid(url: str) -> int:
    """The pid of this process's streamlit child serving ``url``."""
    port = url.rsplit(":", 1)[1]
    for child in psutil.Process().children(recursive=True):
        try:
            line = child.cmdline()
        except psutil.Error:
            continue
        if "streamlit" in " ".join(line) and port in line:
            return child.pid
    raise RuntimeError(f"no streamlit process serves {url}")


def timed_edit(page: Page, label: str, value: str) -> tuple[float, float]:
    """Seconds from typing ``value`` into ``label`` to the new mean-balance card, and to the
    whole page (replication 1's path, replayed entry by entry, and the charts below)."""
    old = kpi_values(page)[BALANCE]
    began = time.perf_counter()
    set_number(page, label, value)
    wait_for_metric_change(page, BALANCE, old, EDIT_MS)
    cards = time.perf_counter() - began
    settle_long(page)
    return cards, time.perf_counter() - began


def world_inputs_shown(page: Page) -> None:
    """Open the sidebar's "Edit the world" expander (the payments' inputs) if it is closed."""
    if not page.get_by_label(FAILURE, exact=True).is_visible():
        page.get_by_text("Edit the world", exact=True).click()
        page.get_by_label(FAILURE, exact=True).wait_for(timeout=RERUN_MS)


def settle_long(page: Page) -> None:
    """``settle``, retried: on enterprise the sample path alone can outlast one wait."""
    for _ in range(10):
        try:
            settle(page)
            return
        except Exception:  # playwright's timeout: the rerun is still running
            continue
    settle(page)


def first_view(page: Page, scenario: str, url: str) -> tuple[float, float]:
    """Seconds to the scenario's first KPI cards, and to its whole page."""
    began = time.perf_counter()
    if scenario == "midsize":
        page.goto(url)
    else:
        page.get_by_label("Scenario", exact=True).click()
        page.get_by_role("option", name=scenario, exact=True).click()
        # the rerun began: attached, not visible (the first stale element may be a
        # sidebar input inside a closed expander)
        page.wait_for_selector('[data-stale="true"]', state="attached", timeout=RERUN_MS)
    page.wait_for_selector(METRIC, timeout=FIRST_VIEW_MS)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
            card => card.closest('[data-stale="true"]') === null)""",
        timeout=FIRST_VIEW_MS,
    )
    cards = time.perf_counter() - began
    settle_long(page)
    return cards, time.perf_counter() - began


def one_scenario(
    page: Page, scenario: str, url: str, memory: PeakRss, *, sweep: bool, check_run: bool
) -> dict[str, object]:
    """Every figure of the module docstring for ``scenario``."""
    steps: dict[str, int] = {}  # where the peak is: each step's own, in MB
    with memory.watching():
        first, first_page = first_view(page, scenario, url)
        steps["first_view"] = memory.step()
        shown = ShownCards.read(page)  # between timed steps: reading takes milliseconds
        timed = [timed_edit(page, TRIGGER, trigger) for trigger in NEW_TRIGGERS[scenario]]
        new, new_page = [cards for cards, _ in timed], [whole for _, whole in timed]
        steps["new_policies"] = memory.step()
        seen = [timed_edit(page, TRIGGER, trigger)[0] for trigger in SEEN[scenario]]
        world_inputs_shown(page)
        steps["seen_policy_and_inputs"] = memory.step()
        payments = timed_edit(page, FAILURE, "30")[0]
        timed_edit(page, FAILURE, "0")  # a second edit; the next scenario starts from its file
        steps["payments_edits"] = memory.step()
    figures: dict[str, object] = {
        "first_view_s": round(first, 2),
        "first_view_whole_page_s": round(first_page, 2),
        "new_policy_s": [round(value, 2) for value in new],
        "new_policy_median_s": round(statistics.median(new), 2),
        "new_policy_max_s": round(max(new), 2),
        "new_policy_whole_page_median_s": round(statistics.median(new_page), 2),
        "seen_policy_s": [round(value, 2) for value in seen],
        "payments_edit_s": round(payments, 2),
        "peak_rss_mb": round(memory.peak / 2**20),
        "peak_rss_mb_by_step": steps,
    }
    if check_run:  # after the timed steps: the run does not share the cores with one
        figures |= shown.against_credsim_run(scenario)
    if sweep and scenario == "midsize":
        figures["sweep_100_policies_s"] = round(sweep_seconds(page), 2)
        choose_view(page, "Policy")
        settle_long(page)
    return figures


INTERVALS_JS = """() => Object.fromEntries(
    [...document.querySelectorAll('[data-testid="stMetric"]')].map(card => [
        card.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
        (card.closest('[data-testid="stColumn"]')
            ?.querySelector('[data-testid="stCaptionContainer"]')?.innerText ?? "").trim()]))"""
"""Each KPI card's label -> the interval caption below it, in the card's column."""


class ShownCards:
    """The first view's KPI cards as the page shows them, and the seed and replications its
    sidebar shows (the page's own values, whatever its defaults become)."""

    def __init__(
        self, values: dict[str, str], intervals: dict[str, str], seed: int, replications: int
    ) -> None:
        self.values, self.intervals = values, intervals
        self.seed, self.replications = seed, replications

    @classmethod
    def read(cls, page: Page) -> ShownCards:
        """What the page shows now."""
        seed = page.get_by_label("Seed", exact=True).input_value()
        replications = page.get_by_label("Replications", exact=True).input_value()
        return cls(kpi_values(page), page.evaluate(INTERVALS_JS), int(seed), int(replications))

    def against_credsim_run(self, scenario: str) -> dict[str, object]:
        """``credsim run`` of the scenario's file at the page's seed and replications, its
        figures as card texts, compared with the cards shown, and how long the run took."""
        path = bundled.scenarios()[scenario]
        command = [sys.executable, "-m", "sim", "run", str(path), "--json",
                   "--replications", str(self.replications), "--seed", str(self.seed)]  # fmt: skip
        began = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        took = time.perf_counter() - began
        currency_code = load_scenario(path).scenario.scenario.currency
        expected = expected_cards(json.loads(done.stdout), currency_code)
        differing = differing_cards(self.values, expected, self.intervals)
        checked: dict[str, object] = {
            "cards_equal_credsim_run": not differing,
            "check_seed": self.seed,
            "check_replications": self.replications,
            "check_run_s": round(took, 1),
        }
        return checked | ({"cards_differing": differing} if differing else {})


def sweep_seconds(page: Page) -> float:
    """The Trade-offs view's default sweep: from the click to the recommendation."""
    choose_view(page, "Trade-offs")
    button = page.get_by_role("button", name="Run the sweep")
    button.wait_for(timeout=RERUN_MS)
    began = time.perf_counter()
    button.click()
    page.get_by_text("Recommended: T").first.wait_for(timeout=SWEEP_MS)
    return time.perf_counter() - began


def measure(
    scenarios: list[str], *, sweep: bool = False, check_run: bool = True
) -> dict[str, object]:
    """Every scenario's figures, the targets and whether each was met."""
    results: dict[str, object] = {"replications": 200}
    with dashboard_server() as url, browser_page(1400, 1800) as page:
        memory = PeakRss(server_pid(url))
        if scenarios[0] != "midsize":
            first_view(page, "midsize", url)  # the page opens on midsize
        for scenario in scenarios:
            results[scenario] = one_scenario(
                page, scenario, url, memory, sweep=sweep, check_run=check_run
            )
            print(json.dumps({scenario: results[scenario]}), file=sys.stderr, flush=True)
    met: dict[str, bool] = {}
    if "midsize" in results:
        met["midsize_new_policy_s"] = (
            results["midsize"]["new_policy_max_s"]
            <= TARGETS[  # type: ignore[index]
                "midsize_new_policy_s"
            ]
        )
    if "enterprise" in results:
        enterprise = results["enterprise"]
        met["enterprise_first_view_s"] = (
            enterprise["first_view_s"] <= TARGETS["enterprise_first_view_s"]  # type: ignore[index]
        )
        met["enterprise_peak_rss_mb"] = (
            enterprise["peak_rss_mb"] <= TARGETS["enterprise_peak_rss_mb"]  # type: ignore[index]
        )
    load = os.getloadavg()
    return results | {
        "targets": TARGETS,
        "targets_met": met,
        "load_average_1_5_15": [round(value, 2) for value in load],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["midsize", "enterprise"],
                        choices=sorted(NEW_TRIGGERS))  # fmt: skip
    parser.add_argument("--sweep", action="store_true", help="also time midsize's default sweep")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--no-check-run", dest="check_run", action="store_false",
                        help="skip checking the cards against credsim run")  # fmt: skip
    args = parser.parse_args()
    figures = measure(args.scenarios, sweep=args.sweep, check_run=args.check_run)
    emit(figures, args.out)
    missed = [name for name, met in figures["targets_met"].items() if not met]  # type: ignore[attr-defined]
    if missed:
        print(f"missed: {', '.join(missed)}", file=sys.stderr)
    unequal = unequal_scenarios(figures, args.scenarios)
    if unequal:
        print(f"cards differ from credsim run: {'; '.join(unequal)}", file=sys.stderr)
    if missed or unequal:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
