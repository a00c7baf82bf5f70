"""Demand: a Scenario and a Generator become one rated, policy-independent CallStream.

Why this shape: the model rules make rating independent of the ledger, so a
replication's calls are drawn and priced once, here, and replayed against
every policy (common random numbers). Generation is vectorised per source.

Random streams. ``generate`` spawns four children of ``rng`` in a fixed order
(meetings, big meetings, user calling, streams); big meetings and streams
spawn one grandchild each, in file order (a stream with ``destinations``
splits its grandchild once per destination: ``sim.world.streams``), users'
calls one per batch
(``sim.world.user_calls``), and every source splits its child further by
purpose (arrivals, lengths, participants, start offsets). Adding a source, or
a big meeting or stream at the end of its list, therefore leaves every other
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
big meetings (file order), users' international calls (by destination, file
order), users' domestic calls (by number type), each split into plan holders'
then others' calls (``sim.world.user_calls``), streams (file order; a stream's
destinations in their order); within a batch, slot order then draw order. A
call's place in that order is its ``seq``.

Rating and pools: see ``sim.world.rating``; months are calendar months of the call's
start in the scenario's ``[calendar]`` zone.

Free calls are not sorted. Only charged calls (``CallStream.free_mask`` false)
reach the ledger, so ``generate`` sorts and rates only the calls that might be
charged and returns a ``DemandStream`` that builds the rest on demand
(``sim.world.demand_stream``). A call is surely free, and skipped, when it draws on a
pool whose month does not overflow (every such call takes all its billed
minutes from the pool, whatever the order: the pool's total use fits), or when
its tariff is free and it draws on no pool. Grid batches
(``sim.world.sources.Batch``) go further: their start instants are drawn only for
the months in which a call might be charged (its pool overflows in that month,
or its tariff is not free and it has no pool) or might end after the horizon
(the last slots), which is where exactness needs the instants; the other
months keep only their counts and lengths (what the pools and ``len`` need)
until a column is read. Each part draws from its own generator, so the
stream's calls are the same whatever is read, and ``generate(...,
detail=True)`` (every column built at once) gives the same charged calls.
"""

from __future__ import annotations

import numpy as np

from sim.account.clock import MICROS_PER_SECOND
from sim.account.money import currency
from sim.account.stream import COLUMNS, CallStream
from sim.world.arrivals import ArrivalGrid, MonthBounds, arrival_grid, horizon, month_bounds
from sim.world.big_meetings import big_meeting_calls
from sim.world.demand_stream import (
    FREE_COLUMNS,
    CountedFree,
    DemandStream,
    DrawnFree,
    FreeCalls,
    UndrawnFree,
)
from sim.world.demand_summary import DemandSummary, summarize
from sim.world.plans import allotments_s
from sim.world.rates import RateTable
from sim.world.rating import NO_POOL, POOLS, billed_seconds, month_use_s, rate_billed
from sim.world.scenario import Scenario
from sim.world.sources import (
    Batch,
    Catalog,
    Draft,
    meeting_calls,
)
from sim.world.stream_profile import business_streams
from sim.world.streams import stream_batches, stream_grid
from sim.world.user_calls import user_calls

__all__ = ["DemandSummary", "generate", "summarize"]

Columns = dict[str, np.ndarray]
_DRAFT_COLUMNS = ("start_us", "end_us", "service", "tariff", "pool", "blockable")
_FREE_DRAWN = ("start_us", "end_us", "service", "pool", "seq", "billed_s")


def generate(
    scenario: Scenario,
    rates: RateTable,
    rng: np.random.Generator,
    *,
    detail: bool = False,
    keep_free: bool = True,
) -> CallStream:
    """Draw and rate one replication's calls (see the module docstring for the rules).

    Returns a ``DemandStream``: its free calls are built when first read.
    ``detail=True`` builds every column now and returns a plain CallStream of
    the same calls (for listing them all). ``keep_free=False`` only counts the
    free calls (``CountedFree``): the same draws and charged calls, less memory,
    but the free calls cannot be listed nor the charged ones numbered.

    Raises LookupError when the rate table lacks a rate the scenario needs,
    ValueError when a rate is finer than 10^-6 of the minor unit.
    """
    catalog = Catalog(
        rates, currency(scenario.scenario.currency), scenario.rates.billing_increment_s
    )
    drafts, batches = _sources(scenario, catalog, rng)
    stream = _assemble(drafts, batches, scenario, catalog, keep_free=keep_free or detail)
    return stream.materialised() if detail else stream


