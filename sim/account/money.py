"""Money as integer minor units of an ISO 4217 currency.

Why integers: a ledger that adds 0.1 ten times must hold exactly 1.00, and the
conservation law ``funded = consumed + forfeited + balance`` must hold to the
cent at every event. Floats cannot promise either, so every amount inside the
model is an ``int`` of minor units (cents for USD, yen for JPY, fils for KWD).
Decimal strings are parsed exactly; floats appear only for display and JSON.

The number of minor digits per currency comes from CLDR via Babel; amounts
for people are formatted by ``sim.account.format``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

_DECIMAL = re.compile(r"^([+-]?)(\d+)(?:\.(\d*))?$|^([+-]?)\.(\d+)$")
_PLACEHOLDER_CODES = frozenset({"XXX", "XTS"})
_EXACT_INT = 2**53
"""Integers up to this size are exact as floats and as Decimals of the default context."""


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency and the number of digits of its minor unit."""

    code: str
    digits: int

    @property
    def minor_per_major(self) -> int:
        """How many minor units make one major unit (100 for USD, 1 for JPY)."""
        return 10**self.digits

    def __str__(self) -> str:
        return self.code


@cache
def currency(code: str) -> Currency:
    """Look up a currency by its ISO 4217 code (case-insensitive).

    Raises ValueError naming the code when it is not a known currency, so that a
    typo such as ``USDD`` is caught before any money is parsed with it.
    """
    normalized = code.strip().upper()
    if normalized not in list_currencies() or normalized in _PLACEHOLDER_CODES:
        raise ValueError(f"currency(={code!r}) is not an ISO 4217 currency code")
    return Currency(normalized, get_currency_precision(normalized))


def parse_minor(text: str, cur: Currency) -> int:
    """Parse a decimal string such as ``"12.34"`` into minor units, exactly.

    A value with more decimal places than the currency has (``"0.125"`` USD) is
    rejected rather than rounded: silently rounding input money would break the
    to-the-cent promise. Trailing zeros beyond the minor unit are fine
    (``"1.2300"`` USD is 123 cents).
    """
    stripped = text.strip()
    match = _DECIMAL.match(stripped)
    if match is None:
        raise ValueError(f"{text!r} is not a decimal number")
    sign, whole, frac = (match.group(1), match.group(2), match.group(3) or "")
    if match.group(5) is not None:
        sign, whole, frac = match.group(4), "0", match.group(5)
    significant = frac.rstrip("0")
    if len(significant) > cur.digits:
        raise ValueError(f"{text!r} has more decimal places than {cur.code} allows ({cur.digits})")
    minor = int(whole) * cur.minor_per_major + int(significant.ljust(cur.digits, "0") or "0")
    return -minor if sign == "-" else minor


def major_to_minor(amount: Decimal | int | str, cur: Currency) -> int:
    """Convert a major-unit amount to minor units, rejecting sub-minor precision."""
    text = amount if isinstance(amount, str) else format(Decimal(amount), "f")
    return parse_minor(text, cur)


def round_half_up_minor(amount_major: Decimal, cur: Currency) -> int:
    """Round a computed major-unit amount to whole minor units, half away from zero.

    Used once per call when a rate times minutes is turned into a charge.
    """
    quantum = Decimal(1).scaleb(-cur.digits)
    return int(amount_major.quantize(quantum, rounding=ROUND_HALF_UP).scaleb(cur.digits))


def to_decimal(minor: int, cur: Currency) -> Decimal:
    """The exact major-unit value of an amount in minor units."""
    return Decimal(minor).scaleb(-cur.digits)


def to_text(minor: int, cur: Currency) -> str:
    """Plain decimal text with exactly the currency's digits: ``-1.50``, ``0.00``, ``12``."""
    return format(to_decimal(minor, cur), "f")


def to_number(minor: int | float, cur: Currency) -> float | int:
    """A JSON number in major units, rounded to the currency's minor unit.

    Integers stay exact; a float (a mean, say) is rounded half-up to the minor
    unit first. For a zero-digit currency the result is an ``int``.
    """
    if isinstance(minor, float):
        minor = int(Decimal(repr(minor)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if type(minor) is int and -_EXACT_INT <= minor <= _EXACT_INT:
        # int / int is correctly rounded, as float() of the exact Decimal is: the same float,
        # without building a Decimal for each of a sweep's 22,000 amounts
        return minor if cur.digits == 0 else minor / cur.minor_per_major
    value = to_decimal(minor, cur)  # beyond: rounded to the context's 28 digits, as it was
    return int(value) if cur.digits == 0 else float(value)
