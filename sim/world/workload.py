"""The pre-flight estimate: how many calls a replication draws, and the memory that takes.

Why before any generation: a scenario within every single limit can still ask
for too much in total (100,000 users making 50 calls a day for ten years), and
``run`` would then die allocating arrays of tens of GiB, after ``validate``
said the file was fine. The expected number of calls is computed from the
same means the generator draws from (the business-hours grid with user growth,
the round-the-clock grid of profiled streams, the big meetings' occurrences or
their mean number of random big days, the mean participants), so the estimate is the
Poisson mean of what ``sim.world.demand.generate`` produces, not a guess.

Memory: ``BYTES_PER_CALL`` is the measured peak of generating one replication
with every column built and preparing it for the compiled engine (120 bytes a
call on midsize, enterprise and small-team; free calls left unbuilt need less).

Why ``check_fits``: the estimate lays out the arrival grid with numpy, which
``credsim validate`` needs for nothing else; a scenario far inside the limits
is proved so by an upper bound in plain arithmetic (``calls_at_most``), and
only one the bound cannot clear gets the estimate, so the answer is the
estimate's in every case (docs/performance.md#start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim import limits
from sim.account.clock import MICROS_PER_DAY, add_months, to_instant
from sim.errors import InputError
from sim.world.open_hours import open_hours, weightless
from sim.world.scenario import Scenario
from sim.world.scenario_types import Continuous, Count, Empirical, Fixed
from sim.world.stream_profile import business_streams

if TYPE_CHECKING:
    from sim.world.arrivals import ArrivalGrid

BYTES_PER_CALL = 128
"""Peak bytes one call of a replication needs while it is generated and replayed (measured
120 with ``tracemalloc`` on the bundled scenarios with every column built; rounded up)."""

BOUND_SLACK = 1e-6
"""Relative room left between ``calls_at_most`` and a limit for the float rounding of both sums."""

_GB = 1024**3


@dataclass(frozen=True)
class Workload:
    """Expected calls of one replication, by source and in total."""

    calls_by_source: dict[str, float]

    @property
    def calls_per_replication(self) -> float:
        """Expected calls of one replication."""
        return sum(self.calls_by_source.values())

    def memory_bytes(self, concurrent: int = 1) -> float:
        """Peak memory of ``concurrent`` replications generated at once (one per worker)."""
        return self.calls_per_replication * BYTES_PER_CALL * concurrent


def estimate(scenario: Scenario) -> Workload:
    """Expected calls per replication of ``scenario``, by source (``meetings``, ``streams[0]``...).

    Raises InputError when the calendar leaves per-day demand nowhere to go.
    """
    # The grids and their sums: numpy (only here, see the module's notes).
    from sim.world.arrivals import horizon  # noqa: PLC0415
    from sim.world.big_days import expected_big_days  # noqa: PLC0415
    from sim.world.big_meetings import occurrences  # noqa: PLC0415
    from sim.world.distributions import mean_of  # noqa: PLC0415
    from sim.world.streams import expected_calls, stream_grid  # noqa: PLC0415

    span = horizon(scenario.scenario)
    grid = _grid(scenario, span)
    calls: dict[str, float] = {}
    if scenario.meetings is not None:
        meetings = scenario.meetings
        held = float(grid.expected(meetings.per_user_per_day, scenario.users).sum())
        calls["meetings"] = held * (mean_of(meetings.dial_ins) + mean_of(meetings.dial_outs))
    calendar = scenario.calendar
    for index, event in enumerate(scenario.big_meetings):
        if event.per_month is not None:
            held = expected_big_days(event, calendar, span)
        else:
            held = len(occurrences(event, calendar.timezone, span))
        calls[f"big_meetings[{index}]"] = held * mean_of(event.dial_ins)
    if scenario.user_calling is not None:
        per_day = scenario.user_calling.per_user_per_day
        calls["user_calling"] = float(grid.expected(per_day, scenario.users).sum())
    for index, stream in enumerate(scenario.streams):
        arrivals = stream_grid(stream, calendar, span, grid)
        calls[f"streams[{index}]"] = float(expected_calls(stream, calendar, arrivals).sum())
    return Workload(calls)


def check(scenario: Scenario, *, concurrent: int = 1, source: str | Path | None = None) -> Workload:
    """The estimate, or InputError when it exceeds the calls or memory limit.

    ``concurrent`` is how many replications are held at once (a sweep's
    workers); the calls limit is per replication whatever the workers.
    """
    work = estimate(scenario)
    calls, memory = work.calls_per_replication, work.memory_bytes(concurrent)
    most_calls, most_memory = limits.max_calls_per_replication(), limits.max_memory_bytes()
    need = f"this would generate about {calls:,.0f} calls per replication and need about "
    need += f"{memory / _GB:,.1f} GB"
    if concurrent > 1:
        need += f" ({concurrent} replications at once)"
    if calls > most_calls:
        raise InputError(
            f"{need}; the limit is {most_calls:,} calls per replication (change it with the "
            f"environment variable {limits.MAX_CALLS_VARIABLE}, or shorten the horizon)",
            source=source,
        )
    if memory > most_memory:
        raise InputError(
            f"{need}; the limit is {most_memory / _GB:,.1f} GB (change it with the environment "
            f"variable {limits.MAX_MEMORY_VARIABLE}, or use fewer workers)",
            source=source,
        )
    return work


def _grid(scenario: Scenario, span: tuple[int, int]) -> ArrivalGrid:
    """The business-hours grid the generator uses (cached there too), when a source needs it."""
    from sim.world.arrivals import ArrivalGrid, arrival_grid  # noqa: PLC0415  (numpy)

    if not _business_grid(scenario):
        return ArrivalGrid.empty()
    try:
        return arrival_grid(scenario.calendar, *span)
    except ValueError as error:
        raise InputError(f"calendar: {error}") from None


def check_fits(scenario: Scenario, *, source: str | Path | None = None) -> None:
    """``check`` for one replication at a time, with the estimate computed only when needed.

    When ``calls_at_most`` is within both limits the estimate is too and nothing is
    raised; otherwise ``check`` decides, with its own figures and message.
    """
    most = calls_at_most(scenario)
    if most is not None:
        most *= 1.0 + BOUND_SLACK
        within_calls = most <= limits.max_calls_per_replication()
        if within_calls and most * BYTES_PER_CALL <= limits.max_memory_bytes():
            return
    check(scenario, source=source)


def calls_at_most(scenario: Scenario) -> float | None:
    """An upper bound of ``estimate``'s calls per replication, or None for a profiled stream.

    Each business day's slots share at most its whole mean, so a per-day source
    gives at most mean x the largest ``month_of_year`` factor x its largest growth
    on every day of the horizon (two more for days cut by the zone); a recurrence
    is at most daily (``sim.world.bounds``), random big days at most ``per_month``
    a month of the horizon (two more for months cut), and a distribution's mean at
    most its largest value. A stream with ``hour_of_week``, and a calendar whose
    business hours have no weight, are left to ``estimate``.
    """
    if any(stream.hour_of_week is not None for stream in scenario.streams):
        return None
    if _business_grid(scenario) and weightless(open_hours(scenario.calendar)):
        return None  # the estimate refuses the calendar, in its own words
    info, users = scenario.scenario, scenario.users
    start_us = to_instant(info.start)
    days = (add_months(start_us, info.horizon_months) - start_us) / MICROS_PER_DAY + 2
    day_means = days * max(scenario.calendar.month_of_year or (1.0,))
    head = users.count * _growth_at_most(users.monthly_growth, info.horizon_months)
    calls = 0.0
    if (meetings := scenario.meetings) is not None:
        participants = _mean_at_most(meetings.dial_ins) + _mean_at_most(meetings.dial_outs)
        calls += meetings.per_user_per_day * head * day_means * participants
    for event in scenario.big_meetings:
        held = days + 1 if event.per_month is None else event.per_month * (info.horizon_months + 2)
        calls += held * _mean_at_most(event.dial_ins)
    if scenario.user_calling is not None:
        calls += scenario.user_calling.per_user_per_day * head * day_means
    for stream in scenario.streams:
        growth = _growth_at_most(stream.monthly_growth, info.horizon_months)
        calls += stream.calls_per_day * day_means * growth
    return calls


def _business_grid(scenario: Scenario) -> bool:
    """Whether a source spreads its per-day mean over business hours (``_grid`` lays them out)."""
    return bool(scenario.meetings or scenario.user_calling or business_streams(scenario))


def _growth_at_most(monthly_growth: float, months: int) -> float:
    """The largest (1 + g)^k for k whole months of the horizon (g > -1: 1 when it shrinks)."""
    return max(1.0, (1.0 + monthly_growth) ** months)


def _mean_at_most(dist: Continuous | Count) -> float:
    """At least the distribution's mean: its value, its largest observed value, or its mean."""
    if isinstance(dist, Fixed):
        return float(dist.value)
    if isinstance(dist, Empirical):
        return float(max(dist.values))
    return float(dist.mean)