def _sources(
    scenario: Scenario, catalog: Catalog, rng: np.random.Generator
) -> tuple[list[Draft], list[Batch]]:
    """Every source's unrated calls, in generation order (drafts come first)."""
    meetings_rng, big_rng, users_rng, streams_rng = rng.spawn(4)
    span = horizon(scenario.scenario)
    grid = _grid(scenario, span)
    drafts: list[Draft] = []
    batches: list[Batch] = []
    if scenario.meetings is not None:
        drafts += meeting_calls(scenario.meetings, scenario.users, grid, catalog, meetings_rng)
    calendar = scenario.calendar
    for meeting, child in zip(
        scenario.big_meetings, big_rng.spawn(len(scenario.big_meetings)), strict=True
    ):
        drafts.append(big_meeting_calls(meeting, calendar, span, catalog, child))
    if scenario.user_calling is not None:
        batches += user_calls(
            scenario.user_calling, scenario.users, scenario.plans, grid, catalog, users_rng
        )
    for stream, child in zip(
        scenario.streams, streams_rng.spawn(len(scenario.streams)), strict=True
    ):
        arrivals = stream_grid(stream, calendar, span, grid)
        batches += stream_batches(stream, calendar, arrivals, catalog, child)
    return drafts, batches


def _grid(scenario: Scenario, span: tuple[int, int]) -> ArrivalGrid:
    """The business-hours grid, built only when a source on business hours needs it."""
    if scenario.meetings or scenario.user_calling or business_streams(scenario):
        return arrival_grid(scenario.calendar, *span)
    return ArrivalGrid.empty()


class _Pricing:
    """What rating needs, for one scenario: months, tariffs, increment, allotments."""

    def __init__(self, scenario: Scenario, catalog: Catalog) -> None:
        self.span = horizon(scenario.scenario)
        self.bounds: MonthBounds = month_bounds(scenario.calendar.timezone, *self.span)
        self.tariffs = catalog.tariffs()
        self.free_tariff = (self.tariffs.fee_scaled == 0) & (self.tariffs.rate_scaled == 0)
        self.increment_s = scenario.rates.billing_increment_s
        self.allotment_s = allotments_s(scenario)  # (pool, month)

    def kept(self, calls: Columns) -> Columns:
        """The calls that start in the horizon and end by its end, with month and billed seconds."""
        start_us, end_us = self.span
        starts = calls["start_us"]
        keep = (starts >= start_us) & (starts < end_us) & (calls["end_us"] <= end_us)
        if not keep.all():
            calls = _take(calls, keep)
        return calls | {
            "month": self.bounds.index(calls["start_us"]),
            "billed_s": billed_seconds(calls["end_us"] - calls["start_us"], self.increment_s),
        }


def _assemble(
    drafts: list[Draft],
    batches: list[Batch],
    scenario: Scenario,
    catalog: Catalog,
    *,
    keep_free: bool = True,
) -> DemandStream:
    """Keep the horizon, find the pools' overflowing months, sort and rate what may be charged.

    ``drafts`` and ``batches`` are the caller's scratch: emptied before rating, so that
    without ``keep_free`` the draws of free calls are let go before its peak."""
    pricing = _Pricing(scenario, catalog)
    drawn = pricing.kept(_concat([_draft_columns(draft) for draft in drafts]))
    use = np.zeros((len(POOLS), len(pricing.bounds.labels)), dtype=np.int64)
    pooled = drawn["pool"] >= 0
    np.add.at(use, (drawn["pool"][pooled], drawn["month"][pooled]), drawn["billed_s"][pooled])
    seq = sum(len(draft.start_us) for draft in drafts)
    plans = []
    for batch in batches:
        plans.append(_BatchPlan(batch, seq, pricing))
        seq += len(batch)
        if batch.pool != NO_POOL:
            use[batch.pool] += plans[-1].month_use_s()
    overflow = use > pricing.allotment_s
    surely_free = _surely_free(drawn, overflow, pricing)
    free: list[FreeCalls] = [
        DrawnFree(_free_columns(_take(drawn, np.flatnonzero(surely_free), _FREE_DRAWN)))
    ]
    maybe = [_take(drawn, np.flatnonzero(~surely_free))]
    del drawn, surely_free
    for plan in plans:
        free += plan.split(overflow, pricing, maybe)
    del plans
    drafts.clear()
    batches.clear()
    if not keep_free:
        free = [CountedFree(sum(len(part) for part in free))]
    charged, charged_seq, rated_free = _rate(_concat(maybe), pricing, catalog)
    last: FreeCalls = DrawnFree(rated_free) if keep_free else CountedFree(len(rated_free["seq"]))
    return DemandStream(charged, charged_seq, [*free, last])


