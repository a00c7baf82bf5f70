"""Big days: days whose toll-free dial-ins are far above the ordinary, as a big-meeting source.

Why: a monthly all-hands with hundreds of dial-ins is not noise spread over
every day; averaged into the level it would inflate every ordinary day and
hide the burst that drains a balance in an hour. So such days are found,
left out of the level, profile and spread fits, and written as
``[[big_meetings]]``.

A day (a holiday or a weekend day too: an all-hands falls on New Year's Day
when that is the first Thursday) is big when its count is more than
``BIG_Z`` robust standard deviations above its month's median business day
(median absolute deviation, at least the Poisson's square root) AND more than
``BIG_RATIO`` times that median. Its dial-ins are the count above the median;
the meeting's calls are those starting from an hour before to 90 minutes
after the day's busiest half hour; its time is their median start. When
every big day falls on the same weekday of the month (the first Thursday, the
last Friday) and there is one in (nearly) every month, it is a recurrence
(``FREQ=MONTHLY;BYDAY=+1TH``); otherwise a random number a month
(``per_month``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import time, timedelta

import numpy as np

from sim.study.calibration.days import Days, LocalCalls

BIG_Z = 5.0
"""Robust z above which a day's count is a big day (with ``BIG_RATIO``)."""
BIG_RATIO = 3.0
"""A big day has more than this many times its month's median business day."""
MAD_TO_SD = 1.4826
"""Median absolute deviation to a normal standard deviation."""
BURST_BEFORE_MIN = 60
BURST_AFTER_MIN = 90
"""The meeting's calls start this close to the day's busiest half hour."""
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class BigDays:
    """The big days of one service and the meeting they are written as."""

    days: np.ndarray  # day numbers
    excess: np.ndarray  # dial-ins above the ordinary, per big day
    burst: np.ndarray  # bool per call: a big meeting's call
    start: time  # median local start of the meeting's calls
    recurrence: str | None  # an RFC 5545 rule, or None for per_month
    per_month: float  # big days a month observed

    @property
    def mean(self) -> float:
        return float(self.excess.mean())

    @property
    def sd(self) -> float:
        return float(self.excess.std(ddof=1)) if len(self.excess) > 1 else 0.0


def find_big_days(counts: np.ndarray, days: Days) -> np.ndarray:
    """Bool per day: a big day by the rule of the module docstring."""
    business = days.business
    median = np.zeros(days.count)
    for month in range(days.months()):
        mask = business & (days.month == month)
        if mask.any():
            median[days.month == month] = np.median(counts[mask])
    if not business.any():
        return np.zeros(days.count, dtype=bool)
    residual = counts - median
    mad = float(np.median(np.abs(residual[business] - np.median(residual[business]))))
    scale = np.maximum(MAD_TO_SD * mad, np.sqrt(np.maximum(median, 1.0)))
    # Any day may be big (an all-hands on a holiday): measured against a business day's median.
    return (residual > BIG_Z * scale) & (counts > BIG_RATIO * np.maximum(median, 1.0))


def describe(big: np.ndarray, counts: np.ndarray, days: Days, calls: LocalCalls) -> BigDays:
    """The meeting the big days make: dial-ins, start, calls and how often."""
    numbers = np.flatnonzero(big)
    ordinary = days.business & ~big
    medians = np.array([_month_median(counts, days, ordinary, int(days.month[d])) for d in numbers])
    burst = np.zeros(len(calls.day), dtype=bool)
    for number in numbers:
        on_day = calls.day == number
        peak = _busiest_half_hour(calls.minute_of_day[on_day])
        near = (calls.minute_of_day >= peak - BURST_BEFORE_MIN) & (
            calls.minute_of_day < peak + 30 + BURST_AFTER_MIN
        )
        burst |= on_day & near
    minute = int(np.median(calls.minute_of_day[burst])) if burst.any() else 9 * 60
    months = days.count / (365.25 / 12)
    return BigDays(
        days=numbers,
        excess=np.maximum(counts[numbers] - medians, 1.0),
        burst=burst,
        start=time(minute // 60, minute % 60),
        recurrence=_recurrence(numbers, days),
        per_month=len(numbers) / months,
    )


def _month_median(counts: np.ndarray, days: Days, ordinary: np.ndarray, month: int) -> float:
    mask = ordinary & (days.month == month)
    return float(np.median(counts[mask])) if mask.any() else 0.0


def _busiest_half_hour(minutes: np.ndarray) -> int:
    """Start minute of the half hour with most call starts."""
    slots = np.bincount(minutes // 30, minlength=48)
    return int(np.argmax(slots)) * 30


def _recurrence(numbers: np.ndarray, days: Days) -> str | None:
    """``FREQ=MONTHLY;BYDAY=+nXX`` (or ``-1XX``) when every big day shares it, monthly."""
    if len(numbers) < 2:
        return None
    dates = [days.first + timedelta(days=int(n)) for n in numbers]
    months = {(d.year, d.month) for d in dates}
    if len(months) != len(dates) or len(months) < days.months() - 2:
        return None
    weekdays = {d.weekday() for d in dates}
    if len(weekdays) != 1:
        return None
    code = WEEKDAY_CODES[weekdays.pop()]
    ordinals = {(d.day - 1) // 7 + 1 for d in dates}
    if len(ordinals) == 1:
        return f"FREQ=MONTHLY;BYDAY=+{ordinals.pop()}{code}"
    if all(d.day + 7 > calendar.monthrange(d.year, d.month)[1] for d in dates):
        return f"FREQ=MONTHLY;BYDAY=-1{code}"
    return None
