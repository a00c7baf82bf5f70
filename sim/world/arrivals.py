"""The arrival calendar: when business calls start, as a grid of hour slots.

Why a grid: a planner states demand per business day ("0.2 meetings per user
per day", "40 toll-free calls a day") and a shape over the day and the year.
Cutting the horizon into (business day, hour) slots, each with an expected
number of calls, turns every source into one vectorised draw: a Poisson count
per slot, then uniform start times inside the slot's open part.

Rules (the scenario file's ``[calendar]`` and ``[users]``):

- Days are local dates in the calendar's zone. A business day is one of
  ``business_days`` that is not in ``holidays`` (a list of dates, or a
  country code: ``sim.world.public_holidays``); business hours are
  [open, close) in local wall-clock minutes.
- A source's per-day figure is the MEAN number of calls on a business day. It
  is spread over business hours by the ``hour_of_day`` weights (default equal);
  an hour only partly inside business hours gets the open fraction of its
  weight. ``month_of_year`` multiplies the day's mean (raw factors, not
  normalised: 1.2 means 20 % busier that month).
- Per-user figures are multiplied by users(t) = count x (1+g)^k, k the whole
  calendar months elapsed since the scenario start (``add_months`` steps, UTC).
- Slots are clipped to the horizon [start, start + horizon_months); a slot cut
  by the clip keeps the matching fraction of its mean, so no arrival falls
  outside the horizon and the expectation stays exact.
- Start times are whole seconds after the slot's open instant. On a day when
  clocks change inside business hours, a wall-clock hour that does not exist
  has no length and gets no calls.

Calendar months in the scenario zone (pools reset on the 1st, the demand
summary's months) are computed by ``month_bounds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from sim.account.clock import MICROS_PER_SECOND, add_months, to_datetime, to_instant
from sim.world.open_hours import open_hours, weightless
from sim.world.public_holidays import holiday_dates
from sim.world.scenario import WEEKDAYS, Calendar, ScenarioInfo, Users


def horizon(info: ScenarioInfo) -> tuple[int, int]:
    """The run's [start, end) as instants: ``horizon_months`` calendar months."""
    start_us = to_instant(info.start)
    return start_us, add_months(start_us, info.horizon_months)


@dataclass(frozen=True)
class MonthBounds:
    """Calendar months in a zone: labels ``YYYY-MM`` and the instants they begin.

    ``starts_us[i]`` is local midnight on the 1st of month ``labels[i]``; the
    first month is the one holding the horizon start, the last the one holding
    its final instant.
    """

    labels: tuple[str, ...]
    starts_us: np.ndarray

    def index(self, instants_us: np.ndarray) -> np.ndarray:
        """The month index (into ``labels``) of each instant."""
        return np.searchsorted(self.starts_us, instants_us, side="right") - 1


@lru_cache(maxsize=64)
def month_bounds(timezone: str, start_us: int, end_us: int) -> MonthBounds:
    """Local calendar months covering [start_us, end_us) in ``timezone``."""
    zone = ZoneInfo(timezone)
    first = to_datetime(start_us).astimezone(zone).date().replace(day=1)
    last = to_datetime(end_us - 1).astimezone(zone).date()
    labels, starts = [], []
    month = first
    while month <= last:
        labels.append(f"{month.year:04d}-{month.month:02d}")
        starts.append(local_instant(month, 0, zone))
        month = (month + timedelta(days=32)).replace(day=1)
    return MonthBounds(tuple(labels), _frozen(np.asarray(starts, dtype=np.int64)))


@dataclass(frozen=True)
class ArrivalGrid:
    """Open business-hour slots over the horizon, in time order.

    Per slot: ``start_us`` (open instant), ``length_s`` (open seconds),
    ``share`` (fraction of its day's mean that falls in it), ``month_factor``
    (the ``month_of_year`` multiplier of its day), ``months_elapsed`` (whole
    months since the scenario start, for user growth) and ``month`` (index of
    its calendar month in the zone, ``month_bounds`` of the horizon: a slot
    lies within one local day, so every call in it starts in that month).
    ``month_slots[m]`` is the first slot of month ``m`` (one more entry than
    months, the last being the slot count). ``day`` numbers each slot's local
    day (0 for the first day with a slot, in order): a stream's daily random
    level (``sim.world.streams``) multiplies the slots of one day alike.
    """

    start_us: np.ndarray
    length_s: np.ndarray
    share: np.ndarray
    month_factor: np.ndarray
    months_elapsed: np.ndarray
    month: np.ndarray
    month_slots: np.ndarray
    day: np.ndarray

    @classmethod
    def empty(cls, months: int = 0) -> ArrivalGrid:
        """A grid without slots: no calendar-driven calls."""
        none = np.zeros(0)
        ints = none.astype(np.int64)
        month_slots = np.zeros(months + 1, dtype=np.int64)
        return cls(ints, ints, none, none, none, ints, month_slots, ints)

    def expected(self, per_day: float, users: Users | None = None) -> np.ndarray:
        """Expected calls per slot for ``per_day`` (per user when ``users`` is given)."""
        mean = per_day * self.share * self.month_factor
        if users is not None:
            mean = mean * users_at(users, self.months_elapsed)
        return mean


def users_at(users: Users, months_elapsed: np.ndarray) -> np.ndarray:
    """Head count after ``months_elapsed`` whole months of compound growth."""
    return users.count * (1.0 + users.monthly_growth) ** months_elapsed