def _surely_free(calls: Columns, overflow: np.ndarray, pricing: _Pricing) -> np.ndarray:
    """Calls that cost nothing whatever the order: on a pool that does not overflow that
    month, or on no pool at a free tariff."""
    free_tariff = pricing.free_tariff[calls["tariff"]]
    if not overflow.any():  # the usual case: every pooled call is free
        return (calls["pool"] >= 0) | free_tariff
    pool = calls["pool"].astype(np.intp)
    return np.where(pool >= 0, ~overflow[np.maximum(pool, 0), calls["month"]], free_tariff)


class _BatchPlan:
    """A grid batch's use of its pool per month, and which months may need start instants."""

    def __init__(self, batch: Batch, seq: int, pricing: _Pricing) -> None:
        self.batch, self.seq, self.increment_s = batch, seq, pricing.increment_s
        grid = batch.grid
        self.month_calls = batch.first_call[grid.month_slots]
        self.late = np.zeros(len(self.month_calls) - 1, dtype=bool)
        if len(batch):
            longest_us = int(batch.longest_s) * MICROS_PER_SECOND
            slot_end_us = grid.start_us + grid.length_s * MICROS_PER_SECOND
            self.late[grid.month[slot_end_us + longest_us > pricing.span[1]]] = True

    def month_use_s(self) -> np.ndarray:
        """Billed seconds per month (what the batch takes from its pool, if it has one)."""
        if self.batch.month_use_s is not None:  # summed as the lengths were drawn
            return self.batch.month_use_s
        return month_use_s(self.batch.lengths, self.month_calls, self.increment_s)

    def split(
        self, overflow: np.ndarray, pricing: _Pricing, maybe: list[Columns]
    ) -> list[FreeCalls]:
        """Append the columns of the months that may hold a charged call to ``maybe``; return
        the free calls: drawn in months that may hold a late call, undrawn in the others."""
        batch = self.batch
        if batch.pool != NO_POOL:
            charged = overflow[batch.pool].copy()
        else:
            charged = np.full_like(self.late, not pricing.free_tariff[batch.tariff])
        busy = np.diff(self.month_calls) > 0
        for a, b in _runs(charged & busy):
            chunk = self._columns(a, b)
            maybe.append(pricing.kept(chunk) if self.late[a:b].any() else chunk)
        free: list[FreeCalls] = [
            DrawnFree(_free_columns(pricing.kept(self._columns(a, b))))
            for a, b in _runs(~charged & self.late & busy)
        ]
        rest = _runs(~charged & ~self.late & busy)
        if rest:
            slots = batch.grid.month_slots
            runs = [(int(slots[a]), int(slots[b])) for a, b in rest]
            free.append(UndrawnFree(batch, self.seq, runs, self.increment_s))
        return free

    def _columns(self, first_month: int, last_month: int) -> Columns:
        """The calls of months [first_month, last_month), with their month and billed seconds."""
        batch = self.batch
        slots = batch.grid.month_slots
        low, high = int(self.month_calls[first_month]), int(self.month_calls[last_month])
        start_us = batch.starts(int(slots[first_month]), int(slots[last_month]))
        length_s = batch.lengths[low:high].astype(np.int64)
        size = high - low
        months = np.arange(first_month, last_month)
        step = self.increment_s
        return {
            "start_us": start_us,
            "end_us": start_us + length_s * MICROS_PER_SECOND,
            "service": np.full(size, batch.service, dtype=np.int16),
            "tariff": np.full(size, batch.tariff, dtype=np.int32),
            "pool": np.full(size, batch.pool, dtype=np.int8),
            "blockable": np.full(size, batch.blockable),
            "seq": np.arange(self.seq + low, self.seq + high, dtype=np.int64),
            "month": np.repeat(months, np.diff(self.month_calls[first_month : last_month + 1])),
            "billed_s": -(-length_s // step) * step,
        }


def _rate(
    calls: Columns, pricing: _Pricing, catalog: Catalog
) -> tuple[CallStream, np.ndarray, Columns]:
    """Rate calls that may be charged, sort the charged ones stably by start: (charged, their
    seq, the free ones). Calls are in seq order; only the pools need the stream order."""
    # (start, seq) order: the calls are in seq order, so a stable sort by start gives it.
    # numpy's stable argsort (timsort) uses the runs a source's arrivals already come in:
    # 0.4-0.5 times ``sorted_ties``'s one packed-key sort for enterprise's 400,000 calls here.
    order = np.argsort(calls["start_us"], kind="stable")
    rated = rate_billed(
        calls["billed_s"],
        calls["tariff"],
        calls["pool"],
        calls["month"],
        calls["blockable"],
        pricing.tariffs,
        pricing.allotment_s,
        order,
    )
    is_free = (rated.charge_minor == 0) & ~rated.credit_billed
    keep = order[~is_free[order]]
    del order
    for name in ("tariff", "blockable", "month", "billed_s"):  # rated: not needed any more
        del calls[name]
    calls |= {"billed_min": rated.billed_min, "pool_min": rated.pool_min}
    calls |= {"charge_minor": rated.charge_minor, "credit_billed": rated.credit_billed}
    del rated
    free = _take(calls, np.flatnonzero(is_free), FREE_COLUMNS)
    # each column gathered, then let go: fewer pages alive at once for the system to hand out
    charged = {name: calls.pop(name)[keep] for name in [*COLUMNS, "seq"]}
    seq = charged.pop("seq")
    return CallStream(**charged, services=tuple(catalog.services), pools=POOLS), seq, free


def _free_columns(calls: Columns) -> Columns:
    """Columns of surely free calls: all billed minutes from a pool if they draw on one."""
    billed_s = calls["billed_s"]
    return calls | {
        "billed_min": np.zeros(len(billed_s)),
        "pool_min": np.where(calls["pool"] >= 0, billed_s, 0) / 60.0,
    }


def _draft_columns(draft: Draft) -> Columns:
    return {name: getattr(draft, name) for name in _DRAFT_COLUMNS}


def _concat(parts: list[Columns]) -> Columns:
    """Columns of several parts, one after the other; a draft part gets its ``seq`` here.

    The parts are emptied column by column as they are joined (they are the
    caller's scratch): less memory alive at once, fewer pages to fault in again.
    """
    if not parts:
        return _empty()
    offset = 0
    for part in parts:
        size = len(part["start_us"])
        if "seq" not in part:
            part["seq"] = np.arange(offset, offset + size, dtype=np.int64)
        offset += size
    return {name: np.concatenate([part.pop(name) for part in parts]) for name in list(parts[0])}


def _empty() -> Columns:
    return {
        "start_us": np.zeros(0, dtype=np.int64),
        "end_us": np.zeros(0, dtype=np.int64),
        "service": np.zeros(0, dtype=np.int16),
        "tariff": np.zeros(0, dtype=np.int32),
        "pool": np.zeros(0, dtype=np.int8),
        "blockable": np.zeros(0, dtype=bool),
        "seq": np.zeros(0, dtype=np.int64),
    }


def _take(calls: Columns, rows: np.ndarray, names: tuple[str, ...] | None = None) -> Columns:
    """Rows (indices or a mask) of the columns ``names`` (all by default)."""
    if rows.dtype == bool:
        rows = np.flatnonzero(rows)
    return {name: calls[name].take(rows) for name in names or calls}


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs [a, b) of True in ``flags`` (one per month: Python beats numpy's calls)."""
    runs: list[tuple[int, int]] = []
    opened = -1
    for index, flag in enumerate([*flags.tolist(), False]):
        if flag and opened < 0:
            opened = index
        elif not flag and opened >= 0:
            runs.append((opened, index))
            opened = -1
    return runs
