"""The clock: integer microsecond instants and calendar-month arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sim.account.clock import add_months, parse_instant, to_instant, to_iso


def test_offsets_are_normalised_to_utc() -> None:
    assert parse_instant("2025-01-01T10:00:00+02:00", naive_is_utc=False) == parse_instant(
        "2025-01-01T08:00:00Z", naive_is_utc=False
    )


def test_a_naive_timestamp_is_refused_unless_utc_by_definition() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_instant("2025-01-01T10:00:00", naive_is_utc=False)
    assert to_iso(parse_instant("2025-01-01 10:00:00", naive_is_utc=True)) == "2025-01-01T10:00:00Z"


def test_fractional_seconds_survive_to_the_microsecond() -> None:
    instant = parse_instant("2025-01-01T00:00:00.123456Z", naive_is_utc=False)
    assert instant % 1_000_000 == 123456


@pytest.mark.parametrize(
    ("bought", "expires"),
    [
        ("2024-02-29T13:30:00Z", "2025-02-28T13:30:00Z"),
        ("2023-03-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        ("2024-01-31T23:59:59Z", "2025-01-31T23:59:59Z"),
        ("2024-12-31T00:00:00Z", "2025-12-31T00:00:00Z"),
    ],
)
def test_twelve_calendar_months_later(bought: str, expires: str) -> None:
    instant = parse_instant(bought, naive_is_utc=False)
    assert to_iso(add_months(instant, 12)) == expires


def test_naive_datetimes_have_no_instant() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        to_instant(datetime(2025, 1, 1))
    assert to_instant(datetime(1970, 1, 1, tzinfo=UTC)) == 0
