"""Random big days: ``[[big_meetings]] per_month`` instead of a recurrence rule.

Why: a measured tenant's all-hands days are not always on "the first
Thursday": the data show about one big day a month, on no fixed weekday.
Such a source draws, for every calendar month of the horizon in the
calendar's zone, a Poisson number (mean ``per_month``) of big days, each on
a business day of that month (``[calendar]`` business days, holidays
excluded) picked uniformly and independently (two may fall on the same day),
at the meeting's local ``time``. Months cut by the horizon keep the days that
fall inside it, so a half month has half the big days on average. Each big
day is then one meeting whose dial-ins are drawn like a scheduled one's
(``sim.world.sources.dial_in_calls``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache

import numpy as np

from sim.account.clock import to_datetime, to_instant
from sim.world.arrivals import business_days, local_instant, month_bounds
from sim.world.scenario import BigMeeting, Calendar


@dataclass(frozen=True)
class MonthDays:
    """The instants of each month's business days at a time of day, and which are in the horizon.

    ``instants[m]`` lists month ``m``'s business days (the whole month) at the
    meeting time; ``inside[m]`` flags those within [start, end).
    """

    instants: tuple[np.ndarray, ...]
    inside: tuple[np.ndarray, ...]

    def expected(self, per_month: float) -> float:
        """Mean number of big days inside the horizon."""
        return per_month * sum(float(flags.mean()) for flags in self.inside if len(flags))


@lru_cache(maxsize=64)
def month_days(calendar: Calendar, moment: time, start_us: int, end_us: int) -> MonthDays:
    """Each calendar month's business days of the horizon at local ``moment`` (cached)."""
    zone = calendar.zone
    bounds = month_bounds(calendar.timezone, start_us, end_us)
    last = to_datetime(int(bounds.starts_us[-1])).astimezone(zone).date()
    after = (last + timedelta(days=32)).replace(day=1)
    days = business_days(calendar, int(bounds.starts_us[0]), local_instant(after, 0, zone))
    naive = moment.replace(tzinfo=None)
    instants = np.asarray(
        [to_instant(datetime.combine(day, naive, tzinfo=zone)) for day in days], dtype=np.int64
    )
    month_of_day = np.asarray(
        [bounds.labels.index(f"{day.year:04d}-{day.month:02d}") for day in days], dtype=np.int64
    )
    per_month = tuple(instants[month_of_day == m] for m in range(len(bounds.labels)))
    inside = tuple((each >= start_us) & (each < end_us) for each in per_month)
    return MonthDays(per_month, inside)


def random_big_days(
    meeting: BigMeeting,
    calendar: Calendar,
    horizon_us: tuple[int, int],
    rng: np.random.Generator,
) -> np.ndarray:
    """Start instants of the big days of one replication, in time order (see module rules)."""
    assert meeting.per_month is not None  # the schema: per_month or a recurrence
    found = month_days(calendar, meeting.time, *horizon_us)
    counts = rng.poisson(meeting.per_month, size=len(found.instants))
    chosen = []
    for instants, inside, count in zip(found.instants, found.inside, counts, strict=True):
        if len(instants) and count:
            picked = rng.integers(0, len(instants), size=int(count))
            chosen.append(instants[picked[inside[picked]]])
    if not chosen:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate(chosen))


def expected_big_days(
    meeting: BigMeeting, calendar: Calendar, horizon_us: tuple[int, int]
) -> float:
    """The mean number of random big days inside the horizon (for the pre-flight estimate)."""
    assert meeting.per_month is not None
    return month_days(calendar, meeting.time, *horizon_us).expected(meeting.per_month)
