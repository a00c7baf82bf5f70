"""The hours a business day is open, with the ``hour_of_day`` weight of each.

Why a module of its own: the arrival grid (``sim.world.arrivals``, numpy) spreads
per-day demand over these hours and refuses a calendar that gives them no weight;
the pre-flight bound (``sim.world.workload.calls_at_most``) must know when that
refusal will come without laying out the grid, so both read the same list here.
"""

from __future__ import annotations

from sim.world.scenario import Calendar

MINUTES_PER_HOUR = 60


def open_hours(calendar: Calendar) -> list[tuple[int, int, float]]:
    """(open minute, close minute, weight) of each hour overlapping business hours."""
    opens, closes = calendar.open_minutes
    weights = calendar.hour_of_day or (1.0,) * 24
    slots = []
    for hour in range(opens // MINUTES_PER_HOUR, -(-closes // MINUTES_PER_HOUR)):
        low = max(opens, hour * MINUTES_PER_HOUR)
        high = min(closes, (hour + 1) * MINUTES_PER_HOUR)
        slots.append((low, high, weights[hour] * (high - low) / MINUTES_PER_HOUR))
    return slots


def weightless(hours: list[tuple[int, int, float]]) -> bool:
    """Whether the ``open_hours`` of a calendar carry no weight (``hour_of_day`` gives none to
    any business hour: per-day demand has nowhere to go, the arrival grid refuses it)."""
    return sum(weight for _, _, weight in hours) <= 0
