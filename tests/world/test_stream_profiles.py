"""Issue 14's stream keys drawn as stated: hour-of-week, holidays, growth, dispersion, destinations.

Expectation tests: each draws enough calls (seeded) that a wrong rule misses
by many standard errors, and each checks the figure the docs state
(docs/model.md#streams). The last tests pin the draws of scenarios without
the new keys to what they were before the keys existed.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from sim.account.stream import CallStream
from sim.world.arrivals import ArrivalGrid, arrival_grid, horizon
from sim.world.assumptions import stream_lines
from sim.world.demand import generate
from sim.world.load import load_scenario
from sim.world.rates import Rate, RateTable
from sim.world.scenario import BigMeeting, Scenario
from sim.world.streams import expected_calls, stream_grid
from sim.world.workload import estimate
from tests.paths import CHECKS, SCENARIOS, TINY

RATES = RateTable(
    Path("rates.csv"),
    {
        ("US", "landline", "outbound"): Rate(Decimal("0.013")),
        ("GB", "landline", "outbound"): Rate(Decimal("0.015")),
    },
)
ALL_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def scenario(
    months: int, calendar: dict[str, Any], *streams: dict[str, Any], start: str = "2027-01-01"
) -> Scenario:
    info = {"name": "t", "start": f"{start}T00:00:00Z", "horizon_months": months}
    return Scenario.model_validate(
        {"scenario": info, "calendar": calendar, "streams": list(streams)}
    )


def stream(**keys: Any) -> dict[str, Any]:
    base = {
        "name": "line",
        "service": "toll_free_dial_in",
        "calls_per_day": 100,
        "duration_min": {"dist": "fixed", "value": 10},
        "rate_per_min": 0.02,
    }
    return base | keys


def draw(world: Scenario, seed: int) -> CallStream:
    return generate(world, RATES, np.random.default_rng(seed), detail=True)


def local_times(calls: CallStream, zone: str) -> pd.DatetimeIndex:
    """Each call's local start."""
    return pd.to_datetime(calls.start_us, unit="us", utc=True).tz_convert(zone)


def local_days(calls: CallStream, zone: str) -> np.ndarray:
    """Each call's local start date, as numpy days."""
    return local_times(calls, zone).tz_localize(None).to_numpy().astype("datetime64[D]")


def grid_and_mean(world: Scenario) -> tuple[ArrivalGrid, np.ndarray]:
    """The first stream's arrival grid and its expected calls per slot."""
    line, span = world.streams[0], horizon(world.scenario)
    grid = stream_grid(line, world.calendar, span, arrival_grid(world.calendar, *span))
    return grid, expected_calls(line, world.calendar, grid)


def daily_counts(calls: CallStream, first: date, days: int, zone: str = "UTC") -> np.ndarray:
    index = (local_days(calls, zone) - np.datetime64(first, "D")).astype(np.int64)
    return np.bincount(index, minlength=days)[:days]


# -- hour of week ---------------------------------------------------------------------------

OFFICE = [1.0 if 9 <= hour < 17 else 0.1 for hour in range(24)]
WEEKEND = [0.05] * 24
PROFILE = OFFICE * 5 + WEEKEND * 2


def test_hour_of_week_gives_calls_per_day_on_business_days_and_the_weights_share_at_weekends() -> (
    None
):
    zone = "America/New_York"
    world = scenario(3, {"timezone": zone}, stream(calls_per_day=200, hour_of_week=PROFILE))
    first, days = date(2026, 12, 31), 92  # the UTC start is New Year's Eve in New York
    counts = sum(daily_counts(draw(world, seed), first, days, zone) for seed in range(4)) / 4
    weekday = np.asarray([(first + timedelta(days=n)).weekday() for n in range(days)])
    business, weekend = counts[1:-1][weekday[1:-1] < 5], counts[1:-1][weekday[1:-1] >= 5]
    weekend_mean = 200 * sum(WEEKEND) / sum(OFFICE)
    assert abs(business.mean() - 200) < 4 * np.sqrt(200 / (4 * len(business)))
    assert abs(weekend.mean() - weekend_mean) < 4 * np.sqrt(weekend_mean / (4 * len(weekend)))
    hours = local_times(draw(world, 9), zone).hour.to_numpy()
    office_share = np.mean((hours >= 9) & (hours < 17))
    expected = (5 * 8 * 1.0) / (5 * (8 + 16 * 0.1) + 48 * 0.05)
    assert abs(office_share - expected) < 0.02


