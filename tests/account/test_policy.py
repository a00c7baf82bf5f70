"""Policies and payments validate at construction, with the rule in the message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sim.account.clock import to_iso
from sim.account.payments import CardExpiry, Payments
from sim.account.policy import AutoRecharge, ManualTopUp, Policy, ScheduledTopUp
from tests.strategies import at


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: AutoRecharge(-1, 100), r"trigger\(=-1\) must be >= 0"),
        (lambda: AutoRecharge(0, 0), r"amount\(=0\) must be > 0"),
        (lambda: ManualTopUp(100, timedelta(0)), "must be > 0"),
        (lambda: ScheduledTopUp(0, datetime(2025, 1, 1, tzinfo=UTC)), "must be > 0"),
        (lambda: ScheduledTopUp(1, datetime(2025, 1, 1)), "no UTC offset"),
        (lambda: Policy(-5), r"initial\(=-5\) must be >= 0"),
        (lambda: Payments(failure_probability=1.0), r"must be in \[0, 1\)"),
        (lambda: Payments(processing_delay=timedelta(hours=-1)), "must be >= 0"),
        (lambda: CardExpiry(at("2025-02-01"), at("2025-01-01")), "must be after"),
    ],
)
def test_bad_settings_fail_where_they_are_made(build, message) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_a_top_up_on_the_31st_falls_on_the_last_day_of_short_months() -> None:
    top_up = ScheduledTopUp(100, datetime(2025, 1, 31, 6, tzinfo=UTC))
    assert [to_iso(t)[:10] for t in top_up.instants(at("2025-05-01"))] == [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
        "2025-04-30",
    ]


def test_a_quarterly_top_up_skips_months() -> None:
    top_up = ScheduledTopUp(100, datetime(2025, 1, 1, tzinfo=UTC), every_months=3)
    assert len(top_up.instants(at("2025-12-31"))) == 4


def test_card_expiry_covers_from_expiry_until_renewal() -> None:
    card = CardExpiry(at("2025-03-01"), at("2025-03-10"))
    payments = Payments(admin_fix_delay=timedelta(hours=24), card_expiries=(card,))
    assert payments.attempt_fails(at("2025-03-01"), 0.99)
    assert not payments.attempt_fails(at("2025-03-10"), 0.99)
    # fix 24 h after a failure on the 1st, but not before the renewal on the 10th
    assert payments.resumes_at(at("2025-03-01")) == at("2025-03-10")
    assert payments.resumes_at(at("2025-03-09T12:00")) == at("2025-03-10T12:00")
    never = Payments(card_expiries=(CardExpiry(at("2025-03-01")),))
    assert never.resumes_at(at("2025-06-01")) is None


def test_a_monthly_budget_starts_on_the_first_1st_at_or_after_the_start() -> None:
    assert ScheduledTopUp.monthly(5, at("2025-03-01")).first_at == datetime(2025, 3, 1, tzinfo=UTC)
    late = ScheduledTopUp.monthly(5, at("2025-03-01T00:00:01"))
    assert late.first_at == datetime(2025, 4, 1, tzinfo=UTC)
