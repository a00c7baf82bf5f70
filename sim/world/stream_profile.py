"""Checks and arithmetic of a stream's ``hour_of_week`` profile, growth and dispersion.

Why apart from ``sim.world.streams``: ``sim.world.bounds`` checks every
scenario figure against ``sim.limits`` and must not import the sources
(which import it); the weights' arithmetic is shared by the checks and the
generator, so the scale a check approves is the scale the draws use.

numpy is imported by the weights' arithmetic only, when a stream has an
``hour_of_week`` profile: ``credsim validate`` of a scenario without one loads
no numpy (docs/performance.md#start-up).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sim import limits
from sim.world.scenario import WEEKDAYS, Calendar, Scenario, Stream

if TYPE_CHECKING:
    import numpy as np

HOURS_PER_DAY = 24
_LIMITS = "sim/limits.py"


def relative(weights: tuple[float, ...]) -> np.ndarray:
    """Weights divided by the largest: the same profile, with sums that cannot overflow."""
    import numpy as np  # noqa: PLC0415  (only for a profile: validate's start-up)

    array = np.asarray(weights, dtype=np.float64)
    return array / array.max()


def _day_weights(weights: np.ndarray) -> np.ndarray:
    """The total weight of each weekday, Monday first."""
    return weights.reshape(len(WEEKDAYS), HOURS_PER_DAY).sum(axis=1)


def per_business_weight(weights: np.ndarray, calendar: Calendar) -> float:
    """Calls per unit weight that make the business days' mean one call (ValueError if none)."""
    per_day = _day_weights(weights)
    business = [per_day[WEEKDAYS.index(day)] for day in calendar.business_days]
    total = float(sum(business))
    if total <= 0:
        raise ValueError("hour_of_week gives no weight to the business days")
    return len(business) / total


def business_streams(scenario: Scenario) -> bool:
    """Whether a stream arrives on the business-hours grid (one without ``hour_of_week``)."""
    return any(stream.hour_of_week is None for stream in scenario.streams)


def problems(scenario: Scenario) -> Iterator[str]:
    """Streams' new keys against the calendar and ``sim.limits``: one sentence per problem."""
    months = scenario.scenario.horizon_months
    for index, stream in enumerate(scenario.streams):
        where = f"streams[{index}]"
        if stream.daily_dispersion > limits.DAILY_DISPERSION_MAX:
            yield (
                f"{where}.daily_dispersion: {stream.daily_dispersion:g} is more than the limit "
                f"of {limits.DAILY_DISPERSION_MAX:g} (DAILY_DISPERSION_MAX in {_LIMITS})"
            )
        if stream.calls_per_day > limits.STREAM_CALLS_PER_DAY_MAX:
            continue  # refused as it stands (sim.world.bounds); growth and profile add nothing
        yield from _profile_problems(where, stream, scenario.calendar)
        final = stream.calls_per_day * (1.0 + stream.monthly_growth) ** months
        if final > limits.STREAM_CALLS_PER_DAY_MAX:
            yield (
                f"{where}.monthly_growth: {stream.monthly_growth:g} a month takes "
                f"{stream.calls_per_day:g} calls a day to about {final:,.3g} after {months} "
                f"months, more than the limit of {limits.STREAM_CALLS_PER_DAY_MAX:,.0f} "
                f"(STREAM_CALLS_PER_DAY_MAX in {_LIMITS})"
            )


def _profile_problems(where: str, stream: Stream, calendar: Calendar) -> Iterator[str]:
    if stream.hour_of_week is None:
        return
    weights = relative(stream.hour_of_week)
    try:
        per_weight = per_business_weight(weights, calendar)
    except ValueError:
        yield (
            f"{where}.hour_of_week: gives no weight to the business days "
            f"({', '.join(calendar.business_days)}), and calls_per_day is their mean: give "
            "them some weight or change [calendar] business_days"
        )
        return
    busiest = stream.calls_per_day * per_weight * float(_day_weights(weights).max())
    if busiest > limits.STREAM_CALLS_PER_DAY_MAX:
        yield (
            f"{where}.hour_of_week: the busiest weekday would have about {busiest:,.3g} calls, "
            f"more than the limit of {limits.STREAM_CALLS_PER_DAY_MAX:,.0f} a day "
            f"(STREAM_CALLS_PER_DAY_MAX in {_LIMITS})"
        )
