"""The generator's float64 and shift shortcuts agree with the plain integer rules, on every branch.

``whole_seconds`` (a grid batch's lengths and its pool's monthly use in one
blocked float64 pass) must give what ``sources.seconds``, ``billed_seconds`` and
a sum per month give in int64, across block edges, empty months and lengths too
long for float64; ``sorted_ties`` must give the lexsort order whichever way it
sorts (float64 keys, int64 keys, lexsort).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from sim.account.clock import MICROS_PER_SECOND
from sim.world.demand_stream import sorted_ties
from sim.world.rating import billed_seconds, whole_seconds


def _reference(draws_min: np.ndarray, month_calls: np.ndarray, step_s: int) -> np.ndarray:
    """Billed seconds per month the long way: int64 lengths, billed each, summed per month."""
    whole = np.maximum(np.rint(draws_min * 60).astype(np.int64), 1)
    billed = billed_seconds(whole * MICROS_PER_SECOND, step_s)
    return np.array([billed[a:b].sum() for a, b in pairwise(month_calls)])


@pytest.mark.parametrize("step_s", [1, 60, 3600])
def test_whole_seconds_equals_the_integer_rules_across_blocks_and_empty_months(
    step_s: int,
) -> None:
    rng = np.random.default_rng(step_s)
    counts = np.array([0, 70_000, 0, 0, 1, 90_000, 5, 0])  # blocks are 65,536 calls
    month_calls = np.r_[0, np.cumsum(counts)]
    draws = rng.exponential(6.0, int(counts.sum()))
    draws[:3] = [0.0, 0.004, 1e-9]  # round to 0 s: a call lasts at least 1 s
    expected = _reference(draws, month_calls, step_s)
    lengths = draws.copy()
    longest, use_s = whole_seconds(lengths, month_calls, step_s)
    assert use_s is not None and use_s.dtype == np.int64
    np.testing.assert_array_equal(use_s, expected)
    np.testing.assert_array_equal(lengths, np.maximum(np.rint(draws * 60), 1))
    assert longest == lengths.max()
    assert whole_seconds(draws.copy(), month_calls, None)[1] is None  # no pool: no sums


def test_lengths_beyond_float64_integers_are_summed_in_int64() -> None:
    month_calls = np.array([0, 2, 3])
    draws = np.array([2.0**54 / 60 + 1, 1.0, 2.0**47])  # whole seconds above 2^53 s
    lengths = draws.copy()
    _, use_s = whole_seconds(lengths, month_calls, 60)
    whole = [int(x) for x in lengths]  # float64 integers there, exactly
    expected = [sum(-(-s // 60) * 60 for s in whole[a:b]) for a, b in [(0, 2), (2, 3)]]
    assert use_s is not None and use_s.tolist() == expected


@pytest.mark.parametrize(
    ("spread_us", "top"),
    [
        (10**9 * MICROS_PER_SECOND, 1_000),  # whole seconds: float64 keys
        (2**50 + 7, 1 << 10),  # microseconds, keys past 2^53: int64 keys
        (2**60, 1 << 20),  # too wide for one int64 key: lexsort
    ],
)
def test_sorted_ties_gives_the_lexsort_order_on_every_branch(spread_us: int, top: int) -> None:
    rng = np.random.default_rng(top)
    size = 500
    start = 1_800_000_000_000_000 + rng.integers(0, spread_us, size)
    start[::7] = start[0]  # ties on start
    if spread_us % MICROS_PER_SECOND == 0:
        start -= start % MICROS_PER_SECOND
    ties = rng.permutation(top)[:size].astype(np.int64)
    expected = ties[np.lexsort((ties, start))]
    np.testing.assert_array_equal(sorted_ties(start, ties, top), expected)
