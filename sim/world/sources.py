"""The sources of calls: meetings, big meetings (``sim.world.big_meetings``), users' own
calls, generic streams.

Each source turns its scenario section into a ``Draft``: unrated calls (start,
end, service, tariff, pool eligibility, blockable) as numpy columns, drawn in
bulk from its own Generator. A ``Catalog`` numbers the services and tariffs a
scenario uses; it is filled from the scenario alone, before any draw, so the
service list and a missing rate do not depend on luck.

Durations are whole seconds, at least 1 s (a zero-length call is not a call).
Meeting participants (meetings and big meetings alike):

- a dial-in joins at start + join jitter and leaves at end - leave jitter; the
  join is clipped into the meeting and the call lasts at least 1 s;
- it is toll-free with probability ``toll_free_share`` (service
  ``toll_free_dial_in``, rate (country, "toll_free", "inbound")), otherwise a
  toll dial-in (service ``inbound``, free under Audio Conferencing);
- a dial-out (everyday meetings only) runs from a jittered join to the meeting
  end (service ``dial_out``, rate (country, number_type, "outbound")); it draws
  on the Audio Conferencing pool when the country is in Zone A.

Users' own calls are drawn in ``sim.world.user_calls`` (the plan holders' rule
lives there and in ``sim.world.plans``). Generic ``[[streams]]`` never draw on a
pool: they stand for services (auto attendants, call queues) that no plan covers.

Calls on the business-hours grid (users' calls and streams) come in batches
(``Batch``): calls of one service, tariff and pool, with a count per slot and a
length per call drawn at once, and start instants drawn only when needed (most
users' calls are plan calls that a pool covers: they need a count and a length,
for the pool, but no start unless somebody lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from sim.account.clock import MICROS_PER_SECOND
from sim.account.money import Currency
from sim.world.arrivals import ArrivalGrid, draw_arrivals, slot_starts
from sim.world.distributions import sample_continuous, sample_count
from sim.world.rates import Rate, RateTable
from sim.world.rating import DIAL_OUT_POOL, NO_POOL, Tariffs, whole_seconds
from sim.world.scenario import (
    ZONE_A,
    BigMeeting,
    Destination,
    Meetings,
    Stream,
    Users,
)
from sim.world.scenario_types import Continuous

FREE = 0
"""Tariff 0: no fee, no rate (toll dial-ins under Audio Conferencing)."""


class Catalog:
    """Service names and tariffs a scenario uses, numbered in first-use order."""

    def __init__(self, rates: RateTable, cur: Currency, increment_s: int | None = None) -> None:
        self.rates, self.currency = rates, cur
        self.increment_s = increment_s  # given: pooled batches sum their billed seconds a month
        self.services: list[str] = []
        self._tariffs: list[Rate] = [Rate(Decimal(0))]

    def service(self, name: str) -> int:
        """The index of a service name (added on first use)."""
        if name not in self.services:
            self.services.append(name)
        return self.services.index(name)

    def tariff(self, rate: Rate) -> int:
        """The index of a price (equal prices share an index)."""
        if rate not in self._tariffs:
            self._tariffs.append(rate)
        return self._tariffs.index(rate)

    def lookup(self, country: str, number_type: str, direction: str) -> int:
        """The tariff of a rate-table entry; LookupError names a missing one."""
        return self.tariff(self.rates.lookup(country, number_type, direction))

    def tariffs(self) -> Tariffs:
        """All tariffs scaled to exact integers (ValueError on too fine a rate)."""
        return Tariffs.of(self._tariffs, self.currency)


@dataclass(frozen=True)
class Draft:
    """Unrated calls of one source, as equal-length columns."""

    start_us: np.ndarray
    end_us: np.ndarray
    service: np.ndarray
    tariff: np.ndarray
    pool: np.ndarray
    blockable: np.ndarray

    @classmethod
    def of(
        cls,
        start_us: np.ndarray,
        length_s: np.ndarray,
        service: np.ndarray | int,
        tariff: np.ndarray | int,
        pool: np.ndarray | int = NO_POOL,
        blockable: bool = True,
    ) -> Draft:
        """Build from starts and whole-second lengths; scalars are broadcast."""
        size = len(start_us)
        return cls(
            start_us=start_us.astype(np.int64),
            end_us=(start_us + length_s * MICROS_PER_SECOND).astype(np.int64),
            service=np.broadcast_to(service, size).astype(np.int16),
            tariff=np.broadcast_to(tariff, size).astype(np.int32),
            pool=np.broadcast_to(pool, size).astype(np.int8),
            blockable=np.full(size, blockable),
        )


def seconds(dist: Continuous, size: int, rng: np.random.Generator, *, least: int = 1) -> np.ndarray:
    """Draws in minutes as whole seconds (nearest), at least ``least``."""
    draws = sample_continuous(dist, size, rng)  # a new array: scaled in place
    draws *= 60
    whole = np.empty(size, dtype=np.int64)
    np.rint(draws, out=whole, casting="unsafe")
    np.maximum(whole, least, out=whole)
    return whole


def _pick(shares: list[float], size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn with probabilities proportional to ``shares``."""
    weights = np.asarray(shares, dtype=np.float64)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def normalised(shares: list[float]) -> np.ndarray:
    """``shares`` normalised to probabilities."""
    weights = np.asarray(shares, dtype=np.float64)
    return weights / weights.sum()


