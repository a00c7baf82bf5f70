"""The known generator: its draws follow its truth (profile, holidays, growth, all-hands),
its exact expected spend is what generated exports average, and its Teams CSV reads back
through the backtest's readers as the same table."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from sim.calls.records import RECORD_COLUMNS, read_records
from sim.calls.synthetic import (
    BUNDLED,
    AllHands,
    Destination,
    ServiceTruth,
    TenantTruth,
    expected_monthly_spend,
    generate,
    write_teams_csv,
)
from tests.paths import EXAMPLES

TENANT_SEED = 20261130
"""The seed examples/make_examples.py draws examples/tenant-usage.csv with."""

NY = ZoneInfo("America/New_York")
TEN_AM = tuple(1.0 if day < 5 and hour == 10 else 0.0 for day in range(7) for hour in range(24))
"""Calls only in the 10:00 hour of weekdays."""
LANDLINE = Destination("GB", "landline", 1.0, Decimal("0.10"), Decimal("0.05"))


def _service(**changes: object) -> ServiceTruth:
    base = ServiceTruth(
        "international", 10.0, TEN_AM, holiday_factor=0.0, monthly_growth=0.0,
        daily_dispersion=0.0, duration_mean_min=2.5, duration_sd_min=1e-6,
        destinations=(LANDLINE,), direction="outbound",
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _truth(*services: ServiceTruth, months: int = 1, hands: AllHands | None = None) -> TenantTruth:
    return TenantTruth("America/New_York", "US", "USD", dt.date(2025, 10, 1), months,
                       services, hands)  # fmt: skip


def _local(table: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.to_datetime(table["start_us"].to_numpy(), unit="us", utc=True).tz_convert(NY)


def test_the_expected_spend_is_exact_on_a_case_counted_by_hand() -> None:
    # October 2025: 23 weekdays, one of them Columbus Day (a US holiday, factor 0): 22 days
    # of 10 calls; 2.5 min bill 3 min: 0.05 + 3 x 0.10 = 0.35 USD a call.
    assert expected_monthly_spend(_truth(_service()), 0, 1) == pytest.approx(22 * 10 * 0.35)
    table = generate(_truth(_service()), seed=3)
    local = _local(table)
    assert set(local.hour) == {10} and set(local.day_of_week) <= {0, 1, 2, 3, 4}
    assert dt.date(2025, 10, 13) not in set(local.date)
    assert set(table["charge_minor"]) == {35} and set(table["fee_minor"]) == {5}
    assert list(table.columns) == list(RECORD_COLUMNS)


def test_growth_compounds_by_whole_months() -> None:
    flat = _service(hour_of_week=(1.0,) * 168, holiday_factor=1.0, monthly_growth=0.1)
    truth = _truth(flat, months=3)
    # every hour the same weight: a month's calls are its local hours x (1.1)^k; the
    # local hours of November hold one more (2 November 2025: clocks go back)
    hours = np.array([31 * 24, 30 * 24 + 1, 31 * 24])
    spends = np.array([expected_monthly_spend(truth, k, 1) for k in range(3)])
    assert spends / hours / (spends[0] / hours[0]) == pytest.approx([1.0, 1.1, 1.21])


def test_generated_exports_average_the_expected_spend() -> None:
    bursty = _service(daily_dispersion=0.4, duration_mean_min=6.0, duration_sd_min=5.0)
    truth = _truth(bursty, months=2)
    spends = [generate(truth, seed)["charge_minor"].sum() / 100 / 2 for seed in range(40)]
    mean, error = np.mean(spends), np.std(spends, ddof=1) / np.sqrt(len(spends))
    assert abs(mean - expected_monthly_spend(truth, 0, 2)) < 4 * error
    # a day's counts are overdispersed: variance well above the Poisson's (the mean)
    counts = _local(generate(truth, 7)).normalize().value_counts()
    assert counts.var() > 2 * counts.mean()


def test_the_all_hands_is_on_the_first_thursday_with_its_dial_ins() -> None:
    toll_free = Destination("US", "toll_free", 1.0, Decimal("0.022"), Decimal(0))
    hands = AllHands("FREQ=MONTHLY;BYDAY=+1TH", dt.time(11, 0), 150.0, 50.0, toll_free)
    truth = _truth(months=3, hands=hands)
    table = generate(truth, seed=5)
    local = _local(table)
    assert sorted(set(local.date)) == [dt.date(2025, 10, 2), dt.date(2025, 11, 6),
                                       dt.date(2025, 12, 4)]  # fmt: skip
    assert set(local.hour) == {11} and set(local.minute) <= set(range(5))
    ends = pd.to_datetime(table["end_us"].to_numpy(), unit="us", utc=True).tz_convert(NY)
    assert {(end.hour, end.minute) for end in ends} == {(11, 50)}
    assert 3 * 110 < len(table) < 3 * 190
    assert set(table["service"]) == {"toll_free_dial_in"}
    per_month = 150 * np.mean([-(-(3000 - s) // 60) * 2.2 for s in range(300)]) / 100
    assert expected_monthly_spend(truth, 0, 3) == pytest.approx(per_month)


@pytest.fixture(scope="module")
def bundled_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """The bundled truth drawn with the examples' seed and written as a Teams report, once
    for the two tests that read it (drawing and writing it is most of their time)."""
    table = generate(BUNDLED, TENANT_SEED)
    path = tmp_path_factory.mktemp("synthetic") / "tenant-usage.csv"
    write_teams_csv(table, path, BUNDLED.currency)
    return table, path


def test_the_bundled_truth_round_trips_through_the_teams_report(
    bundled_export: tuple[pd.DataFrame, Path],
) -> None:
    table, path = bundled_export
    found = read_records([path])
    outbound = table["direction"] == "outbound"
    expected = table.assign(number_type=table["number_type"].where(~outbound, ""))
    pd.testing.assert_frame_equal(found.table, expected)  # outbound far-end types unwritten
    months = BUNDLED.months
    spend = table["charge_minor"].sum() / 100 / months
    assert spend == pytest.approx(expected_monthly_spend(BUNDLED, 0, months), rel=0.05)
    assert 300 < spend < 600  # hundreds of USD a month: --balance 800 is two months or so


def test_the_bundled_export_is_the_stated_generators(
    bundled_export: tuple[pd.DataFrame, Path],
) -> None:
    """Also the generator's determinism: the same seed draws the committed bytes again."""
    _, path = bundled_export
    assert path.read_bytes() == (EXAMPLES / "tenant-usage.csv").read_bytes()
    assert path.stat().st_size < 3 * 1024 * 1024
