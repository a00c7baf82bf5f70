"""Arrivals of one service: level per business day, hour-of-week, holidays, growth, spread.

What is fitted, and why this way (docs/calibration.md has the user's version):

- **hour of week**: the mean calls in each of the week's 168 local hours over
  the ordinary days (holidays and big days left out), as relative weights:
  the scenario's ``hour_of_week`` scales them so that their business days
  average ``calls_per_day``, so a weekday's share and the weekend's come out
  as observed;
- **growth**: a negative-binomial log-linear fit to the business days' daily
  counts (months with at least ``MONTH_MIN_BUSINESS_DAYS``; ``growth.py``): its
  slope b gives growth e^b - 1 a month, with the slope's normal interval.
  When the 95 % interval contains 0 the data cannot tell growth from noise and
  the scenario gets 0 (said so); fewer than ``GROWTH_MIN_MONTHS`` months: not
  fitted;
- **level**: the line's value at the month the scenario starts (so growth
  seen in the data carries on from where it is), or, without growth, the mean
  calls per business day of the last ``RECENT_MONTHS`` months (a growth too
  small to show would make the whole window's mean lag), each with its 95 %
  interval;
- **overdispersion**: the daily level's coefficient of variation c from the
  method of moments, Var(n) = mu + c^2 mu^2 for a Poisson count whose mean is
  scaled by a gamma(mean 1, CV c) level: c^2 = sum((n - mu)^2 - n) / sum(mu^2)
  over the business days, mu from the growth line and the weekday's share;
  a 95 % interval by resampling days; 0 when that interval reaches 0;
- **holiday factor**: calls on holidays over the calls their hours would get
  on an ordinary day of the same weekday and month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special  # not scipy.stats: the dashboard imports this module (45 MB, 0.8 s)

from sim.study.calibration.days import BUSINESS_WEEKDAYS, Days, LocalCalls
from sim.study.calibration.growth import (
    GROWTH_MIN_MONTHS,
    MONTH_MIN_BUSINESS_DAYS,
    GrowthLine,
    fit_growth_line,
)

WEEK_MIN_DAYS = 56
"""Fewer days than 8 weeks: no hour-of-week profile, growth or dispersion is fitted."""
SERVICE_MIN_CALLS = 30
"""A service with fewer calls borrows the pooled profile and durations, fits no growth/spread."""
BOOTSTRAP_RESAMPLES = 200
"""Resamples of the business days for the dispersion interval."""
RECENT_MONTHS = 3
"""Without growth shown, the level is the mean of this many last months (the latest evidence:
a growth too small to show still moves the level, and the whole window's mean lags it)."""
CONFIDENCE = 0.95
"""Level of every interval the calibration states."""
HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % interval."""

    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


@dataclass(frozen=True)
class ArrivalFit:
    """What one service's arrivals were measured to be (``None``: not fitted, see notes)."""

    level_per_day: Interval
    growth: Interval | None
    growth_used: float
    dispersion: Interval | None
    dispersion_used: float
    hour_of_week: tuple[float, ...] | None
    holiday_factor: float | None
    business_days: int
    months: int
    notes: tuple[str, ...] = field(default=())


def day_counts(calls: LocalCalls, days: Days) -> np.ndarray:
    """Calls per day of the window (zeros included)."""
    return np.bincount(calls.day, minlength=days.count)[: days.count]


def hour_profile(calls: LocalCalls, days: Days, ordinary: np.ndarray) -> np.ndarray:
    """Mean calls per hour of week over the ordinary days of each weekday (168 values)."""
    keep = ordinary[calls.day]
    sums = np.bincount(calls.hour_of_week[keep], minlength=HOURS_PER_WEEK).astype(float)
    per_weekday = np.bincount(days.weekday[ordinary], minlength=7).astype(float)
    return sums / np.repeat(np.maximum(per_weekday, 1.0), 24)


def weekday_factor(profile: np.ndarray | None) -> np.ndarray:
    """Each weekday's expected calls relative to the business days' mean (1 without profile)."""
    if profile is None:
        return np.array([1.0] * BUSINESS_WEEKDAYS + [0.0, 0.0])
    per_day = profile.reshape(7, 24).sum(axis=1)
    business_mean = per_day[:BUSINESS_WEEKDAYS].mean()
    return per_day / business_mean if business_mean > 0 else np.ones(7)


def fit_arrivals(
    counts: np.ndarray,
    days: Days,
    *,
    big: np.ndarray,
    profile: np.ndarray | None,
    start_month: int,
    fit_trends: bool,
    rng: np.random.Generator,
) -> ArrivalFit:
    """Level, growth, dispersion and holiday factor of one service's daily ``counts``.

    ``big``: days left out (big days); ``profile``: the hour-of-week means to
    use (None: business hours, flat); ``start_month``: the scenario's first
    month counted from the window's first; ``fit_trends``: False for short data
    or a small service (no growth, no dispersion).
    """
    notes: list[str] = []
    business = days.business & ~big
    n_business = int(business.sum())
    factor = weekday_factor(profile)
    line = fit_growth_line(counts, days, business, factor) if fit_trends else None
    growth, growth_used = _growth(line, notes) if fit_trends else (None, 0.0)
    if profile is None:
        level = _flat_level(counts, business, big)
    elif growth_used and line is not None:
        level = _line_level(line, start_month)
    elif fit_trends:
        level = _recent_level(counts, days, business, notes)
    else:
        level = Interval(float(counts[business].mean()), *_mean_interval(counts[business]))
    expected = _expected(line, days, factor, counts, business)
    dispersion, dispersion_used = (
        _dispersion(counts[business], expected[business], rng, notes) if fit_trends else (None, 0.0)
    )
    holiday = _holiday_factor(counts, expected, days, big) if profile is not None else None
    return ArrivalFit(
        level_per_day=level,
        growth=growth,
        growth_used=growth_used,
        dispersion=dispersion,
        dispersion_used=dispersion_used,
        hour_of_week=None if profile is None else tuple(float(w) for w in profile),
        holiday_factor=holiday,
        business_days=n_business,
        months=days.months(),
        notes=tuple(notes),
    )


def _flat_level(counts: np.ndarray, business: np.ndarray, big: np.ndarray) -> Interval:
    """Business hours, flat: every call of the window counted on a business day."""
    mean = float(counts[~big].sum()) / max(int(business.sum()), 1)
    observed = float(counts[business].mean()) if business.any() else 0.0
    scale = mean / observed if observed > 0 else 1.0
    return Interval(mean, *_mean_interval(counts[business] * scale))


def _recent_level(
    counts: np.ndarray, days: Days, business: np.ndarray, notes: list[str]
) -> Interval:
    """Without growth shown: the mean of the last ``RECENT_MONTHS`` months' business days."""
    months = [
        month
        for month in range(days.months())
        if (business & (days.month == month)).sum() >= MONTH_MIN_BUSINESS_DAYS
    ][-RECENT_MONTHS:]
    recent = business & np.isin(days.month, months)
    if len(months) < days.months():
        notes.append(
            f"level: the mean of the last {len(months)} months' business days (no growth "
            "shown, so the latest months say most about the months ahead)"
        )
    values = counts[recent]
    return Interval(float(values.mean()), *_mean_interval(values))


def _mean_interval(values: np.ndarray) -> tuple[float, float]:
    """The normal 95 % interval of a mean of independent days."""
    if len(values) < 2:
        mean = float(values.mean()) if len(values) else 0.0
        return mean, mean
    half = special.ndtri(0.5 + CONFIDENCE / 2) * values.std(ddof=1) / math.sqrt(len(values))
    return float(max(values.mean() - half, 0.0)), float(values.mean() + half)


def _growth(line: GrowthLine | None, notes: list[str]) -> tuple[Interval | None, float]:
    """Growth a month with its interval, and what the scenario uses (0 when it cannot tell)."""
    if line is None:
        notes.append(f"growth not fitted: fewer than {GROWTH_MIN_MONTHS} months; 0 used")
        return None, 0.0
    half = special.ndtri(0.5 + CONFIDENCE / 2) * line.slope_se
    low, high = math.expm1(line.slope - half), math.expm1(line.slope + half)
    growth = Interval(math.expm1(line.slope), low, high)
    if low <= 0 <= high:
        notes.append(
            f"growth {growth.value:+.2%}/month has a 95 % interval containing 0 "
            f"({low:+.2%} to {high:+.2%}): 0 used"
        )
        return growth, 0.0
    return growth, growth.value


def _line_level(line: GrowthLine, month: int) -> Interval:
    """The growth line's calls per business day at ``month``, with its 95 % interval."""
    half = special.ndtri(0.5 + CONFIDENCE / 2) * line.log_se_at(month)
    centre = line.intercept + line.slope * month
    return Interval(math.exp(centre), math.exp(centre - half), math.exp(centre + half))


def _expected(
    line: GrowthLine | None,
    days: Days,
    factor: np.ndarray,
    counts: np.ndarray,
    business: np.ndarray,
) -> np.ndarray:
    """Each day's expected calls on an ordinary day, matched to the business days' total."""
    by_month = line.mean_at(days.month) if line is not None else np.ones(days.count)
    expected = by_month * factor[days.weekday]
    scale = counts[business].sum() / max(expected[business].sum(), 1e-12)
    return expected * scale


def _dispersion(
    counts: np.ndarray, expected: np.ndarray, rng: np.random.Generator, notes: list[str]
) -> tuple[Interval | None, float]:
    """Daily level CV by the method of moments, its resampled interval, and the value used."""
    if len(counts) < 2 or not (expected > 0).any():
        return None, 0.0
    excess = (counts - expected) ** 2 - counts
    squares = expected**2
    estimate = _cv(excess.sum(), squares.sum())
    picks = rng.integers(0, len(counts), size=(BOOTSTRAP_RESAMPLES, len(counts)))
    resampled = [_cv(excess[p].sum(), squares[p].sum()) for p in picks]
    low, high = np.percentile(resampled, [50 * (1 - CONFIDENCE), 50 * (1 + CONFIDENCE)])
    interval = Interval(estimate, float(low), float(high))
    if low <= 0:
        notes.append("daily counts not shown over-dispersed (interval reaches 0): Poisson used")
        return interval, 0.0
    return interval, estimate


def _cv(excess: float, squares: float) -> float:
    """sqrt(c^2) of the moment equation, 0 when the variance is not above the Poisson's."""
    return math.sqrt(excess / squares) if squares > 0 and excess > 0 else 0.0


def _holiday_factor(
    counts: np.ndarray, expected: np.ndarray, days: Days, big: np.ndarray
) -> float | None:
    """Holidays' calls over an ordinary day's (None when the window has no holiday)."""
    holidays = days.holiday & ~big
    wanted = float(expected[holidays].sum())
    if not holidays.any() or wanted <= 0:
        return None
    return float(min(max(counts[holidays].sum() / wanted, 0.0), 1.0))