# -- batches on the business-hours grid -------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Calls on the arrival grid of one service, tariff and pool; starts drawn on demand.

    ``first_call[s]`` is the index of slot ``s``'s first call (calls are in slot
    order; one more entry than slots), ``lengths`` each call's whole seconds as
    float64 (``length_s`` gives them as int64), ``longest_s`` the longest, and
    ``month_use_s`` the billed seconds a month when the batch has a pool and the
    catalog an increment (``sim.world.rating.whole_seconds``).
    Call ``i`` starts at its slot's open instant + floor(u_i x the slot's open
    seconds) whole seconds, u_i being the i-th uniform of a PCG64 seeded with
    ``offsets``: any run of slots can be drawn alone (``starts``) and gives the
    same instants as drawing them all, so which calls a replication lists never
    changes what they are.
    """

    grid: ArrivalGrid
    first_call: np.ndarray
    lengths: np.ndarray
    longest_s: float
    month_use_s: np.ndarray | None
    service: int
    tariff: int
    pool: int
    blockable: bool
    offsets: np.random.SeedSequence

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def length_s(self) -> np.ndarray:
        """Each call's whole seconds as int64 (a new array on every read)."""
        return self.lengths.astype(np.int64)

    def starts(self, first_slot: int, last_slot: int) -> np.ndarray:
        """Start instants of the calls of slots [first_slot, last_slot), in order."""
        low, high = int(self.first_call[first_slot]), int(self.first_call[last_slot])
        bits = np.random.PCG64(self.offsets)
        bits.advance(low)
        counts = np.diff(self.first_call[first_slot : last_slot + 1])
        slot = np.repeat(np.arange(first_slot, last_slot), counts)
        return slot_starts(self.grid, slot, np.random.Generator(bits).random(high - low))


def grid_batch(
    grid: ArrivalGrid,
    expected: np.ndarray,
    duration: Continuous,
    service: int,
    tariff: int,
    rng: np.random.Generator,
    *,
    pool: int = NO_POOL,
    blockable: bool = True,
    increment_s: int | None = None,
) -> Batch:
    """Poisson counts per slot, then lengths, from ``rng``; the start offsets' seed spawned.

    ``increment_s``: the billing increment, to sum a pooled batch's billed seconds
    per month as its lengths are made whole (``sim.world.rating.whole_seconds``).
    """
    counts = rng.poisson(expected)
    first_call = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=first_call[1:])
    lengths = sample_continuous(duration, int(first_call[-1]), rng)  # a new array: made whole
    billing = increment_s if pool != NO_POOL else None
    longest_s, use_s = whole_seconds(lengths, first_call[grid.month_slots], billing)
    return Batch(
        grid=grid,
        first_call=first_call,
        lengths=lengths,
        longest_s=longest_s,
        month_use_s=use_s,
        service=service,
        tariff=tariff,
        pool=pool,
        blockable=blockable,
        offsets=_seed_sequence(rng).spawn(1)[0],
    )


# -- meetings -----------------------------------------------------------------


def meeting_calls(
    meetings: Meetings,
    users: Users,
    grid: ArrivalGrid,
    catalog: Catalog,
    rng: np.random.Generator,
) -> list[Draft]:
    """Everyday meetings: starts on the business calendar, then dial-ins and dial-outs."""
    arrive, length, ins, outs = rng.spawn(4)
    start_us = draw_arrivals(grid, grid.expected(meetings.per_user_per_day, users), arrive)
    length_s = seconds(meetings.duration_min, len(start_us), length)
    return [
        dial_in_calls(meetings, start_us, length_s, catalog, ins),
        dial_out_calls(meetings, start_us, length_s, catalog, outs),
    ]


