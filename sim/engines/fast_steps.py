"""The compiled steps of an instant, each one rule of ``sim.account.rules.Account``.

``sim.engines.fast_loop.run_loop`` strings these together in the replay's tie
order. They run at the instants where something other than a plain posting
happens (an expiry, a funding, a recharge, an admission, a settle); the quiet
stretch of plain postings, where the time goes, is ``fast_loop``'s own.

Conventions, for speed: state is passed in and handed back (arrays are filled
in place, scalars returned), and the steps that run at every instant take
arrays and scalars, not the named tuples: numba counts a reference each time it
reads an array out of a tuple, and at every instant those counts cost more
than the step itself. Those steps are inlined into the loop by numba
(``inline="always"``): as separate functions they run no faster and the
engine's first compilation takes 4 s longer (27 s against 31 s on the CI machine).
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.account.ledger import LOT_VALIDITY_MONTHS
from sim.engines.fast_calendar import add_months_us
from sim.engines.fast_layout import (
    AMOUNT,
    BLOCKED_CALLS,
    BLOCKED_CHARGE,
    BLOCKED_DURATION,
    CONSUMED,
    EXPIRES_AT,
    FORFEITED,
    NEVER,
    NO_STEP,
    PURCHASED_AT,
    REMAINING,
    REPAID,
    SOURCE,
    SPLIT_BITS,
    STEP_FIXED,
    STEP_INITIAL,
    STEP_MANUAL,
    STEP_RECHARGE,
    STEP_SCHEDULED,
    ChargedCalls,
    PaymentScalars,
    PolicyScalars,
    RunTerms,
    TimeBook,
)
from sim.engines.jit_cache import njit

_SPLIT_MASK = (1 << SPLIT_BITS) - 1


@njit(cache=True)
def grown(values: np.ndarray, size: int) -> np.ndarray:
    """``values``, or a copy with room for row ``size`` when it is full (doubling)."""
    if size < len(values):
        return values
    shape = (max(2 * len(values), size + 1),) + values.shape[1:]  # noqa: RUF005  (numba)
    bigger = np.empty(shape, values.dtype)
    bigger[: len(values)] = values
    return bigger


# -- lots: one row per lot bought, oldest first; open lots (money left) are head .. n - 1 --


@njit(cache=True, inline="always")
def put_lot(
    lots: np.ndarray, n_lots: int, head: int, now: int, amount: int, source: int, deficit: int
) -> tuple[int, int, int]:
    """Buy a lot of ``amount`` at ``now`` into row ``n_lots``; it repays ``deficit`` first
    (``Ledger.fund``). Returns (n_lots, head, repaid).

    A lot born empty (it only repaid a deficit) is born when none is open, so
    ``head`` passes it. It allocates nothing, so the loop (compiled without reference
    counts) can call it: the caller's room has space for the row (``sim.engines.fast_room``).
    """
    repaid = min(deficit, amount)
    lots[n_lots, PURCHASED_AT] = now
    lots[n_lots, EXPIRES_AT] = add_months_us(now, LOT_VALIDITY_MONTHS)
    lots[n_lots, AMOUNT] = amount
    lots[n_lots, REMAINING] = amount - repaid
    lots[n_lots, REPAID] = repaid
    lots[n_lots, CONSUMED] = 0
    lots[n_lots, FORFEITED] = 0
    lots[n_lots, SOURCE] = source
    if amount == repaid and head == n_lots:
        head += 1
    return n_lots + 1, head, repaid


@njit(cache=True, inline="always")
def expire_lots(lots: np.ndarray, head: int, n_lots: int, now: int) -> tuple[int, int]:
    """Forfeit what is left in every open lot expiring at or before ``now``: (head, lost)."""
    lost = 0
    while head < n_lots and lots[head, EXPIRES_AT] <= now:
        left = lots[head, REMAINING]
        lots[head, FORFEITED] = left
        lots[head, REMAINING] = 0
        lost += left
        head += 1
    return head, lost


@njit(cache=True, inline="always")
def take_from_lots(lots: np.ndarray, head: int, n_lots: int, charge: int) -> tuple[int, int]:
    """Debit ``charge`` oldest lot first: (head, what no lot covered: a new deficit)."""
    left = charge
    while left > 0 and head < n_lots:
        take = min(left, lots[head, REMAINING])
        lots[head, REMAINING] -= take
        lots[head, CONSUMED] += take
        left -= take
        if lots[head, REMAINING] == 0:
            head += 1
    return head, left


@njit(cache=True, inline="always")
def next_expiry(lots: np.ndarray, head: int, n_lots: int) -> int:
    """When the oldest open lot expires (NEVER: no lot open)."""
    return lots[head, EXPIRES_AT] if head < n_lots else NEVER


# -- fundings and payments ----------------------------------------------------------------


@njit(cache=True, inline="always")
def requests_recharge(policy: PolicyScalars, pending: bool, suspended: bool, balance: int) -> bool:
    """Whether the balance calls for an auto-recharge request now (``Account.maybe_request``)."""
    return policy.auto_on and not pending and not suspended and balance < policy.trigger_minor


@njit(cache=True, inline="always")
def runaway_request(policy: PolicyScalars, balance: int) -> bool:
    """Whether a request at ``balance`` needs too many recharges (``rules.too_many_recharges``).

    The count ``ceil((trigger - balance) / amount)`` is computed, not looped.
    """
    short = policy.trigger_minor - balance
    if short <= 0:
        return False
    return (short + policy.amount_minor - 1) // policy.amount_minor > (
        policy.recharges_to_trigger_max
    )


@njit(cache=True, inline="always")
def due_step(
    opening_us: np.ndarray,
    next_opening: int,
    manual_at: int,
    fix_at: int,
    recharge_at: int,
    now: int,
) -> int:
    """The first funding step due at ``now``, in ``Funding`` order (NO_STEP: none)."""
    if next_opening < len(opening_us) and opening_us[next_opening] <= now:
        return STEP_INITIAL if next_opening == 0 else STEP_SCHEDULED
    if manual_at <= now:
        return STEP_MANUAL
    if fix_at <= now:
        return STEP_FIXED
    if recharge_at <= now:
        return STEP_RECHARGE
    return NO_STEP


@njit(cache=True, inline="always")
def next_draw(run: PaymentScalars, draws: np.ndarray, draws_used: int) -> tuple[float, int]:
    """A payment attempt's uniform draw, and the draws used (as ``Account`` draws them).

    Only a failure chance consumes draws (1.0 never fails); -1.0 says the
    pre-drawn uniforms ran out, so the caller must run again with more.
    """
    if run.failure_probability <= 0.0:
        return 1.0, draws_used
    if draws_used >= len(draws):
        return -1.0, draws_used
    return draws[draws_used], draws_used + 1


@njit(cache=True, inline="always")
def request_at(
    run: PaymentScalars, processing_us: np.ndarray, used: int, now: int
) -> tuple[int, int]:
    """When a recharge requested at ``now`` completes, and the processing delays drawn so far.

    A fixed delay draws nothing; a random one takes the next pre-drawn delay
    (one per request, as ``Account.maybe_request``). NEVER says they ran out,
    so the caller must run again with more.
    """
    if not run.processing_random:
        return now + run.processing_delay_us, used
    if used >= len(processing_us):
        return NEVER, used
    return now + processing_us[used], used + 1


@njit(cache=True, inline="always")
def attempt_recharge(
    run: PaymentScalars, card_from_us: np.ndarray, card_until_us: np.ndarray, now: int, draw: float
) -> tuple[bool, int]:
    """A payment attempt at ``now`` (``Account.complete_recharge``): (paid, card in force).

    It fails while a card expiry is in force (its index; -1: none), or else
    when ``draw`` is below the failure chance.
    """
    card = expired_card(card_from_us, card_until_us, now)
    return card < 0 and not draw < run.failure_probability, card


@njit(cache=True, inline="always")
def fix_after(
    run: RunTerms, card_until_us: np.ndarray, fix_us: np.ndarray, used: int, card: int, now: int
) -> tuple[int, int]:
    """When auto-recharge resumes after a failure at ``now``, and the fix delays drawn so far.

    One fix delay per failure when it is random (``Account.complete_recharge``),
    then the card's renewal and office hours (``Payments.resumes_at``). NEVER:
    not before the run ends; -1: the pre-drawn fix delays ran out.
    """
    fix_delay_us = run.fix_delay_us
    if run.fix_random:
        if used >= len(fix_us):
            return -1, used
        fix_delay_us, used = fix_us[used], used + 1
    fixed_at = resumes_at(card_until_us, fix_delay_us, card, now)
    return (fixed_at if fixed_at == NEVER else admin_instant(run, fixed_at)), used


@njit(cache=True, inline="always")
def expired_card(card_from_us: np.ndarray, card_until_us: np.ndarray, now: int) -> int:
    """The card expiry in force at ``now``, by index (-1: none; ``Payments.expired_card``)."""
    for card in range(len(card_from_us)):
        if card_from_us[card] <= now and (card_until_us[card] < 0 or now < card_until_us[card]):
            return card
    return -1


@njit(cache=True, inline="always")
def resumes_at(card_until_us: np.ndarray, fix_delay_us: int, card: int, failed_at: int) -> int:
    """When the fix is due after a failure, before office hours (NEVER: never).

    As ``Payments.resumes_at`` without the wait for office hours (``office_instant``).
    """
    fixed_at = failed_at + fix_delay_us
    if card < 0:
        return fixed_at
    if card_until_us[card] < 0:
        return NEVER
    return max(fixed_at, card_until_us[card])


@njit(cache=True, inline="always")
def admin_instant(run: RunTerms, time: int) -> int:
    """When an admin action due at ``time`` happens (``Payments.admin_acts_at``; NEVER: never)."""
    if not run.office_hours_on:
        return time
    return office_instant(run.office_open_us, run.office_close_us, time)


@njit(cache=True, inline="always")
def office_instant(open_us: np.ndarray, close_us: np.ndarray, time: int) -> int:
    """The first instant >= ``time`` in office hours (NEVER: none; ``OfficeHours.next_open``)."""
    index = np.searchsorted(close_us, time, side="right")
    if index == len(close_us):
        return NEVER
    return max(time, open_us[index])


# -- calls --------------------------------------------------------------------------------


@njit(cache=True, inline="always")
def admit(
    calls: ChargedCalls,
    first: int,
    stop: int,
    balance: int,
    blocked_call: np.ndarray,
    blocked: np.ndarray,
) -> int:
    """Admit calls ``first .. stop - 1``, starting while the balance is ``balance``.

    With money left every call starts; otherwise each credit-billed call is
    blocked (marked, and tallied by service). Returns how many were credit-billed.
    """
    if balance > 0:
        return calls.billed_before[stop] - calls.billed_before[first]
    billed = 0
    for call in range(first, stop):
        if calls.credit_billed[call]:
            billed += 1
            blocked_call[call] = True
            service = calls.service[call]
            blocked[service, BLOCKED_CALLS] += 1
            blocked[service, BLOCKED_DURATION] += calls.end_us[call] - calls.start_us[call]
            blocked[service, BLOCKED_CHARGE] += calls.charge_minor[call]
    return billed


@njit(cache=True, inline="always")
def skip_blocked(post_order: np.ndarray, blocked_call: np.ndarray, post_ptr: int) -> int:
    """The next posting, passing over blocked calls (they never post)."""
    while post_ptr < len(post_order) and blocked_call[post_order[post_ptr]]:
        post_ptr += 1
    return post_ptr


@njit(cache=True, inline="always")
def next_end(end_us: np.ndarray, post_order: np.ndarray, post_ptr: int) -> int:
    """When the next charge posts (NEVER: none left)."""
    return end_us[post_order[post_ptr]] if post_ptr < len(post_order) else NEVER


# -- the balance over time ----------------------------------------------------------------


@njit(cache=True)
def carry_time(book: TimeBook, start: int, daily: np.ndarray, now: int) -> TimeBook:
    """Carry the balance in force since ``book.last_time`` up to ``now``.

    Fills the end-of-day samples for day boundaries crossed (each gets the
    balance just before it) and adds balance x span to the integral, kept exact
    in two int64 halves. ``last_time`` is left for the caller to move.
    """
    sampled, next_sample = book.sampled, book.next_sample
    if now >= next_sample:
        due = (now - start) // MICROS_PER_DAY
        for day in range(sampled, due):
            daily[day] = book.last_balance
        sampled = due
        next_sample = start + (due + 1) * MICROS_PER_DAY
    span = now - book.last_time
    return TimeBook(
        book.last_time, book.last_balance,
        book.integral_high + book.last_balance * (span >> SPLIT_BITS),
        book.integral_low + book.last_balance * (span & _SPLIT_MASK),
        book.min_balance, book.settled_once, sampled, next_sample,
    )  # fmt: skip


@njit(cache=True, inline="always")
def settle_time(book: TimeBook, start: int, daily: np.ndarray, now: int, balance: int) -> TimeBook:
    """An instant is done: book the time up to it, then its balance (and the minimum)."""
    book = carry_time(book, start, daily, now)
    lowest = book.min_balance if book.settled_once and book.min_balance <= balance else balance
    return TimeBook(
        now, balance, book.integral_high, book.integral_low, lowest, True,
        book.sampled, book.next_sample,
    )  # fmt: skip


@njit(cache=True)
def close_time(book: TimeBook, start: int, daily: np.ndarray, end: int) -> TimeBook:
    """The run is over: the remaining end-of-day samples and the integral up to ``end``."""
    for day in range(book.sampled, len(daily)):
        daily[day] = book.last_balance
    closed = TimeBook(
        book.last_time, book.last_balance, book.integral_high, book.integral_low,
        book.min_balance, book.settled_once, len(daily), NEVER,
    )  # fmt: skip
    return carry_time(closed, start, daily, end)


# -- outages ------------------------------------------------------------------------------


@njit(cache=True, inline="always")
def put_episode(episodes: np.ndarray, n_episodes: int, since: int, until: int) -> None:
    """Record outage episode ``n_episodes`` as [since, until] (the room has space for it)."""
    episodes[n_episodes, 0] = since
    episodes[n_episodes, 1] = until
