"""Numbers for people: one spelling per unit, ``-`` for a figure that does not exist."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from sim.account import format as fmt
from sim.account.money import currency
from sim.study.stats import Estimate

USD, JPY, CHF = currency("USD"), currency("JPY"), currency("CHF")


def test_money_from_minor_units_has_the_currency_and_its_digits() -> None:
    assert fmt.money_minor(-123450, USD) == "-$1,234.50"
    assert fmt.money_minor(1234, JPY) == "¥1,234"
    assert fmt.money_minor(38583.5, USD) == "$385.84"  # a mean: to the nearest cent
    assert fmt.money_minor(100, CHF) == "CHF1.00"  # Babel's en_US spelling


def test_money_from_major_units_rounds_floats_and_keeps_decimals_exact() -> None:
    assert fmt.money_major(1234.5, USD) == "$1,234.50"
    assert fmt.money_major(0.004, USD) == "$0.00"
    assert fmt.money_major(Decimal("400"), USD) == "$400.00"
    assert fmt.money_major(1234.4, JPY) == "¥1,234"
    with pytest.raises(ValueError, match="more decimal places"):
        fmt.money_major(Decimal("0.125"), USD)  # money typed by a planner is never rounded


def test_probabilities_and_their_differences() -> None:
    assert fmt.percent(0.0123) == "1.2 %"
    assert fmt.percent(0.00051, 2) == "0.05 %"
    assert fmt.points(0.015) == "1.5 pp"


def test_durations_and_counts_carry_their_unit_and_separators() -> None:
    assert fmt.hours(1234.56) == "1,234.6 h"
    assert fmt.hours(2.324, 2) == "2.32 h"
    assert fmt.minutes(10.2, 2) == "10.20 min"
    assert fmt.count(1234) == "1,234"
    assert fmt.count(0.15, 2) == "0.15"


@pytest.mark.parametrize(
    "show",
    [
        lambda v: fmt.money_minor(v, USD),
        lambda v: fmt.money_major(v, USD),
        fmt.percent,
        fmt.points,
        fmt.hours,
        fmt.minutes,
        fmt.count,
    ],
)
def test_a_missing_figure_reads_as_a_dash(show: fmt.Show) -> None:
    assert show(None) == fmt.MISSING
    assert show(math.nan) == fmt.MISSING


def test_intervals_and_estimates() -> None:
    assert fmt.interval(0.1, None, fmt.percent) == "10.0 % to -"
    assert fmt.with_interval(Estimate(0.2, 0.1, 0.3), fmt.percent) == "20.0 % (10.0 % to 30.0 %)"
    assert fmt.with_interval(Estimate(0.2, None, None), fmt.percent) == "20.0 %"  # one replication
