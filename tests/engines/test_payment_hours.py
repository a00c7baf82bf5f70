"""The admin acts in office hours, in every engine alike (hand-computed traces).

A New York office, 09:00-17:00 Mon-Fri (UTC-5 in January). One call ending
Friday 8 January 2027 17:30 local takes the balance below the trigger; the
recharge (no processing delay) fails (draw 0.0 < 0.5); the admin's 4 h fix is
due at 21:30, after closing, so auto-recharge resumes at the next opening,
Monday 11 January 09:00 local = 14:00 UTC, and the retried recharge succeeds
(draw 0.99) then.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import cycle

import numpy as np

from sim.account.ledger import EntryKind, JournalEntry
from sim.account.money import currency
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, ManualTopUp, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.fast import replay_many
from sim.engines.replay import replay
from sim.engines.simpy_model import simulate
from sim.world.office_hours import office_hours
from sim.world.scenario import Calendar
from tests.engines.test_fast import as_stream
from tests.strategies import at

START, END = at("2027-01-04 00:00"), at("2027-01-20 00:00")
CALENDAR = Calendar(timezone="America/New_York")
PAYMENTS = Payments(
    failure_probability=0.5,
    admin_fix_delay=timedelta(hours=4),
    office_hours=office_hours(CALENDAR, START, END),
)
SPEC = RunSpec(currency("USD"), START, END, PAYMENTS)
POLICY = Policy(10_000, AutoRecharge(5_000, 10_000))
CALL = Call(at("2027-01-08 22:00"), at("2027-01-08 22:30"), "dial_out", 6_000, True, 0)


def test_the_fix_of_a_friday_evening_failure_falls_on_monday_at_opening() -> None:
    journal: list[JournalEntry] = []
    draws = cycle([0.0, 0.99])
    replay([CALL], POLICY, SPEC, draw=lambda: next(draws), on_entry=journal.append)
    marks = [(entry.kind, entry.time) for entry in journal if entry.kind != EntryKind.EMAIL]
    assert (EntryKind.RECHARGE_FAILED, at("2027-01-08 22:30")) in marks
    assert (EntryKind.PAYMENT_FIXED, at("2027-01-11 14:00")) in marks
    funds = [entry.time for entry in journal if entry.kind == EntryKind.FUND]
    assert funds == [START, at("2027-01-11 14:00")]  # the initial lot, then the retry


def test_every_engine_resumes_at_the_same_office_instant() -> None:
    # seed 3 draws 0.086, 0.237, 0.801: fail Friday, fail again Monday 09:00 local (fixed
    # 13:00, in office hours), then succeed
    seed = np.random.SeedSequence(3)
    rng = np.random.default_rng(seed)
    expected = simulate([CALL], POLICY, SPEC, draw=rng.random)
    assert (expected.failed_recharges, expected.recharges) == (2, 1)
    for skip in (True, False):  # the skip engine and the per-call fast one
        (fast,) = replay_many(as_stream([CALL]), [POLICY], SPEC, payment_seed=seed, skip=skip)
        rng = np.random.default_rng(seed)
        assert replay([CALL], POLICY, SPEC, draw=rng.random) == expected == fast


def test_a_manual_top_up_also_waits_for_office_hours_in_every_engine() -> None:
    # no auto-recharge; the call takes the balance to -10 USD at Friday 17:30 local; the
    # admin's 1 h response is due at 18:30, after closing: the top-up comes Monday 09:00
    policy = Policy(5_000, manual=ManualTopUp(20_000, timedelta(hours=1)))
    journal: list[JournalEntry] = []
    expected = replay([CALL], policy, SPEC, draw=lambda: 0.99, on_entry=journal.append)
    manual = [entry.time for entry in journal if entry.kind == EntryKind.FUND][1:]
    assert manual == [at("2027-01-11 14:00")]
    model = simulate([CALL], policy, SPEC, draw=lambda: 0.99)
    for skip in (True, False):  # the skip engine and the per-call fast one
        seed = np.random.SeedSequence(0)
        (fast,) = replay_many(as_stream([CALL]), [policy], SPEC, payment_seed=seed, skip=skip)
        assert model == expected == fast
    assert expected.outage_episodes == [(at("2027-01-08 22:30"), at("2027-01-11 14:00"))]
