"""The plan's grid: days of the fitted spend, rounded, at the portal's minimums."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sim.account.portal import rules
from sim.study.plan_grid import (
    AMOUNT_DAYS,
    TRIGGER_DAYS,
    fitted_spend_per_day,
    nice,
    spend_grid,
)


def test_nice_rounds_to_two_significant_figures_in_whole_units() -> None:
    assert nice(Decimal("1234.5"), Decimal(0)) == Decimal(1200)
    assert nice(Decimal("1250"), Decimal(0)) == Decimal(1300)  # half up
    assert nice(Decimal("87.4"), Decimal(0)) == Decimal(87)
    assert nice(Decimal("3.4"), Decimal(0)) == Decimal(3)
    assert nice(Decimal("3.4"), Decimal(50)) == Decimal(50)


def test_the_grid_is_days_of_spend() -> None:
    planned = spend_grid(Decimal("31.2"), "USD", Decimal(0))
    # 2, 5, 10, 20 days of 31.20 a day: 62.4, 156, 312, 624 -> 62, 160, 310, 620
    assert planned.grid.triggers == (Decimal(62), Decimal(160), Decimal(310), Decimal(620))
    # 7, 30, 60, 120 days: 218.4, 936, 1872, 3744 -> 220, 940, 1900, 3700
    assert planned.grid.amounts == (Decimal(220), Decimal(940), Decimal(1900), Decimal(3700))
    assert planned.grid.initials == (Decimal(0),)
    assert "31.20 USD a day" in planned.explanation()
    assert len(TRIGGER_DAYS) == len(AMOUNT_DAYS) == 4


def test_a_small_tenant_stays_at_the_portal_minimums() -> None:
    planned = spend_grid(Decimal("0.5"), "USD", Decimal(0))
    portal = rules("USD")
    assert min(planned.grid.triggers) >= portal.minimum_trigger
    assert min(planned.grid.amounts) >= portal.minimum_amount
    # values that round to the same floor collapse into one
    assert len(set(planned.grid.triggers)) == len(planned.grid.triggers)


def test_no_spend_is_said_in_words() -> None:
    with pytest.raises(ValueError, match="no credit-billed spend"):
        spend_grid(Decimal(0), "USD", Decimal(0))


def test_an_absurd_spend_is_refused_before_any_work() -> None:
    with pytest.raises(ValueError, match="beyond the supported amount"):
        spend_grid(Decimal("1e12"), "USD", Decimal(0))


def test_the_fitted_spend_is_the_first_years_credit_billed_spend_a_day(midsize) -> None:
    # midsize's header: about 990 USD a month in month 1, growing 0.5 % a month
    spend = fitted_spend_per_day(midsize, seed=1)
    assert Decimal(30) < spend < Decimal(37)
    assert fitted_spend_per_day(midsize, seed=1) == spend  # the same draws for the same seed
