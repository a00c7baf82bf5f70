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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim import limits
from sim.errors import InputError
from sim.world.arrivals import ArrivalGrid, arrival_grid, horizon
from sim.world.big_days import expected_big_days
from sim.world.big_meetings import occurrences
from sim.world.distributions import mean_of
from sim.world.scenario import Scenario
from sim.world.stream_profile import business_streams
from sim.world.streams import expected_calls, stream_grid

BYTES_PER_CALL = 128
"""Peak bytes one call of a replication needs while it is generated and replayed (measured
120 with ``tracemalloc`` on the bundled scenarios with every column built; rounded up)."""

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
    if not (scenario.meetings or scenario.user_calling or business_streams(scenario)):
        return ArrivalGrid.empty()
    try:
        return arrival_grid(scenario.calendar, *span)
    except ValueError as error:
        raise InputError(f"calendar: {error}") from None
