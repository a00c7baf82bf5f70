"""Plans cover only their holders: the coverage table, holders over time, rating by hand."""

from __future__ import annotations

import math
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.errors import InputError
from sim.world.arrivals import horizon, month_bounds
from sim.world.demand import generate
from sim.world.load import load_scenario, parse_scenario
from sim.world.plans import (
    DOMESTIC_COVERAGE,
    allotments_s,
    covered_destinations,
    holder_share,
    holders,
    plan_pool,
)
from sim.world.rates import Rate, RateTable
from sim.world.rating import DOMESTIC_POOL, INTERNATIONAL_POOL, NO_POOL
from sim.world.scenario import Plans, Scenario, Users
from tests.paths import SCENARIOS

TEN_CENTS = Rate(Decimal("0.10"))
RATES = RateTable(
    Path("rates.csv"),
    {(country, "landline", "outbound"): TEN_CENTS for country in ("US", "CA", "GB", "PR")},
)


def tiny(**changes: Any) -> Scenario:
    """4 users calling GB for 10 min, about 10 calls in January; 1 holds the international plan."""
    sections: dict[str, Any] = {
        "scenario": {"name": "tiny", "start": "2027-01-01T00:00:00Z", "horizon_months": 1},
        "calendar": {
            "timezone": "UTC",
            "business_hours": ["09:00", "10:00"],
            "business_days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        },
        "users": {"count": 4},
        "user_calling": {
            "per_user_per_day": 0.08,
            "international_share": 1.0,
            "international_destinations": [{"country": "GB", "share": 1}],
            "duration_min": {"dist": "fixed", "value": 10},
        },
        "plans": {
            "domestic_plan_users": 4,
            "international_plan_users": 1,
            "international_min_per_user": 15,
        },
    }
    return Scenario.model_validate(sections | changes)


# -- the domestic coverage table ----------------------------------------------------------


@pytest.mark.parametrize(
    ("plan_country", "destination", "pool"),
    [
        ("US", "CA", DOMESTIC_POOL),  # US-Canada calls are domestic for both plans
        ("CA", "US", DOMESTIC_POOL),
        ("US", "PR", DOMESTIC_POOL),
        ("PR", "CA", DOMESTIC_POOL),
        ("CA", "PR", DOMESTIC_POOL),
        ("US", "GB", INTERNATIONAL_POOL),
        ("CA", "MX", INTERNATIONAL_POOL),
        ("GB", "GB", DOMESTIC_POOL),  # every other country covers itself only
        ("GB", "IE", INTERNATIONAL_POOL),
        ("DE", "US", INTERNATIONAL_POOL),
    ],
)
def test_the_coverage_table_says_which_destinations_are_domestic(
    plan_country: str, destination: str, pool: int
) -> None:
    assert plan_pool(plan_country, destination) == pool


def test_the_table_is_symmetric_between_the_us_puerto_rico_and_canada() -> None:
    assert set(DOMESTIC_COVERAGE) == {"US", "PR", "CA"}
    assert all(covered_destinations(c) == {"US", "PR", "CA"} for c in DOMESTIC_COVERAGE)
    with pytest.raises(TypeError):
        DOMESTIC_COVERAGE["MX"] = frozenset({"MX"})  # type: ignore[index]


def test_a_us_holders_canada_call_draws_on_the_domestic_pool_and_costs_nothing() -> None:
    calling = tiny().user_calling
    assert calling is not None
    to_canada = calling.model_copy(
        update={"international_destinations": (calling.international_destinations[0].model_copy(
            update={"country": "CA"}),)}
    )  # fmt: skip
    sc = tiny(user_calling=to_canada.model_dump())
    stream = generate(sc, RATES, np.random.default_rng(2), detail=True)
    assert len(stream) > 5
    assert set(stream.pool.tolist()) == {DOMESTIC_POOL}  # all 4 users hold a domestic plan
    assert stream.charge_minor.sum() == 0 and stream.billed_min.sum() == 0


# -- holders over time ----------------------------------------------------------------------


def test_growth_users_hold_plans_at_the_growth_share() -> None:
    users = Users(count=100, monthly_growth=0.1)
    plans = Plans(domestic_plan_users=50, growth_domestic_plan_share=1.0)
    elapsed = np.array([0.0, 1.0, 2.0])
    # 100, 110, 121 users; 50 holders, then every added user holds the plan
    np.testing.assert_allclose(holders(plans, users, DOMESTIC_POOL, elapsed), [50, 60, 71])
    np.testing.assert_allclose(
        holder_share(plans, users, DOMESTIC_POOL, elapsed), [0.5, 60 / 110, 71 / 121]
    )


def test_by_default_growth_users_hold_plans_at_the_starting_share() -> None:
    users = Users(count=5000, monthly_growth=0.01)
    plans = Plans(domestic_plan_users=5000, international_plan_users=50)
    elapsed = np.arange(24.0)
    assert np.all(holder_share(plans, users, DOMESTIC_POOL, elapsed) == 1.0)  # exactly
    np.testing.assert_allclose(holder_share(plans, users, INTERNATIONAL_POOL, elapsed), 0.01)
    np.testing.assert_allclose(
        holders(plans, users, INTERNATIONAL_POOL, elapsed), 50 * 1.01**elapsed
    )


def test_when_head_count_shrinks_holders_shrink_in_proportion() -> None:
    users = Users(count=100, monthly_growth=-0.5)
    plans = Plans(domestic_plan_users=40, growth_domestic_plan_share=1.0)
    elapsed = np.array([0.0, 1.0])
    np.testing.assert_allclose(holders(plans, users, DOMESTIC_POOL, elapsed), [40, 20])
    np.testing.assert_allclose(holder_share(plans, users, DOMESTIC_POOL, elapsed), [0.4, 0.4])


def test_generated_calls_of_growth_users_are_holders_calls_at_the_growth_share() -> None:
    sc = tiny(
        scenario={"name": "g", "start": "2027-01-01T00:00:00Z", "horizon_months": 3},
        users={"count": 100, "monthly_growth": 0.5},  # 100, 150, 225 users
        user_calling={"per_user_per_day": 1, "duration_min": {"dist": "fixed", "value": 1}},
        plans={"domestic_plan_users": 100, "growth_domestic_plan_share": 0.0},
    )
    stream = generate(sc, RATES, np.random.default_rng(4), detail=True)
    month = (stream.start_us >= allotment_starts(sc)[:, None]).sum(axis=0) - 1
    for index, share in enumerate((1.0, 100 / 150, 100 / 225)):  # holders stay 100
        held = np.mean(stream.pool[month == index] == DOMESTIC_POOL)
        calls = np.count_nonzero(month == index)
        assert abs(held - share) <= 4 * math.sqrt(share * (1 - share) / calls) + 1e-12
    assert (allotments_s(sc)[DOMESTIC_POOL] == 100 * 3000 * 60).all()


def allotment_starts(sc: Scenario) -> np.ndarray:
    """The instants the scenario's calendar months start (UTC here)."""
    start_us, end_us = horizon(sc.scenario)
    return month_bounds(sc.calendar.timezone, start_us, end_us).starts_us


def test_pools_follow_whole_holders_month_by_month() -> None:
    sc = tiny(
        scenario={"name": "g", "start": "2027-01-01T00:00:00Z", "horizon_months": 3},
        users={"count": 10, "monthly_growth": 0.1},
        plans={
            "audio_conferencing_licences": 3,
            "domestic_plan_users": 5,
            "international_plan_users": 2,
            "growth_international_plan_share": 1.0,
        },
    )
    minutes = allotments_s(sc) / 60
    # users 10, 11, 12.1; domestic holders 5, 5.5, 6.05 -> 5, 5, 6 whole;
    # international 2, 3, 4.1 -> 2, 3, 4; Audio Conferencing licences do not grow
    assert minutes.tolist() == [
        [180.0] * 3,
        [15_000.0, 15_000.0, 18_000.0],
        [1200.0, 1800.0, 2400.0],
    ]


# -- rating, by hand ------------------------------------------------------------------------


def test_a_tiny_month_billed_by_hand() -> None:
    """Seed 2 draws 12 calls of 10 min to GB in January; 4 are the holder's (pool 15 min).

    In order of start (pool index 2 = international, -1 = none):
    holder 1st call takes 10 pool min, billed 0; holder 2nd takes the last 5, billed 5;
    holder 3rd and 4th billed 10 each; the 8 others' calls billed 10 each = 80.
    Billed: 0 + 5 + 10 + 10 + 80 = 105 min x 0.10 USD = 10.50 USD.
    """
    stream = generate(tiny(), RATES, np.random.default_rng(2), detail=True)
    assert stream.pool.tolist() == [2, -1, 2, -1, -1, 2, -1, -1, -1, -1, 2, -1]
    holder = stream.pool == INTERNATIONAL_POOL
    assert stream.billed_min[holder].tolist() == [0.0, 5.0, 10.0, 10.0]
    assert stream.pool_min[holder].tolist() == [10.0, 5.0, 0.0, 0.0]
    assert stream.billed_min[stream.pool == NO_POOL].tolist() == [10.0] * 8
    assert stream.billed_min.sum() == 105.0
    assert int(stream.charge_minor.sum()) == 1050
    # a call that took pool minutes is never blocked; the others' calls may be
    assert stream.credit_billed.tolist() == (stream.pool_min == 0).tolist()


def test_without_holders_every_international_minute_is_billed() -> None:
    sc = tiny(plans={"domestic_plan_users": 4})
    stream = generate(sc, RATES, np.random.default_rng(2), detail=True)
    assert set(stream.pool.tolist()) == {NO_POOL}
    assert stream.billed_min.sum() == 10.0 * len(stream) > 0


def test_same_seed_same_bytes_and_holders_of_one_plan_leave_the_other_plans_calls_alone() -> None:
    base = tiny(
        users={"count": 40},
        user_calling={
            "per_user_per_day": 0.5,
            "international_share": 0.3,
            "international_destinations": [{"country": "GB", "share": 1}],
            "duration_min": {"dist": "exponential", "mean": 5},
        },
        plans={"domestic_plan_users": 40, "international_plan_users": 10},
    )
    first = generate(base, RATES, np.random.default_rng(9), detail=True)
    again = generate(base, RATES, np.random.default_rng(9), detail=True)
    for name in ("start_us", "end_us", "pool", "charge_minor", "billed_min", "pool_min"):
        assert getattr(first, name).tobytes() == getattr(again, name).tobytes(), name
    fewer = base.model_copy(update={"plans": Plans(domestic_plan_users=40)})
    other = generate(fewer, RATES, np.random.default_rng(9), detail=True)
    domestic = first.service == first.services.index("domestic_outbound")
    assert other.start_us[other.service == other.services.index("domestic_outbound")].tobytes() \
        == first.start_us[domestic].tobytes()  # fmt: skip


# -- validation ------------------------------------------------------------------------------

BASE = """
[scenario]
name = "v"
start = "2027-01-01T00:00:00Z"
[users]
count = 10
[user_calling]
per_user_per_day = 1
[plans]
"""


@pytest.mark.parametrize(
    ("plans", "message"),
    [
        (
            "domestic_plan_users = 11",
            "plans.domestic_plan_users: 11 holders is more than users.count (10)",
        ),
        (
            "domestic_plan_users = 3\ninternational_plan_users = 4",
            "plans.international_plan_users: 4 is more than plans.domestic_plan_users (3)",
        ),
        (
            "growth_domestic_plan_share = 0.2\ngrowth_international_plan_share = 0.5",
            "plans.growth_international_plan_share: 0.5 is more than the growth domestic share",
        ),
        ("growth_domestic_plan_share = 1.5", "plans.growth_domestic_plan_share: must be <= 1"),
    ],
)
def test_holder_counts_that_cannot_be_are_refused_naming_the_key(
    plans: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "v.toml"
    shutil.copyfile(SCENARIOS / "rates" / "sample-usd.csv", tmp_path / "rates.csv")
    path.write_text(BASE + plans + '\n[rates]\ntable = "rates.csv"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value).split("  also:")[0].strip()


def test_a_valid_plans_section_parses() -> None:
    sc = parse_scenario(
        BASE + "domestic_plan_users = 10\ninternational_plan_users = 2\n", Path("v")
    )
    assert sc.plans.international_plan_users == 2
    assert sc.plans.growth_international_plan_share is None
