"""How outputs name a rate table: a bundled sample is labelled ILLUSTRATIVE, a tenant's is not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sim.views.scenario_text import rates_text
from sim.world.rates import Rate, RateTable

RATES = {("DE", "mobile", "outbound"): Rate(Decimal("0.138"))}


def test_a_sample_table_is_labelled_illustrative_with_its_currency() -> None:
    text = rates_text(RateTable(Path("rates/sample-eur.csv"), RATES, "EUR"))
    assert text == (
        "rates/sample-eur.csv (1 destinations in EUR; ILLUSTRATIVE sample rates, not Teams' prices)"
    )


def test_a_tenants_own_table_is_not_labelled_illustrative() -> None:
    assert rates_text(RateTable(Path("mine/rates.csv"), RATES, "EUR")) == (
        "mine/rates.csv (1 destinations in EUR)"
    )
