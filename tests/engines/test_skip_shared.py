"""The skip engine's shared work per replication: reused buffers, draws made ahead, and
the searches a jump makes (docs/performance.md, "The skip engine jumps over quiet stretches")."""

from __future__ import annotations

import gc
from datetime import timedelta

import numpy as np
import pytest

from sim.account.clock import MICROS_PER_DAY
from sim.account.payment_draws import AHEAD_MAX, FIRST_DRAWS, PaymentDraws
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines import fast, skip_layout
from sim.engines.batch import evaluate
from sim.engines.fast import Prepared
from sim.engines.scratch import ScratchPool
from sim.engines.skip_layout import with_days
from sim.engines.skip_stretch import first_post_at
from tests.engines.test_fast import as_stream
from tests.engines.test_skip import HOUR, MINUTE, agreed, hourly, spec
from tests.strategies import START, USD


def address(array: np.ndarray) -> int:
    """Where an array's data starts (comparing addresses keeps no reference)."""
    return int(array.__array_interface__["data"][0])


def test_a_buffer_is_handed_out_again_only_once_nothing_holds_it() -> None:
    pool = ScratchPool(kept=2)
    first = pool.take(100, np.int64)
    held = pool.take(100, np.int64)  # ``first`` is held: another buffer
    assert not np.shares_memory(first, held)
    where = address(first)
    view = first[10:20]
    del first
    assert not np.shares_memory(pool.take(100, np.int64), view)  # a view holds it
    del view
    again = pool.take(90, np.int64)  # the smallest free buffer that fits
    assert address(again) == where and len(again) == 90
    assert pool.take(100, np.int32).dtype == np.int32  # dtypes are kept apart


def test_a_full_pool_gives_a_buffer_of_its_own_and_a_larger_request_replaces_a_free_one() -> None:
    pool = ScratchPool(kept=1)
    kept = pool.take(10, np.int64)
    own = pool.take(10, np.int64)  # the pool's only buffer is held
    assert not np.shares_memory(kept, own) and len(pool.buffers) == 1
    del kept, own
    larger = pool.take(1_000, np.int64)  # the free buffer is too small: replaced
    assert len(pool.buffers) == 1 and np.shares_memory(pool.buffers[0], larger)


def test_prepared_replications_share_no_memory_while_alive_and_reuse_it_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = ScratchPool()  # a pool of its own: the process's holds earlier tests' buffers
    monkeypatch.setattr(fast, "POOL", pool)
    monkeypatch.setattr(skip_layout, "POOL", pool)
    stream = as_stream(hourly(0, 500, 3))
    first = Prepared(stream)
    first_jumps = first.jumps()
    second = Prepared(stream)
    second_jumps = second.jumps()
    assert not np.shares_memory(first.post_order, second.post_order)
    assert not np.shares_memory(first.billed_before, second.billed_before)
    assert not np.shares_memory(first_jumps.charged_before, second_jumps.charged_before)
    assert first_jumps.post_end_us.tolist() == second_jumps.post_end_us.tolist()
    where = address(first_jumps.charged_before)
    del first, first_jumps
    gc.collect()
    third = Prepared(stream)
    assert address(third.jumps().charged_before) == where  # the dropped one's buffer
    expected = np.concatenate(([0], np.cumsum(np.full(500, 3, np.int64))))
    assert third.jumps().charged_before.tolist() == expected.tolist()
    assert third.billed_before.tolist() == list(range(501))


def test_draws_made_ahead_are_the_ones_a_run_grows_into() -> None:
    payments = Payments(timedelta(hours=1), failure_probability=0.2)
    seed = np.random.SeedSequence(3)
    grown, ahead = PaymentDraws(seed, payments), PaymentDraws(seed, payments)
    grown.more(FIRST_DRAWS, 0, 0)  # eightfold, as a run that ran out grows them
    ahead.ahead(5 * FIRST_DRAWS)  # the same eightfold steps: 8 * FIRST_DRAWS
    assert ahead.uniforms.tolist() == grown.uniforms.tolist()
    capped = PaymentDraws(seed, payments)
    capped.ahead(10 * AHEAD_MAX)
    assert len(capped.uniforms) == AHEAD_MAX
    never_fails = PaymentDraws(seed, Payments(timedelta(hours=1)))
    never_fails.ahead(1_000)  # no failure chance: no uniform is ever read
    assert len(never_fails.uniforms) == FIRST_DRAWS


