"""The fast engine's compiled loop: one policy over one replication's charged calls.

It mirrors ``sim.engines.replay`` (and so the SimPy model) step for step: see the
docstring of ``sim.engines.fast`` for how. ``run_loop`` walks the instants and,
at each, runs the steps of ``sim.engines.fast_steps`` in the replay's tie order;
the quiet stretches, where most charges post, are ``fast_stretch.post_quiet_stretch``
(call by call) or, in the skip engine, ``skip_stretch.skip_quiet_stretch`` (one jump).
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.engines.fast_layout import (
    AUTO,
    DEPLETED,
    FAILED,
    INITIAL,
    MANUAL,
    NEVER,
    NO_STEP,
    OPENING,
    SCHEDULED,
    STEP_FIXED,
    STEP_INITIAL,
    STEP_MANUAL,
    STEP_SCHEDULED,
    SUCCEEDED,
    ChargedCalls,
    LoopResult,
    LoopRoom,
    LoopScalars,
    PaymentScalars,
    PolicyScalars,
    PolicyTerms,
    RunTerms,
    TimeBook,
)
from sim.engines.fast_room import (
    EPISODES_ROOM,
    LOTS_ROOM,
    MANUAL_ROOM,
    loop_result,
    more_room,
    new_room,
)
from sim.engines.fast_search import first_at_least
from sim.engines.fast_steps import (
    admin_instant,
    admit,
    attempt_recharge,
    close_time,
    due_step,
    expire_lots,
    fix_after,
    next_draw,
    next_end,
    next_expiry,
    put_episode,
    put_lot,
    request_at,
    requests_recharge,
    runaway_request,
    settle_time,
    skip_blocked,
    take_from_lots,
)
from sim.engines.fast_stretch import post_quiet_stretch
from sim.engines.jit_cache import njit
from sim.engines.skip_layout import Jumps
from sim.engines.skip_stretch import NO_BLOCKED_END, latest_blocked_end, skip_quiet_stretch


@njit(cache=True, _nrt=False)  # type: ignore[call-overload]  # numba's stubs lack _nrt
def run_loop(  # noqa: PLR0915  (the instant loop: its steps are named helpers)
    calls: ChargedCalls,
    jumps: Jumps,
    policy: PolicyTerms,
    run: RunTerms,
    draws: np.ndarray,
    processing_us: np.ndarray,
    fix_us: np.ndarray,
    room: LoopRoom,
) -> LoopScalars:
    """One policy over the calls, from ``run.start_us`` to ``run.end_us``, into ``room``.

    ``draws`` are the payment attempts' uniforms, in order, ``processing_us``
    and ``fix_us`` the drawn delays per request and per failure (empty when
    fixed; ``sim.account.payment_draws``); if any run out the result says so
    (``out_of_draws``) and the caller runs again with more. With ``jumps.on``
    (the skip engine) quiet stretches after the last blocked call's end are
    posted in one jump (``sim.engines.skip_stretch``), else per call.

    Compiled without numba's reference counts (``_nrt=False``): it reads arrays
    out of tuples and hands them to inlined steps at every instant, and the atomic
    counts of those were about 45 % of the skip engine's compiled work. So it
    allocates nothing: ``room`` comes zeroed from ``sim.engines.fast_room``, and
    when one of its growing arrays is full the run stops (``out_of_room``) for
    the caller to run it again with more.
    """
    start, end = run.start_us, run.end_us
    # the arrays read at every instant, as locals (see sim.engines.fast_steps)
    start_us, end_us, post_order = calls.start_us, calls.end_us, calls.post_order
    charge_minor = calls.charge_minor
    opening_us, opening_minor = policy.opening_us, policy.opening_minor
    card_from_us, card_until_us = run.card_from_us, run.card_until_us
    billed_before = calls.billed_before
    # what the steps of a recharge read, in tuples without arrays (``PolicyScalars``)
    terms = PolicyScalars(
        policy.auto_on, policy.trigger_minor, policy.amount_minor, policy.recharges_to_trigger_max
    )
    pay = PaymentScalars(run.processing_delay_us, run.processing_random, run.failure_probability)
    n = len(start_us)
    # calls before start_ptr have started (admitted or blocked); blocked ones never post
    start_ptr = post_ptr = 0
    blocked_call, blocked, lots = room.blocked_call, room.blocked, room.lots
    funded, emails, daily = room.funded_minor, room.emails, room.daily_balance_minor
    episodes, manual_times = room.episodes, room.manual_times
    out_of_room = False
    blocked_until = NO_BLOCKED_END  # the latest end of a blocked call: no jump before it
    jumped = 0  # postings posted by jumps
    credit_billed = 0
    n_lots = head = 0  # open lots (money left) are head .. n_lots - 1
    balance = deficit = consumed = forfeited = 0
    # pending steps: the next opening funding, one recharge and one payment fix (NEVER
    # when none), and the manual top-ups in order (each below-zero email sets one going)
    next_opening = 0
    recharge_at = fix_at = NEVER
    manual_head = manual_tail = 0
    pending = suspended = notified = out_of_draws = False
    runaway_at, runaway_balance = NEVER, 0  # a request that needed too many recharges
    draws_used = processing_used = fixes_used = recharges = failed = 0
    n_episodes = 0
    in_outage = False
    outage_since = -1
    # a recharge pending at the start is in flight: no other request until it arrives
    recharge_at = run.prepaid_at_us
    prepaid = pending = recharge_at != NEVER
    book = TimeBook(start, 0, 0, 0, 0, False, 0, start + MICROS_PER_DAY)

    while True:
        # room for this instant's outage episode and manual top-up, and one more episode
        if n_episodes + 2 > len(episodes) or manual_tail >= len(manual_times):
            out_of_room = out_of_draws = True  # stop as when out of draws
            break
        # the next instant: an expiry, a posting, a funding step, or an admission
        post_ptr = skip_blocked(post_order, blocked_call, post_ptr)
        next_post = next_end(end_us, post_order, post_ptr)
        opening_at = NEVER
        if next_opening < len(opening_us):
            opening_at = opening_us[next_opening]
        manual_at = manual_times[manual_head] if manual_head < manual_tail else NEVER
        expiry_at = next_expiry(lots, head, n_lots)
        now = min(expiry_at, next_post, opening_at, manual_at, recharge_at, fix_at)
        # Calls starting before that instant only need admitting: the balance cannot
        # change until then (any call ending sooner would be the next posting), so
        # they are admitted, or blocked, as one batch and need no settling. With money
        # left none is blocked and the next instant stays ``now``: carry on with it.
        if start_ptr < n and start_us[start_ptr] < now and start_us[start_ptr] <= end:
            stop = first_at_least(start_us, start_ptr, n, min(now, end + 1))
            if balance > 0:  # ``admit``'s own count, without handing it the calls' tuple
                credit_billed += billed_before[stop] - billed_before[start_ptr]
                start_ptr = stop
            else:  # blocked calls never post: the next posting may have moved
                blocked_until = latest_blocked_end(calls, start_ptr, stop, balance, blocked_until)
                credit_billed += admit(calls, start_ptr, stop, balance, blocked_call, blocked)
                start_ptr = stop
                continue
        if now == NEVER or now > end:
            break
        if balance > 0 and not in_outage and next_post == now:
            watch = policy.auto_on and not pending and not suspended
            limit = min(end + 1, expiry_at, opening_at, manual_at, recharge_at, fix_at)
            floor = max(policy.trigger_minor, 1) if watch else 1
            settled_any, posted = False, 0
            if jumps.on and now > blocked_until:
                head, balance, consumed, post_ptr, book, settled_any, posted = skip_quiet_stretch(
                    jumps, lots, head, n_lots, balance, consumed, post_ptr, book, start, daily,
                    limit, floor,
                )  # fmt: skip
                jumped += posted
            elif jumps.on:  # per call up to the last blocked call's end, then jumps
                limit = min(limit, blocked_until + 1)
            if not settled_any:
                head, balance, consumed, post_ptr, book, settled_any = post_quiet_stretch(
                    calls, blocked_call, lots, head, balance, consumed, post_ptr, book, start,
                    daily, limit, floor,
                )  # fmt: skip
            if settled_any:
                notified = False
                # calls that started meanwhile were all admitted (the balance stayed > 0);
                # after a jump, every call up to its last posted one started by then, so
                # the search starts there, a call or two short of its answer, not at
                # ``start_ptr``, hundreds of calls back
                since = start_ptr
                if posted > 0:
                    since = max(since, post_order[post_ptr - 1] + 1)
                stop = first_at_least(start_us, since, n, book.last_time + 1)
                if stop > start_ptr:  # ``admit`` with money left: a count
                    credit_billed += billed_before[stop] - billed_before[start_ptr]
                    start_ptr = stop
                continue
        while True:  # rounds of the instant's steps, in the replay's tie order
            # 1. expiries
            head, lost = expire_lots(lots, head, n_lots, now)
            forfeited += lost
            balance -= lost
            if lost > 0 and requests_recharge(terms, pending, suspended, balance):
                recharge_at, processing_used = request_at(pay, processing_us, processing_used, now)
                pending, out_of_draws = True, out_of_draws or recharge_at == NEVER
                if runaway_at == NEVER and runaway_request(terms, balance):
                    runaway_at, runaway_balance = now, balance
            # 2. postings of calls admitted before now that end now
            while post_ptr < n:
                call = post_order[post_ptr]
                if end_us[call] > now or call >= start_ptr:
                    break
                post_ptr += 1
                if blocked_call[call]:
                    continue
                charge = charge_minor[call]
                head, uncovered = take_from_lots(lots, head, n_lots, charge)
                consumed += charge
                deficit += uncovered
                balance -= charge
                if requests_recharge(terms, pending, suspended, balance):
                    recharge_at, processing_used = request_at(
                        pay, processing_us, processing_used, now
                    )
                    pending, out_of_draws = True, out_of_draws or recharge_at == NEVER
                    if runaway_at == NEVER and runaway_request(terms, balance):
                        runaway_at, runaway_balance = now, balance
            # 3. fundings and admin steps due now, in Funding order
            while runaway_at == NEVER and not out_of_draws:
                manual_at = manual_times[manual_head] if manual_head < manual_tail else NEVER
                step = due_step(opening_us, next_opening, manual_at, fix_at, recharge_at, now)
                if step == NO_STEP:
                    break
                if n_lots + len(run.opening_purchased_us) + 1 > len(lots):
                    out_of_room = out_of_draws = True  # stop as when out of draws
                    break
                amount, source = 0, -1
                if step == STEP_INITIAL:  # the lots already held, oldest first
                    for k in range(len(run.opening_purchased_us)):
                        held = run.opening_remaining_minor[k]
                        n_lots, head, repaid = put_lot(
                            lots, n_lots, head, run.opening_purchased_us[k], held, OPENING, deficit
                        )
                        deficit -= repaid
                        funded[OPENING] += held
                        balance += held
                if step in (STEP_INITIAL, STEP_SCHEDULED):
                    amount = opening_minor[next_opening]
                    source = INITIAL if step == STEP_INITIAL else SCHEDULED
                    next_opening += 1
                elif step == STEP_MANUAL:
                    manual_head += 1
                    amount, source = policy.manual_amount_minor, MANUAL
                    notified = False
                elif step == STEP_FIXED:
                    fix_at, suspended = NEVER, False
                elif prepaid:  # the opening's pending recharge: paid before the run
                    recharge_at, pending, prepaid = NEVER, False, False
                    amount, source = run.prepaid_minor, OPENING
                else:  # the recharge completes: one payment attempt
                    recharge_at, pending = NEVER, False
                    draw, draws_used = next_draw(pay, draws, draws_used)
                    if draw < 0.0:
                        out_of_draws = True
                        break
                    paid, card = attempt_recharge(pay, card_from_us, card_until_us, now, draw)
                    if paid:
                        amount, source = policy.amount_minor, AUTO
                        recharges += 1
                        emails[SUCCEEDED] += 1
                    else:
                        resume_at, fixes_used = fix_after(
                            run, card_until_us, fix_us, fixes_used, card, now
                        )
                        if resume_at < 0:
                            out_of_draws = True
                            break
                        failed += 1
                        suspended, fix_at = True, resume_at
                        emails[FAILED] += 1
                if amount > 0:
                    n_lots, head, repaid = put_lot(lots, n_lots, head, now, amount, source, deficit)
                    deficit -= repaid
                    funded[source] += amount
                    balance += amount
                if requests_recharge(terms, pending, suspended, balance):
                    recharge_at, processing_used = request_at(
                        pay, processing_us, processing_used, now
                    )
                    pending, out_of_draws = True, out_of_draws or recharge_at == NEVER
                    if runaway_at == NEVER and runaway_request(terms, balance):
                        runaway_at, runaway_balance = now, balance
            if out_of_draws or runaway_at != NEVER:
                break
            # 4. admissions of calls starting now
            stop = start_ptr
            while stop < n and start_us[stop] <= now:
                stop += 1
            if balance > 0:
                credit_billed += billed_before[stop] - billed_before[start_ptr]
            else:
                blocked_until = latest_blocked_end(calls, start_ptr, stop, balance, blocked_until)
                credit_billed += admit(calls, start_ptr, stop, balance, blocked_call, blocked)
            start_ptr = stop
            # another round only for zero-length calls admitted now, or steps due now
            post_ptr = skip_blocked(post_order, blocked_call, post_ptr)
            manual_at = manual_times[manual_head] if manual_head < manual_tail else NEVER
            if (
                next_end(end_us, post_order, post_ptr) > now
                and min(recharge_at, fix_at, manual_at) > now
            ):
                break
        if out_of_draws or runaway_at != NEVER:
            break
        # settle the instant: the balance over time, outages and the below-zero email
        book = settle_time(book, start, daily, now, balance)
        if balance > 0:
            if in_outage:
                put_episode(episodes, n_episodes, outage_since, now)
                n_episodes += 1
                in_outage = False
            notified = False
        else:
            if not in_outage:
                in_outage, outage_since = True, now
            if not notified:
                notified = True
                emails[DEPLETED] += 1
                if policy.manual_on:  # an admin action: in office hours, if any are left
                    due = admin_instant(run, now + policy.manual_delay_us)
                    if due != NEVER:
                        manual_times[manual_tail] = due
                        manual_tail += 1
    # close the books at the end
    book = close_time(book, start, daily, end)
    if in_outage:
        put_episode(episodes, n_episodes, outage_since, end)
        n_episodes += 1
    min_balance = book.min_balance if book.settled_once else 0
    return LoopScalars(
        balance_minor=balance,
        consumed_minor=consumed,
        forfeited_minor=forfeited,
        min_balance_minor=min_balance,
        recharges=recharges,
        failed_recharges=failed,
        recharge_pending=pending,
        credit_billed_calls=credit_billed,
        integral_high=book.integral_high,
        integral_low=book.integral_low,
        draws_used=draws_used,
        processing_used=processing_used,
        fixes_used=fixes_used,
        out_of_draws=out_of_draws,
        runaway_at=runaway_at,
        runaway_balance_minor=runaway_balance,
        jumped_postings=jumped,
        n_lots=n_lots,
        n_episodes=n_episodes,
        out_of_room=out_of_room,
    )


@njit(cache=True)
def run_policy(
    calls: ChargedCalls,
    jumps: Jumps,
    policy: PolicyTerms,
    run: RunTerms,
    draws: np.ndarray,
    processing_us: np.ndarray,
    fix_us: np.ndarray,
) -> LoopResult:
    """``run_loop`` in a room of its own (more room as it needs it), as one ``LoopResult``."""
    room = new_room(calls, run, LOTS_ROOM, EPISODES_ROOM, MANUAL_ROOM)
    scalars = run_loop(calls, jumps, policy, run, draws, processing_us, fix_us, room)
    while scalars.out_of_room:
        room = more_room(room, calls, run)
        scalars = run_loop(calls, jumps, policy, run, draws, processing_us, fix_us, room)
    return loop_result(scalars, room)
