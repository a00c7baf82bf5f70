"""The dashboard benchmark's card check (``benchmarks/card_check.py``): a run's JSON as the
page's card texts, and every card that differs reported by its label.

The benchmark itself needs Chromium and minutes; what it compares is pure, so
it is checked here in milliseconds.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from tests.paths import ROOT

_SPEC = importlib.util.spec_from_file_location("card_check", ROOT / "benchmarks" / "card_check.py")
assert _SPEC is not None and _SPEC.loader is not None
card_check = importlib.util.module_from_spec(_SPEC)  # benchmarks/ is scripts, not a package
_SPEC.loader.exec_module(card_check)
INTERVAL, differing_cards, expected_cards = (
    card_check.INTERVAL, card_check.differing_cards, card_check.expected_cards
)  # fmt: skip

BALANCE = "Mean balance (cash tied up)"
RUN: dict[str, Any] = {  # the shape of `credsim run --json` (midsize, 3 replications, seed 1)
    "per_year": {
        "outage_risk_per_year": {"estimate": 0.0, "ci_low": 0.0, "ci_high": 0.390334},
        "outage_hours_per_year": {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0},
        "blocked_toll_free_per_year": {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0},
        "forfeited_per_year": {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0},
        "recharges_per_year": {"mean": 12.5, "ci_low": 12.5, "ci_high": 12.5},
        "emails_per_year": {"mean": 12.833333, "ci_low": 12.116225, "ci_high": 13.550442},
        "cost_per_year": {"mean": 169.712667, "ci_low": 169.664221, "ci_high": 169.761113},
    },
    "metrics": {"mean_balance": {"mean": 894.253333, "ci_low": 893.284413, "ci_high": 895.222253}},
}


def shown_as_expected() -> tuple[dict[str, str], dict[str, str]]:
    """What a page showing the run's figures shows: label -> value, label -> interval."""
    cards = expected_cards(RUN, "USD")
    return {card.label: card.value for card in cards}, {card.label: card.interval for card in cards}


def test_the_run_becomes_the_pages_card_texts() -> None:
    values, intervals = shown_as_expected()
    assert values[BALANCE] == "$894.25"
    assert intervals[BALANCE] == "95 % CI $893.28 to $895.22"
    assert values["Outage risk a year"] == "0.0 %"  # read from "estimate", not "mean"
    assert values["Expected cost a year"] == "$169.71"
    assert values["Admin emails a year"] == "12.8"
    assert len(values) == 8


def test_equal_texts_pass() -> None:
    values, intervals = shown_as_expected()
    assert differing_cards(values, expected_cards(RUN, "USD"), intervals) == []


@pytest.mark.parametrize("intervals_checked", [True, False])
def test_one_changed_card_is_reported_by_its_label(intervals_checked: bool) -> None:
    values, intervals = shown_as_expected()
    values[BALANCE] = "$894.26"
    differing = differing_cards(
        values, expected_cards(RUN, "USD"), intervals if intervals_checked else None
    )
    assert differing == [{"label": BALANCE, "shown": "$894.26", "expected": "$894.25"}]


def test_a_changed_interval_a_missing_card_and_an_unknown_card_are_reported() -> None:
    values, intervals = shown_as_expected()
    intervals["Recharges a year"] = "95 % CI 12.5 to 12.6"
    del values["Outage hours a year"]
    values["Something else"] = "1"
    differing = differing_cards(values, expected_cards(RUN, "USD"), intervals)
    assert [card["label"] for card in differing] == [
        "Outage hours a year",
        "Recharges a year" + INTERVAL,
        "Something else",
    ]


def test_a_different_run_differs() -> None:
    """The comparison reads the run: the same page against another run's figures fails."""
    values, intervals = shown_as_expected()
    other = RUN | {"metrics": {"mean_balance": {"mean": 900.0, "ci_low": 899.0, "ci_high": 901.0}}}
    differing = differing_cards(values, expected_cards(other, "USD"), intervals)
    assert [card["label"] for card in differing] == [BALANCE, BALANCE + INTERVAL]


def test_the_exit_line_names_each_scenario_and_its_differing_cards() -> None:
    values, intervals = shown_as_expected()
    values[BALANCE] = "$1.00"
    figures = {
        "enterprise": {"cards_equal_credsim_run": True},
        "midsize": {
            "cards_equal_credsim_run": False,
            "cards_differing": differing_cards(values, expected_cards(RUN, "USD"), intervals),
        },
        "small-team": {"first_view_s": 1.0},  # not checked (--no-check-run)
    }
    named = card_check.unequal_scenarios(figures, ["enterprise", "midsize", "small-team"])
    assert named == [f"midsize ({BALANCE})"]
