"""Drawn payment delays: the same draws, at the same instants, in every engine.

The hand-checked trace uses the office of ``test_payment_hours`` (New York,
09:00-17:00 Mon-Fri = 14:00-22:00 UTC in January), payment seed 3 (uniforms
0.086, 0.237, 0.801: fail, fail, succeed), an exponential processing delay
of mean 2 h and an exponential fix delay of mean 30 h. The seed's processing
stream draws 0.158155, 1.336829, 1.875031 h and its fix stream 1.052180,
11.131098 h, so:

- the call ends Friday 8 January 22:30 UTC and requests a recharge, which
  fails at 22:30 + 0.158155 h = 22:39:29.357422;
- the fix is due 1.052180 h later, 23:42:37.846218, after closing: it comes at
  Monday's opening, 14:00 UTC, and the recharge asked for then fails at
  14:00 + 1.336829 h = 15:20:12.586152;
- that fix is due 11.131098 h later, Tuesday 02:28:04.538888 UTC, before opening:
  it comes at 14:00, and that recharge succeeds at 14:00 + 1.875031 h = 15:52:30.110499.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.account.clock import MICROS_PER_HOUR
from sim.account.ledger import EntryKind, JournalEntry
from sim.account.money import currency
from sim.account.payment_draws import FIRST_DRAWS, PaymentDraws
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.fast import replay_many
from sim.engines.replay import replay
from sim.engines.simpy_model import simulate
from sim.study.experiment import payment_delay
from sim.world.office_hours import office_hours
from sim.world.scenario import Calendar
from sim.world.scenario_types import Exponential, LogNormal
from tests.engines.test_fast import as_stream
from tests.strategies import at

START, END = at("2027-01-04 00:00"), at("2027-01-20 00:00")
SEED = np.random.SeedSequence(3)
PAYMENTS = Payments(
    processing_delay=payment_delay(Exponential(dist="exponential", mean=2.0)),
    failure_probability=0.5,
    admin_fix_delay=payment_delay(Exponential(dist="exponential", mean=30.0)),
    office_hours=office_hours(Calendar(timezone="America/New_York"), START, END),
)
SPEC = RunSpec(currency("USD"), START, END, PAYMENTS)
POLICY = Policy(10_000, AutoRecharge(5_000, 10_000))
CALL = Call(at("2027-01-08 22:00"), at("2027-01-08 22:30"), "dial_out", 6_000, True, 0)


def test_the_seed_draws_these_delays_in_whole_microseconds() -> None:
    draws = PaymentDraws(SEED, PAYMENTS)
    assert draws.processing_us[:3].tolist() == [569_357_422, 4_812_586_152, 6_750_110_499]
    assert draws.fix_us[:2].tolist() == [3_787_846_218, 40_071_952_736]


def test_a_drawn_delay_posts_the_recharge_and_the_fix_at_the_hand_checked_instants() -> None:
    journal: list[JournalEntry] = []
    rng = np.random.default_rng(SEED)
    replay(
        [CALL], POLICY, SPEC,
        draw=rng.random, delays=PaymentDraws(SEED, PAYMENTS).reader(), on_entry=journal.append,
    )  # fmt: skip
    marks = [(entry.kind, entry.time) for entry in journal]
    assert [time for kind, time in marks if kind == EntryKind.RECHARGE_REQUESTED] == [
        at("2027-01-08 22:30"),
        at("2027-01-11 14:00"),
        at("2027-01-12 14:00"),
    ]
    assert [time for kind, time in marks if kind == EntryKind.RECHARGE_FAILED] == [
        at("2027-01-08 22:39:29.357422"),
        at("2027-01-11 15:20:12.586152"),
    ]
    assert [time for kind, time in marks if kind == EntryKind.PAYMENT_FIXED] == [
        at("2027-01-11 14:00"),
        at("2027-01-12 14:00"),
    ]
    funds = [time for kind, time in marks if kind == EntryKind.FUND]
    assert funds == [START, at("2027-01-12 15:52:30.110499")]


def test_every_engine_meets_the_same_drawn_delays() -> None:
    expected = replay(
        [CALL], POLICY, SPEC,
        draw=np.random.default_rng(SEED).random, delays=PaymentDraws(SEED, PAYMENTS).reader(),
    )  # fmt: skip
    assert (expected.failed_recharges, expected.recharges) == (2, 1)
    model = simulate(
        [CALL], POLICY, SPEC,
        draw=np.random.default_rng(SEED).random, delays=PaymentDraws(SEED, PAYMENTS).reader(),
    )  # fmt: skip
    for skip in (True, False):  # the skip engine and the per-call fast one
        (fast,) = replay_many(as_stream([CALL]), [POLICY], SPEC, payment_seed=SEED, skip=skip)
        assert model == expected == fast


def test_runs_longer_than_the_first_draws_extend_them_alike_in_every_engine() -> None:
    # a call every 6 hours takes the balance below the trigger each time: hundreds of
    # requests and, at a 50 % failure chance, over a hundred failures, past FIRST_DRAWS
    payments = Payments(
        processing_delay=payment_delay(LogNormal(dist="lognormal", mean=1.0, sd=2.0)),
        failure_probability=0.5,
        admin_fix_delay=payment_delay(Exponential(dist="exponential", mean=3.0)),
    )
    spec = RunSpec(currency("USD"), START, START + 200 * 24 * MICROS_PER_HOUR, payments)
    policy = Policy(0, AutoRecharge(1_000, 1_000))
    calls = [
        Call(START + k * 6 * MICROS_PER_HOUR, START + (k * 6 + 1) * MICROS_PER_HOUR, "dial_out",
             1_000, True, k)
        for k in range(800)
    ]  # fmt: skip
    seed = np.random.SeedSequence(11)
    expected = replay(
        calls, policy, spec,
        draw=np.random.default_rng(seed).random, delays=PaymentDraws(seed, payments).reader(),
    )  # fmt: skip
    assert expected.recharges > FIRST_DRAWS and expected.failed_recharges > FIRST_DRAWS
    model = simulate(
        calls, policy, spec,
        draw=np.random.default_rng(seed).random, delays=PaymentDraws(seed, payments).reader(),
    )  # fmt: skip
    for skip in (True, False):  # the skip engine and the per-call fast one
        stream = as_stream(calls)
        (fast,) = replay_many(stream, [policy, policy], spec, payment_seed=seed, skip=skip)[1:]
        assert model == expected == fast


def test_the_same_seed_draws_the_same_delays_and_another_seed_others() -> None:
    first, again = PaymentDraws(SEED, PAYMENTS), PaymentDraws(np.random.SeedSequence(3), PAYMENTS)
    assert np.array_equal(first.processing_us, again.processing_us)
    assert np.array_equal(first.fix_us, again.fix_us)
    other = PaymentDraws(np.random.SeedSequence(4), PAYMENTS)
    assert not np.array_equal(first.processing_us, other.processing_us)
    (one,) = replay_many(as_stream([CALL]), [POLICY], SPEC, payment_seed=np.random.SeedSequence(3))
    (two,) = replay_many(as_stream([CALL]), [POLICY], SPEC, payment_seed=np.random.SeedSequence(3))
    assert one == two


def test_more_draws_keep_the_prefix_and_a_fixed_delay_draws_nothing() -> None:
    draws = PaymentDraws(SEED, PAYMENTS)
    first = draws.processing_us.copy(), draws.fix_us.copy()
    draws.more(0, FIRST_DRAWS, FIRST_DRAWS)
    assert len(draws.processing_us) == len(draws.fix_us) == 8 * FIRST_DRAWS
    assert np.array_equal(draws.processing_us[:FIRST_DRAWS], first[0])
    assert np.array_equal(draws.fix_us[:FIRST_DRAWS], first[1])
    fixed = PaymentDraws(SEED, Payments(failure_probability=0.5))
    assert len(fixed.processing_us) == len(fixed.fix_us) == 0


def test_an_exact_engine_refuses_a_random_delay_without_its_draws() -> None:
    with pytest.raises(ValueError, match="random payment delay needs"):
        replay([CALL], POLICY, SPEC, draw=np.random.default_rng(SEED).random)
