"""Scenario levers in major units become exact policies and payments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sim.account.clock import to_iso
from sim.study.experiment import (
    build_payments,
    build_policy,
    horizon,
    run_spec,
    scenario_levers,
    with_overrides,
)
from sim.world.scenario import Scenario

BASE = {
    "scenario": {"name": "t", "start": "2027-01-15T00:00:00Z", "horizon_months": 3},
    "streams": [
        {"name": "s", "service": "x", "calls_per_day": 1,
         "duration_min": {"dist": "fixed", "value": 1}, "rate_per_min": Decimal("0.1")}
    ],
}  # fmt: skip


def scenario(**sections) -> Scenario:
    return Scenario.model_validate({**BASE, **sections})


def test_policy_from_the_file_in_minor_units() -> None:
    s = scenario(
        policy={"initial_balance": Decimal("12.34"), "trigger": 50, "amount": 100,
                "manual_top_up": 25, "monthly_top_up": 10},
        payments={"admin_response_delay_h": Decimal("1.5")},
    )  # fmt: skip
    policy = build_policy(s, scenario_levers(s))
    assert policy.initial_minor == 1234
    assert (policy.auto.trigger_minor, policy.auto.amount_minor) == (5000, 10000)
    assert policy.manual.response_delay == timedelta(minutes=90)
    assert to_iso(policy.scheduled[0].instants(horizon(s)[1])[0]) == "2027-02-01T00:00:00Z"


def test_overrides_and_switching_auto_recharge_off() -> None:
    s = scenario()
    levers = with_overrides(scenario_levers(s), trigger=Decimal(7), initial=Decimal(3))
    assert (levers.trigger, levers.amount, levers.initial) == (7, 1000, 3)
    assert levers.label() == "T7/A1000/I3"
    off = with_overrides(levers, auto_recharge=False)
    assert build_policy(s, off).auto is None and off.label() == "off/I3"


def test_sub_cent_levers_are_refused_with_the_lever_named() -> None:
    s = scenario()
    with pytest.raises(ValueError, match=r"trigger: '0\.001' has more decimal places"):
        build_policy(s, with_overrides(scenario_levers(s), trigger=Decimal("0.001")))


def test_payments_from_the_file() -> None:
    s = scenario(
        payments={"processing_delay_h": 2, "failure_probability": 0.1, "admin_fix_delay_h": 24,
                  "card_expires": "2027-02-01T00:00:00Z", "card_renewed": "2027-02-10T00:00:00Z"}
    )  # fmt: skip
    payments = build_payments(s)
    assert payments.processing_delay == timedelta(hours=2)
    assert payments.failure_probability == 0.1
    assert payments.admin_fix_delay == timedelta(hours=24)
    (card,) = payments.card_expiries
    assert (to_iso(card.expired_at), to_iso(card.renewed_at)) == (
        "2027-02-01T00:00:00Z",
        "2027-02-10T00:00:00Z",
    )
    start, end = horizon(s)
    assert (to_iso(start), to_iso(end)) == ("2027-01-15T00:00:00Z", "2027-04-15T00:00:00Z")


def test_a_scenario_becomes_one_run_spec_its_currency_window_and_payments() -> None:
    s = scenario(
        scenario={**BASE["scenario"], "currency": "EUR"}, payments={"failure_probability": 0.1}
    )
    spec = run_spec(s)
    assert (spec.currency.code, to_iso(spec.start), to_iso(spec.end)) == (
        "EUR",
        "2027-01-15T00:00:00Z",
        "2027-04-15T00:00:00Z",
    )
    assert spec.payments == build_payments(s)
    assert spec.payments.failure_probability == 0.1
