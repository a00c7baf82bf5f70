"""Outcome's years of operation: the 12-month windows outage risk is counted over."""

from __future__ import annotations

from datetime import UTC, datetime

from sim.account.clock import to_instant
from sim.account.outcome import year_count, year_windows


def _at(year: int, month: int, day: int) -> int:
    return to_instant(datetime(year, month, day, 6, tzinfo=UTC))


def test_whole_years_are_consecutive_calendar_years() -> None:
    start, end = _at(2027, 1, 1), _at(2029, 1, 1)
    assert year_windows(start, end) == [(start, _at(2028, 1, 1)), (_at(2028, 1, 1), end)]


def test_a_partial_last_year_is_the_twelve_months_that_end_at_the_end() -> None:
    start, end = _at(2027, 1, 1), _at(2029, 7, 1)
    assert year_windows(start, end) == [
        (start, _at(2028, 1, 1)),
        (_at(2028, 1, 1), _at(2029, 1, 1)),
        (_at(2028, 7, 1), end),
    ]
    assert len(year_windows(start, end)) == year_count(30)


def test_a_span_under_a_year_is_one_window_of_its_own_length() -> None:
    start, end = _at(2028, 2, 29), _at(2028, 8, 31)
    assert year_windows(start, end) == [(start, end)]


def test_the_kept_windows_are_handed_out_as_a_new_list_each_time() -> None:
    """The windows are computed once per (start, end); a caller's edit of its list must not
    reach the next caller's."""
    start, end = _at(2027, 1, 1), _at(2029, 1, 1)
    first = year_windows(start, end)
    first.append((0, 1))
    first[0] = (0, 0)
    assert year_windows(start, end) == [(start, _at(2028, 1, 1)), (_at(2028, 1, 1), end)]
