"""The calibration's pieces on hand-made days and durations: big days, recurrence, durations."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sim.study.calibration.bigdays import describe, find_big_days
from sim.study.calibration.days import LocalCalls, day_table, resolve_zone
from sim.study.calibration.durations import EMPIRICAL_VALUES_MAX, fit_durations

UTC = ZoneInfo("UTC")
FIRST = date(2026, 1, 1)


def ordinary_counts(days: int, seed: int = 1) -> np.ndarray:
    """About 40 calls each weekday, none at weekends."""
    rng = np.random.default_rng(seed)
    weekday = np.array([(FIRST + timedelta(days=d)).weekday() for d in range(days)])
    return np.where(weekday < 5, rng.poisson(40, days), 0)


def calls_of(counts: np.ndarray, minute: int = 14 * 60) -> LocalCalls:
    """Every call of a day at ``minute`` past local midnight."""
    day = np.repeat(np.arange(len(counts)), counts)
    weekday = np.array([(FIRST + timedelta(days=int(d))).weekday() for d in day], dtype=np.int64)
    minutes = np.full(len(day), minute, dtype=np.int64)
    return LocalCalls(day=day, hour_of_week=weekday * 24 + minute // 60, minute_of_day=minutes)


def big(counts: np.ndarray, on: list[date]) -> tuple[np.ndarray, np.ndarray]:
    """``counts`` with 300 more calls on the given dates, and the big days found."""
    counts = counts.copy()
    for day in on:
        counts[(day - FIRST).days] += 300
    return counts, find_big_days(
        counts, day_table(FIRST, FIRST + timedelta(len(counts) - 1), UTC, None)
    )


def test_first_thursdays_are_a_monthly_recurrence() -> None:
    thursdays = [date(2026, m, d) for m, d in ((1, 1), (2, 5), (3, 5), (4, 2), (5, 7), (6, 4))]
    counts, found = big(ordinary_counts(181), thursdays)
    days = day_table(FIRST, date(2026, 6, 30), UTC, "US")  # 2026-01-01 is a holiday: still big
    assert [FIRST + timedelta(int(d)) for d in np.flatnonzero(found)] == thursdays
    meeting = describe(found, counts, days, calls_of(counts))
    assert meeting.recurrence == "FREQ=MONTHLY;BYDAY=+1TH"
    assert meeting.mean == pytest.approx(300, abs=40)


def test_last_fridays_are_minus_one_friday_and_scattered_days_a_rate() -> None:
    fridays = [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24)]
    counts, found = big(ordinary_counts(120), fridays)
    days = day_table(FIRST, FIRST + timedelta(119), UTC, None)
    assert describe(found, counts, days, calls_of(counts)).recurrence == "FREQ=MONTHLY;BYDAY=-1FR"
    scattered = [date(2026, 1, 13), date(2026, 2, 4), date(2026, 3, 19)]
    counts, found = big(ordinary_counts(120), scattered)
    meeting = describe(found, counts, days, calls_of(counts))
    assert meeting.recurrence is None
    assert meeting.per_month == pytest.approx(3 / (120 / (365.25 / 12)))


def test_an_ordinary_busy_day_is_not_big() -> None:
    counts = ordinary_counts(90)
    counts[10] = 100  # 2.5 x a day of 40: not above BIG_RATIO
    _, found = big(counts, [])
    assert not found.any()


def test_durations_lognormal_when_it_fits_else_empirical_quantiles() -> None:
    rng = np.random.default_rng(5)
    lognormal = np.rint(60 * rng.lognormal(np.log(5), 0.6, 3000)).astype(np.int64)
    fit = fit_durations(lognormal)
    assert fit.spec["dist"] == "lognormal" and fit.ks_p is not None and fit.ks_p >= 0.05
    assert fit.mean_min == pytest.approx(5 * np.exp(0.18), rel=0.05)
    two_humps = np.concatenate([np.full(1500, 60), rng.integers(1700, 1900, 1500)])
    fit = fit_durations(two_humps)
    assert fit.spec["dist"] == "empirical"
    assert len(fit.spec["values"]) == EMPIRICAL_VALUES_MAX  # type: ignore[arg-type]
    assert fit.method.startswith("empirical, 200 quantiles (lognormal rejected")


def test_the_zone_is_given_the_countrys_only_one_or_utc_said_so() -> None:
    assert resolve_zone("Asia/Tokyo", "US").name == "Asia/Tokyo"
    assert resolve_zone(None, "de").name == "Europe/Berlin"
    germany = resolve_zone(None, "DE")
    assert (germany.name, germany.given) == ("Europe/Berlin", False)
    assert "several zones" in resolve_zone(None, "US").why