def test_a_grid_that_needs_more_than_the_first_draws_runs_in_one_compiled_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2,400 calls of 10 with recharges of 100: about 240 payment attempts, more than 64
    calls = sorted(hourly(0, 2_400, 10), key=lambda call: call.start)
    run = RunSpec(
        USD, START, START + 120 * MICROS_PER_DAY,
        Payments(timedelta(hours=1), failure_probability=0.1),
    )  # fmt: skip
    policies = [Policy(500, auto=AutoRecharge(200, amount)) for amount in (100, 300)]
    compiled_calls = []
    real = fast.run_policies

    def counted(*args: object) -> object:
        compiled_calls.append(args[-1])
        return real(*args)

    monkeypatch.setattr(fast, "run_policies", counted)
    seed = np.random.SeedSequence(5)
    outcomes = evaluate("skip", as_stream(calls), policies, run, payment_seed=seed)
    assert compiled_calls == [0]  # not stopped at the 65th attempt and run again
    assert outcomes[0].recharges + outcomes[0].failed_recharges > FIRST_DRAWS
    monkeypatch.undo()
    assert outcomes == evaluate("simpy", as_stream(calls), policies, run, payment_seed=seed)


def test_the_first_posting_at_a_limit_is_found_within_its_day() -> None:
    # postings at irregular times: some days have none, some fall on a day boundary
    rng = np.random.default_rng(11)
    ends = np.sort(rng.integers(0, 40 * MICROS_PER_DAY, 600)) + START
    ends[::50] = START + MICROS_PER_DAY * rng.integers(1, 40, 12)
    ends.sort()
    ends[ends > START + 20 * MICROS_PER_DAY] += 5 * MICROS_PER_DAY  # days 20-25 empty
    calls = [Call(int(end) - 1, int(end), "tf", 1, True, k) for k, end in enumerate(ends)]
    run = spec(days=50)
    jumps = with_days(Prepared(as_stream(calls)).jumps(), run.start, run.end)
    post_end = jumps.post_end_us
    limits = [*(START + MICROS_PER_DAY * np.arange(0, 51)), *post_end[::7], run.end + 1]
    limits += [limit + shift for limit in limits[:51] for shift in (-1, 1)]
    for limit in limits:
        expected = int(np.searchsorted(post_end, limit, side="left"))
        for post_ptr in {0, expected // 2, max(expected - 1, 0)}:
            if post_end[post_ptr] < limit:
                assert first_post_at(jumps, post_ptr, int(limit), run.start) == expected


def test_calls_starting_while_a_jumps_last_call_runs_are_admitted_after_it() -> None:
    # an 8-hour call every 2 days over short hourly calls: a jump ends at the long call's
    # end, after which the short calls that started while it ran must all be counted
    long_calls = [
        Call(START + 48 * k * HOUR + 5 * MINUTE, START + 48 * k * HOUR + 8 * HOUR, "tf", 5, True,
             10_000 + k)
        for k in range(100)
    ]  # fmt: skip
    calls = [*hourly(0, 24 * 200, 2, length_min=10), *long_calls]
    policy = Policy(400, auto=AutoRecharge(100, 300))
    outcome, jumped = agreed(calls, policy, spec(days=200, delay_h=0.5))
    assert outcome.credit_billed_calls == len(calls) and jumped > 4_000


def test_release_drops_the_free_buffers_and_keeps_the_held_ones() -> None:
    pool = ScratchPool(kept=3)
    held, dropped = pool.take(10, np.int64), pool.take(20, np.int32)
    del dropped
    pool.release()
    assert len(pool.buffers) == 1 and np.shares_memory(pool.buffers[0], held)