def test_a_clock_change_day_has_23_or_25_hours_of_calls() -> None:
    zone = "America/New_York"
    world = scenario(12, {"timezone": zone}, stream(hour_of_week=[1.0] * 168))
    grid, mean = grid_and_mean(world)
    day_starts = {
        day: int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp() * 1e6)
        for day in (date(2027, 3, 14), date(2027, 3, 15), date(2027, 11, 7), date(2027, 11, 8))
    }

    def day_mean(day: date) -> float:
        low, high = day_starts[day], day_starts[day + timedelta(days=1)]
        inside = (grid.start_us >= low) & (grid.start_us < high)
        return float(mean[inside].sum())

    assert day_mean(date(2027, 3, 14)) == pytest.approx(100 * 23 / 24)
    assert day_mean(date(2027, 11, 7)) == pytest.approx(100 * 25 / 24)
    starts = draw(world, 3).start_us
    spring_gap = (starts >= day_starts[date(2027, 3, 14)] + 2 * 3600 * 10**6) & (
        starts < day_starts[date(2027, 3, 14)] + 3 * 3600 * 10**6
    )
    assert spring_gap.sum() > 0  # 02:00 EST does not exist: this UTC hour is 03:00 EDT
    assert grid.share.max() == 2.0  # the repeated hour is one slot of two hours
    assert estimate(world).calls_by_source["streams[0]"] == pytest.approx(float(mean.sum()))


def test_a_horizon_cut_inside_an_hour_keeps_that_fraction_of_it() -> None:
    info = {"name": "t", "start": "2027-01-01T00:30:00Z", "horizon_months": 1}
    world = Scenario.model_validate(
        {"scenario": info, "streams": [stream(hour_of_week=[1.0] * 168)]}
    )
    grid, _ = grid_and_mean(world)
    assert grid.share[0] == 0.5
    assert grid.length_s[0] == 1800


def test_holiday_factor_gives_a_holiday_that_fraction_of_its_weight() -> None:
    world = scenario(
        2,
        {"holidays": ["2027-01-13", "2027-02-10"]},
        stream(calls_per_day=2000, hour_of_week=[1.0] * 168, holiday_factor=0.25),
    )
    counts = sum(daily_counts(draw(world, seed), date(2027, 1, 1), 59) for seed in range(2))
    holidays = counts[[12, 40]].sum()
    others = counts[[5, 19, 26, 33, 47, 54]].sum() / 3  # the other Wednesdays, per 2 days
    assert abs(holidays / others - 0.25) < 4 * np.sqrt(holidays) / others


def test_without_hour_of_week_holidays_by_code_have_no_business_calls() -> None:
    world = scenario(
        1,
        {"holidays": "US", "timezone": "America/New_York"},
        stream(calls_per_day=500),
        start="2027-07-01",
    )
    counts = daily_counts(draw(world, 1), date(2027, 6, 30), 31, "America/New_York")
    assert counts[5] == 0  # Monday 2027-07-05: Independence Day (observed)
    assert counts[6] > 400  # Tuesday 2027-07-06


# -- growth, dispersion, destinations -------------------------------------------------------


def test_monthly_growth_multiplies_month_k_by_one_plus_g_to_the_k() -> None:
    world = scenario(
        13,
        {"business_days": ALL_DAYS, "business_hours": ["00:00", "24:00"]},
        stream(calls_per_day=1000, monthly_growth=0.05),
    )
    counts = daily_counts(draw(world, 2), date(2027, 1, 1), 397)
    first, last = counts[:31].sum(), counts[365:396].sum()  # January 2027 and January 2028
    ratio, se = last / first, (last / first) * np.sqrt(1 / first + 1 / last)
    assert abs(ratio - 1.05**12) < 4 * se
    grid, mean = grid_and_mean(world)
    assert mean[grid.month == 12].sum() / mean[grid.month == 0].sum() == pytest.approx(1.05**12)


