"""The fast engine's compiled loop: one policy over one prepared call stream.

It mirrors ``sim.engines.replay`` (and so the SimPy model) step for step: see the
docstring of ``sim.engines.fast`` for how. Kept apart from the Python side so that
the rules of one instant read top to bottom in one function.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.account.ledger import LOT_VALIDITY_MONTHS
from sim.engines.fast_calendar import add_months_us

NEVER = np.iinfo(np.int64).max
SPLIT_BITS = 24  # the integral's high half counts spans >> 24, the low half their low bits
_SPLIT_MASK = (1 << SPLIT_BITS) - 1
INITIAL, AUTO, MANUAL, SCHEDULED = 0, 1, 2, 3
TOTALS = (
    "balance", "consumed", "forfeited", "min_balance", "recharges", "failed", "pending",
    "calls", "credit_billed", "integral_high", "integral_low", "draws_used", "out_of_draws",
)  # fmt: skip
"""The order of the ``totals`` array ``run_policy`` returns."""


@numba.njit(cache=True)
def _book_time(now, start, last_time, last_balance, daily, sampled, next_sample, high, low):
    """Carry the balance in force since ``last_time`` up to ``now``.

    Fills the end-of-day samples for day boundaries crossed (each gets the
    balance just before it) and adds balance x span to the integral, kept
    exact in two int64 halves. Returns the new (sampled, next_sample, high, low).
    """
    if now >= next_sample:
        due = (now - start) // MICROS_PER_DAY
        for day in range(sampled, due):
            daily[day] = last_balance
        sampled = due
        next_sample = start + (due + 1) * MICROS_PER_DAY
    span = now - last_time
    high += last_balance * (span >> SPLIT_BITS)
    low += last_balance * (span & _SPLIT_MASK)
    return sampled, next_sample, high, low


@numba.njit(cache=True)
def _grow(values: np.ndarray, size: int) -> np.ndarray:
    if size < len(values):
        return values
    bigger = np.empty(max(2 * len(values), size + 1), values.dtype)
    bigger[: len(values)] = values
    return bigger


@numba.njit(cache=True)
def run_policy(  # noqa: PLR0915  (one loop, kept together so it reads like sim.engines.replay)
    starts, ends, services, charges, billed, billed_before, post_order, n_services,
    start, end, initial, auto_on, trigger, amount, manual_on, manual_amount, manual_delay,
    opening_times, opening_amounts, delay, probability, fix_delay, card_from, card_until,
    draws,
):  # fmt: skip
    n = len(starts)
    # calls before start_ptr have started (admitted or blocked); blocked ones never post
    blocked_call = np.zeros(n, np.bool_)
    lot_time = np.empty(16, np.int64)
    lot_expiry = np.empty(16, np.int64)
    lot_amount = np.empty(16, np.int64)
    lot_left = np.empty(16, np.int64)
    lot_repaid = np.empty(16, np.int64)
    lot_used = np.empty(16, np.int64)
    lot_lost = np.empty(16, np.int64)
    lot_source = np.empty(16, np.int64)
    n_lots = 0
    head = 0
    funded = np.zeros(4, np.int64)
    balance = 0
    deficit = 0
    consumed = 0
    forfeited = 0
    # pending steps: one recharge, one payment fix (time NEVER when none), and the
    # manual top-ups in order (each below-zero email sets one in motion)
    recharge_at = NEVER
    fix_at = NEVER
    manual_times = np.empty(8, np.int64)
    manual_head = 0
    manual_tail = 0
    next_opening = 0
    pending = False
    suspended = False
    notified = False
    draws_used = 0
    recharges = 0
    failed = 0
    emails = np.zeros(3, np.int64)
    blocked = np.zeros((n_services, 3), np.int64)
    credit_billed = 0
    episodes = np.empty((8, 2), np.int64)
    n_episodes = 0
    outage_since = -1
    in_outage = False
    last_time = start
    last_balance = 0
    integral_high = 0
    integral_low = 0
    min_balance = 0
    settled_once = False
    n_days = (end - start) // MICROS_PER_DAY  # day boundaries in (start, end]
    daily = np.empty(n_days, np.int64)
    sampled = 0
    next_sample = start + MICROS_PER_DAY
    start_ptr = 0
    post_ptr = 0
    out_of_draws = False

    while True:
        # the next instant: expiry, posting, step, or admission
        now = NEVER
        if head < n_lots and lot_expiry[head] < now:
            now = lot_expiry[head]
        while post_ptr < n and blocked_call[post_order[post_ptr]]:
            post_ptr += 1
        if post_ptr < n and ends[post_order[post_ptr]] < now:
            now = ends[post_order[post_ptr]]
        if next_opening < len(opening_times) and opening_times[next_opening] < now:
            now = opening_times[next_opening]
        manual_at = manual_times[manual_head] if manual_head < manual_tail else NEVER
        now = min(now, recharge_at, fix_at, manual_at)
        # Calls starting before that instant only need admitting: the balance cannot
        # change until then (any call ending sooner would be the next posting), so
        # they are admitted, or blocked, as one batch and need no settling.
        if start_ptr < n and starts[start_ptr] < now and starts[start_ptr] <= end:
            stop = np.searchsorted(starts, min(now, end + 1), side="left")
            if balance > 0:
                credit_billed += billed_before[stop] - billed_before[start_ptr]
            else:
                for call in range(start_ptr, stop):
                    if billed[call]:
                        credit_billed += 1
                        blocked_call[call] = True
                        blocked[services[call], 0] += 1
                        blocked[services[call], 1] += ends[call] - starts[call]
                        blocked[services[call], 2] += charges[call]
            start_ptr = stop
            continue
        if now == NEVER or now > end:
            break
        # A quiet stretch: instants that only post charges, keep the balance > 0 and
        # at or above the trigger, and meet no expiry or funding. They need no phases,
        # so they are posted and settled here in a tight loop (the same arithmetic).
        # Calls starting meanwhile are all admitted (the balance stays > 0), so they
        # are admitted as a batch afterwards; their charges post here in order.
        if balance > 0 and not in_outage and post_ptr < n and ends[post_order[post_ptr]] == now:
            limit = min(end + 1, recharge_at, fix_at, manual_at)
            if head < n_lots:
                limit = min(limit, lot_expiry[head])
            if next_opening < len(opening_times):
                limit = min(limit, opening_times[next_opening])
            if manual_head < manual_tail:
                limit = min(limit, manual_times[manual_head])
            watch = auto_on and not pending and not suspended
            floor = max(trigger, 1) if watch else 1  # the balance must stay >= floor
            settled_any = False
            while post_ptr < n:
                call = post_order[post_ptr]
                if blocked_call[call]:
                    post_ptr += 1
                    continue
                instant = ends[call]
                if instant >= limit:
                    break
                # every posting of this instant must keep the balance >= floor
                total = 0
                scan = post_ptr
                while scan < n and ends[post_order[scan]] == instant:
                    if not blocked_call[post_order[scan]]:
                        total += charges[post_order[scan]]
                    scan += 1
                if balance - total < floor:
                    break
                for k in range(post_ptr, scan):
                    if blocked_call[post_order[k]]:
                        continue
                    left = charges[post_order[k]]
                    consumed += left
                    while left > 0:
                        take = min(left, lot_left[head])
                        lot_left[head] -= take
                        lot_used[head] += take
                        left -= take
                        if lot_left[head] == 0:
                            head += 1
                balance -= total
                post_ptr = scan
                # _book_time, written out: as a call it halves the speed of this loop
                if instant >= next_sample:
                    due = (instant - start) // MICROS_PER_DAY
                    for day in range(sampled, due):
                        daily[day] = last_balance
                    sampled = due
                    next_sample = start + (due + 1) * MICROS_PER_DAY
                span = instant - last_time
                integral_high += last_balance * (span >> SPLIT_BITS)
                integral_low += last_balance * (span & _SPLIT_MASK)
                last_time = instant
                last_balance = balance
                min_balance = min(min_balance, balance)
                notified = False
                settled_any = True
            if settled_any:
                stop = np.searchsorted(starts, last_time, side="right")
                if stop > start_ptr:
                    credit_billed += billed_before[stop] - billed_before[start_ptr]
                    start_ptr = stop
                continue
        rounds = 0
        while True:
            rounds += 1
            # 1. expiries
            lost_now = 0
            while head < n_lots and lot_expiry[head] <= now:
                lot_lost[head] = lot_left[head]
                lost_now += lot_left[head]
                forfeited += lot_left[head]
                balance -= lot_left[head]
                lot_left[head] = 0
                head += 1
            if lost_now > 0 and auto_on and not pending and not suspended and balance < trigger:
                pending = True
                recharge_at = now + delay
            # 2. postings of admitted calls ending now
            while post_ptr < n:
                call = post_order[post_ptr]
                if ends[call] > now or call >= start_ptr:
                    break
                post_ptr += 1
                if blocked_call[call]:
                    continue
                left = charges[call]
                consumed += left
                while left > 0 and head < n_lots:
                    take = min(left, lot_left[head])
                    lot_left[head] -= take
                    lot_used[head] += take
                    left -= take
                    balance -= take
                    if lot_left[head] == 0:
                        head += 1
                if left > 0:
                    deficit += left
                    balance -= left
                if auto_on and not pending and not suspended and balance < trigger:
                    pending = True
                    recharge_at = now + delay
            # 3. fundings and admin steps, by (time, step)
            while True:
                step = -1
                manual_at = manual_times[manual_head] if manual_head < manual_tail else NEVER
                if next_opening < len(opening_times) and opening_times[next_opening] <= now:
                    step = 0 if next_opening == 0 else 1
                elif manual_at <= now:
                    step = 2
                elif fix_at <= now:
                    step = 3
                elif recharge_at <= now:
                    step = 4
                if step == -1:
                    break
                fund_amount = 0
                fund_source = -1
                if step <= 1:
                    fund_amount = opening_amounts[next_opening]
                    fund_source = INITIAL if step == 0 else SCHEDULED
                    next_opening += 1
                elif step == 2:
                    manual_head += 1
                    fund_amount = manual_amount
                    fund_source = MANUAL
                    notified = False
                elif step == 3:
                    fix_at = NEVER
                    suspended = False
                else:
                    recharge_at = NEVER
                    pending = False
                    draw = 1.0
                    if probability > 0.0:
                        if draws_used >= len(draws):
                            out_of_draws = True  # the caller retries with more draws
                            break
                        draw = draws[draws_used]
                        draws_used += 1
                    card = -1
                    for k in range(len(card_from)):
                        if card_from[k] <= now and (card_until[k] < 0 or now < card_until[k]):
                            card = k
                            break
                    if card < 0 and not draw < probability:
                        fund_amount = amount
                        fund_source = AUTO
                        recharges += 1
                        emails[0] += 1
                    else:
                        failed += 1
                        suspended = True
                        emails[1] += 1
                        if card < 0:
                            fix_at = now + fix_delay
                        elif card_until[card] >= 0:
                            fix_at = max(now + fix_delay, card_until[card])
                if fund_amount > 0:
                    repaid = min(deficit, fund_amount)
                    deficit -= repaid
                    if n_lots == len(lot_time):
                        lot_time = _grow(lot_time, n_lots)
                        lot_expiry = _grow(lot_expiry, n_lots)
                        lot_amount = _grow(lot_amount, n_lots)
                        lot_left = _grow(lot_left, n_lots)
                        lot_repaid = _grow(lot_repaid, n_lots)
                        lot_used = _grow(lot_used, n_lots)
                        lot_lost = _grow(lot_lost, n_lots)
                        lot_source = _grow(lot_source, n_lots)
                    lot_time[n_lots] = now
                    lot_expiry[n_lots] = add_months_us(now, LOT_VALIDITY_MONTHS)
                    lot_amount[n_lots] = fund_amount
                    lot_left[n_lots] = fund_amount - repaid
                    lot_repaid[n_lots] = repaid
                    lot_used[n_lots] = 0
                    lot_lost[n_lots] = 0
                    lot_source[n_lots] = fund_source
                    if lot_left[n_lots] == 0 and head == n_lots:
                        head += 1
                    n_lots += 1
                    funded[fund_source] += fund_amount
                    balance += fund_amount
                if auto_on and not pending and not suspended and balance < trigger:
                    pending = True
                    recharge_at = now + delay
            if out_of_draws:
                break
            # 4. admissions of calls starting now
            while start_ptr < n and starts[start_ptr] <= now:
                call = start_ptr
                start_ptr += 1
                if billed[call]:
                    credit_billed += 1
                    if balance <= 0:
                        blocked_call[call] = True
                        blocked[services[call], 0] += 1
                        blocked[services[call], 1] += ends[call] - starts[call]
                        blocked[services[call], 2] += charges[call]
            # another round only for zero-length calls admitted now
            again = False
            while post_ptr < n and blocked_call[post_order[post_ptr]]:
                post_ptr += 1
            if post_ptr < n and ends[post_order[post_ptr]] <= now:
                again = True
            if recharge_at <= now or fix_at <= now:
                again = True
            if manual_head < manual_tail and manual_times[manual_head] <= now:
                again = True
            if not again:
                break
        if out_of_draws:
            break
        # settle the instant
        sampled, next_sample, integral_high, integral_low = _book_time(
            now, start, last_time, last_balance, daily, sampled, next_sample,
            integral_high, integral_low,
        )  # fmt: skip
        last_time = now
        last_balance = balance
        if not settled_once or balance < min_balance:
            min_balance = balance
            settled_once = True
        if balance > 0:
            if in_outage:
                if n_episodes == len(episodes):
                    bigger = np.empty((2 * n_episodes, 2), np.int64)
                    bigger[:n_episodes] = episodes
                    episodes = bigger
                episodes[n_episodes, 0] = outage_since
                episodes[n_episodes, 1] = now
                n_episodes += 1
                in_outage = False
            notified = False
        else:
            if not in_outage:
                in_outage = True
                outage_since = now
            if not notified:
                notified = True
                emails[2] += 1
                if manual_on:
                    if manual_tail == len(manual_times):
                        manual_times = _grow(manual_times, manual_tail)
                    manual_times[manual_tail] = now + manual_delay
                    manual_tail += 1
    # close the books at the end
    for day in range(sampled, n_days):
        daily[day] = last_balance
    _, _, integral_high, integral_low = _book_time(
        end, start, last_time, last_balance, daily, n_days, NEVER, integral_high, integral_low
    )
    if in_outage:
        if n_episodes == len(episodes):
            bigger = np.empty((2 * n_episodes, 2), np.int64)
            bigger[:n_episodes] = episodes
            episodes = bigger
        episodes[n_episodes, 0] = outage_since
        episodes[n_episodes, 1] = end
        n_episodes += 1
    totals = np.array(
        [balance, consumed, forfeited, min_balance if settled_once else 0, recharges, failed,
         1 if pending else 0, n, credit_billed, integral_high, integral_low, draws_used,
         1 if out_of_draws else 0],
        np.int64,
    )  # fmt: skip
    lots = np.empty((n_lots, 8), np.int64)
    for k in range(n_lots):
        lots[k, 0] = lot_time[k]
        lots[k, 1] = lot_expiry[k]
        lots[k, 2] = lot_amount[k]
        lots[k, 3] = lot_left[k]
        lots[k, 4] = lot_repaid[k]
        lots[k, 5] = lot_used[k]
        lots[k, 6] = lot_lost[k]
        lots[k, 7] = lot_source[k]
    return totals, funded, emails, blocked, episodes[:n_episodes].copy(), daily, lots
