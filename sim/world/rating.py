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

import bisect
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
_BLOCK = 1 << 16
"""Calls converted at a time by ``whole_seconds``: 512 KiB of float64, within a core's cache."""

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

    ``lengths`` are whole seconds as float64 (``whole_seconds``), ``month_calls[m]``
    the first call of month ``m`` (one more entry than months).
    """
    use_s = np.zeros(len(month_calls) - 1, dtype=np.int64)
    busy = np.flatnonzero(np.diff(month_calls) > 0)
    if len(busy):
        units = -(-lengths.astype(np.int64) // increment_s)
        use_s[busy] = np.add.reduceat(units, month_calls[busy])
    return use_s * increment_s


def whole_seconds(
    draws_min: np.ndarray, month_calls: np.ndarray, increment_s: int | None
) -> tuple[float, np.ndarray | None]:
    """Turn draws in minutes into whole seconds, at least 1, in place (float64); return the
    longest, and with ``increment_s`` the billed seconds per month (``month_use_s``).

    Why in one pass of blocks: a grid batch is millions of plan calls of which the
    pools need only the monthly sums; block by block, every step after the first
    reads the block from the cache, and float64 needs no conversion to int64
    (which costs numpy as much as the rest). Float64 is exact for whole numbers
    below 2^53: when a length or a monthly sum of increments might not be, the
    sums are taken again in int64.
    """
    size = len(draws_min)
    busy = np.flatnonzero(np.diff(month_calls) > 0)
    opens = month_calls[busy].tolist()  # the first call of each month with calls
    units = np.zeros(len(month_calls) - 1)
    scratch = np.empty(min(_BLOCK, size))
    longest = 0.0
    for low in range(0, size, _BLOCK):
        block = draws_min[low : low + _BLOCK]
        block *= 60
        np.rint(block, out=block)
        np.maximum(block, 1.0, out=block)
        longest = max(longest, float(block.max()))
        if increment_s is not None:
            part = scratch[: len(block)]
            np.divide(block, increment_s, out=part)
            np.ceil(part, out=part)  # the exact quotient's ceiling: block < 2^53
            first = bisect.bisect_right(opens, low) - 1
            last = bisect.bisect_left(opens, low + len(block))
            edges = np.array([0, *(start - low for start in opens[first + 1 : last])])
            units[busy[first:last]] += np.add.reduceat(part, edges)
    if increment_s is None:
        return longest, None
    if longest >= _FLOAT_WHOLE or size * (longest // increment_s + 1) >= _FLOAT_WHOLE:
        return longest, month_use_s(draws_min, month_calls, increment_s)
    return longest, units.astype(np.int64) * increment_s


def charge_minor(
    fee_scaled: np.ndarray, rate_scaled: np.ndarray, seconds: np.ndarray
) -> np.ndarray:
    """Exact ``fee + rate x seconds/60``, half-up to minor units; 0 where seconds is 0.

    Raises OverflowError when the products could leave int64 (not for any real
    tariff: $1,000/min for a year of seconds still fits).
    """
    if len(seconds) and _largest(fee_scaled, rate_scaled, seconds) > _INT64_MAX:
        raise OverflowError("a rate times a call's billed seconds does not fit in int64")
    charge = np.multiply(rate_scaled, seconds, dtype=np.int64)  # in place from here on
    charge += 60 * fee_scaled
    charge += _HALF
    charge //= _DIVISOR
    charge[seconds <= 0] = 0
    return charge


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
    if np.any(pool >= 0):
        taken_s = pool_seconds(pool, month, billed_s, allotment_s, order)
        over_s = billed_s - taken_s
    else:  # no call on a pool (calls that may be charged, when no pool overflows)
        taken_s, over_s = np.zeros(len(pool), dtype=np.int64), billed_s
    fee, per_min = tariffs.fee_scaled[tariff], tariffs.rate_scaled[tariff]
    charge = charge_minor(fee, per_min, over_s)
    free = (fee == 0) & (per_min == 0)
    return Rated(
        charge_minor=charge,
        credit_billed=(taken_s == 0) & (charge > 0) & blockable,
        billed_min=np.where(free, 0, over_s) / 60.0,
        pool_min=taken_s / 60.0,
    )
