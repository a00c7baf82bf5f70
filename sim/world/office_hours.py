"""The admin's office hours over a run, from the scenario's ``[calendar]``.

Why here: the account layer (``sim.account.payments.OfficeHours``) cannot read
a calendar, and the compiled engine needs plain arrays, so the business
intervals of the run's window are listed once, as instants: every business
day (``business_days`` minus ``holidays``, in the calendar's zone) gives one
``[open, close)`` interval of its business hours. The list reaches one day
past the run's end, so an instant inside the run with no interval after it
truly has no office hour left before the end. Intervals that touch (a
calendar open around the clock) are joined, so each is a maximal stretch.
"""

from __future__ import annotations

from functools import lru_cache

from sim.account.clock import MICROS_PER_DAY
from sim.account.payments import OfficeHours
from sim.world.arrivals import business_days, local_instant
from sim.world.scenario import Calendar


@lru_cache(maxsize=64)
def office_hours(calendar: Calendar, start_us: int, end_us: int) -> OfficeHours:
    """The calendar's business intervals from ``start_us`` to a day past ``end_us`` (cached:
    every replication of a run asks for the same)."""
    zone = calendar.zone
    opens, closes = calendar.open_minutes
    intervals: list[tuple[int, int]] = []
    for day in business_days(calendar, start_us, end_us + 2 * MICROS_PER_DAY):
        low, high = local_instant(day, opens, zone), local_instant(day, closes, zone)
        if high <= low:
            continue  # a clock change ate the whole opening: no office hour that day
        if intervals and low <= intervals[-1][1]:
            intervals[-1] = (intervals[-1][0], max(high, intervals[-1][1]))
        else:
            intervals.append((low, high))
    return OfficeHours(tuple(low for low, _ in intervals), tuple(high for _, high in intervals))
