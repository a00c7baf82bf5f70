"""RunSpec: one checked record of a run's currency, window and payments."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest

from sim.account.clock import MICROS_PER_DAY, parse_instant
from sim.account.money import currency
from sim.account.payments import Payments
from sim.account.run_spec import RunSpec

USD = currency("USD")
START = parse_instant("2025-01-01T00:00:00Z", naive_is_utc=False)


def test_an_end_before_the_start_is_refused_with_both_instants_named() -> None:
    named = r"end\(=2024-12-31T23:59:59.999999Z\) must not be before start\(=2025-01-01T00:00:00Z\)"
    with pytest.raises(ValueError, match=named):
        RunSpec(USD, START, START - 1)


def test_an_instant_long_run_is_a_run_and_payments_default_to_none_failing() -> None:
    spec = RunSpec(USD, START, START)
    assert (spec.span_us, spec.whole_days) == (0, 0)
    assert spec.payments == Payments()
    assert not spec.payments.needs_draws


@pytest.mark.parametrize(
    "arguments",
    [
        (USD, float(START), START + 1),  # an instant is whole microseconds
        (USD, START, True),
        ("USD", START, START + 1),  # a code, not a Currency
        (USD, START, START + 1, timedelta(hours=1)),  # a delay, not Payments
    ],
)
def test_arguments_of_the_wrong_type_are_refused(arguments: tuple) -> None:
    with pytest.raises(TypeError):
        RunSpec(*arguments)


def test_numpy_integers_are_instants_too() -> None:
    spec = RunSpec(USD, np.int64(START), np.int64(START + 2 * MICROS_PER_DAY + 5))
    assert spec.whole_days == 2


def test_a_spec_is_frozen_and_replace_checks_again() -> None:
    spec = RunSpec(USD, START, START + MICROS_PER_DAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.end = START  # type: ignore[misc]
    with pytest.raises(ValueError, match="must not be before"):
        dataclasses.replace(spec, end=START - MICROS_PER_DAY)
    assert hash(spec) == hash(RunSpec(USD, START, START + MICROS_PER_DAY))
