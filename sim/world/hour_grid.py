"""The round-the-clock arrival grid: every local wall-clock hour of the horizon.

Why a second grid: a stream with an ``hour_of_week`` profile (a measured
tenant's toll-free line rings at night and at weekends too) is not confined
to business hours. Its slots are the local hours of every day of the horizon
in the calendar's zone, so that the draw stays one vectorised Poisson count
per slot (``sim.world.sources.grid_batch``), exactly like the business-hours
grid (``sim.world.arrivals``).

Rules:

- Slot h of local day d runs from wall-clock h:00 to (h+1):00 of d (fold 0
  for an ambiguous time, as ``arrivals.local_instant``). On the day clocks go
  forward the missing hour has no length and no calls (a 23-hour day); on the
  day they go back the repeated hour is one slot of two real hours (a 25-hour
  day), so it gets its weight twice over.
- ``share`` is the slot's real length kept inside the horizon, in hours: 1 for
  a whole ordinary hour, 2 for the repeated one, a fraction for an hour cut by
  the horizon's start or end. Slots of no length are left out.
- ``hour_of_week`` is weekday x 24 + h (Monday 00:00 is 0), ``holiday`` is
  true on the calendar's holidays (``sim.world.public_holidays``),
  ``month_factor`` the calendar's ``month_of_year`` factor of the day.

Days whose length is exactly 24 hours (all but the clock-change days) are
laid out with numpy from their local midnight; the others hour by hour
through the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from sim.account.clock import MICROS_PER_SECOND, to_datetime
from sim.world.arrivals import ArrivalGrid, local_instant, month_bounds, months_elapsed
from sim.world.public_holidays import holiday_dates
from sim.world.scenario import Calendar

HOURS_PER_DAY = 24
MICROS_PER_HOUR = 3600 * MICROS_PER_SECOND
MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class HourGrid(ArrivalGrid):
    """An ``ArrivalGrid`` of every local hour, with each slot's hour of the week and holiday flag.

    ``share`` here is the slot's kept length in hours (see the module docstring).
    """

    hour_of_week: np.ndarray
    holiday: np.ndarray


@lru_cache(maxsize=16)
def hour_grid(calendar: Calendar, start_us: int, end_us: int) -> HourGrid:
    """Every local hour of the horizon [start_us, end_us) in ``calendar``'s zone (cached)."""
    zone = calendar.zone
    first = to_datetime(start_us).astimezone(zone).date()
    last = to_datetime(end_us - 1).astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    edges = _hour_edges(days, calendar)
    low = np.clip(edges[:, :-1], start_us, end_us)
    high = np.clip(edges[:, 1:], start_us, end_us)
    kept_us = (high - low).ravel()
    keep = np.flatnonzero(kept_us > 0)
    start = low.ravel()[keep]
    weekday = np.asarray([day.weekday() for day in days], dtype=np.int64)
    holidays = holiday_dates(calendar.holidays, first, last)
    is_holiday = np.asarray([day in holidays for day in days], dtype=bool)
    months = calendar.month_of_year or (1.0,) * 12
    factor = np.asarray([months[day.month - 1] for day in days], dtype=np.float64)
    day = np.repeat(np.arange(len(days), dtype=np.int64), HOURS_PER_DAY)[keep]
    hour = np.tile(np.arange(HOURS_PER_DAY, dtype=np.int64), len(days))[keep]
    bounds = month_bounds(calendar.timezone, start_us, end_us)
    month = bounds.index(start)
    return HourGrid(
        start_us=_frozen(start),
        length_s=_frozen(kept_us[keep] // MICROS_PER_SECOND),
        share=_frozen(kept_us[keep] / MICROS_PER_HOUR),
        month_factor=_frozen(factor[day]),
        months_elapsed=_frozen(months_elapsed(start_us, start)),
        month=_frozen(month),
        month_slots=_frozen(np.searchsorted(month, np.arange(len(bounds.labels) + 1))),
        day=_frozen(day),
        hour_of_week=_frozen(weekday[day] * HOURS_PER_DAY + hour),
        holiday=_frozen(is_holiday[day]),
    )


def _hour_edges(days: list[date], calendar: Calendar) -> np.ndarray:
    """Instants of wall-clock 00:00, 01:00, ..., 24:00 of each day: shape (days, 25)."""
    zone = calendar.zone
    midnights = np.asarray(
        [local_instant(day, 0, zone) for day in [*days, days[-1] + timedelta(days=1)]],
        dtype=np.int64,
    )
    steps = np.arange(HOURS_PER_DAY + 1, dtype=np.int64) * MICROS_PER_HOUR
    edges = midnights[:-1, None] + steps[None, :]
    for row in np.flatnonzero(np.diff(midnights) != HOURS_PER_DAY * MICROS_PER_HOUR):
        edges[row] = [
            local_instant(days[row], hour * MINUTES_PER_HOUR, zone)
            for hour in range(HOURS_PER_DAY + 1)
        ]
    return edges


def _frozen(array: np.ndarray) -> np.ndarray:
    """Read-only: grids are cached and shared between replications."""
    array.flags.writeable = False
    return array
