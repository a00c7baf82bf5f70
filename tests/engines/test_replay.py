"""Hand-computed traces of the engine: admission, recharges, outages, ties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sim.account.clock import MICROS_PER_HOUR
from sim.account.ledger import JournalEntry
from sim.account.money import currency
from sim.account.outcome import Outcome
from sim.account.payments import CardExpiry, Payments
from sim.account.policy import AutoRecharge, ManualTopUp, Policy, ScheduledTopUp
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.replay import Replayer, replay
from sim.engines.simpy_model import simulate
from tests.strategies import at

USD = currency("USD")


def call(start: str, end: str, charge: int, billed: bool = True, service: str = "tf", ref: int = 0):
    return Call(at(start), at(end), service, charge, billed, ref)


@pytest.fixture(params=[replay, simulate], ids=["replay", "simpy"])
def engine(request):
    """Every hand-computed trace must come out of both engines, entry for entry."""
    return request.param


def run(
    engine, calls, policy, start, end, payments=None, **kwargs
) -> tuple[Outcome, list[JournalEntry]]:
    journal: list[JournalEntry] = []
    spec = RunSpec(USD, at(start), at(end), payments or Payments())
    outcome = engine(calls, policy, spec, on_entry=journal.append, **kwargs)
    return outcome, journal


def trace(journal: list[JournalEntry]) -> list[tuple[str, str, int, int, int | None, str]]:
    """Journal as (HH:MM or date, kind, amount, balance after, lot, ref)."""
    return [
        (
            datetime.fromtimestamp(e.time / 1e6, UTC).strftime("%m-%d %H:%M"),
            e.kind.value,
            e.amount_minor,
            e.balance_after_minor,
            e.lot,
            e.ref,
        )
        for e in journal
    ]


def test_a_recharge_that_leaves_the_balance_below_trigger_is_followed_by_another(engine) -> None:
    calls = [
        call("2025-01-01T10:00", "2025-01-01T10:10", 600, ref=2),
        call("2025-01-01T10:05", "2025-01-01T10:06", 100, ref=3),
        call("2025-01-01T10:20", "2025-01-01T10:30", 100, ref=4),
    ]
    outcome, journal = run(
        engine, calls, Policy(500, AutoRecharge(200, 300)), "2025-01-01", "2025-01-02"
    )
    assert trace(journal) == [
        ("01-01 00:00", "fund", 500, 500, 1, "initial"),
        ("01-01 10:06", "consume", -100, 400, 1, "call@3"),
        ("01-01 10:10", "consume", -400, 0, 1, "call@2"),
        ("01-01 10:10", "consume", -200, -200, None, "call@2"),
        ("01-01 10:10", "recharge_requested", 0, -200, None, ""),
        ("01-01 10:10", "fund", 300, 100, 2, "auto_recharge"),
        ("01-01 10:10", "email", 0, 100, None, "recharge_succeeded"),
        ("01-01 10:10", "recharge_requested", 0, 100, None, ""),
        ("01-01 10:10", "fund", 300, 400, 3, "auto_recharge"),
        ("01-01 10:10", "email", 0, 400, None, "recharge_succeeded"),
        ("01-01 10:30", "consume", -100, 300, 2, "call@4"),
    ]
    assert outcome.recharges == 2
    assert outcome.lots[1].repaid_deficit_minor == 200
    # The dip to -200 is repaired within the instant: no outage, minimum 300.
    assert outcome.outage_episodes == [] and outcome.min_balance_minor == 300
    # 500 for 606 min, 400 for 24 min, 300 for 810 min, over 1440 min.
    assert outcome.balance_integral == (500 * 606 + 400 * 24 + 300 * 810) * 60_000_000
    assert outcome.to_dict()["mean_balance"] == 3.86


def delayed_recharge_calls() -> list[Call]:
    return [
        call("2025-01-01T09:00", "2025-01-01T09:20", 1200, ref=1),
        call("2025-01-01T09:20", "2025-01-01T09:25", 50, service="toll_free_dial_in", ref=2),
        call("2025-01-01T09:30", "2025-01-01T09:40", 100, billed=False, ref=3),
        call("2025-01-01T09:50", "2025-01-01T10:00", 100, ref=4),
    ]


def test_a_delayed_recharge_leaves_an_outage_that_blocks_credit_billed_calls_only(engine) -> None:
    payments = Payments(processing_delay=timedelta(minutes=30))
    outcome, journal = run(
        engine,
        delayed_recharge_calls(),
        Policy(1000, AutoRecharge(500, 2000)),
        "2025-01-01T08:00",
        "2025-01-01T12:00",
        payments=payments,
    )
    assert trace(journal) == [
        ("01-01 08:00", "fund", 1000, 1000, 1, "initial"),
        ("01-01 09:20", "consume", -1000, 0, 1, "call@1"),
        ("01-01 09:20", "consume", -200, -200, None, "call@1"),
        ("01-01 09:20", "recharge_requested", 0, -200, None, ""),
        ("01-01 09:20", "call_blocked", 0, -200, None, "call@2"),
        ("01-01 09:20", "outage_started", 0, -200, None, ""),
        ("01-01 09:20", "email", 0, -200, None, "balance_depleted"),
        ("01-01 09:40", "consume", -100, -300, None, "call@3"),
        ("01-01 09:50", "fund", 2000, 1700, 2, "auto_recharge"),
        ("01-01 09:50", "email", 0, 1700, None, "recharge_succeeded"),
        ("01-01 09:50", "outage_ended", 0, 1700, None, ""),
        ("01-01 10:00", "consume", -100, 1600, 2, "call@4"),
    ]
    result = outcome.to_dict()
    assert result["blocked_by_service"] == {
        "toll_free_dial_in": {"calls": 1, "minutes": 5.0, "charge": 0.5}
    }
    assert (result["outage_episodes"], result["outage_hours"]) == (1, 0.5)
    assert result["emails"] == {
        "recharge_succeeded": 1,
        "recharge_failed": 0,
        "balance_depleted": 1,
    }
    assert (result["min_balance"], result["final_balance"], result["consumed"]) == (-3, 16, 14)
    assert (outcome.calls, outcome.credit_billed_calls) == (4, 3)


def test_a_zero_delay_recharge_repairs_the_dip_before_a_call_starting_in_the_same_instant(
    engine,
) -> None:
    outcome, journal = run(
        engine,
        delayed_recharge_calls(),
        Policy(1000, AutoRecharge(500, 2000)),
        "2025-01-01T08:00",
        "2025-01-01T12:00",
    )
    assert outcome.blocked == {} and outcome.outage_episodes == []
    assert outcome.emails["balance_depleted"] == 0
    assert outcome.min_balance_minor == 1000  # the start; the -200 dip is no outage
    assert [e.kind.value for e in journal[1:6]] == [
        "consume",
        "consume",
        "recharge_requested",
        "fund",
        "email",
    ]
    assert outcome.final_balance_minor == 3000 - 1450


def test_a_credit_billed_call_is_blocked_at_a_balance_of_exactly_zero(engine) -> None:
    calls = [
        call("2025-01-01T10:00", "2025-01-01T10:01", 100, ref=1),
        call("2025-01-01T10:01", "2025-01-01T10:03", 40, ref=2),
        call("2025-01-01T10:01", "2025-01-01T10:02", 0, billed=False, ref=3),
    ]
    outcome, journal = run(engine, calls, Policy(100), "2025-01-01T10:00", "2025-01-01T11:00")
    assert outcome.min_balance_minor == 0
    assert outcome.blocked_total.calls == 1 and outcome.blocked_total.charge_minor == 40
    assert outcome.calls == 3
    assert outcome.outage_episodes == [(at("2025-01-01T10:01"), at("2025-01-01T11:00"))]
    assert trace(journal)[-3:] == [
        ("01-01 10:01", "call_blocked", 0, 0, None, "call@2"),
        ("01-01 10:01", "outage_started", 0, 0, None, ""),
        ("01-01 10:01", "email", 0, 0, None, "balance_depleted"),
    ]


def test_tie_order_expiry_then_posting_then_funding_then_admission(engine) -> None:
    calls = [
        call("2025-02-28T11:00", "2025-02-28T12:00", 200, ref=1),
        call("2025-02-28T12:00", "2025-02-28T12:10", 30, ref=2),
    ]
    outcome, journal = run(
        engine, calls, Policy(500, AutoRecharge(100, 1000)), "2024-02-29T12:00", "2025-03-01"
    )
    assert trace(journal)[1:] == [
        ("02-28 12:00", "forfeit", -500, 0, 1, "expired"),
        ("02-28 12:00", "recharge_requested", 0, 0, None, ""),
        ("02-28 12:00", "consume", -200, -200, None, "call@1"),
        ("02-28 12:00", "fund", 1000, 800, 2, "auto_recharge"),
        ("02-28 12:00", "email", 0, 800, None, "recharge_succeeded"),
        ("02-28 12:10", "consume", -30, 770, 2, "call@2"),
    ]
    # Expiry came before the posting, so the whole 500 was forfeited, not 300.
    assert (outcome.forfeited_minor, outcome.consumed_minor) == (500, 230)
    assert outcome.blocked == {}


def test_an_expiry_that_empties_the_balance_is_an_outage_until_the_recharge_posts(
    engine,
) -> None:
    """More money can mean more outage risk: the whole balance in one lot that expires
    (500 unspent, above the trigger) leaves zero until the recharge it requests posts 30
    minutes later, and a call in between is blocked (docs/model.md#outages)."""
    calls = [call("2025-02-28T12:10", "2025-02-28T12:20", 30, ref=1)]
    payments = Payments(processing_delay=timedelta(minutes=30))
    outcome, journal = run(
        engine, calls, Policy(500, AutoRecharge(100, 1000)), "2024-02-29T12:00", "2025-03-01",
        payments,
    )  # fmt: skip
    assert trace(journal)[1:] == [
        ("02-28 12:00", "forfeit", -500, 0, 1, "expired"),
        ("02-28 12:00", "recharge_requested", 0, 0, None, ""),
        ("02-28 12:00", "outage_started", 0, 0, None, ""),
        ("02-28 12:00", "email", 0, 0, None, "balance_depleted"),
        ("02-28 12:10", "call_blocked", 0, 0, None, "call@1"),
        ("02-28 12:30", "fund", 1000, 1000, 2, "auto_recharge"),
        ("02-28 12:30", "email", 0, 1000, None, "recharge_succeeded"),
        ("02-28 12:30", "outage_ended", 0, 1000, None, ""),  # when the instant is settled
    ]
    assert outcome.outage_episodes == [(at("2025-02-28T12:00"), at("2025-02-28T12:30"))]
    assert (outcome.forfeited_minor, outcome.blocked_total.charge_minor) == (500, 30)


def test_a_failed_recharge_suspends_auto_recharge_until_the_card_is_renewed(engine) -> None:
    calls = [
        call("2025-03-12T10:00", "2025-03-12T10:30", 600, ref=1),
        call("2025-03-15T09:00", "2025-03-15T09:10", 500, ref=2),
        call("2025-03-16T10:00", "2025-03-16T10:30", 90, ref=3),
    ]
    payments = Payments(
        admin_fix_delay=timedelta(hours=24),
        card_expiries=(CardExpiry(at("2025-03-10"), at("2025-03-20")),),
    )
    outcome, journal = run(
        engine,
        calls,
        Policy(1000, AutoRecharge(500, 1000)),
        "2025-03-01",
        "2025-03-31",
        payments=payments,
    )
    assert [row for row in trace(journal) if row[1] != "consume"] == [
        ("03-01 00:00", "fund", 1000, 1000, 1, "initial"),
        ("03-12 10:30", "recharge_requested", 0, 400, None, ""),
        ("03-12 10:30", "recharge_failed", 0, 400, None, ""),
        ("03-12 10:30", "email", 0, 400, None, "recharge_failed"),
        ("03-15 09:10", "outage_started", 0, -100, None, ""),
        ("03-15 09:10", "email", 0, -100, None, "balance_depleted"),
        ("03-16 10:00", "call_blocked", 0, -100, None, "call@3"),
        ("03-20 00:00", "payment_fixed", 0, -100, None, ""),
        ("03-20 00:00", "recharge_requested", 0, -100, None, ""),
        ("03-20 00:00", "fund", 1000, 900, 2, "auto_recharge"),
        ("03-20 00:00", "email", 0, 900, None, "recharge_succeeded"),
        ("03-20 00:00", "outage_ended", 0, 900, None, ""),
    ]
    assert (outcome.recharges, outcome.failed_recharges) == (1, 1)
    assert outcome.outage_us == (4 * 24 + 14) * MICROS_PER_HOUR + 50 * 60_000_000


def test_random_failures_use_one_draw_per_attempt_and_resume_after_the_fix_delay(engine) -> None:
    draws = iter([0.05, 0.5])
    payments = Payments(
        processing_delay=timedelta(hours=1),
        failure_probability=0.1,
        admin_fix_delay=timedelta(hours=2),
    )
    calls = [call("2025-01-01T10:00", "2025-01-01T10:10", 800, ref=1)]
    outcome, journal = run(
        engine,
        calls,
        Policy(1000, AutoRecharge(500, 1000)),
        "2025-01-01",
        "2025-01-02",
        payments=payments,
        draw=lambda: next(draws),
    )
    assert [row[:2] for row in trace(journal) if row[1] != "email"] == [
        ("01-01 00:00", "fund"),
        ("01-01 10:10", "consume"),
        ("01-01 10:10", "recharge_requested"),
        ("01-01 11:10", "recharge_failed"),
        ("01-01 13:10", "payment_fixed"),
        ("01-01 13:10", "recharge_requested"),
        ("01-01 14:10", "fund"),
    ]
    assert (outcome.failed_recharges, outcome.recharges, outcome.final_balance_minor) == (
        1,
        1,
        1200,
    )
    assert outcome.outage_episodes == []  # the balance never reached zero


def test_manual_top_up_too_small_to_end_the_outage_brings_another_email_and_top_up(engine) -> None:
    calls = [call("2025-01-01T10:00", "2025-01-01T10:05", 300, ref=1)]
    policy = Policy(100, manual=ManualTopUp(150, timedelta(hours=2)))
    outcome, journal = run(engine, calls, policy, "2025-01-01", "2025-01-02")
    assert [row for row in trace(journal) if row[1] in {"fund", "email", "outage_ended"}] == [
        ("01-01 00:00", "fund", 100, 100, 1, "initial"),
        ("01-01 10:05", "email", 0, -200, None, "balance_depleted"),
        ("01-01 12:05", "fund", 150, -50, 2, "manual"),
        ("01-01 12:05", "email", 0, -50, None, "balance_depleted"),
        ("01-01 14:05", "fund", 150, 100, 3, "manual"),
        ("01-01 14:05", "outage_ended", 0, 100, None, ""),
    ]
    assert outcome.outage_us == 4 * MICROS_PER_HOUR
    assert outcome.emails["balance_depleted"] == 2
    assert outcome.funded_by_source_minor["manual"] == 300


def test_scheduled_top_ups_fund_on_their_dates_and_an_empty_start_is_no_outage(engine) -> None:
    top_up = ScheduledTopUp(1000, datetime(2025, 1, 1, tzinfo=UTC))
    outcome, journal = run(engine, [], Policy(0, scheduled=(top_up,)), "2025-01-01", "2025-03-15")
    assert [row[:3] for row in trace(journal)] == [
        ("01-01 00:00", "fund", 1000),
        ("02-01 00:00", "fund", 1000),
        ("03-01 00:00", "fund", 1000),
    ]
    assert outcome.outage_episodes == [] and outcome.min_balance_minor == 1000


def test_no_money_and_no_rules_is_one_outage_for_the_whole_run_with_one_email(engine) -> None:
    outcome, _ = run(engine, [], Policy(0), "2025-01-01", "2025-01-03")
    assert outcome.outage_us == 48 * MICROS_PER_HOUR
    assert outcome.emails == {"recharge_succeeded": 0, "recharge_failed": 0, "balance_depleted": 1}


@pytest.mark.parametrize(("end", "forfeited"), [("2026-01-01", 400), ("2025-12-31T23:59", 0)])
def test_an_expiry_at_the_end_counts_and_one_after_it_does_not(
    engine, end: str, forfeited: int
) -> None:
    calls = [call("2025-06-01T10:00", "2025-06-01T10:10", 600)]
    outcome, _ = run(engine, calls, Policy(1000), "2025-01-01", end)
    assert outcome.forfeited_minor == forfeited


def test_auto_recharge_at_start_with_no_initial_balance_is_immediate(engine) -> None:
    outcome, _ = run(engine, [], Policy(0, AutoRecharge(0, 500)), "2025-01-01", "2025-01-02")
    # trigger 0: balance 0 is not strictly below, so nothing is bought and it is an outage.
    assert outcome.recharges == 0 and len(outcome.outage_episodes) == 1
    outcome, _ = run(engine, [], Policy(0, AutoRecharge(1, 500)), "2025-01-01", "2025-01-02")
    assert outcome.recharges == 1 and outcome.outage_episodes == []


def test_calls_fed_out_of_order_or_into_a_processed_instant_are_refused() -> None:
    runner = Replayer(Policy(100), RunSpec(USD, at("2025-01-01"), at("2025-01-02")))
    runner.advance([call("2025-01-01T10:00", "2025-01-01T10:01", 1)], at("2025-01-01T10:00"))
    with pytest.raises(ValueError, match="out of stream order"):
        runner.advance([call("2025-01-01T10:00", "2025-01-01T10:02", 1)], at("2025-01-01T11:00"))
    with pytest.raises(ValueError, match="out of stream order"):
        replay(
            [
                call("2025-01-01T10:00", "2025-01-01T10:01", 1),
                call("2025-01-01T09:00", "2025-01-01T09:01", 1),
            ],
            Policy(100),
            RunSpec(USD, at("2025-01-01"), at("2025-01-02")),
        )


def test_failure_probability_without_draws_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a draw"):
        replay([], Policy(1), RunSpec(USD, 0, 1, Payments(failure_probability=0.5)))


def test_end_of_day_balances_are_sampled_before_events_at_the_boundary(engine) -> None:
    calls = [
        call("2025-01-01T10:00", "2025-01-01T10:10", 600),
        call("2025-01-02T23:00", "2025-01-03T00:00", 100),  # posts exactly at a boundary
    ]
    outcome, _ = run(engine, calls, Policy(1000), "2025-01-01", "2025-01-04T12:00")
    assert outcome.daily_balance_minor == [400, 400, 300]
