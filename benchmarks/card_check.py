"""The dashboard benchmark's check that the KPI cards it shows are ``credsim run``'s figures.

Why a module of its own: the expected texts and the comparison are pure (no
browser, no server), so ``tests/benchmarks/test_card_check.py`` checks them in
milliseconds, while ``dashboard_bench.py`` needs Chromium and minutes.

The expected texts come from the SAME code the page uses
(``sim.dashboard.explore_display.kpi_cards``), fed with ``Estimate``s read back
from the run's JSON (``per_year`` and ``metrics["mean_balance"]``, as
``tests/dashboard/test_demand_bank.py`` reads them). The JSON keeps six
decimals; a card shows two at most, so the two roundings can differ only for a
figure within 1e-6 of a display boundary (none seen so far).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.dashboard.explore_display import KpiCard, kpi_cards
from sim.study.stats import Estimate

INTERVAL = " (interval)"
"""Suffix of a label whose interval text, not its value, differs."""


def run_estimates(run: Mapping[str, Any]) -> dict[str, Estimate]:
    """The run's per-year figures and mean balance as ``Estimate``s, by KPI name."""
    figures = dict(run["per_year"]) | {"mean_balance": run["metrics"]["mean_balance"]}
    return {
        name: Estimate(
            figure["estimate"] if "estimate" in figure else figure["mean"],
            figure["ci_low"],
            figure["ci_high"],
        )
        for name, figure in figures.items()
    }


def expected_cards(run: Mapping[str, Any], currency_code: str) -> list[KpiCard]:
    """The cards the page would show for the run's figures (no baseline: the file's policy)."""
    return kpi_cards(run_estimates(run), currency_code)


def differing_cards(
    values: Mapping[str, str],
    expected: list[KpiCard],
    intervals: Mapping[str, str] | None = None,
) -> list[dict[str, str | None]]:
    """Each card whose shown text is not the expected one: label, shown, expected.

    ``values`` and ``intervals`` are label -> text as the page shows them (a
    card missing from the page is shown as None); ``intervals`` is compared
    only when given. A card shown that no expected card names is reported too.
    """
    differing: list[dict[str, str | None]] = []
    for card in expected:
        pairs = [(card.label, values.get(card.label), card.value)]
        if intervals is not None:
            pairs.append((card.label + INTERVAL, intervals.get(card.label), card.interval))
        differing += [
            {"label": label, "shown": shown, "expected": wanted}
            for label, shown, wanted in pairs
            if shown != wanted
        ]
    known = {card.label for card in expected}
    differing += [
        {"label": label, "shown": shown, "expected": None}
        for label, shown in values.items()
        if label not in known
    ]
    return differing


def unequal_scenarios(figures: Mapping[str, Any], scenarios: list[str]) -> list[str]:
    """``scenario (label, label)`` for each scenario whose cards differ from ``credsim run``
    (the benchmark's exit line); a scenario not checked (``--no-check-run``) is not named."""
    return [
        f"{scenario} ({', '.join(card['label'] for card in figures[scenario]['cards_differing'])})"
        for scenario in scenarios
        if figures[scenario].get("cards_equal_credsim_run") is False
    ]
