"""Too little data: one day refused, four weeks and a three-call service fall back, said so."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sim.errors import InputError
from sim.study.calibration import calibrate
from sim.study.calibration import fit as fit_module
from sim.study.calibration.arrivals import SERVICE_MIN_CALLS, WEEK_MIN_DAYS
from sim.study.calibration.fit import DATA_MIN_DAYS
from tests.study.calibration.tables import UTC, joined, table_of, weekday_calls


def test_one_day_of_calls_is_refused_naming_the_file_and_the_minimum() -> None:
    records = joined(weekday_calls(date(2026, 3, 2), 1, 40))
    with pytest.raises(InputError) as caught:
        calibrate(records)
    message = str(caught.value)
    assert message.startswith("usage.csv: the export holds one day of calls (2026-03-02)")
    assert f"needs at least {DATA_MIN_DAYS} days" in message


def test_four_weeks_give_business_hours_no_growth_no_dispersion_and_say_so() -> None:
    records = joined(weekday_calls(date(2026, 3, 2), 28, 40))
    result = calibrate(records)
    assert WEEK_MIN_DAYS > 28
    (fit,) = result.fits
    assert fit.arrivals.hour_of_week is None
    assert fit.arrivals.growth is None and fit.arrivals.dispersion is None
    assert fit.arrivals.level_per_day.value == pytest.approx(40.0)
    assert any("fewer than 56, 8 weeks" in note for note in result.notes)
    assert "hour_of_week" not in result.scenario_toml
    assert "# monthly_growth: 0, assumption: not fitted (too little data)" in result.scenario_toml
    assert "start = 2026-03-28T00:00:00+00:00" in result.scenario_toml


def test_a_service_of_three_calls_borrows_the_pooled_figures_and_says_so() -> None:
    first = datetime(2026, 3, 3, 10, tzinfo=UTC)
    starts = [int((first + timedelta(days=7 * k)).timestamp()) * 10**6 for k in range(3)]
    rare = table_of(
        starts,
        [120, 180, 240],
        service="international",
        rate_minor_per_min=20,
        country="GB",
        number_type="mobile",
        direction="outbound",
    )
    records = joined(weekday_calls(date(2026, 3, 2), 70, 30), rare)
    result = calibrate(records)
    rare_fit = next(fit for fit in result.fits if fit.service == "international")
    assert rare_fit.calls == 3 < SERVICE_MIN_CALLS
    assert rare_fit.pooled
    profile = rare_fit.arrivals.hour_of_week
    assert profile is not None  # its own three calls fill one hour (Tuesday 10:00), the pool 40
    assert sum(weight > 0 for weight in profile) == 5 * 8
    assert rare_fit.arrivals.growth is None and rare_fit.arrivals.dispersion is None
    assert rare_fit.durations.calls == records.table.shape[0]  # every service's durations
    assert any(note.startswith("international: 3 calls (fewer than 30)") for note in result.notes)
    assert "GB,mobile,outbound,0.2,0,USD" in result.rates_csv


def test_a_scenario_calibrate_cannot_load_is_its_own_fault_said_without_a_scratch_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = joined(weekday_calls(date(2026, 3, 2), 28, 40))
    monkeypatch.setattr(fit_module, "scenario_toml", lambda draft, fits: "[scenario]\n")
    with pytest.raises(InputError) as caught:
        calibrate(records)
    message = str(caught.value)
    assert message.startswith("the calibrated scenario does not load (")
    assert message.endswith("): please report this")
    assert "credsim-calibrate-" not in message
