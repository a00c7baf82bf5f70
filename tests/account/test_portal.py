"""The admin portal's limits: one table per currency, one function giving the findings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sim.account.money import currency
from sim.account.portal import TABLE, Finding, findings, grouped, rules


def d(text: str) -> Decimal:
    return Decimal(text)


def test_every_row_is_a_currency_with_its_source_and_only_usd_is_published() -> None:
    for code, row in TABLE.items():
        assert currency(code).code == code == row.code
        assert row.minimum_trigger > 0 and row.minimum_amount > 0 and row.whole
        assert row.basis.startswith("published" if row.published else "assumed")
    assert [code for code, row in TABLE.items() if row.published] == ["USD"]
    assert "issue #462" in TABLE["USD"].basis
    assert "what-are-communications-credits.md" in TABLE["USD"].basis


def test_a_usd_trigger_of_50_point_5_is_not_whole() -> None:
    (only,) = findings("USD", trigger=d("50.5"), amount=d("100"), initial=d("100"))
    assert (only.lever, only.value, only.rule) == ("trigger", d("50.5"), "whole")
    assert only.message() == (
        "trigger 50.5 is not a whole amount: the admin portal takes whole USD amounts; "
        "the portal would refuse it"
    )


def test_a_usd_amount_of_20_is_below_the_minimum() -> None:
    (only,) = findings("USD", trigger=d("50"), amount=d("20"))
    assert (only.lever, only.rule) == ("amount", "minimum")
    assert only.message("the rule of thumb's ") == (
        "the rule of thumb's amount 20 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it"
    )


def test_every_purchase_is_checked_and_an_initial_of_zero_buys_nothing() -> None:
    found = findings(
        "usd", trigger=d("0.5"), initial=d("0"), manual_top_up=d("49"), monthly_top_up=d("7.5")
    )
    assert [(item.lever, item.rule) for item in found] == [
        ("trigger", "minimum"),
        ("trigger", "whole"),
        ("manual_top_up", "minimum"),
        ("monthly_top_up", "minimum"),
        ("monthly_top_up", "whole"),
    ]
    assert findings("USD", trigger=d("50"), amount=d("50"), initial=d("50")) == ()
    assert findings("USD") == ()  # auto-recharge off, no purchase


def test_jpy_uses_its_own_assumed_rule_not_usds_50() -> None:
    row = rules("JPY")
    assert (row.minimum_trigger, row.minimum_amount, row.published) == (5000, 5000, False)
    (low,) = findings("JPY", trigger=d("400"), amount=d("5000"))
    assert low.message() == (
        "trigger 400 is below the admin portal's minimum of 5,000 JPY "
        "(assumed: no figure published for JPY); the portal would refuse it"
    )
    assert findings("JPY", trigger=d("5000"), amount=d("10000")) == ()
    assert findings("USD", trigger=d("400")) == ()  # the same 400 is fine in dollars


@pytest.mark.parametrize("code", ["EUR", "GBP"])
def test_currencies_near_the_dollar_assume_its_50(code: str) -> None:
    (low,) = findings(code, amount=d("40"))
    assert f"minimum of 50 {code} (assumed: no figure published for {code})" in low.message()


def test_a_currency_outside_the_table_is_checked_for_whole_amounts_only() -> None:
    row = rules("SEK")
    assert (row.minimum_trigger, row.minimum_amount, row.published) == (0, 0, False)
    assert "SEK" in row.basis and row.basis.startswith("assumed")
    assert findings("SEK", trigger=d("1"), amount=d("1")) == ()
    assert [item.rule for item in findings("SEK", amount=d("1.5"))] == ["whole"]


def test_a_grid_is_one_line_per_lever_and_rule_each_value_once() -> None:
    items: list[Finding] = []
    for trigger in ("10", "0", "10.0", "60.5"):
        items += findings("USD", trigger=d(trigger), amount=d("20"))
    assert grouped(items) == [
        "triggers 0, 10 are below the admin portal's minimum of 50 USD; "
        "the portal would refuse them",
        "trigger 60.5 is not a whole amount: the admin portal takes whole USD amounts; "
        "the portal would refuse it",
        "amount 20 is below the admin portal's minimum of 50 USD; the portal would refuse it",
    ]
    assert grouped([]) == []
