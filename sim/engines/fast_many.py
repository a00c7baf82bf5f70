"""A replication's policies in one compiled call, their results stacked by policy.

Why: once the skip engine jumps its quiet stretches, a ``midsize`` policy costs
about 100 us of compiled work, and crossing into numba once per policy
(unboxing the calls, the jumps and the terms, boxing a ``LoopResult`` of six
arrays) cost a third as much again. ``run_policies`` takes the policies as one
table (``PolicyTable``), runs ``fast_loop.run_loop`` on each (in one ``LoopRoom``), and stacks what
they produced (``PolicyResults``), so that ``sim.engines.fast_outcomes`` builds
the Outcomes from a few ``tolist`` calls over all of them.

A policy that runs out of the pre-drawn payment draws, or whose recharge
request needs too many recharges, stops the call there: the caller grows the
draws, or takes that policy through the one-policy path (``sim.engines.fast``),
and calls again from where it stopped (``first``).
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_DAY
from sim.account.outcome import EMAIL_KINDS
from sim.engines.fast_layout import (
    BLOCKED_FIELDS,
    LOT_COLUMNS,
    NEVER,
    RESULT_SCALARS,
    SOURCES,
    ChargedCalls,
    LoopScalars,
    PolicyResults,
    PolicyTable,
    PolicyTerms,
    RunTerms,
)
from sim.engines.fast_loop import run_loop
from sim.engines.fast_room import (
    EPISODES_ROOM,
    LOTS_ROOM,
    MANUAL_ROOM,
    clear_room,
    more_room,
    new_room,
)
from sim.engines.fast_steps import grown
from sim.engines.jit_cache import njit
from sim.engines.skip_layout import Jumps


@njit(cache=True)
def run_policies(
    calls: ChargedCalls,
    jumps: Jumps,
    table: PolicyTable,
    run: RunTerms,
    draws: np.ndarray,
    processing_us: np.ndarray,
    fix_us: np.ndarray,
    first: int,
) -> PolicyResults:
    """``run_loop`` for policies ``first ..`` of ``table``, until one stops (module docstring).

    The other arguments are ``run_loop``'s. Row ``k`` of the result is policy ``first + k``.
    """
    n = len(table.auto_on) - first
    scalars = np.zeros((n, len(RESULT_SCALARS)), np.int64)
    funded = np.zeros((n, len(SOURCES)), np.int64)
    emails = np.zeros((n, len(EMAIL_KINDS)), np.int64)
    blocked = np.zeros((n, calls.n_services, len(BLOCKED_FIELDS)), np.int64)
    daily = np.empty((n, (run.end_us - run.start_us) // MICROS_PER_DAY), np.int64)
    episode_first = np.zeros(n + 1, np.int64)
    episodes = np.empty((8, 2), np.int64)
    lot_first = np.zeros(n + 1, np.int64)
    lots = np.empty((16 * n + 1, len(LOT_COLUMNS)), np.int64)
    done = 0
    room = new_room(calls, run, LOTS_ROOM, EPISODES_ROOM, MANUAL_ROOM)  # shared, cleared
    for k in range(n):
        terms = policy_terms(table, first + k)
        result = run_loop(calls, jumps, terms, run, draws, processing_us, fix_us, room)
        while result.out_of_room:
            room = more_room(room, calls, run)
            result = run_loop(calls, jumps, terms, run, draws, processing_us, fix_us, room)
        store_scalars(scalars[k], result)
        if result.out_of_draws or result.runaway_at != NEVER:
            break
        funded[k] = room.funded_minor
        emails[k] = room.emails
        blocked[k] = room.blocked
        daily[k] = room.daily_balance_minor
        episodes = grown(episodes, episode_first[k] + result.n_episodes)
        episode_first[k + 1] = episode_first[k] + result.n_episodes
        episodes[episode_first[k] : episode_first[k + 1]] = room.episodes[: result.n_episodes]
        lots = grown(lots, lot_first[k] + result.n_lots)
        lot_first[k + 1] = lot_first[k] + result.n_lots
        lots[lot_first[k] : lot_first[k + 1]] = room.lots[: result.n_lots]
        clear_room(room)
        done = k + 1
    return PolicyResults(
        done, scalars, funded, emails, blocked, daily,
        episode_first, episodes[: episode_first[done]], lot_first, lots[: lot_first[done]],
    )  # fmt: skip


@njit(cache=True, inline="always")
def policy_terms(table: PolicyTable, policy: int) -> PolicyTerms:
    """Row ``policy`` of the table as the loop's terms (its openings: views, not copies)."""
    since, until = table.opening_first[policy], table.opening_first[policy + 1]
    return PolicyTerms(
        table.auto_on[policy],
        table.trigger_minor[policy],
        table.amount_minor[policy],
        table.manual_on[policy],
        table.manual_amount_minor[policy],
        table.manual_delay_us[policy],
        table.opening_us[since:until],
        table.opening_minor[since:until],
        table.recharges_to_trigger_max,
    )


@njit(cache=True, inline="always")
def store_scalars(row: np.ndarray, result: LoopScalars) -> None:
    """``result``'s scalars into ``row``, in the order of ``RESULT_SCALARS``."""
    row[0] = result.balance_minor
    row[1] = result.consumed_minor
    row[2] = result.forfeited_minor
    row[3] = result.min_balance_minor
    row[4] = result.recharges
    row[5] = result.failed_recharges
    row[6] = result.recharge_pending
    row[7] = result.credit_billed_calls
    row[8] = result.integral_high
    row[9] = result.integral_low
    row[10] = result.draws_used
    row[11] = result.processing_used
    row[12] = result.fixes_used
    row[13] = result.out_of_draws
    row[14] = result.runaway_at
    row[15] = result.runaway_balance_minor
    row[16] = result.jumped_postings