def draw_arrivals(grid: ArrivalGrid, expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Start instants: Poisson counts per slot, uniform whole seconds inside each slot.

    Returned in slot order (not sorted within a slot); the caller sorts the stream.
    """
    counts = rng.poisson(expected)
    slot = np.repeat(np.arange(len(counts)), counts)
    return slot_starts(grid, slot, rng.random(len(slot)))


def slot_starts(grid: ArrivalGrid, slot: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Start instants in the given slots: floor(u x open seconds) whole seconds after opening."""
    offset_s = (uniforms * grid.length_s[slot]).astype(np.int64)  # >= 0: truncation is floor
    return grid.start_us[slot] + offset_s * MICROS_PER_SECOND


@lru_cache(maxsize=64)
def arrival_grid(calendar: Calendar, start_us: int, end_us: int) -> ArrivalGrid:
    """The slots of the horizon [start_us, end_us) under ``calendar`` (cached).

    Raises ValueError when ``hour_of_day`` gives no weight to any business hour,
    because per-day demand would then have nowhere to go.
    """
    zone = calendar.zone
    hours = open_hours(calendar)
    if weightless(hours):
        raise ValueError(
            f"hour_of_day gives zero weight to every business hour {list(calendar.business_hours)}"
        )
    edges = sorted({minute for opens, closes, _ in hours for minute in (opens, closes)})
    rows: list[tuple[date, int, int, float, float]] = []
    for day in business_days(calendar, start_us, end_us):
        # an hour's close is the next one's open: each edge's instant computed once a day
        at = {minute: local_instant(day, minute, zone) for minute in edges}
        rows.extend(
            (day, *_clipped_slot(at[opens], at[closes], start_us, end_us), weight)
            for opens, closes, weight in hours
        )
    bounds = month_bounds(calendar.timezone, start_us, end_us)
    return _grid(rows, len(hours), calendar.month_of_year, start_us, bounds)


def business_days(calendar: Calendar, start_us: int, end_us: int) -> list[date]:
    """Local dates in the horizon that are business days and not holidays."""
    zone = calendar.zone
    first = to_datetime(start_us).astimezone(zone).date()
    last = to_datetime(end_us - 1).astimezone(zone).date()
    weekdays = {WEEKDAYS.index(day) for day in calendar.business_days}
    holidays = holiday_dates(calendar.holidays, first, last)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() in weekdays and day not in holidays]


def _clipped_slot(low: int, high: int, start_us: int, end_us: int) -> tuple[int, int, float]:
    """(open instant, open seconds, kept fraction) of the slot [low, high) clipped to the
    horizon."""
    full = max(high - low, 0)
    low_c, high_c = max(low, start_us), min(high, end_us)
    kept = max(high_c - low_c, 0)
    return low_c, kept // MICROS_PER_SECOND, kept / full if full else 0.0


def _grid(
    rows: list[tuple[date, int, int, float, float]],
    hours_per_day: int,
    month_of_year: tuple[float, ...] | None,
    start_us: int,
    bounds: MonthBounds,
) -> ArrivalGrid:
    """Assemble slot rows (day, open instant, seconds, kept fraction, weight) into a grid."""
    if not rows:
        return ArrivalGrid.empty(len(bounds.labels))
    days, opens_us, length_s, kept, weight = zip(*rows, strict=True)
    weight_arr = np.asarray(weight, dtype=np.float64)
    per_day = weight_arr.reshape(-1, hours_per_day)
    share = (per_day / per_day.sum(axis=1, keepdims=True)).ravel() * np.asarray(kept)
    months = month_of_year or (1.0,) * 12
    start = np.asarray(opens_us, dtype=np.int64)
    month = bounds.index(start)
    return ArrivalGrid(
        start_us=_frozen(start),
        length_s=_frozen(np.asarray(length_s, dtype=np.int64)),
        share=_frozen(share),
        month_factor=_frozen(np.asarray([months[day.month - 1] for day in days], dtype=np.float64)),
        months_elapsed=_frozen(months_elapsed(start_us, start)),
        month=_frozen(month),
        month_slots=_frozen(np.searchsorted(month, np.arange(len(bounds.labels) + 1))),
        day=_frozen(np.arange(len(start), dtype=np.int64) // hours_per_day),
    )


def _frozen(array: np.ndarray) -> np.ndarray:
    """Read-only: grids and month bounds are cached and shared between replications."""
    array.flags.writeable = False
    return array


def months_elapsed(start_us: int, instants_us: np.ndarray) -> np.ndarray:
    """Whole calendar months (``add_months`` steps) from ``start_us`` to each instant.

    Head count grows per whole month (``users_at``), and so do plan holders
    (``sim.world.plans``).
    """
    if len(instants_us) == 0:
        return np.zeros(0)
    last = int(instants_us.max())
    marks = [start_us]
    while marks[-1] <= last:
        marks.append(add_months(start_us, len(marks)))
    return (np.searchsorted(np.asarray(marks), instants_us, side="right") - 1).astype(np.float64)


def local_instant(day: date, minute: int, zone: ZoneInfo) -> int:
    """The instant of local wall-clock ``minute`` after midnight of ``day`` (24:00 allowed)."""
    moment = datetime.combine(day, time(), tzinfo=zone) + timedelta(minutes=minute)
    return to_instant(moment)
