"""The fast engine's quiet stretch: instants that only post charges, posted call by call.

``sim.engines.fast_loop.run_loop`` calls ``post_quiet_stretch`` where most
charges post (the skip engine's jump, ``sim.engines.skip_stretch``, falls back
to it after an outage): a tight loop with its arithmetic written out (a call
per posting halves its speed), inlined into ``run_loop`` by numba
(``inline="always"``): called once per stretch, its arguments and their
reference counts cost 5 % of a midsize sweep (``benchmarks/fast_engine_bench.py``).
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.engines.fast_layout import CONSUMED, REMAINING, SPLIT_BITS, ChargedCalls, TimeBook
from sim.engines.jit_cache import njit

_SPLIT_MASK = (1 << SPLIT_BITS) - 1


@njit(cache=True, inline="always")
def post_quiet_stretch(
    calls: ChargedCalls,
    blocked_call: np.ndarray,
    lots: np.ndarray,
    head: int,
    balance: int,
    consumed: int,
    post_ptr: int,
    book: TimeBook,
    start: int,
    daily: np.ndarray,
    limit: int,
    floor: int,
) -> tuple[int, int, int, int, TimeBook, bool]:
    """Post and settle instants before ``limit`` while the balance stays >= ``floor``.

    Such instants only post charges (no expiry, funding or step falls before
    ``limit``), keep the balance > 0 and at or above the trigger, so they need
    no phases: each is posted oldest lot first and settled here, the same
    arithmetic as the other steps. Stops before the first instant whose
    postings would take the balance below ``floor``.
    Returns (head, balance, consumed, post_ptr, book, whether any instant settled).
    """
    # the arrays as locals: read out of the tuple at every use, each read would count a reference
    post_order, end_us, charge_minor = calls.post_order, calls.end_us, calls.charge_minor
    n = len(post_order)
    last_time, last_balance = book.last_time, book.last_balance
    high, low, min_balance = book.integral_high, book.integral_low, book.min_balance
    sampled, next_sample = book.sampled, book.next_sample
    settled_any = False
    while post_ptr < n:
        call = post_order[post_ptr]
        if blocked_call[call]:
            post_ptr += 1
            continue
        instant = end_us[call]
        if instant >= limit:
            break
        # every posting of this instant must keep the balance >= floor
        total = 0
        scan = post_ptr
        while scan < n and end_us[post_order[scan]] == instant:
            if not blocked_call[post_order[scan]]:
                total += charge_minor[post_order[scan]]
            scan += 1
        if balance - total < floor:
            break
        for k in range(post_ptr, scan):
            if blocked_call[post_order[k]]:
                continue
            left = charge_minor[post_order[k]]
            consumed += left
            while left > 0:  # take_from_lots, written out: the lots cover it (balance >= 1)
                take = min(left, lots[head, REMAINING])
                lots[head, REMAINING] -= take
                lots[head, CONSUMED] += take
                left -= take
                if lots[head, REMAINING] == 0:
                    head += 1
        balance -= total
        post_ptr = scan
        # settle_time, written out
        if instant >= next_sample:
            due = (instant - start) // MICROS_PER_DAY
            for day in range(sampled, due):
                daily[day] = last_balance
            sampled = due
            next_sample = start + (due + 1) * MICROS_PER_DAY
        span = instant - last_time
        high += last_balance * (span >> SPLIT_BITS)
        low += last_balance * (span & _SPLIT_MASK)
        last_time = instant
        last_balance = balance
        min_balance = min(min_balance, balance)
        settled_any = True
    book = TimeBook(
        last_time, last_balance, high, low, min_balance, book.settled_once, sampled, next_sample
    )
    return head, balance, consumed, post_ptr, book, settled_any
