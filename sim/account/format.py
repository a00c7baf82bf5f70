"""Numbers for people, one function per unit: money, percent, points, hours, minutes, counts.

Why one module: the same figure is printed by ``credsim run``, written into
the HTML report and shown on the dashboard's cards and tables. When each
place had its own helper, the comparison table read ``1,234.56`` where the
cards read ``$1,234.56``, and the CLI wrote ``1.5%`` where the sweep wrote
``1.5 %``. Here each unit has one spelling, and every view goes through it.

It sits beside ``sim.account.money`` because the lowest rooms format money
too (the recommendation's reason, stored in summary.json, names amounts).
Nothing here rounds what is stored: these are display strings only.

Conventions: money with the currency's symbol and minor digits (Babel,
``en_US``); a probability as ``12.3 %`` (a space before the sign, as in
``95 %``); a difference of probabilities in percentage points ``1.5 pp``;
``-`` for a figure that does not exist (None or NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from babel.numbers import format_currency

from sim.account.money import Currency, major_to_minor, to_decimal

MISSING = "-"
"""What a figure that does not exist (no CI with one replication) reads as."""

Show = Callable[[float | None], str]
"""A formatter for one unit, as the interval helpers take it."""


class Bounded(Protocol):
    """A point estimate with its confidence interval (``sim.study.stats.Estimate``)."""

    @property
    def estimate(self) -> float: ...

    @property
    def ci_low(self) -> float | None: ...

    @property
    def ci_high(self) -> float | None: ...


def missing(value: object) -> bool:
    """True for a figure that does not exist: None, or NaN (a gap in a pandas table)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def money_minor(minor: int | float | None, cur: Currency, locale: str = "en_US") -> str:
    """``$1,234.50`` or ``¥1,234`` from minor units; a float (a mean) goes to the nearest unit."""
    if minor is None or missing(minor):
        return MISSING
    return format_currency(to_decimal(round(minor), cur), cur.code, locale=locale)


def money_major(amount: float | Decimal | None, cur: Currency) -> str:
    """``$1,234.50`` from major units: a float is rounded to the minor unit, a Decimal is exact.

    A Decimal with more places than the currency has (``0.125`` USD) is a
    ValueError, as everywhere money is parsed.
    """
    if amount is None or missing(amount):
        return MISSING
    if isinstance(amount, Decimal):
        return money_minor(major_to_minor(amount, cur), cur)
    return money_minor(round(amount * cur.minor_per_major), cur)


def percent(fraction: float | None, digits: int = 1) -> str:
    """A probability or rate: ``0.0123`` as ``1.2 %``."""
    if fraction is None or missing(fraction):
        return MISSING
    return f"{fraction * 100:.{digits}f} %"


def points(change: float | None, digits: int = 1) -> str:
    """A difference of two probabilities in percentage points: ``0.015`` as ``1.5 pp``."""
    if change is None or missing(change):
        return MISSING
    return f"{change * 100:.{digits}f} pp"


def hours(value: float | None, digits: int = 1) -> str:
    """A duration in hours: ``1,234.5 h``."""
    if value is None or missing(value):
        return MISSING
    return f"{value:,.{digits}f} h"


def minutes(value: float | None, digits: int = 1) -> str:
    """A duration in minutes: ``1,234.5 min``."""
    if value is None or missing(value):
        return MISSING
    return f"{value:,.{digits}f} min"


def count(value: float | None, digits: int = 0) -> str:
    """A count, or the mean of counts: ``1,234`` (``digits=0``) or ``12.35``."""
    if value is None or missing(value):
        return MISSING
    return f"{value:,.{digits}f}"


def interval(low: float | None, high: float | None, show: Show) -> str:
    """``low to high`` in one unit (``-`` for a bound that does not exist)."""
    return f"{show(low)} to {show(high)}"


def with_interval(est: Bounded, show: Show) -> str:
    """``value (low to high)``; just ``value`` when there is no interval (one replication)."""
    if missing(est.ci_low) or missing(est.ci_high):
        return show(est.estimate)
    return f"{show(est.estimate)} ({interval(est.ci_low, est.ci_high, show)})"
