"""Rating: exact charges of whole call arrays, after the monthly minute pools.

Why integers: the model rules price a call as ``connection_fee + rate_per_min x
billed minutes``, rounded half-up to the minor unit once per call. Doing that
in float64 for millions of calls would round some ties the wrong way, so each
Decimal rate is scaled to an integer number of *micro-minor units* (minor unit
x 10^-6) and the charge is one integer division in int64:

    charge_minor = (60 * fee + rate * seconds + 30 * 10^6) // (60 * 10^6)

where ``fee`` and ``rate`` are scaled (micro-minor, per minute for the rate)
and ``seconds`` are the billed seconds. Everything is non-negative, so adding
half the divisor and flooring is rounding half-up. A rate finer than 10^-6 of a
minor unit is refused rather than rounded.

Pools (model rules "Admission and outage"): a call eligible for a pool takes
min(its billed seconds, what the pool of the calendar month of its start still
holds), in stream order; the seconds beyond are billed (fee + rate x overflow);
a call fully covered costs nothing. Pools are kept in seconds (exact integers)
and reported in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from sim.account.clock import MICROS_PER_SECOND
from sim.account.money import Currency
from sim.limits import RATE_SUBMINOR_DIGITS
from sim.world.rates import Rate

SCALE_DIGITS = RATE_SUBMINOR_DIGITS
"""Decimal digits kept below the minor unit when scaling rates (rate tables allow no more)."""
_HALF = 30 * 10**SCALE_DIGITS
_DIVISOR = 60 * 10**SCALE_DIGITS
_INT64_MAX = np.iinfo(np.int64).max
_FLOAT_WHOLE = 2.0**53
"""Whole numbers below this are exact in float64."""

POOLS = ("dial_out", "domestic", "international")
"""The monthly minute pools, in ``CallStream.pool`` index order."""
NO_POOL = -1
DIAL_OUT_POOL, DOMESTIC_POOL, INTERNATIONAL_POOL = range(3)


def scale_money(amount: Decimal, cur: Currency) -> int:
    """``amount`` (major units) as an integer of micro-minor units, exactly.

    Raises ValueError when the amount has more precision than that, or is negative.
    """
    scaled = Decimal(amount).scaleb(cur.digits + SCALE_DIGITS)
    if scaled < 0 or scaled != scaled.to_integral_value():
        raise ValueError(
            f"rate(={amount}) must be >= 0 with at most {cur.digits + SCALE_DIGITS} decimal "
            f"places in {cur.code}"
        )
    return int(scaled)


@dataclass(frozen=True)
class Tariffs:
    """Scaled prices indexed by tariff number: micro-minor fee and per-minute rate."""

    fee_scaled: np.ndarray
    rate_scaled: np.ndarray

    @classmethod
    def of(cls, rates: list[Rate], cur: Currency) -> Tariffs:
        """Scale a list of Decimal rates (index i is tariff i)."""
        fees = [scale_money(rate.connection_fee, cur) for rate in rates]
        per_min = [scale_money(rate.rate_per_min, cur) for rate in rates]
        return cls(np.asarray(fees, dtype=np.int64), np.asarray(per_min, dtype=np.int64))


def billed_seconds(duration_us: np.ndarray, increment_s: int) -> np.ndarray:
    """Durations rounded UP to whole billing increments, in seconds (int64)."""
    step_us = increment_s * MICROS_PER_SECOND
    return -(-duration_us // step_us) * increment_s


def month_use_s(lengths: np.ndarray, month_calls: np.ndarray, increment_s: int) -> np.ndarray:
    """Billed seconds per month of calls in month order: ``billed_seconds`` of each, summed.

    ``lengths`` are whole seconds as float64 (``sim.world.sources.whole_seconds``),
    ``month_calls[m]`` the first call of month ``m`` (one more entry than months).
    Why floats: a pool's monthly use is summed over millions of plan calls, and
    float64 does it in two passes where int64 needs four and a cumulative sum.
    It is exact while every length and every monthly sum of increments is a
    whole number below 2^53 (float64's integers); past that the sums are
    taken in int64.
    """
    use_s = np.zeros(len(month_calls) - 1, dtype=np.int64)
    busy = np.flatnonzero(np.diff(month_calls) > 0)
    if not len(busy):
        return use_s
    longest = float(lengths.max())
    units: np.ndarray
    if longest < _FLOAT_WHOLE and len(lengths) * (longest // increment_s + 1) < _FLOAT_WHOLE:
        units = lengths / increment_s  # exact quotient's ceiling: lengths are below 2^53
        np.ceil(units, out=units)
    else:
        units = -(-lengths.astype(np.int64) // increment_s)
    use_s[busy] = np.add.reduceat(units, month_calls[busy]).astype(np.int64)
    return use_s * increment_s


def charge_minor(
    fee_scaled: np.ndarray, rate_scaled: np.ndarray, seconds: np.ndarray
) -> np.ndarray:
    """Exact ``fee + rate x seconds/60``, half-up to minor units; 0 where seconds is 0.

    Raises OverflowError when the products could leave int64 (not for any real
    tariff: $1,000/min for a year of seconds still fits).
    """
    if len(seconds) and _largest(fee_scaled, rate_scaled, seconds) > _INT64_MAX:
        raise OverflowError("a rate times a call's billed seconds does not fit in int64")
    total = 60 * fee_scaled + rate_scaled * seconds
    return np.where(seconds > 0, (total + _HALF) // _DIVISOR, 0).astype(np.int64)


def _largest(fee_scaled: np.ndarray, rate_scaled: np.ndarray, seconds: np.ndarray) -> int:
    """An upper bound of the charge formula's numerator, in Python integers."""
    return 60 * int(fee_scaled.max()) + int(rate_scaled.max()) * int(seconds.max()) + _HALF


def pool_seconds(
    pool: np.ndarray,
    month: np.ndarray,
    billed_s: np.ndarray,
    allotment_s: np.ndarray,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """Seconds each call takes from its pool, in stream order, per calendar month.

    ``pool`` is each call's pool index (-1 none), ``month`` its start's month
    index (non-decreasing along the stream), ``allotment_s[p, m]`` pool ``p``'s
    size in month ``m`` (sizes follow plan holders, ``sim.world.plans``). A
    call takes min(billed, left). ``order`` lists the calls' rows in stream
    order when they are given in another order (default: they are in it).
    """
    taken = np.zeros(len(pool), dtype=np.int64)
    in_order = pool if order is None else pool[order]
    for index, sizes in enumerate(allotment_s):
        rows = np.flatnonzero(in_order == index)
        if order is not None:
            rows = order[rows]
        if len(rows) and sizes.any():
            taken[rows] = _burn_down(month[rows], billed_s[rows], sizes)
    return taken


def _burn_down(month: np.ndarray, billed_s: np.ndarray, size_s: np.ndarray) -> np.ndarray:
    """One pool's calls (in order): what each takes, the pool refilled to ``size_s[month]``."""
    before = np.cumsum(billed_s) - billed_s
    first = np.flatnonzero(np.r_[True, month[1:] != month[:-1]])
    run = np.diff(np.r_[first, len(month)])
    used_before = before - np.repeat(before[first], run)
    return np.clip(size_s[month] - used_before, 0, billed_s)


@dataclass(frozen=True)
class Rated:
    """What rating adds to a stream: the CallStream's money and pool columns."""

    charge_minor: np.ndarray
    credit_billed: np.ndarray
    billed_min: np.ndarray
    pool_min: np.ndarray


def rate_calls(
    duration_us: np.ndarray,
    tariff: np.ndarray,
    pool: np.ndarray,
    month: np.ndarray,
    blockable: np.ndarray,
    tariffs: Tariffs,
    increment_s: int,
    allotment_s: np.ndarray,
) -> Rated:
    """Rate calls given in stream order.

    ``billed_min`` is what is billed to credits after the pool (0 for calls
    whose tariff is free); ``credit_billed`` = took no pool minutes, costs > 0
    and ``blockable`` (a stream declared ``credit_billed = false`` is never
    blocked, though still charged).
    """
    billed_s = billed_seconds(duration_us, increment_s)
    return rate_billed(billed_s, tariff, pool, month, blockable, tariffs, allotment_s)


def rate_billed(
    billed_s: np.ndarray,
    tariff: np.ndarray,
    pool: np.ndarray,
    month: np.ndarray,
    blockable: np.ndarray,
    tariffs: Tariffs,
    allotment_s: np.ndarray,
    order: np.ndarray | None = None,
) -> Rated:
    """``rate_calls`` of calls whose billed seconds are known, in any order.

    ``order`` lists the rows in stream order when they are not in it: only the
    pools depend on the order (``pool_seconds``), so the calls need not be
    sorted to be rated.
    """
    taken_s = pool_seconds(pool, month, billed_s, allotment_s, order)
    over_s = billed_s - taken_s
    fee, per_min = tariffs.fee_scaled[tariff], tariffs.rate_scaled[tariff]
    charge = charge_minor(fee, per_min, over_s)
    free = (fee == 0) & (per_min == 0)
    return Rated(
        charge_minor=charge,
        credit_billed=(taken_s == 0) & (charge > 0) & blockable,
        billed_min=np.where(free, 0, over_s) / 60.0,
        pool_min=taken_s / 60.0,
    )
