"""Random big days (``per_month``) and public holidays by country code (``holidays = "US"``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from sim.world.arrivals import business_days, horizon
from sim.world.assumptions import assumption_lines
from sim.world.big_days import expected_big_days, random_big_days
from sim.world.demand import generate
from sim.world.load import parse_scenario
from sim.world.office_hours import office_hours
from sim.world.public_holidays import holiday_dates
from sim.world.rates import RateTable
from sim.world.scenario import Scenario
from sim.world.workload import estimate
from tests.paths import TINY

ZONE = "America/New_York"


def scenario(months: int = 24, holidays: Any = (), **meeting: Any) -> Scenario:
    event = {
        "name": "all hands",
        "time": "10:00:00",
        "per_month": 1.2,
        "toll_free_share": 0,
        "dial_ins": {"dist": "fixed", "value": 50},
    } | meeting
    return Scenario.model_validate(
        {
            "scenario": {"name": "t", "start": "2027-01-01T05:00:00Z", "horizon_months": months},
            "calendar": {"timezone": ZONE, "holidays": holidays},
            "big_meetings": [event],
        }
    )


def test_per_month_draws_a_poisson_number_of_big_days_a_month_on_business_days() -> None:
    world = scenario(holidays="US")
    event, span = world.big_meetings[0], horizon(world.scenario)
    draws = [
        random_big_days(event, world.calendar, span, np.random.default_rng(seed))
        for seed in range(100)
    ]
    per_month = np.asarray([len(days) for days in draws]) / 24
    assert abs(per_month.mean() - 1.2) < 4 * np.sqrt(1.2 / (24 * 100))
    local = pd.to_datetime(np.concatenate(draws), unit="us", utc=True).tz_convert(ZONE)
    assert set(local.hour) == {10} and set(local.minute) == {0}
    assert local.day_of_week.max() <= 4  # Monday to Friday
    us_holidays = holiday_dates("US", date(2027, 1, 1), date(2028, 12, 31))
    assert not {day for day in local.date if day in us_holidays}
    months = pd.Series(local.strftime("%Y-%m")).value_counts()
    assert len(months) == 24
    assert expected_big_days(event, world.calendar, span) == pytest.approx(1.2 * 24)


def test_big_days_become_meetings_whose_dial_ins_the_demand_lists() -> None:
    world = scenario(months=3, per_month=2.0)
    calls = generate(world, RateTable(TINY, {}), np.random.default_rng(3), detail=True)
    starts, counts = np.unique(calls.start_us, return_counts=True)
    assert len(calls) > 0 and set(counts.tolist()) <= {50, 100, 150, 200}
    assert estimate(world).calls_by_source["big_meetings[0]"] == pytest.approx(2.0 * 3 * 50)
    assert len(starts) <= len(calls) // 50


def test_a_month_cut_by_the_horizon_has_big_days_only_inside_it() -> None:
    world = scenario(months=1, per_month=5.0)  # starts at local midnight, ends a month later
    event, span = world.big_meetings[0], horizon(world.scenario)
    days = np.concatenate(
        [
            random_big_days(event, world.calendar, span, np.random.default_rng(seed))
            for seed in range(50)
        ]
    )
    assert ((days >= span[0]) & (days < span[1])).all()
    assert abs(len(days) / 50 - 5.0) < 4 * np.sqrt(5.0 / 50)


def test_holidays_by_code_are_the_librarys_observed_days_for_every_year_of_the_horizon() -> None:
    world = scenario(holidays="US")
    span = horizon(world.scenario)
    days = business_days(world.calendar, *span)
    assert date(2027, 7, 5) not in days  # Independence Day (observed), a Monday
    assert date(2027, 7, 6) in days
    assert date(2028, 11, 23) not in days  # Thanksgiving, the horizon's second year
    assert date(2027, 12, 24) not in days  # Christmas (observed), a Friday
    opens = office_hours(world.calendar, *span).opens_us
    local = {pd.Timestamp(us, unit="us", tz="UTC").tz_convert(ZONE).date() for us in opens}
    assert date(2027, 7, 5) not in local and date(2027, 7, 6) in local


def test_a_subdivision_adds_its_own_holidays() -> None:
    state = holiday_dates("US-CA", date(2027, 1, 1), date(2027, 12, 31))
    country = holiday_dates("US", date(2027, 1, 1), date(2027, 12, 31))
    assert date(2027, 3, 31) in state - country  # Cesar Chavez Day, California's own


def test_a_listed_calendar_still_works_and_the_assumptions_name_the_code() -> None:
    listed = scenario(holidays=["2027-07-05"])
    assert date(2027, 7, 5) not in business_days(listed.calendar, *horizon(listed.scenario))
    lines = " ".join(assumption_lines(scenario(holidays="US")))
    assert "US public holidays" in lines
    assert "1 holiday(s)" in " ".join(assumption_lines(listed))


def test_a_code_round_trips_through_toml_and_a_dump() -> None:
    text = TINY.read_text(encoding="utf-8").replace(
        'timezone = "UTC"', 'timezone = "UTC"\nholidays = "GB-SCT"'
    )
    loaded = parse_scenario(text, TINY)
    assert loaded.calendar.holidays == "GB-SCT"
    assert Scenario.model_validate(loaded.model_dump()) == loaded
    assert ZoneInfo(loaded.calendar.timezone)
