"""The prefix arrays the skip engine jumps on, shared by every policy of a replication.

Between two events that change the account (``sim.engines.skip_stretch``) the
balance is the balance at the stretch's start minus the charges posted since,
in post order (end, stream order). So one replication's charged calls, in post
order, give everything a jump needs, whatever the policy:

- ``post_end_us[k]``: when posting ``k`` happens (sorted: a binary search finds
  the first posting at or after an event, or after a day boundary);
- ``charged_before[k]``: the charges of postings ``0 .. k - 1`` (a binary search
  finds where the balance would cross a floor);
- ``weighted_high_before[k]``, ``weighted_low_before[k]``: the sums of charge x
  (post time - ``origin_us``) >> ``SPLIT_BITS`` and of charge x its low
  ``SPLIT_BITS`` bits, for the balance integral (``charge x time`` itself does
  not fit in int64);
- ``day_first_post[d]``: the first posting at or after the run's day boundary
  ``d`` (``with_days``, per run window): a jump samples each day it crosses in
  O(1), not by a binary search per day.

Why no int64 sum overflows (bounds from ``sim.limits``):

- ``charged_before`` is at most calls x ``CHARGE_MAX_MINOR``; with
  ``CALLS_PER_REPLICATION_MAX`` (2e7) calls that is 2e17 < 2^62. A stream whose
  calls x largest charge reaches 2^62 anyway (the call limit is an expectation,
  and can be raised) gets no jumps (``on`` False): every stretch runs per call.
- ``weighted_*_before`` may wrap around (numba's integer arithmetic is
  modulo 2^64): a jump only uses differences over its own
  postings, which are exact modulo 2^64 and so exact whenever the true value
  fits in int64. A jump posts C <= ``JUMP_CHARGE_MAX_MINOR`` = 2^39 and spans
  less than 366 days (it stops before its oldest open lot expires, and that lot
  was bought at or before the jump's start: 12 calendar months <= 366 days =
  3.2e13 us, ``>> SPLIT_BITS`` < 1.9e6). Its two terms are then
  |sum charge x (high part difference)| <= C x (1.9e6 + 1) < 1.1e18 and
  |sum charge x (low part difference)| <= C x (2^24 - 1) < 2^63.
- The balance x span terms are those of the per-call loop (``fast_loop``), the
  same products over the same kind of span.

``test_skip`` checks these inequalities from the constants and checks a stream
whose weighted sums wrap around.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.engines.fast_layout import SPLIT_BITS
from sim.engines.jit_cache import njit
from sim.engines.scratch import POOL

_SPLIT_MASK = (1 << SPLIT_BITS) - 1
CHARGED_BEFORE_MAX = 2**62
"""Largest total charge of a stream the prefix sums hold; beyond it, no jumps."""
SPAN_MAX_US = 366 * 24 * 3600 * 1_000_000
"""A jump's longest span: it ends before its oldest open lot expires (12 months)."""


class Jumps(NamedTuple):
    """A replication's charged calls in post order, as prefix arrays (module docstring)."""

    on: bool
    """False: the engine posts every stretch per call (the ``fast`` engine, or a huge stream)."""
    origin_us: int
    """The time the weighted sums count from (the first posting)."""
    post_end_us: np.ndarray
    charged_before: np.ndarray
    weighted_high_before: np.ndarray
    weighted_low_before: np.ndarray
    day_first_post: np.ndarray
    """Per day boundary of the run (``with_days``); empty: found by a binary search."""


def no_jumps() -> Jumps:
    """The terms of a run that never jumps (the per-call ``fast`` engine)."""
    before = np.zeros(1, np.int64)
    none = np.zeros(0, np.int64)
    return Jumps(False, 0, none, before, before, before, none)


def with_days(jumps: Jumps, start_us: int, end_us: int) -> Jumps:
    """``jumps`` with ``day_first_post`` for the day boundaries in (start_us, end_us]."""
    if not jumps.on:
        return jumps
    boundaries = start_us + MICROS_PER_DAY * np.arange(1, (end_us - start_us) // MICROS_PER_DAY + 1)
    first = np.searchsorted(jumps.post_end_us, boundaries, side="left").astype(np.int64)
    return jumps._replace(day_first_post=first)


def build_jumps(end_us: np.ndarray, charge_minor: np.ndarray, post_order: np.ndarray) -> Jumps:
    """The prefix arrays of charged calls (``end_us``, ``charge_minor``) in ``post_order``."""
    n = len(post_order)
    origin = int(end_us[post_order[0]]) if n else 0
    block = POOL.take(4 * n + 3, np.int64)  # reused: fresh pages were page faults
    post_end, before, high = block[:n], block[n : 2 * n + 1], block[2 * n + 1 : 3 * n + 2]
    low = block[3 * n + 2 :]
    largest = _prefix_arrays(end_us, charge_minor, post_order, origin, block)
    # a bound on the total, not the total: an exact sum of Python ints costs more than the rest
    on, none = int(largest) * n < CHARGED_BEFORE_MAX, np.zeros(0, np.int64)
    return Jumps(on, origin, post_end, before, high, low, none)


@njit(cache=True)
def _prefix_arrays(
    end_us: np.ndarray,
    charge_minor: np.ndarray,
    post_order: np.ndarray,
    origin_us: int,
    block: np.ndarray,
) -> int:
    """Fill ``block`` (4 n + 3 int64, its old contents overwritten) with post_end_us,
    charged_before, weighted_high_before and weighted_low_before, one after the other
    (one buffer to reuse, not four to allocate); return the largest charge.

    One pass in post order, where numpy took a gather, a product and a cumulative
    sum per array (a third of the skip engine's shared work on ``midsize``). The
    weighted sums wrap around modulo 2^64 as numpy's did (numba's integers do not
    check overflow): only differences over a jump are used (module docstring).
    """
    n = len(post_order)
    post_end = block[:n]
    before = block[n : 2 * n + 1]
    high = block[2 * n + 1 : 3 * n + 2]
    low = block[3 * n + 2 : 4 * n + 3]
    before[0] = high[0] = low[0] = 0
    largest = 0
    for k in range(n):
        call = post_order[k]
        charge = charge_minor[call]
        relative = end_us[call] - origin_us
        post_end[k] = end_us[call]
        before[k + 1] = before[k] + charge
        high[k + 1] = high[k] + charge * (relative >> SPLIT_BITS)
        low[k + 1] = low[k] + charge * (relative & _SPLIT_MASK)
        largest = max(largest, charge)
    return largest
