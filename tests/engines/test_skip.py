"""The skip engine: quiet stretches in one jump, and the boundaries where a jump must stop.

Each hand-built case runs every engine (``ENGINE_NAMES``) and checks that the
whole Outcome equals the SimPy model's, then that the case really reaches its
boundary and that the skip engine jumped (``jumped_postings``) around it. The
hypothesis and bundled-scenario differentials are in ``test_fast``.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from sim.account.clock import (
    MICROS_PER_DAY,
    MICROS_PER_HOUR,
    MICROS_PER_MINUTE,
    add_months,
    to_datetime,
)
from sim.account.outcome import Outcome
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, Policy, ScheduledTopUp
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.batch import ENGINE_NAMES, evaluate
from sim.engines.fast import Prepared, run_loop
from sim.engines.fast_layout import SPLIT_BITS
from sim.engines.skip_layout import (
    CHARGED_BEFORE_MAX,
    SPAN_MAX_US,
    build_jumps,
    no_jumps,
    with_days,
)
from sim.limits import CALLS_PER_REPLICATION_MAX, CHARGE_MAX_MINOR, JUMP_CHARGE_MAX_MINOR
from tests.engines.test_fast import as_stream
from tests.strategies import START, USD

HOUR, MINUTE = MICROS_PER_HOUR, MICROS_PER_MINUTE
SEED = 7


def spec(days: int = 500, delay_h: float = 1.0) -> RunSpec:
    return RunSpec(USD, START, START + days * MICROS_PER_DAY, Payments(timedelta(hours=delay_h)))


def hourly(first_h: int, count: int, charge: int, *, length_min: int = 30) -> list[Call]:
    """``count`` calls, one starting each hour from ``first_h`` hours after START."""
    return [
        Call(START + h * HOUR, START + h * HOUR + length_min * MINUTE, "tf", charge, True, h)
        for h in range(first_h, first_h + count)
    ]


def agreed(calls: list[Call], policy: Policy, run: RunSpec) -> tuple[Outcome, int]:
    """The Outcome every engine gives (checked equal to SimPy's), and the postings jumped."""
    calls = sorted(calls, key=lambda call: (call.start, call.ref))
    stream = as_stream(calls)
    outcomes = {
        engine: evaluate(engine, stream, [policy], run, payment_seed=np.random.SeedSequence(SEED))
        for engine in ENGINE_NAMES
    }
    for engine, outcome in outcomes.items():
        assert outcome == outcomes["simpy"], engine
    (expected,) = outcomes["simpy"]
    prepared = Prepared(stream)
    seed = np.random.SeedSequence(SEED)
    jumped = run_loop(prepared, prepared.jumps(), policy, run, payment_seed=seed).jumped_postings
    return expected, jumped


def test_a_call_ending_exactly_at_a_lots_expiry_posts_after_the_forfeit() -> None:
    expiry = add_months(START, 12)
    late = Call(expiry - 30 * MINUTE, expiry, "tf", 70, True, -1)
    calls = [*hourly(0, 24 * 400, 1, length_min=20), late]
    outcome, jumped = agreed(calls, Policy(10_000), spec())
    assert outcome.forfeited_minor > 0 and outcome.lots[0].expires_at == expiry
    assert jumped > 8_000


@pytest.mark.parametrize("ends_at", ["23:59:59", "24:00"], ids=["last-of-day", "at-midnight"])
def test_a_trigger_crossed_by_the_last_call_of_a_day(ends_at: str) -> None:
    # one call a day, 23:00 to 23:59:59 or to midnight: the trigger is crossed on day 50
    length_us = HOUR - 1_000_000 if ends_at == "23:59:59" else HOUR
    calls = [
        Call(START + day * MICROS_PER_DAY + 23 * HOUR,
             START + day * MICROS_PER_DAY + 23 * HOUR + length_us, "tf", 100, True, day)
        for day in range(300)
    ]  # fmt: skip
    policy = Policy(10_000, AutoRecharge(5_000, 5_000))
    outcome, jumped = agreed(calls, policy, spec(delay_h=2))
    crossed = START + 50 * MICROS_PER_DAY + 23 * HOUR + length_us
    assert outcome.lots[1].purchased_at == crossed + 2 * HOUR
    # each day's sample is the balance before the boundary: a call ending at midnight counts
    # for the next day; the recharge lands 2 h after the crossing call
    expected = [5_000, 4_900, 9_800] if ends_at == "23:59:59" else [5_100, 5_000, 9_900]
    assert outcome.daily_balance_minor[49:52] == expected
    assert jumped > 200


def test_a_jump_over_days_without_postings_samples_each_of_them() -> None:
    # one call every 3 days, ending at 10:00 (or at midnight every 5th call): in a jump,
    # days with no posting repeat the balance, and a posting at midnight counts for the next
    calls = [
        Call(START + 3 * k * MICROS_PER_DAY + 9 * HOUR,
             START + (3 * k + (k % 5 == 4)) * MICROS_PER_DAY + (0 if k % 5 == 4 else 10 * HOUR),
             "tf", 10, True, k)
        for k in range(40)
    ]  # fmt: skip
    run = spec(days=130)
    outcome, jumped = agreed(calls, Policy(1_000), run)
    assert outcome.daily_balance_minor[:7] == [990, 990, 990, 980, 980, 980, 970]
    assert outcome.daily_balance_minor[11:14] == [960, 960, 950]  # k = 4 posts at day 13 00:00
    assert jumped == 40
    jumps = with_days(Prepared(as_stream(calls)).jumps(), run.start, run.end)
    boundaries = run.start + MICROS_PER_DAY * np.arange(1, 131)
    first = [int(np.searchsorted(jumps.post_end_us, day, side="left")) for day in boundaries]
    assert jumps.day_first_post.tolist() == first


def test_a_refused_admission_between_two_postings() -> None:
    # 100 an hour from 1,000; the trigger (500) is crossed at 05:30, the recharge comes
    # 6 h later: from 09:30 the balance is 0 and the calls starting then are refused
    policy = Policy(1_000, AutoRecharge(500, 1_000))
    outcome, jumped = agreed(hourly(0, 24 * 60, 100), policy, spec(days=60, delay_h=6))
    assert outcome.blocked["tf"].calls > 0 and outcome.outage_episodes
    assert jumped > 0


def test_two_calls_ending_at_one_instant_cross_the_trigger_together() -> None:
    pair_end = START + 60 * HOUR + 45 * MINUTE
    pair = [Call(pair_end - 5 * MINUTE, pair_end, "tf", 300, True, -k) for k in (1, 2)]
    # after the 61 calls ending by 60:30 the balance is 9,390: each 300 alone stays at or
    # above the trigger (8,990), both together cross it
    policy = Policy(10_000, AutoRecharge(8_990, 5_000))
    outcome, jumped = agreed([*hourly(0, 2_000, 10), *pair], policy, spec(days=100))
    assert outcome.lots[1].purchased_at == pair_end + HOUR
    assert jumped > 1_500


def test_a_call_starting_where_two_postings_empty_the_account_is_refused() -> None:
    # the first of the pair alone leaves money, both leave none: a jump must not split
    # their instant, or the call starting then would be admitted on the half-posted balance
    pair_end = START + 60 * HOUR + 45 * MINUTE
    pair = [Call(pair_end - 5 * MINUTE, pair_end, "tf", 300, True, -k) for k in (1, 2)]
    starter = Call(pair_end, pair_end + MINUTE, "tf", 1, True, -3)
    outcome, jumped = agreed([*hourly(0, 100, 10), *pair, starter], Policy(1_210), spec(days=10))
    assert outcome.blocked["tf"].charge_minor == 1 + 10 * 39  # the starter, then hours 61-99
    assert jumped > 50


def test_a_blocked_call_ending_inside_a_quiet_stretch_never_posts() -> None:
    # the trigger is crossed at 05:30, the recharge arrives at 10:30; the balance is 0 from
    # 09:30, so the 10-hour call starting at 10:00 is refused; it ends at 20:00, amid calls
    # that post in a quiet stretch
    blocked = Call(START + 10 * HOUR, START + 20 * HOUR, "tf", 5_001, True, -1)
    policy = Policy(1_000, AutoRecharge(500, 10_000))
    outcome, jumped = agreed([*hourly(0, 24 * 30, 100), blocked], policy, spec(30, delay_h=5))
    # the long call (its 1 minor unit tells it from the hourly 100s) is refused, never posted
    assert outcome.blocked["tf"].charge_minor % 100 == 1 and outcome.consumed_minor % 100 == 0
    assert outcome.outage_episodes[0] == (
        START + 9 * HOUR + 30 * MINUTE,
        START + 10 * HOUR + 30 * MINUTE,
    )
    assert jumped > 500


def test_a_stretch_that_ends_exactly_at_the_end_posts_its_last_call() -> None:
    run = spec(days=10)
    calls = [*hourly(0, 24 * 10 - 1, 10), Call(run.end - HOUR, run.end, "tf", 7, True, -1)]
    outcome, jumped = agreed(calls, Policy(100_000), run)
    assert outcome.consumed_minor == 10 * (24 * 10 - 1) + 7
    assert jumped == 24 * 10


def test_the_skip_engine_jumps_over_a_long_quiet_stream() -> None:
    """Fails if the skip engine silently posts every stretch per call."""
    calls = hourly(0, 24 * 400, 3)
    prepared = Prepared(as_stream(calls))
    policy, run = Policy(10_000, AutoRecharge(5_000, 2_000)), spec()
    seed = np.random.SeedSequence(1)
    skipped = run_loop(prepared, prepared.jumps(), policy, run, payment_seed=seed)
    per_call = run_loop(prepared, no_jumps(), policy, run, payment_seed=seed)
    # every posting but those at the instants of a recharge request is jumped
    assert skipped.jumped_postings >= len(calls) - 2 * skipped.recharges - 2
    assert skipped.recharges > 10 and per_call.jumped_postings == 0
    assert skipped.balance_minor == per_call.balance_minor


def test_the_jump_bounds_keep_every_int64_term_exact() -> None:
    """skip_layout's proof, from the constants in sim.limits."""
    assert CALLS_PER_REPLICATION_MAX * CHARGE_MAX_MINOR < CHARGED_BEFORE_MAX <= 2**62
    assert JUMP_CHARGE_MAX_MINOR * ((SPAN_MAX_US >> SPLIT_BITS) + 1) < 2**63
    assert JUMP_CHARGE_MAX_MINOR * (2**SPLIT_BITS - 1) < 2**63
    # a lot bought at any instant expires within SPAN_MAX_US (12 calendar months)
    leap_day = START + 45 * MICROS_PER_DAY  # 2024-02-29
    assert max(add_months(t, 12) - t for t in (START, leap_day, START - 300 * MICROS_PER_DAY)) <= (
        SPAN_MAX_US
    )


def test_a_stream_too_costly_for_the_prefix_sums_is_posted_per_call() -> None:
    ends = np.arange(3, dtype=np.int64)
    assert not build_jumps(ends, np.full(3, 2**61, np.int64), np.arange(3)).on
    assert build_jumps(ends, np.full(3, 2**60, np.int64), np.arange(3)).on


def test_weighted_sums_that_wrap_around_int64_still_give_exact_integrals() -> None:
    # 2,000 refused calls of 10^10 on days 100-108 take charge x time past 2^63; the calls
    # after the scheduled top-up on day 150 are jumped with prefix sums that wrapped
    costly = [
        Call(START + 100 * MICROS_PER_DAY + k * 6 * MINUTE,
             START + 100 * MICROS_PER_DAY + k * 6 * MINUTE + MINUTE, "tf", 10**10, True, k)
        for k in range(2_000)
    ]  # fmt: skip
    top_up = ScheduledTopUp(1_000_000, to_datetime(START + 150 * MICROS_PER_DAY), every_months=60)
    calls = [*hourly(0, 24 * 300, 10), *costly]
    outcome, jumped = agreed(calls, Policy(1_000, scheduled=(top_up,)), spec(days=300))
    true_weighted = sum(
        call.charge_minor * ((call.end - START - 30 * MINUTE) >> SPLIT_BITS) for call in calls
    )
    assert true_weighted > 2**63 and outcome.blocked["tf"].calls >= 2_000
    assert jumped > 24 * 100
