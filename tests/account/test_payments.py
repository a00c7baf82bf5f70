"""Payments: the admin fixes a failed payment in office hours (hand-computed traces)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sim.account.payments import CardExpiry, OfficeHours, Payments
from tests.strategies import at

# Mon 4 - Fri 8 and Mon 11 January 2027, 09:00-17:00 UTC (Sat 9 and Sun 10 closed)
WEEK = OfficeHours(
    tuple(at(f"2027-01-{day:02d} 09:00") for day in (4, 5, 6, 7, 8, 11)),
    tuple(at(f"2027-01-{day:02d} 17:00") for day in (4, 5, 6, 7, 8, 11)),
)


def fixing(delay_h: float, **more: object) -> Payments:
    return Payments(admin_fix_delay=timedelta(hours=delay_h), office_hours=WEEK, **more)  # type: ignore[arg-type]


def test_a_friday_evening_failure_is_fixed_on_monday_at_opening() -> None:
    # 17:30 + 4 h = 21:30 Friday, closed: the next office instant is Monday 09:00
    # (the delay is wall-clock, not 4 working hours: not Monday 13:00)
    assert fixing(4).resumes_at(at("2027-01-08 17:30")) == at("2027-01-11 09:00")


def test_a_failure_whose_fix_falls_in_office_hours_is_fixed_then() -> None:
    assert fixing(4).resumes_at(at("2027-01-04 09:00")) == at("2027-01-04 13:00")
    assert fixing(0).resumes_at(at("2027-01-05 16:59")) == at("2027-01-05 16:59")


def test_a_fix_due_at_closing_waits_for_the_next_opening() -> None:
    # [09:00, 17:00): 17:00 itself is closed
    assert fixing(1).resumes_at(at("2027-01-06 16:00")) == at("2027-01-07 09:00")
    assert fixing(10).resumes_at(at("2027-01-06 23:00")) == at("2027-01-07 09:00")


def test_a_card_renewed_on_a_saturday_is_entered_on_monday() -> None:
    card = CardExpiry(at("2027-01-01 00:00"), renewed_at=at("2027-01-09 10:00"))
    payments = fixing(4, card_expiries=(card,))
    assert payments.resumes_at(at("2027-01-04 10:00")) == at("2027-01-11 09:00")


def test_no_office_hour_left_means_no_fix() -> None:
    assert fixing(48).resumes_at(at("2027-01-10 12:00")) is None
    assert WEEK.next_open(at("2027-01-11 17:00")) is None


def test_without_office_hours_the_admin_acts_at_any_hour() -> None:
    payments = Payments(admin_fix_delay=timedelta(hours=4))
    assert payments.resumes_at(at("2027-01-08 17:30")) == at("2027-01-08 21:30")


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        ((at("2027-01-04 09:00"),), ()),
        ((at("2027-01-04 09:00"),), (at("2027-01-04 09:00"),)),
        (
            (at("2027-01-05 09:00"), at("2027-01-04 09:00")),
            (at("2027-01-05 17:00"), at("2027-01-04 17:00")),
        ),
    ],
)
def test_office_hours_must_be_sorted_disjoint_intervals(
    opens: tuple[int, ...], closes: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match="office hours"):
        OfficeHours(opens, closes)
