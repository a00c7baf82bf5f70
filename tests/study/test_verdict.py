"""The verdict's words: the figures as the KPIs format them, nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sim.account.money import currency
from sim.study.experiment import Levers
from sim.study.stats import Estimate
from sim.study.verdict import Verdict

FIGURES = {
    "recharges_per_year": Estimate(11.6, 11.0, 12.2),
    "mean_balance": Estimate(1234.5, 1200.0, 1260.0),
    "forfeited_per_year": Estimate(0.0, 0.0, 0.0),
    "outage_risk_per_year": Estimate(0.0025, 0.0004, 0.0141),
}


def test_the_verdict_names_the_policy_and_its_four_figures() -> None:
    levers = Levers(Decimal(1000), Decimal(400), Decimal(1500))
    text = Verdict.from_figures(levers, FIGURES).text(currency("USD"))
    assert text == (
        "Set trigger $400.00 and amount $1,500.00. Expect about 12 recharges (card charges and "
        "emails) a year, about $1,234.50 held in the balance on average, $0.00 forfeited a "
        "year, and a 0.2 % chance a year that paid calling stops (95 % upper bound 1.4 %)."
    )


def test_a_verdict_without_auto_recharge_says_so_and_a_missing_figure_is_named() -> None:
    off = Verdict.from_figures(Levers(Decimal(500), None, None), FIGURES)
    assert off.text(currency("EUR")).startswith("Keep auto-recharge off, starting from €500.00.")
    one = Verdict.from_figures(off.levers, {**FIGURES, "recharges_per_year": Estimate(1.2, 1, 1.4)})
    assert "Expect about 1 recharge (card charges" in one.text(currency("EUR"))
    with pytest.raises(KeyError, match="mean_balance"):
        Verdict.from_figures(off.levers, {k: v for k, v in FIGURES.items() if k != "mean_balance"})
