"""Three steps of demand generation compiled with numba, for processes that load numba
anyway: the stream order of the calls that may be charged, a grid batch's whole
seconds with its pool's monthly sums, and the charged calls' rows in the whole stream.

Why: after the random draws (which stay numpy's, so every draw is the one it was),
the first two are the largest steps of a replication of ``enterprise``: numpy's
stable argsort of 400,000 starts (timsort, about 10 ms) and ``whole_seconds``'
blocked passes over 4.5 million lengths (about 9 ms, a float64 sum per month whose
additions wait on each other). Here the order is a stable LSD radix sort of the
starts (whole seconds, as generated starts are: two passes of 16-bit digits, each
key carried with its row), and the lengths are made whole and summed in one pass,
in int64. Replication 1's call numbers (``DemandStream.charged_refs``) sort 4.1
million free calls' keys once instead of a chunk at a time with the charged calls.
Each gives the same numbers as its numpy path, bit for bit
(``tests/world/test_compiled.py`` compares them on random inputs and on the bundled
scenarios).

Who uses them: ``sim.world.rating.compiled_steps`` decides (numba already loaded,
big enough arrays). Each function is self-contained (its helpers are in this file),
so numba's on-disk cache, keyed on this file, cannot go stale (compare
``sim.engines.jit_cache``, whose functions inline other modules' code).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.account.clock import MICROS_PER_SECOND

_DIGIT_BITS = 16
"""Bits of the key sorted per pass: whole-second starts over two years (26 bits) take two
passes (measured on enterprise: 4.2 ms with 16 bits, 5.5 with 13, 6.4 with 11, 5.8 with 8)."""


def stable_order(start_us: np.ndarray) -> np.ndarray:
    """The rows of ``start_us`` by start, equal starts in row order (``np.argsort(start_us,
    kind="stable")``), as int64."""
    if len(start_us) == 0:
        return np.zeros(0, dtype=np.int64)
    return _radix_order(np.ascontiguousarray(start_us, dtype=np.int64))


@numba.njit(cache=True)
def _radix_order(start_us: np.ndarray) -> np.ndarray:  # pragma: no cover  (compiled)
    """LSD radix sort of (start - earliest), in seconds when every gap is whole seconds
    (fewer digits; a constant divisor, which the compiler turns into a multiplication),
    else in microseconds; stable, as every pass keeps the order before."""
    earliest = start_us.min()
    whole = _whole_seconds_apart(start_us, earliest)
    keys = np.empty(start_us.size, dtype=np.int64)
    for row in range(start_us.size):
        gap = start_us[row] - earliest
        keys[row] = gap // MICROS_PER_SECOND if whole else gap
    return _radix_sort(keys, np.arange(start_us.size))[1]


def free_before(
    charged_start: np.ndarray,
    charged_seq: np.ndarray,
    free_start: np.ndarray,
    free_seq: np.ndarray,
) -> np.ndarray | None:
    """For each charged call, how many of the free calls come before it in stream order (by
    start, then seq): ``sim.world.demand_stream._free_before``'s counts, from one radix
    sort of the free calls' (start, seq) keys and a binary search of the charged calls'.
    None when the keys do not fit in int64 (microsecond starts over a long horizon)."""
    if len(charged_start) == 0 or len(free_start) == 0:
        return np.zeros(len(charged_start), dtype=np.int64)
    arrays = (charged_start, charged_seq, free_start, free_seq)
    fits, counts = _free_before(*(np.ascontiguousarray(a, dtype=np.int64) for a in arrays))
    return counts if fits else None


@numba.njit(cache=True)
def _free_before(
    charged_start: np.ndarray, charged_seq: np.ndarray, free_start: np.ndarray, free_seq: np.ndarray
) -> tuple[bool, np.ndarray]:  # pragma: no cover  (compiled)
    """(whether the keys fit, the counts): a key is (start - earliest, in seconds when every
    start is whole seconds apart) shifted past the seq's bits, or-ed with the seq, so keys
    order as (start, seq) and no two are equal."""
    earliest = min(charged_start.min(), free_start.min())
    whole = _whole_seconds_apart(charged_start, earliest) and _whole_seconds_apart(
        free_start, earliest
    )
    unit = MICROS_PER_SECOND if whole else 1
    top_seq = max(charged_seq.max(), free_seq.max())
    bits = 1
    while (top_seq >> bits) > 0:
        bits += 1
    latest = (max(charged_start.max(), free_start.max()) - earliest) // unit
    if bits > 62 or latest >= (np.int64(1) << (63 - bits)):
        return False, np.zeros(0, dtype=np.int64)
    free_keys = np.empty(free_start.size, dtype=np.int64)
    for row in range(free_start.size):
        free_keys[row] = (((free_start[row] - earliest) // unit) << bits) | free_seq[row]
    charged_keys = np.empty(charged_start.size, dtype=np.int64)
    for row in range(charged_start.size):
        charged_keys[row] = (((charged_start[row] - earliest) // unit) << bits) | charged_seq[row]
    ordered = _radix_sort(free_keys, np.zeros(0, dtype=np.int64))[0]
    return True, np.searchsorted(ordered, charged_keys).astype(np.int64)


@numba.njit(cache=True)
def _whole_seconds_apart(start_us: np.ndarray, earliest: int) -> bool:  # pragma: no cover
    """Whether every start is a whole number of seconds after ``earliest``."""
    for row in range(start_us.size):  # noqa: SIM110  (a loop that stops: numba compiles it)
        if (start_us[row] - earliest) % MICROS_PER_SECOND != 0:
            return False
    return True


@numba.njit(cache=True)
def _radix_sort(
    keys: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover  (compiled)
    """``keys`` (>= 0) sorted, and ``rows`` in the same order when given (else empty): an
    LSD radix sort, stable, each key carried with its row so every pass reads in sequence.
    Overwrites both arguments (they are scratch)."""
    size = keys.size
    carry = rows.size == size
    top = keys.max()
    passes = 1
    while passes * _DIGIT_BITS < 63 and (top >> (passes * _DIGIT_BITS)) > 0:
        passes += 1
    mask = (1 << _DIGIT_BITS) - 1
    counts = np.zeros((passes, 1 << _DIGIT_BITS), dtype=np.int64)
    for row in range(size):  # every pass's digit counts in one read
        key = keys[row]
        for digit in range(passes):
            counts[digit, (key >> (digit * _DIGIT_BITS)) & mask] += 1
    keys_out = np.empty(size, dtype=np.int64)
    rows_out = np.empty(rows.size, dtype=np.int64)
    for digit in range(passes):
        shift = digit * _DIGIT_BITS
        before = 0  # keys with a smaller digit: where this digit's first key goes
        for value in range(1 << _DIGIT_BITS):
            count = counts[digit, value]
            counts[digit, value] = before
            before += count
        for row in range(size):
            key = keys[row]
            place = counts[digit, (key >> shift) & mask]
            counts[digit, (key >> shift) & mask] = place + 1
            keys_out[place] = key
            if carry:
                rows_out[place] = rows[row]
        keys, keys_out = keys_out, keys
        rows, rows_out = rows_out, rows
    return keys, rows


def whole_seconds_sums(
    draws_min: np.ndarray, month_calls: np.ndarray, increment_s: int
) -> tuple[float, np.ndarray]:
    """``sim.world.rating.whole_seconds`` with an increment, in one compiled pass: the draws
    (minutes) made whole seconds, at least 1, in place; (the longest, the increments billed
    per month as int64). The caller checks the sums are exact (the longest below 2^53).

    ``month_calls`` runs from 0 to ``len(draws_min)`` (a grid's months cover its slots)."""
    if len(month_calls) < 2 or month_calls[0] != 0 or month_calls[-1] != len(draws_min):
        raise ValueError("month_calls must run from 0 to the number of draws")
    return _whole_seconds_sums(draws_min, month_calls, increment_s)


@numba.njit(cache=True)
def _whole_seconds_sums(
    draws_min: np.ndarray, month_calls: np.ndarray, increment_s: int
) -> tuple[float, np.ndarray]:  # pragma: no cover  (compiled)
    """``rint(draw x 60)``, at least 1, and ``ceil(seconds / increment)`` summed per month in
    int64 (the float64 quotient's ceiling, as numpy's: exact below 2^53)."""
    units = np.zeros(month_calls.size - 1, dtype=np.int64)
    longest = 0.0
    for month in range(units.size):
        total = 0
        for row in range(month_calls[month], month_calls[month + 1]):
            seconds = max(np.rint(draws_min[row] * 60.0), 1.0)
            draws_min[row] = seconds
            longest = max(longest, seconds)
            total += math.ceil(seconds / increment_s)
        units[month] = total
    return longest, units
