"""Money: exact parsing to minor units per ISO 4217 currency, and conversion."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.account.money import (
    Currency,
    currency,
    major_to_minor,
    parse_minor,
    round_half_up_minor,
    to_decimal,
    to_number,
    to_text,
)

USD, JPY, KWD = currency("USD"), currency("jpy"), currency("KWD")


@pytest.mark.parametrize(
    ("text", "cur", "minor"),
    [
        ("0.44", USD, 44),
        ("12", USD, 1200),
        ("1.2300", USD, 123),
        (".5", USD, 50),
        ("-0.01", USD, -1),
        ("1234", JPY, 1234),
        ("1234.000", JPY, 1234),
        ("1.234", KWD, 1234),
    ],
)
def test_decimal_strings_parse_exactly_to_minor_units(text, cur, minor) -> None:
    assert parse_minor(text, cur) == minor


@pytest.mark.parametrize(("text", "cur"), [("0.125", USD), ("12.5", JPY), ("1.2345", KWD)])
def test_more_decimals_than_the_currency_has_is_an_error_not_a_rounding(text, cur) -> None:
    with pytest.raises(ValueError, match=f"more decimal places than {cur.code}"):
        parse_minor(text, cur)


@pytest.mark.parametrize("text", ["", "abc", "1,5", "1e3", "0x10", "--1", "1.2.3"])
def test_non_decimal_text_is_refused(text) -> None:
    with pytest.raises(ValueError, match="is not a decimal number"):
        parse_minor(text, USD)


def test_currency_digits_come_from_iso_4217() -> None:
    assert (USD.digits, JPY.digits, KWD.digits) == (2, 0, 3)
    with pytest.raises(ValueError, match="not an ISO 4217 currency code"):
        currency("USDD")


def test_ten_dimes_make_exactly_one_dollar() -> None:
    assert sum(parse_minor("0.10", USD) for _ in range(10)) == parse_minor("1.00", USD)


def test_half_up_rounding_of_a_computed_charge() -> None:
    assert round_half_up_minor(Decimal("0.022") * 25, USD) == 55
    assert round_half_up_minor(Decimal("0.0125"), USD) == 1
    assert round_half_up_minor(Decimal("0.0149"), USD) == 1
    assert round_half_up_minor(Decimal("2.5"), JPY) == 3


def test_conversion_and_display() -> None:
    assert major_to_minor(Decimal("400"), USD) == 40000
    assert major_to_minor(1000, JPY) == 1000
    assert to_text(-150, USD) == "-1.50" and to_text(0, USD) == "0.00"
    assert to_number(38583.5, USD) == 385.84 and to_number(7, JPY) == 7


@given(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from([USD, JPY, KWD]))
def test_to_number_of_minor_units_is_the_float_of_the_exact_decimal(
    minor: int, cur: Currency
) -> None:
    """``to_number`` divides instead of building a Decimal: the same float, bit for bit
    (int / int and float(Decimal) are both correctly rounded), an int for zero digits."""
    exact = to_decimal(minor, cur)
    expected = int(exact) if cur.digits == 0 else float(exact)
    got = to_number(minor, cur)
    assert type(got) is type(expected) and got == expected
    assert math.copysign(1.0, got) == math.copysign(1.0, expected)