def dial_in_calls(
    meeting: Meetings | BigMeeting,
    start_us: np.ndarray,
    length_s: np.ndarray,
    catalog: Catalog,
    rng: np.random.Generator,
) -> Draft:
    """The dial-in participants of meetings with these starts and lengths."""
    toll_free, inbound = catalog.service("toll_free_dial_in"), catalog.service("inbound")
    countries = list(meeting.dial_in_countries)
    priced = meeting.toll_free_share > 0
    rates = np.asarray(
        [catalog.lookup(c, "toll_free", "inbound") if priced else FREE for c in countries]
    )
    owner = _owners(sample_count(meeting.dial_ins, len(start_us), rng))
    join_s, stay_s = _attendance(meeting, length_s[owner], rng)
    is_toll_free = rng.random(len(owner)) < meeting.toll_free_share
    country = _pick(list(meeting.dial_in_countries.values()), len(owner), rng)
    return Draft.of(
        start_us[owner] + join_s * MICROS_PER_SECOND,
        stay_s,
        np.where(is_toll_free, toll_free, inbound),
        np.where(is_toll_free, rates[country], FREE),
    )


def _owners(counts: np.ndarray) -> np.ndarray:
    """For each participant, the index of its meeting (``counts`` per meeting)."""
    return np.repeat(np.arange(len(counts)), counts)


def _attendance(
    meeting: Meetings | BigMeeting, length_s: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(join offset, seconds on the call) per participant, jittered and clipped."""
    join_s = np.minimum(seconds(meeting.join_jitter_min, len(length_s), rng, least=0), length_s - 1)
    leave_s = length_s - seconds(meeting.leave_jitter_min, len(length_s), rng, least=0)
    return join_s, np.maximum(leave_s - join_s, 1)


def dial_out_calls(
    meetings: Meetings,
    start_us: np.ndarray,
    length_s: np.ndarray,
    catalog: Catalog,
    rng: np.random.Generator,
) -> Draft:
    """Dial-outs from meetings: jittered join until the meeting ends."""
    destinations = meetings.dial_out_destinations
    service = catalog.service("dial_out")
    if not destinations:  # the schema then allows no dial-outs
        return Draft.of(start_us[:0], length_s[:0], service, FREE)
    rates = destination_tariffs(destinations, catalog)
    pools = np.asarray([_dial_out_pool(d) for d in destinations], dtype=np.int8)
    owner = _owners(sample_count(meetings.dial_outs, len(start_us), rng))
    join_s = seconds(meetings.join_jitter_min, len(owner), rng, least=0)
    join_s = np.minimum(join_s, length_s[owner] - 1)
    chosen = _pick([d.share for d in destinations], len(owner), rng)
    return Draft.of(
        start_us[owner] + join_s * MICROS_PER_SECOND,
        length_s[owner] - join_s,
        service,
        rates[chosen],
        pools[chosen],
    )


def destination_tariffs(destinations: tuple[Destination, ...], catalog: Catalog) -> np.ndarray:
    """Outbound tariff of each destination, in order."""
    return np.asarray(
        [catalog.lookup(d.country, d.number_type, "outbound") for d in destinations],
        dtype=np.int32,
    )


def _dial_out_pool(destination: Destination) -> int:
    """Audio Conferencing pooled minutes cover Zone A landlines and mobiles only."""
    return DIAL_OUT_POOL if destination.country in ZONE_A else NO_POOL


# -- generic streams (drawn in sim.world.streams) ---------------------------------


def stream_rate(stream: Stream, rates: RateTable) -> Rate:
    """The stream's own price if given, else the rate table's (its fee overridable)."""
    if stream.rate_per_min is not None:
        return Rate(stream.rate_per_min, stream.connection_fee or Decimal(0))
    assert stream.country is not None and stream.number_type is not None  # schema-checked
    table = rates.lookup(stream.country, stream.number_type, stream.direction)
    if stream.connection_fee is None:
        return table
    return Rate(table.rate_per_min, stream.connection_fee)


def _seed_sequence(rng: np.random.Generator) -> np.random.SeedSequence:
    """The SeedSequence behind ``rng`` (every generator here is made from one)."""
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):
        raise TypeError(f"rng must be made from a SeedSequence, not {type(seq).__name__}")
    return seq
