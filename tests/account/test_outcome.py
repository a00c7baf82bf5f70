"""Outcome's years of operation (the 12-month windows outage risk is counted over), and
its deferred fields (built on first read, the same as eager ones)."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest

from sim.account.clock import MICROS_PER_DAY, to_instant
from sim.account.ledger import Lot, Source
from sim.account.money import currency
from sim.account.outcome import EMAIL_KINDS, Outcome, year_count, year_windows

USD = currency("USD")


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


def _outcome(**more: object) -> Outcome:
    """A small Outcome; ``more`` adds or overrides fields."""
    fields = {
        "currency": USD, "start": _at(2027, 1, 1), "end": _at(2027, 1, 4),
        "funded_by_source_minor": {Source.INITIAL: 500}, "consumed_minor": 120,
        "forfeited_minor": 0, "final_balance_minor": 380, "balance_integral": 10**15,
        "min_balance_minor": 380, "recharges": 0, "failed_recharges": 0,
        "recharge_pending_at_end": False, "calls": 3, "credit_billed_calls": 3,
        "blocked": {}, "outage_episodes": [], "emails": dict.fromkeys(EMAIL_KINDS, 0),
    }  # fmt: skip
    return Outcome(**{**fields, **more})  # type: ignore[arg-type]


def _lots() -> list[Lot]:
    start = _at(2027, 1, 1)
    return [Lot(1, Source.INITIAL, start, start + 365 * MICROS_PER_DAY, 500, 380, 0, 120, 0)]


class _Builder:
    """A ``Deferred`` that counts its calls by field and builds new lists each time."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def __call__(self, name: str) -> list[Any]:
        self.calls[name] = self.calls.get(name, 0) + 1
        return _lots() if name == "lots" else [450, 410, 380]


def test_deferred_fields_are_built_once_each_on_first_read_and_equal_eager_ones() -> None:
    builder = _Builder()
    eager = _outcome(lots=_lots(), daily_balance_minor=[450, 410, 380])
    deferred = _outcome(deferred=builder)
    assert builder.calls == {}
    assert deferred.daily_balance_minor == [450, 410, 380]
    assert builder.calls == {"daily_balance_minor": 1} and deferred.deferred is builder
    assert deferred.lots == _lots() and deferred.deferred is None
    assert deferred.daily_balance_minor == [450, 410, 380]
    assert builder.calls == {"daily_balance_minor": 1, "lots": 1}
    assert deferred == eager and repr(deferred) == repr(eager)
    assert _outcome(deferred=_Builder()) == eager  # equality reads them too
    assert repr(_outcome(deferred=_Builder())) == repr(eager)


def test_a_deferred_outcome_pickles_and_copies_as_an_eager_one() -> None:
    eager = _outcome(lots=_lots(), daily_balance_minor=[450, 410, 380])
    unpickled = pickle.loads(pickle.dumps(_outcome(deferred=_Builder())))
    assert unpickled == eager and unpickled.deferred is None
    half_read = _outcome(deferred=_Builder())
    assert half_read.daily_balance_minor == eager.daily_balance_minor
    assert pickle.loads(pickle.dumps(half_read)) == eager and half_read.deferred is None
    assert copy.copy(_outcome(deferred=_Builder())) == eager
    assert copy.deepcopy(_outcome(deferred=_Builder())) == eager


def test_a_deferred_field_set_before_the_first_read_keeps_its_value() -> None:
    """``evaluate(..., with_lots=False)`` empties ``lots`` this way on the exact engines."""
    outcome = _outcome(deferred=_Builder())
    outcome.lots = []
    assert outcome.daily_balance_minor == [450, 410, 380] and outcome.lots == []


def test_other_missing_attributes_are_still_errors() -> None:
    builder = _Builder()
    outcome = _outcome(deferred=builder)
    with pytest.raises(AttributeError, match="no attribute 'lot'"):
        outcome.lot  # type: ignore[attr-defined]  # noqa: B018
    assert builder.calls == {}  # a typo builds nothing
    failing = _outcome(deferred=lambda name: [1 / 0])
    with pytest.raises(ZeroDivisionError):
        failing.lots  # noqa: B018
    assert failing.deferred is not None  # a failed build is not lost
