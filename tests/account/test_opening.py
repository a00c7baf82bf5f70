"""``Opening``: the account as it stands at the start, checked where it is made."""

from __future__ import annotations

import pytest

from sim.account.money import currency
from sim.account.opening import Opening, expiry_of
from sim.account.run_spec import RunSpec
from sim.limits import MONEY_MAX_MINOR, OPENING_LOTS_MAX
from tests.strategies import at

START = at("2026-12-01")


def test_single_is_one_lot_bought_at_the_instant_and_nothing_for_a_zero_balance() -> None:
    assert Opening.single(800_00, START) == Opening(lots=((START, 800_00),))
    assert Opening.single(0, START) == Opening()
    assert Opening.single(800_00, START).balance_minor == 800_00


@pytest.mark.parametrize(
    ("lots", "pending", "rule"),
    [
        (((START, 0),), None, "must be > 0"),
        (((START, -5),), None, "must be > 0"),
        ((), (START, 0), "pending amount"),
        (((START, MONEY_MAX_MINOR), (START, 1)), None, "MONEY_MAX_MINOR"),
        (((START, 1),) * (OPENING_LOTS_MAX + 1), None, "OPENING_LOTS_MAX"),
    ],
)
def test_bad_amounts_and_too_many_lots_are_refused(lots, pending, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        Opening(lots, pending)


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="integer"):
        Opening(((START, 1.5),))  # type: ignore[arg-type]


def test_the_lots_are_funded_oldest_first() -> None:
    old, new = at("2026-01-05"), at("2026-06-01")
    assert Opening(((new, 1), (old, 2))).by_purchase == ((old, 2), (new, 1))


def test_a_lot_must_be_held_at_the_start_and_not_yet_expired() -> None:
    expired = at("2025-12-01")  # expires exactly at the start: nothing left to hold
    later = at("2026-12-02")
    found = Opening(((at("2026-03-15"), 1), (expired, 2), (later, 3)), (at("2026-11-30"), 5))
    problems = found.problems(START)
    assert len(problems) == 3
    assert problems[0].startswith("lots[1]: purchased 2025-12-01T00:00:00Z expired ")
    assert "2026-12-01T00:00:00Z" in problems[0]
    assert problems[1].startswith("lots[2]: purchased 2026-12-02")
    assert "after the start" in problems[1]
    assert problems[2].startswith("pending_recharge: at 2026-11-30")
    assert expiry_of(at("2026-03-15")) == at("2027-03-15")


def test_a_run_spec_refuses_an_opening_that_does_not_fit_its_start() -> None:
    with pytest.raises(ValueError, match="lots\\[0\\]: purchased 2025-11-30"):
        RunSpec(currency("USD"), START, at("2027-12-01"), opening=Opening(((at("2025-11-30"), 1),)))
