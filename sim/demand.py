"""Demand: a Scenario and a Generator become one rated, policy-independent CallStream.

Why this shape: the model rules make rating independent of the ledger, so a
replication's calls are drawn and priced once, here, and replayed against
every policy (common random numbers). Generation is vectorised per source.

Random streams. ``generate`` spawns four children of ``rng`` in a fixed order
(meetings, big meetings, user calling, streams); big meetings and streams
spawn one grandchild each, in file order, and every source splits its child
further by purpose (arrivals, lengths, participants). Adding a source, or a
big meeting or stream at the end of its list, therefore leaves every other
source's calls unchanged. Spawning advances ``rng``'s spawn counter: pass a
fresh Generator per replication (``SeedSequence(seed).spawn(n)``); the same
seed gives byte-identical arrays.

Horizon. Calls start in [start, start + horizon_months). A call that would end
after the horizon's end is LEFT OUT: its charge would post after the run,
where no policy can act on it, and counting it in blocked figures would
compare policies on a call none of them pays for. Calls that start before the
horizon (a jittered join cannot move a call earlier) do not arise.

Order. The stream is sorted by start with a stable sort, so calls starting at
the same instant keep generation order: meetings' dial-ins, their dial-outs,
big meetings (file order), users' calls, streams (file order).

Rating and pools: see ``sim.rating``; months are calendar months of the call's
start in the scenario's ``[calendar]`` zone.
"""

from __future__ import annotations

import numpy as np

from sim.arrivals import ArrivalGrid, arrival_grid, horizon, month_bounds
from sim.demand_summary import DemandSummary, summarize
from sim.money import currency
from sim.rates import RateTable
from sim.rating import POOLS, allotments_s, rate_calls
from sim.scenario import Scenario
from sim.sources import (
    Catalog,
    Draft,
    big_meeting_calls,
    meeting_calls,
    stream_calls,
    user_calls,
)
from sim.stream import CallStream

__all__ = ["DemandSummary", "generate", "summarize"]


def generate(scenario: Scenario, rates: RateTable, rng: np.random.Generator) -> CallStream:
    """Draw and rate one replication's calls (see the module docstring for the rules).

    Raises LookupError when the rate table lacks a rate the scenario needs,
    ValueError when a rate is finer than 10^-6 of the minor unit.
    """
    catalog = Catalog(rates, currency(scenario.scenario.currency))
    drafts = _drafts(scenario, catalog, rng)
    return _assemble(drafts, scenario, catalog)


def _drafts(scenario: Scenario, catalog: Catalog, rng: np.random.Generator) -> list[Draft]:
    """Every source's unrated calls, in generation order."""
    meetings_rng, big_rng, users_rng, streams_rng = rng.spawn(4)
    span = horizon(scenario.scenario)
    grid = _grid(scenario, span)
    drafts: list[Draft] = []
    if scenario.meetings is not None:
        drafts += meeting_calls(scenario.meetings, scenario.users, grid, catalog, meetings_rng)
    zone = scenario.calendar.timezone
    for meeting, child in zip(
        scenario.big_meetings, big_rng.spawn(len(scenario.big_meetings)), strict=True
    ):
        drafts.append(big_meeting_calls(meeting, zone, span, catalog, child))
    if scenario.user_calling is not None:
        drafts.append(user_calls(scenario.user_calling, scenario.users, grid, catalog, users_rng))
    for stream, child in zip(
        scenario.streams, streams_rng.spawn(len(scenario.streams)), strict=True
    ):
        drafts.append(stream_calls(stream, grid, catalog, child))
    return drafts


def _grid(scenario: Scenario, span: tuple[int, int]) -> ArrivalGrid:
    """The business-hours grid, built only when a calendar-driven source needs it."""
    if scenario.meetings or scenario.user_calling or scenario.streams:
        return arrival_grid(scenario.calendar, *span)
    return ArrivalGrid.empty()


def _assemble(drafts: list[Draft], scenario: Scenario, catalog: Catalog) -> CallStream:
    """Concatenate, keep the horizon, sort stably by start, rate."""
    start_us, end_us = horizon(scenario.scenario)
    columns = {
        name: np.concatenate([getattr(draft, name) for draft in drafts])
        for name in ("start_us", "end_us", "service", "tariff", "pool", "blockable")
    }
    starts = columns["start_us"]
    keep = (starts >= start_us) & (starts < end_us) & (columns["end_us"] <= end_us)
    order = np.flatnonzero(keep)[np.argsort(starts[keep], kind="stable")]
    calls = {name: column[order] for name, column in columns.items()}
    months = month_bounds(scenario.calendar.timezone, start_us, end_us).index(calls["start_us"])
    rated = rate_calls(
        calls["end_us"] - calls["start_us"],
        calls["tariff"],
        calls["pool"],
        months,
        calls["blockable"],
        catalog.tariffs(),
        scenario.rates.billing_increment_s,
        allotments_s(scenario.plans),
    )
    return CallStream(
        start_us=calls["start_us"],
        end_us=calls["end_us"],
        service=calls["service"],
        services=tuple(catalog.services),
        charge_minor=rated.charge_minor,
        credit_billed=rated.credit_billed,
        billed_min=rated.billed_min,
        pool=calls["pool"],
        pool_min=rated.pool_min,
        pools=POOLS,
    )
