"""Outcome: what one run measures (EMA Workbench's "outcomes").

A flat record of exact integers (minor units, microseconds, counts) kept as the
engine produced them; ``to_dict`` turns it into the JSON shape the CLI prints,
with money in major units rounded to the currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sim.account.clock import MICROS_PER_MINUTE, Instant, add_months, hours, to_iso
from sim.account.ledger import Lot, Source
from sim.account.money import Currency, to_number

EMAIL_KINDS = ("recharge_succeeded", "recharge_failed", "balance_depleted")
DEFERRED_FIELDS = ("lots", "daily_balance_minor")
"""The fields an engine may hand over as ``Outcome.deferred`` (built on first read)."""
Deferred = Callable[[str], list[Any]]
"""Builds the Outcome's field of that name (one of ``DEFERRED_FIELDS``)."""


@dataclass(slots=True)
class BlockedTally:
    """Calls that could not start, with the talk time and charge they would have had."""

    calls: int = 0
    duration_us: int = 0
    charge_minor: int = 0

    def add(self, duration_us: int, charge_minor: int) -> None:
        """Count one more blocked call."""
        self.calls += 1
        self.duration_us += duration_us
        self.charge_minor += charge_minor


@dataclass(slots=True)
class Outcome:
    """Everything one run of one policy against one call stream produced."""

    currency: Currency
    start: Instant
    end: Instant
    funded_by_source_minor: dict[Source, int]
    consumed_minor: int
    forfeited_minor: int
    final_balance_minor: int
    balance_integral: int
    """Balance integrated over time, in minor units x microseconds (exact)."""
    min_balance_minor: int
    recharges: int
    failed_recharges: int
    recharge_pending_at_end: bool
    calls: int
    credit_billed_calls: int
    blocked: dict[str, BlockedTally]
    outage_episodes: list[tuple[Instant, Instant]]
    emails: dict[str, int]
    lots: list[Lot] = field(default_factory=list)
    daily_balance_minor: list[int] = field(default_factory=list)
    """End-of-day balance for each whole day since the start (for balance bands)."""
    deferred: Deferred | None = field(default=None, repr=False, compare=False)
    """Builds ``lots`` and ``daily_balance_minor``, each on its first read (None once both are).

    Why: the compiled engines hold those two fields as arrays for all of a
    replication's policies; as Python objects (a ``Lot`` per purchase, an int
    per day) they were most of a ``midsize`` grid's cost on the skip engine, and
    a sweep reads them for few policies or none (docs/performance-history.md). Whoever
    reads them (equality, ``repr``, pickling and copying too) gets the same lists
    an eager engine would have made; a field set before its first read keeps
    its value. The values the two fields were given are dropped.
    """

    def __post_init__(self) -> None:
        if self.deferred is not None:
            del self.lots, self.daily_balance_minor  # unset: read through __getattr__

    if not TYPE_CHECKING:  # to mypy, a __getattr__ would make every attribute exist

        def __getattr__(self, name: str) -> Any:
            """An unset deferred field, built now (``deferred``); Python calls this only for
            attributes that are not set."""
            if name not in DEFERRED_FIELDS:
                raise AttributeError(f"'Outcome' object has no attribute {name!r}")
            deferred = object.__getattribute__(self, "deferred")  # unset before __init__
            if deferred is None:
                raise AttributeError(f"'Outcome' object has no attribute {name!r}")
            value = deferred(name)
            object.__setattr__(self, name, value)
            if all(map(self._is_set, DEFERRED_FIELDS)):
                self.deferred = None  # lets go of the engine's arrays
            return value

    def _is_set(self, name: str) -> bool:
        """Whether field ``name`` holds a value (without building it)."""
        try:
            object.__getattribute__(self, name)
        except AttributeError:
            return False
        return True

    @property
    def funded_minor(self) -> int:
        """All money added, whatever the source."""
        return sum(self.funded_by_source_minor.values())

    @property
    def mean_balance_minor(self) -> float:
        """Time-weighted mean balance over the run: the cash tied up in credits."""
        span = self.end - self.start
        return self.balance_integral / span if span else float(self.final_balance_minor)

    @property
    def blocked_total(self) -> BlockedTally:
        """Blocked calls summed over services."""
        total = BlockedTally()
        for tally in self.blocked.values():
            total.calls += tally.calls
            total.duration_us += tally.duration_us
            total.charge_minor += tally.charge_minor
        return total

    @property
    def years(self) -> list[tuple[Instant, Instant]]:
        """The run's years of operation (docs/model.md#outage-risk): [start, end) windows."""
        return year_windows(self.start, self.end)

    @property
    def years_with_outage(self) -> int:
        """How many of ``years`` any outage episode overlaps."""
        return sum(
            any(since < until_year and until > since_year for since, until in self.outage_episodes)
            for since_year, until_year in _year_windows(self.start, self.end)
        )

    @property
    def outage_us(self) -> int:
        """Total time with balance at or below zero."""
        return sum(end - start for start, end in self.outage_episodes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``credsim backtest --json`` (money in major units)."""

        def money(minor: int | float) -> float | int:
            return to_number(minor, self.currency)

        total = self.blocked_total
        return {
            "currency": self.currency.code,
            "start": to_iso(self.start),
            "end": to_iso(self.end),
            "funded": money(self.funded_minor),
            "funded_by_source": {
                source.value: money(amount)
                for source, amount in self.funded_by_source_minor.items()
                if amount or source is not Source.OPENING  # a run with no opening has no key
            },
            "consumed": money(self.consumed_minor),
            "forfeited": money(self.forfeited_minor),
            "final_balance": money(self.final_balance_minor),
            "mean_balance": money(self.mean_balance_minor),
            "min_balance": money(self.min_balance_minor),
            "recharges": self.recharges,
            "failed_recharges": self.failed_recharges,
            "recharge_pending_at_end": self.recharge_pending_at_end,
            "calls": self.calls,
            "credit_billed_calls": self.credit_billed_calls,
            "blocked_calls": total.calls,
            "blocked_minutes": _minutes(total.duration_us),
            "blocked_charge": money(total.charge_minor),
            "blocked_by_service": {
                service: {
                    "calls": tally.calls,
                    "minutes": _minutes(tally.duration_us),
                    "charge": money(tally.charge_minor),
                }
                for service, tally in sorted(self.blocked.items())
            },
            "outage_episodes": len(self.outage_episodes),
            "outage_hours": round(hours(self.outage_us), 6),
            "years": len(_year_windows(self.start, self.end)),
            "years_with_outage": self.years_with_outage,
            "emails": {kind: self.emails.get(kind, 0) for kind in EMAIL_KINDS},
        }


def year_windows(start: Instant, end: Instant) -> list[tuple[Instant, Instant]]:
    """The 12-month windows of [start, end) over which outage risk a year is counted.

    Consecutive calendar years from ``start``; when the span is not a whole
    number of years, the last window is the 12 months that end at ``end``
    (overlapping the one before), so every window is a full year; a span
    shorter than 12 months is one window of its own length. Why: "the chance
    that a year has an outage" needs windows of one length, and dropping a
    partial last year would hide an outage that starts in it.
    """
    return list(_year_windows(start, end))


@lru_cache(maxsize=64)
def _year_windows(start: Instant, end: Instant) -> tuple[tuple[Instant, Instant], ...]:
    """``year_windows``, kept: every policy of a replication (and of a sweep) has the same
    start and end, and ``add_months`` (dateutil) cost 0.4 s of issue 15's sweep computing
    the same windows 2,020 times (docs/performance.md#fixed-costs-of-a-sweep)."""
    windows = []
    since = start
    while (until := add_months(since, 12)) < end:
        windows.append((since, until))
        since = until
    windows.append((max(start, add_months(end, -12)), end))  # the last (or only) year
    return tuple(windows)


def year_count(horizon_months: int) -> int:
    """How many windows ``year_windows`` makes of a horizon of whole months."""
    return max(1, -(-horizon_months // 12))


def _minutes(duration_us: int) -> float:
    """Talk time in minutes, to the microsecond's precision that survives JSON."""
    return round(duration_us / MICROS_PER_MINUTE, 6)
