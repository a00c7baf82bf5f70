"""The arrival calendar: business days and hours, profiles, month factors, growth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.account.clock import add_months, to_instant
from sim.world.arrivals import arrival_grid, horizon, month_bounds
from sim.world.demand import generate
from sim.world.rates import RateTable
from sim.world.scenario import Scenario

NO_RATES = RateTable(Path("none.csv"), {})
TOKYO_HOLIDAYS = ["2027-03-22", "2027-04-29", "2027-05-03", "2027-05-04", "2027-05-05"]


def scenario(start: str, months: int, **sections: Any) -> Scenario:
    info = {"name": "t", "start": start, "horizon_months": months}
    return Scenario.model_validate({"scenario": info, **sections})


def stream(calls_per_day: float) -> dict[str, Any]:
    """A stream with its own price: no rate table needed."""
    return {
        "name": "s",
        "service": "queue",
        "calls_per_day": calls_per_day,
        "duration_min": {"dist": "fixed", "value": 1},
        "rate_per_min": Decimal("0.01"),
    }


def starts_of(sc: Scenario, seed: int = 11) -> np.ndarray:
    return generate(sc, NO_RATES, np.random.default_rng(seed)).start_us


def local(starts_us: np.ndarray, zone: str) -> pd.DatetimeIndex:
    return pd.to_datetime(starts_us, unit="us", utc=True).tz_convert(zone)


def within(observed: int, expected: float, ses: float = 4.0) -> bool:
    """Poisson count within ``ses`` standard errors of its expectation."""
    return abs(observed - expected) <= ses * np.sqrt(expected)


def weekdays(first: date, last: date, holidays: set[date] = frozenset()) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5 and d not in holidays]


def test_tokyo_calendar_gives_calls_per_day_times_business_days_and_only_business_hours() -> None:
    # 03:00Z is 12:00 in Tokyo: the first day keeps 6 of its 9 open hours, the last day 3.
    calendar = {
        "timezone": "Asia/Tokyo",
        "business_hours": ["09:00", "18:00"],
        "holidays": TOKYO_HOLIDAYS,
    }
    sc = scenario("2027-03-03T03:00:00Z", 3, calendar=calendar, streams=[stream(2000)])
    starts = starts_of(sc)
    holidays = {date.fromisoformat(day) for day in TOKYO_HOLIDAYS}
    days = weekdays(date(2027, 3, 3), date(2027, 6, 3), holidays)
    expected = 2000 * (len(days) - 2 + 6 / 9 + 3 / 9)
    assert arrival_grid(sc.calendar, *horizon(sc.scenario)).expected(2000).sum() == pytest.approx(
        expected
    )
    assert within(len(starts), expected)
    times = local(starts, "Asia/Tokyo")
    assert times.hour.min() >= 9 and times.hour.max() < 18
    assert set(times.date) <= set(days) and set(times.date) & holidays == set()


def test_no_call_outside_business_hours_across_daylight_saving_changes() -> None:
    calendar = {"timezone": "America/New_York", "business_hours": ["08:30", "17:15"]}
    starts = starts_of(
        scenario("2027-03-01T00:00:00Z", 9, calendar=calendar, streams=[stream(300)])
    )
    minute = local(starts, "America/New_York").hour * 60 + local(starts, "America/New_York").minute
    assert minute.min() >= 8 * 60 + 30 and minute.max() < 17 * 60 + 15
    assert local(starts, "America/New_York").day_of_week.max() <= 4


def test_calls_per_hour_follow_the_hour_of_day_profile_with_partial_hours_weighted() -> None:
    weights = [0.0] * 8 + [1, 2, 3, 3, 1, 2, 3, 2, 1] + [0.0] * 7
    calendar = {
        "timezone": "Europe/Berlin",
        "business_hours": ["08:30", "17:00"],
        "hour_of_day": weights,
    }
    sc = scenario("2027-01-01T00:00:00Z", 3, calendar=calendar, streams=[stream(1000)])
    starts = starts_of(sc, seed=2)
    hour = np.asarray(local(starts, "Europe/Berlin").hour)
    open_fraction = np.array([0.5] + [1.0] * 8)  # 08:30-09:00 is half an hour
    expected_share = np.asarray(weights[8:17]) * open_fraction
    expected = expected_share / expected_share.sum() * len(hour)
    observed = np.bincount(hour, minlength=24)
    assert observed[:8].sum() == 0 and observed[17:].sum() == 0
    assert stats.chisquare(observed[8:17], expected).pvalue > 0.001


def test_month_of_year_multiplies_each_days_mean() -> None:
    factors = [1.0, 2.0, 0.5, 1.0, 0.0, 1.5] + [1.0] * 6
    calendar = {"month_of_year": factors}
    starts = starts_of(
        scenario("2027-01-01T00:00:00Z", 6, calendar=calendar, streams=[stream(200)])
    )
    per_month = np.bincount(local(starts, "UTC").month, minlength=13)[1:7]
    for month in range(1, 7):
        last = (date(2027, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        expected = 200 * factors[month - 1] * len(weekdays(date(2027, month, 1), last))
        assert within(int(per_month[month - 1]), expected), (month, per_month, expected)
    assert per_month[4] == 0


def test_users_grow_by_whole_months_since_the_start() -> None:
    meetings = {
        "per_user_per_day": 1.0,
        "dial_ins": {"dist": "fixed", "value": 1},
        "toll_free_share": 0.0,
        "duration_min": {"dist": "fixed", "value": 1},
    }
    start = "2027-01-15T00:00:00Z"
    users = {"count": 50, "monthly_growth": 0.2}
    starts = starts_of(scenario(start, 6, users=users, meetings=meetings))
    origin = to_instant(datetime.fromisoformat(start))
    for k in range(6):
        low, high = add_months(origin, k), add_months(origin, k + 1)
        first = datetime.fromtimestamp(low / 1e6, UTC).date()
        last = datetime.fromtimestamp(high / 1e6, UTC).date() - timedelta(days=1)
        expected = 50 * 1.2**k * len(weekdays(first, last))
        observed = int(np.sum((starts >= low) & (starts < high)))
        assert within(observed, expected), (k, observed, expected)


def test_month_bounds_begin_at_local_midnight_on_the_first() -> None:
    start, end = horizon(scenario("2027-01-31T16:00:00Z", 2, streams=[stream(1)]).scenario)
    bounds = month_bounds("Asia/Tokyo", start, end)
    # 2027-01-31T16:00Z is already 1 February in Tokyo.
    assert bounds.labels == ("2027-02", "2027-03", "2027-04")
    assert bounds.starts_us[1] == to_instant(datetime(2027, 2, 28, 15, tzinfo=UTC))
    assert bounds.index(np.array([start, end - 1])).tolist() == [0, 2]


def test_a_profile_with_no_weight_in_business_hours_is_refused() -> None:
    calendar = {"hour_of_day": [1.0] * 9 + [0.0] * 8 + [1.0] * 7}
    sc = scenario("2027-01-01T00:00:00Z", 1, calendar=calendar, streams=[stream(1)])
    with pytest.raises(ValueError, match="zero weight to every business hour"):
        arrival_grid(sc.calendar, *horizon(sc.scenario))
