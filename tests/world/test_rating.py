"""Rating: exact integer charges against a Decimal reference, and the monthly pools."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.account.money import Currency, currency
from sim.world.demand import generate
from sim.world.rates import Rate, RateTable
from sim.world.rating import (
    DOMESTIC_POOL,
    POOLS,
    Tariffs,
    billed_seconds,
    charge_minor,
    pool_seconds,
    scale_money,
)
from sim.world.scenario import Scenario

USD, JPY, KWD = currency("USD"), currency("JPY"), currency("KWD")
US = 1_000_000


def reference_charge(fee: Decimal, rate: Decimal, duration_us: int, step_s: int, cur: Currency):
    """The model rule with exact fractions: fee + rate x minutes rounded up, half-up once."""
    steps = -(-duration_us // (step_s * US))
    amount = (Fraction(fee) + Fraction(rate) * steps * step_s / 60) * cur.minor_per_major
    return math.floor(amount + Fraction(1, 2))


def rate_one(fee: Decimal, rate: Decimal, duration_us: int, step_s: int, cur: Currency) -> int:
    tariffs = Tariffs.of([Rate(rate, fee)], cur)
    billed = billed_seconds(np.array([duration_us]), step_s)
    return int(charge_minor(tariffs.fee_scaled, tariffs.rate_scaled, billed)[0])


money = st.decimals(min_value=0, max_value=50, places=5, allow_nan=False, allow_infinity=False)


@given(
    fee=money,
    rate=money,
    duration_us=st.integers(1, 10 * 3600 * US),
    step_s=st.sampled_from([1, 6, 30, 60, 90, 3600]),
    cur=st.sampled_from([USD, JPY, KWD]),
)
def test_integer_charges_equal_the_decimal_rule(
    fee: Decimal, rate: Decimal, duration_us: int, step_s: int, cur: Currency
) -> None:
    assert rate_one(fee, rate, duration_us, step_s, cur) == reference_charge(
        fee, rate, duration_us, step_s, cur
    )


@given(cents=st.integers(0, 100_000), step_s=st.sampled_from([1, 6, 60]))
def test_a_half_cent_always_rounds_up(cents: int, step_s: int) -> None:
    rate = Decimal(2 * cents + 1) / 200  # per minute: c + 0.5 cents for one billed minute
    assert rate_one(Decimal(0), rate, 60 * US, step_s, USD) == cents + 1


@pytest.mark.parametrize(
    ("fee", "rate", "seconds", "step_s", "expected"),
    [
        ("0", "0.005", 60, 60, 1),  # 0.5 cent: half-up, not to even (0)
        ("0", "0.0125", 120, 60, 3),  # 2.5 cents -> 3 (banker's rounding would give 2)
        ("0", "0.0149", 60, 60, 1),  # 1.49 cents -> 1
        ("0", "0.013", 61, 60, 3),  # 61 s bills 2 minutes: 2.6 cents -> 3
        ("0", "0.01", 61, 6, 1),  # 66 s = 1.1 min: 1.1 cents -> 1
        ("0", "0.3", 61, 6, 33),  # 1.1 min x 30 cents = 33
        ("0.05", "0.1", 1, 30, 10),  # 5 cents fee + half a minute of 10 cents
        ("0.015", "0", 1, 60, 2),  # a fee alone is rounded half-up too
    ],
)
def test_known_charges(fee: str, rate: str, seconds: int, step_s: int, expected: int) -> None:
    assert rate_one(Decimal(fee), Decimal(rate), seconds * US, step_s, USD) == expected


def test_durations_round_up_to_the_increment() -> None:
    durations = np.array([1, 60 * US, 60 * US + 1, 119 * US], dtype=np.int64)
    assert billed_seconds(durations, 60).tolist() == [60, 60, 120, 120]
    assert billed_seconds(durations, 6).tolist() == [6, 60, 66, 120]


def test_a_rate_finer_than_a_millionth_of_a_minor_unit_is_refused() -> None:
    assert scale_money(Decimal("0.00000001"), USD) == 1
    with pytest.raises(ValueError, match="decimal places"):
        scale_money(Decimal("0.000000001"), USD)
    with pytest.raises(ValueError, match=">= 0"):
        scale_money(Decimal("-1"), USD)


def test_charges_that_would_overflow_int64_are_refused() -> None:
    big = np.array([10**15], dtype=np.int64)
    with pytest.raises(OverflowError):
        charge_minor(np.zeros(1, dtype=np.int64), big, np.array([10**6]))


# -- pools ----------------------------------------------------------------------


@given(
    billed=st.lists(st.integers(1, 20).map(lambda m: m * 60), min_size=1, max_size=60),
    months=st.lists(st.integers(0, 3), min_size=1, max_size=60),
    pools=st.lists(st.integers(-1, 2), min_size=1, max_size=60),
    allotment_min=st.lists(st.integers(0, 100), min_size=12, max_size=12),
)
def test_pools_burn_down_in_order_and_refill_each_month_to_that_months_size(
    billed: list[int], months: list[int], pools: list[int], allotment_min: list[int]
) -> None:
    size = min(len(billed), len(months), len(pools))
    billed_s = np.array(billed[:size], dtype=np.int64)
    month = np.sort(np.array(months[:size]))
    pool = np.array(pools[:size], dtype=np.int8)
    allotment_s = np.array(allotment_min, dtype=np.int64).reshape(3, 4) * 60  # (pool, month)
    taken = pool_seconds(pool, month, billed_s, allotment_s)
    left = {(p, m): int(allotment_s[p, m]) for p in range(3) for m in range(4)}
    for index in range(size):  # the rule, one call at a time
        key = (int(pool[index]), int(month[index]))
        expected = 0 if key[0] < 0 else min(int(billed_s[index]), left[key])
        if key[0] >= 0:
            left[key] -= expected
        assert taken[index] == expected


CALLS_US = RateTable(
    Path("rates.csv"),
    {
        ("US", "landline", "outbound"): Rate(Decimal("0.013")),
        ("US", "mobile", "outbound"): Rate(Decimal("0.02")),
    },
)


def domestic_scenario(plan_users: int, minutes_per_user: float) -> Scenario:
    """Users in Los Angeles who call every day until midnight (= 08:00 UTC next day)."""
    return Scenario.model_validate(
        {
            "scenario": {"name": "pools", "start": "2027-01-01T08:00:00Z", "horizon_months": 5},
            "calendar": {
                "timezone": "America/Los_Angeles",
                "business_hours": ["16:00", "24:00"],
                "business_days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            },
            "users": {"count": 20},
            "user_calling": {
                "per_user_per_day": 3,
                "domestic_number_types": {"landline": 1, "mobile": 1},
                "duration_min": {"dist": "exponential", "mean": 4},
            },
            "plans": {"domestic_plan_users": plan_users, "domestic_min_per_user": minutes_per_user},
        }
    )


def local_months(starts_us: np.ndarray, zone: str) -> np.ndarray:
    return pd.to_datetime(starts_us, unit="us", utc=True).tz_convert(zone).month.to_numpy()


def test_pools_reset_on_the_first_in_the_scenario_zone_and_overflow_only_when_empty() -> None:
    stream = generate(domestic_scenario(20, 50), CALLS_US, np.random.default_rng(5))
    month = local_months(stream.start_us, "America/Los_Angeles")
    assert set(stream.pool.tolist()) == {DOMESTIC_POOL} and stream.pools == POOLS
    assert np.all(stream.pool_min >= 0) and np.all(stream.billed_min >= 0)
    for m in np.unique(month):
        rows = month == m
        used = np.cumsum(stream.pool_min[rows])
        assert used[-1] == pytest.approx(1000.0)  # 20 users x 50 min, used up every month
        assert stream.pool_min[rows][0] > 0  # the first call of a month finds a full pool
        overflowing = stream.billed_min[rows] > 0
        assert np.all(used[overflowing] == pytest.approx(1000.0))  # billed only once empty


def test_a_call_that_drew_on_a_pool_is_not_credit_billed_even_with_an_overflow_charge() -> None:
    stream = generate(domestic_scenario(20, 50), CALLS_US, np.random.default_rng(5))
    partly = (stream.pool_min > 0) & (stream.billed_min > 0)
    assert partly.any() and np.all(stream.charge_minor[partly] > 0)
    assert not stream.credit_billed[partly].any()
    covered = (stream.pool_min > 0) & (stream.billed_min == 0)
    assert np.all(stream.charge_minor[covered] == 0)
    np.testing.assert_array_equal(
        stream.credit_billed, (stream.pool_min == 0) & (stream.charge_minor > 0)
    )


def test_without_licences_every_minute_is_billed() -> None:
    stream = generate(domestic_scenario(0, 3000), CALLS_US, np.random.default_rng(5))
    assert np.all(stream.pool_min == 0) and stream.credit_billed.all()
    minutes = -(-(stream.end_us - stream.start_us) // (60 * US))
    np.testing.assert_array_equal(stream.billed_min, minutes)