@pytest.mark.parametrize("dispersion", [0.0, 0.5])
def test_daily_dispersion_makes_daily_counts_negative_binomial(dispersion: float) -> None:
    world = scenario(
        12,
        {"business_days": ALL_DAYS, "business_hours": ["00:00", "24:00"]},
        stream(calls_per_day=50, daily_dispersion=dispersion),
    )
    counts = np.concatenate(
        [daily_counts(draw(world, seed), date(2027, 1, 1), 364) for seed in range(6)]
    )
    expected = 1 + 50 * dispersion**2  # variance / mean of a gamma-mixed Poisson
    assert abs(counts.mean() - 50) < 4 * np.sqrt(50 * expected / len(counts))
    ratio = counts.var(ddof=1) / counts.mean()
    assert abs(ratio - expected) < 0.15 * expected


def test_destinations_are_drawn_by_share_and_priced_from_the_table() -> None:
    places = [
        {"country": "GB", "number_type": "landline", "share": 3},
        {"country": "US", "number_type": "landline", "share": 7},
    ]
    line = stream(calls_per_day=200, direction="outbound", destinations=places)
    del line["rate_per_min"]
    world = scenario(1, {}, line)
    charges = draw(world, 4).charge_minor  # 10 minutes at 0.015 or 0.013 USD
    assert set(np.unique(charges).tolist()) == {13, 15}
    share = np.mean(charges == 15)
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / len(charges))


def test_the_scenario_text_names_each_streams_stated_figures() -> None:
    places = [{"country": "GB", "number_type": "landline", "share": 1}]
    line = stream(
        monthly_growth=0.012,
        hour_of_week=PROFILE,
        holiday_factor=0.1,
        daily_dispersion=0.35,
        direction="outbound",
        destinations=places,
    )
    del line["rate_per_min"]
    world = scenario(1, {}, line, stream(name="plain"))
    profiled, plain = stream_lines(world)
    weekend = 100 * sum(WEEKEND) * 2 / sum(PROFILE)
    for figure in ("+1.2 % a month", f"{weekend:.3g} % of the week", "holidays x 0.1"):
        assert figure in profiled
    assert "daily dispersion 0.35" in profiled and "GB landline 100 %" in profiled
    assert plain == "streams[1] 'plain': toll_free_dial_in, 100 calls a business day, 0.02 USD/min"


def test_every_new_key_survives_the_dump_and_validate_round_trip_of_edits_and_variations() -> None:
    places = [{"country": "GB", "number_type": "landline", "share": 1}]
    line = stream(hour_of_week=PROFILE, holiday_factor=0.1, daily_dispersion=0.3)
    routed = stream(name="out", direction="outbound", destinations=places, monthly_growth=0.01)
    del routed["rate_per_min"]
    world = scenario(2, {"holidays": "US"}, line, routed)
    event = {
        "name": "b",
        "time": "10:00:00",
        "per_month": 1.0,
        "dial_ins": {"dist": "poisson", "mean": 3},
    }
    world = world.model_copy(update={"big_meetings": (BigMeeting.model_validate(event),)})
    assert Scenario.model_validate(world.model_dump()) == world


# -- scenarios without the keys draw what they drew before ----------------------------------

BEFORE = {
    TINY: ("150498282accec0a", 356),
    SCENARIOS / "small-team.toml": ("318ce6523974ca3a", 46333),
    CHECKS / "business-hours-tokyo.toml": ("829d9539bc42c27d", 2910),
}
"""sha256 (16 hex digits) of every column of one replication (seed 7), and its calls,
computed on branch i14 before the issue 14 keys existed."""


@pytest.mark.parametrize("path", list(BEFORE), ids=lambda path: path.stem)
def test_a_scenario_without_the_new_keys_draws_byte_identical_calls(path: Path) -> None:
    loaded = load_scenario(path)
    calls = generate(loaded.scenario, loaded.rates, np.random.default_rng(7), detail=True)
    digest = hashlib.sha256()
    for name in ("start_us", "end_us", "service", "charge_minor", "credit_billed"):
        digest.update(np.ascontiguousarray(getattr(calls, name)).tobytes())
    for name in ("billed_min", "pool", "pool_min"):
        digest.update(np.ascontiguousarray(getattr(calls, name)).tobytes())
    assert (digest.hexdigest()[:16], len(calls)) == BEFORE[path]
