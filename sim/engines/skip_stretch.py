"""The skip engine's quiet stretch: posted in one jump instead of call by call.

``sim.engines.fast_loop.run_loop`` calls ``skip_quiet_stretch`` where the
``fast`` engine calls ``post_quiet_stretch``, with the same terms: post the
instants before ``limit`` (the next expiry, funding, recharge, fix, manual
top-up or the end) while the balance stays >= ``floor`` (the trigger while a
recharge may be requested, else 1). Nothing else can happen in such a
stretch, so the balance after posting ``k`` is the balance at the start minus
``charged_before[k] - charged_before[start]`` (``sim.engines.skip_layout``):

- where it ends is a galloping search (``sim.engines.fast_search``): the
  first posting at or after ``limit``, within the day of ``limit`` that
  ``day_first_post`` brackets (the limit is often weeks ahead), and the last
  prefix within ``balance - floor``, from the stretch's start; backed up to the first posting
  of an instant so that an instant is never split, as ``post_quiet_stretch``
  stops before the first instant whose postings would cross the floor;
- the lots give up the stretch's total charge oldest first (a few lots);
- each day boundary crossed is sampled with the balance before it (the
  postings before the boundary: ``Jumps.day_first_post``), as ``settle_time`` does;
- the balance integral is the stretch's starting balance over its span minus
  each charge over the time left after it, from the weighted prefix sums;
- the minimum is the last balance (it only falls within a stretch).

Calls blocked during an outage never post. The loop keeps the latest end of
any blocked call (``latest_blocked_end``) and jumps only from instants after
it; before it, stretches run per call. Work per policy is then O(events x log
calls + days) instead of O(calls).
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.engines.fast_layout import NEVER, SPLIT_BITS, ChargedCalls, TimeBook
from sim.engines.fast_search import first_at_least
from sim.engines.fast_steps import take_from_lots
from sim.engines.jit_cache import njit
from sim.engines.skip_layout import Jumps
from sim.limits import JUMP_CHARGE_MAX_MINOR

_SPLIT_MASK = (1 << SPLIT_BITS) - 1
NO_BLOCKED_END = -NEVER
"""``latest_blocked_end`` before any call is blocked (earlier than any instant)."""


@njit(cache=True, inline="always")
def latest_blocked_end(calls: ChargedCalls, first: int, stop: int, balance: int, until: int) -> int:
    """``until``, or the latest end of a call ``first .. stop - 1`` that ``admit`` blocks.

    ``admit`` blocks the credit-billed calls only when the balance is <= 0.
    """
    if balance > 0:
        return until
    for call in range(first, stop):
        if calls.credit_billed[call] and calls.end_us[call] > until:
            until = calls.end_us[call]
    return until


@njit(cache=True, inline="always")
def first_post_at(jumps: Jumps, post_ptr: int, limit: int, start: int) -> int:
    """The first posting at or after ``limit`` (> ``post_ptr``'s), from ``post_ptr`` on.

    The limit is often weeks ahead (the next expiry, the run's end): the day
    boundaries around it (``day_first_post``) bound it to one day's postings, where a
    galloping search from ``post_ptr`` would cross all the postings in between.
    """
    post_end, day_first_post = jumps.post_end_us, jumps.day_first_post
    lo, hi = post_ptr, len(post_end)
    days = len(day_first_post)
    if days > 0:
        day = (limit - start) // MICROS_PER_DAY  # boundary ``day - 1`` <= limit < boundary ``day``
        if 0 < day <= days:
            lo = max(lo, day_first_post[day - 1])
        if 0 <= day < days:
            hi = day_first_post[day]
    return first_at_least(post_end, lo, hi, limit)


@njit(cache=True, inline="always")
def jump_stop(jumps: Jumps, post_ptr: int, balance: int, limit: int, floor: int, start: int) -> int:
    """Where a jump from ``post_ptr`` stops: the first posting it leaves (== post_ptr: none).

    Postings before ``limit`` that keep the balance >= ``floor``, at most
    ``JUMP_CHARGE_MAX_MINOR`` in all, and whole instants only (``start``: the run's,
    where its day boundaries count from).
    """
    post_end, before = jumps.post_end_us, jumps.charged_before
    n = len(post_end)
    if post_ptr >= n or balance < floor or post_end[post_ptr] >= limit:
        return post_ptr
    hi = first_post_at(jumps, post_ptr, limit, start)
    room = min(balance - floor, JUMP_CHARGE_MAX_MINOR)
    # the last k in post_ptr .. hi with before[k] <= before[post_ptr] + room
    stop = first_at_least(before, post_ptr, hi + 1, before[post_ptr] + room + 1) - 1
    # back to the instant's first posting: a step or two back from ``stop``, where a
    # binary search over all the postings probed far apart in memory
    if stop < n:
        while stop > post_ptr and post_end[stop - 1] == post_end[stop]:
            stop -= 1
    return stop


@njit(cache=True, inline="always")
def skip_quiet_stretch(
    jumps: Jumps,
    lots: np.ndarray,
    head: int,
    n_lots: int,
    balance: int,
    consumed: int,
    post_ptr: int,
    book: TimeBook,
    start: int,
    daily: np.ndarray,
    limit: int,
    floor: int,
) -> tuple[int, int, int, int, TimeBook, bool, int]:
    """Post the stretch from ``post_ptr`` in one jump (module docstring); no call is blocked.

    Returns (head, balance, consumed, post_ptr, book, whether it posted, postings jumped).
    """
    stop = jump_stop(jumps, post_ptr, balance, limit, floor, start)
    if stop == post_ptr:
        return head, balance, consumed, post_ptr, book, False, 0
    post_end, before = jumps.post_end_us, jumps.charged_before
    charge = before[stop] - before[post_ptr]
    first_us, last_us = post_end[post_ptr], post_end[stop - 1]
    head, _ = take_from_lots(lots, head, n_lots, charge)  # the lots cover it (balance > it)
    # the day boundaries crossed: each gets the balance before its first posting
    sampled, next_sample = book.sampled, book.next_sample
    if last_us >= next_sample:
        due = (last_us - start) // MICROS_PER_DAY
        day_first_post = jumps.day_first_post
        for day in range(sampled, due):
            if day < len(day_first_post):  # the first posting at or after the boundary
                k = min(max(day_first_post[day], post_ptr), stop)
            else:
                boundary = start + (day + 1) * MICROS_PER_DAY
                k = post_ptr + np.searchsorted(post_end[post_ptr:stop], boundary, side="left")
            posted = before[k] - before[post_ptr]
            daily[day] = book.last_balance if k == post_ptr else balance - posted
        sampled = due
        next_sample = start + (due + 1) * MICROS_PER_DAY
    # the integral: last balance up to the first posting, then the stretch's balance, less
    # each charge from its posting to the last (exact modulo 2^64: skip_layout's proof)
    high, low = book.integral_high, book.integral_low
    span = first_us - book.last_time
    high += book.last_balance * (span >> SPLIT_BITS)
    low += book.last_balance * (span & _SPLIT_MASK)
    span = last_us - first_us
    high += balance * (span >> SPLIT_BITS)
    low += balance * (span & _SPLIT_MASK)
    relative = last_us - jumps.origin_us
    weighted_high = jumps.weighted_high_before[stop] - jumps.weighted_high_before[post_ptr]
    weighted_low = jumps.weighted_low_before[stop] - jumps.weighted_low_before[post_ptr]
    high -= charge * (relative >> SPLIT_BITS) - weighted_high
    low -= charge * (relative & _SPLIT_MASK) - weighted_low
    balance -= charge
    book = TimeBook(
        last_us, balance, high, low, min(book.min_balance, balance), book.settled_once,
        sampled, next_sample,
    )  # fmt: skip
    return head, balance, consumed + charge, stop, book, True, stop - post_ptr
