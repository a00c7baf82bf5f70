"""Opening accounts in every engine: lots held at the start and a recharge pending then.

Each case runs the SimPy model, the exact replay and the compiled engine and
checks that they give the same Outcome, and then what that Outcome must be:
the held lots expire 12 months after their own purchase, are spent first
(oldest first), and a pending recharge funds a lot without being one of the
run's recharges. Hypothesis covers the rest (tests/strategies.py ``openings``).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from sim.account.clock import MICROS_PER_HOUR, add_months
from sim.account.ledger import Source
from sim.account.opening import Opening
from sim.account.outcome import Outcome
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.batch import ENGINE_NAMES, evaluate
from tests.engines.test_fast import as_stream
from tests.strategies import END, START, USD, at

NO_FAILURES = Payments(processing_delay=timedelta(hours=1), failure_probability=0.0)


def run_all(calls: list[Call], policy: Policy, opening: Opening) -> Outcome:
    """The one Outcome all four engines agree on."""
    spec = RunSpec(USD, START, END, NO_FAILURES, opening)
    stream = as_stream(calls)
    seed = np.random.SeedSequence(7)
    outcomes = [
        evaluate(engine, stream, [policy], spec, payment_seed=seed)[0] for engine in ENGINE_NAMES
    ]
    assert all(outcome == outcomes[0] for outcome in outcomes[1:])
    return outcomes[0]


def test_a_held_lot_with_money_left_is_forfeited_12_months_after_its_own_purchase() -> None:
    bought = at("2023-03-10 14:00")
    outcome = run_all([], Policy(500), Opening(((bought, 420_50),)))
    held, initial = outcome.lots
    assert (held.source, held.purchased_at, held.expires_at) == (
        Source.OPENING, bought, at("2024-03-10 14:00")
    )  # fmt: skip
    assert held.forfeited_minor == 420_50
    assert initial.source is Source.INITIAL and initial.purchased_at == START
    assert outcome.funded_by_source_minor[Source.OPENING] == 420_50
    assert outcome.forfeited_minor == 420_50 + 500  # the initial lot expires inside the run too
    assert outcome.to_dict()["funded_by_source"]["opening"] == 420.5


def test_held_lots_are_spent_oldest_first_before_the_initial_purchase() -> None:
    older, newer = at("2023-06-01"), at("2023-12-01")
    call = Call(at("2024-02-01 10:00"), at("2024-02-01 10:10"), "dial_out", 150, True, 1)
    outcome = run_all([call], Policy(1000), Opening(((newer, 200), (older, 100))))
    assert [(lot.purchased_at, lot.consumed_minor) for lot in outcome.lots] == [
        (older, 100), (newer, 50), (START, 0)
    ]  # fmt: skip


def test_a_lot_expiring_at_a_calls_end_is_forfeited_before_the_charge_posts() -> None:
    bought = at("2023-05-20 09:00")
    expiry = add_months(bought, 12)
    call = Call(expiry - MICROS_PER_HOUR, expiry, "dial_out", 300, True, 1)
    outcome = run_all([call], Policy(0), Opening(((bought, 1000),)))
    (held,) = outcome.lots
    assert (held.forfeited_minor, held.consumed_minor) == (1000, 0)
    assert outcome.final_balance_minor == -300  # the charge found no lot: a deficit


def test_a_pending_recharge_arrives_as_a_held_lot_and_not_as_a_recharge_of_the_run() -> None:
    policy = Policy(0, AutoRecharge(trigger_minor=500, amount_minor=2000))
    arrives = START + 3 * MICROS_PER_HOUR
    outcome = run_all([], policy, Opening(((at("2023-09-01"), 100),), (arrives, 300)))
    pending = outcome.lots[1]
    assert (pending.source, pending.purchased_at, pending.amount_minor) == (
        Source.OPENING, arrives, 300
    )  # fmt: skip
    # below the trigger from the start, yet no request until the pending one arrives;
    # still below it then (400 < 500), so the policy's first request goes out on arrival
    assert outcome.lots[2].source is Source.AUTO_RECHARGE
    assert outcome.lots[2].purchased_at == arrives + MICROS_PER_HOUR
    assert outcome.funded_by_source_minor[Source.OPENING] == 400
    assert outcome.emails["recharge_succeeded"] == outcome.recharges


def test_a_pending_recharge_before_the_trigger_is_crossed_leaves_the_policy_to_recharge_later():
    policy = Policy(0, AutoRecharge(trigger_minor=500, amount_minor=2000))
    arrives = START + 2 * MICROS_PER_HOUR
    spend = Call(at("2024-02-01 10:00"), at("2024-02-01 11:00"), "dial_out", 1200, True, 1)
    outcome = run_all([spend], policy, Opening(((START, 600),), (arrives, 800)))
    held, pending, first = outcome.lots[:3]
    assert (held.consumed_minor, pending.consumed_minor) == (600, 600)
    # 600 + 800 - 1200 = 200 < 500: the policy's own first recharge, an hour after the call
    assert (first.source, first.purchased_at) == (
        Source.AUTO_RECHARGE, spend.end + MICROS_PER_HOUR
    )  # fmt: skip
