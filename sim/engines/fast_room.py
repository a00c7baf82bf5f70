"""The arrays the compiled loop fills (``LoopRoom``), allocated for it: the loop allocates nothing.

Why: ``fast_loop.run_loop`` is compiled without numba's reference counts
(``_nrt=False``), which were about 45 % of the skip engine's compiled work (an
atomic increment and decrement each time an array was read out of a tuple or
handed to an inlined step, at every instant). Such a function cannot allocate,
so its caller gives it a room: the arrays of their final size (blocked calls,
tallies, end-of-day balances) and the ones that grow (lots, outage episodes,
manual top-ups) at a first size; when one of those is full the loop stops and
runs again, from the start, in a room with twice the space (``more_room``).

``run_policies`` (``sim.engines.fast_many``) keeps one room for all the policies
of a replication, cleared between them (``clear_room``); ``run_policy``
(``sim.engines.fast_loop``) gives each run a room of its own (``loop_result``).
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.account.outcome import EMAIL_KINDS
from sim.engines.fast_layout import (
    BLOCKED_FIELDS,
    LOT_COLUMNS,
    SOURCES,
    ChargedCalls,
    LoopResult,
    LoopRoom,
    LoopScalars,
    RunTerms,
)
from sim.engines.jit_cache import njit

LOTS_ROOM, EPISODES_ROOM, MANUAL_ROOM = 16, 8, 8
"""The growing arrays' first sizes (rows)."""


@njit(cache=True)
def new_room(calls: ChargedCalls, run: RunTerms, lots: int, episodes: int, manual: int) -> LoopRoom:
    """A zeroed room for one run, with ``lots``, ``episodes`` and ``manual`` rows to grow in."""
    days = (run.end_us - run.start_us) // MICROS_PER_DAY  # day boundaries in (start, end]
    return LoopRoom(
        blocked_call=np.zeros(len(calls.start_us), np.bool_),
        blocked=np.zeros((calls.n_services, len(BLOCKED_FIELDS)), np.int64),
        funded_minor=np.zeros(len(SOURCES), np.int64),
        emails=np.zeros(len(EMAIL_KINDS), np.int64),
        daily_balance_minor=np.empty(days, np.int64),
        lots=np.empty((lots, len(LOT_COLUMNS)), np.int64),
        episodes=np.empty((episodes, 2), np.int64),
        manual_times=np.empty(manual, np.int64),
    )


@njit(cache=True)
def more_room(room: LoopRoom, calls: ChargedCalls, run: RunTerms) -> LoopRoom:
    """A zeroed room with twice the space to grow in (a run that ran out starts again)."""
    return new_room(
        calls, run, 2 * len(room.lots), 2 * len(room.episodes), 2 * len(room.manual_times)
    )


@njit(cache=True)
def clear_room(room: LoopRoom) -> None:
    """Zero what the loop counts into, for the next run (the blocked calls only if any was).

    A blocked call is always tallied, so untouched tallies mean no call is marked:
    most runs block none, and the marks are one byte per charged call.
    """
    if room.blocked.any():
        room.blocked_call[:] = False
        room.blocked[:] = 0
    room.funded_minor[:] = 0
    room.emails[:] = 0


@njit(cache=True)
def loop_result(scalars: LoopScalars, room: LoopRoom) -> LoopResult:
    """A run's scalars and the arrays it filled, as one ``LoopResult`` (``room`` is its own)."""
    return LoopResult(
        balance_minor=scalars.balance_minor,
        consumed_minor=scalars.consumed_minor,
        forfeited_minor=scalars.forfeited_minor,
        min_balance_minor=scalars.min_balance_minor,
        recharges=scalars.recharges,
        failed_recharges=scalars.failed_recharges,
        recharge_pending=scalars.recharge_pending,
        credit_billed_calls=scalars.credit_billed_calls,
        integral_high=scalars.integral_high,
        integral_low=scalars.integral_low,
        draws_used=scalars.draws_used,
        processing_used=scalars.processing_used,
        fixes_used=scalars.fixes_used,
        out_of_draws=scalars.out_of_draws,
        runaway_at=scalars.runaway_at,
        runaway_balance_minor=scalars.runaway_balance_minor,
        funded_minor=room.funded_minor,
        emails=room.emails,
        blocked=room.blocked,
        episodes=room.episodes[: scalars.n_episodes].copy(),
        daily_balance_minor=room.daily_balance_minor,
        lots=room.lots[: scalars.n_lots].copy(),
        jumped_postings=scalars.jumped_postings,
    )
