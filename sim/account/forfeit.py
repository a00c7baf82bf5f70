"""What a run leaves behind: the lots still open at its end, and what they will forfeit.

Why: a backtest of last quarter says nothing was forfeited, because no lot
could have expired yet; the money at risk is in the lots still open. This
projects their fate with one stated rule (docs/model.md#forfeit-projection):
spending goes on at the window's average rate per day, oldest lot first, and
whatever a lot still holds at its expiry is forfeited. Exact integers: the rate
is kept as the fraction consumed / window length, never as a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.account.clock import MICROS_PER_DAY, Instant, to_iso
from sim.account.money import Currency, to_number
from sim.account.outcome import Outcome


@dataclass(frozen=True, slots=True)
class OpenLot:
    """A lot with money left at the end of a run, and what it would forfeit."""

    purchased: Instant
    expires: Instant
    remaining_minor: int
    forfeit_minor: int
    """What the projection leaves in it at its expiry."""


@dataclass(frozen=True, slots=True)
class ForfeitProjection:
    """The open lots at ``end`` and the projection of their forfeits (oldest lot first)."""

    currency: Currency
    end: Instant
    consumed_minor: int
    span_us: int
    lots: tuple[OpenLot, ...]

    @property
    def total_minor(self) -> int:
        """Everything the open lots would forfeit."""
        return sum(lot.forfeit_minor for lot in self.lots)

    @property
    def rate_per_day_minor(self) -> float:
        """The window's average spending per day (for display; the projection is exact)."""
        return self.consumed_minor * MICROS_PER_DAY / self.span_us if self.span_us else 0.0

    def open_lots_dict(self) -> list[dict[str, Any]]:
        """``open_lots`` of ``credsim backtest --json``: purchased, remaining, expires."""
        return [
            {
                "purchased": to_iso(lot.purchased),
                "remaining": to_number(lot.remaining_minor, self.currency),
                "expires": to_iso(lot.expires),
            }
            for lot in self.lots
        ]

    def to_dict(self) -> dict[str, Any]:
        """``forfeit_projection`` of ``credsim backtest --json``."""
        return {
            "rule": "spending goes on at the window's average rate per day, oldest lot first",
            "rate_per_day": round(to_number(self.rate_per_day_minor, self.currency), 6),
            "lots": [
                {
                    "purchased": to_iso(lot.purchased),
                    "expires": to_iso(lot.expires),
                    "forfeited": to_number(lot.forfeit_minor, self.currency),
                }
                for lot in self.lots
            ],
            "total": to_number(self.total_minor, self.currency),
        }


def project_forfeits(outcome: Outcome) -> ForfeitProjection:
    """The lots open at ``outcome.end`` and what each forfeits if spending goes on.

    From the end, the lots are spent oldest first at the window's average rate
    (``consumed / (end - start)``): a lot is spent from when the one before it
    ran out (or expired) until it runs out or expires, and forfeits what is
    left then. A window of no length or no spending spends nothing: every open
    lot forfeits all it holds.
    """
    span_us, consumed = outcome.end - outcome.start, outcome.consumed_minor
    held = sorted(
        (lot for lot in outcome.lots if lot.remaining_minor > 0 and lot.expires_at > outcome.end),
        key=lambda lot: (lot.expires_at, lot.id),
    )
    cursor = outcome.end
    lots = []
    for lot in held:
        spent = 0
        if consumed > 0 and span_us > 0 and lot.expires_at > cursor:
            spent = min(lot.remaining_minor, consumed * (lot.expires_at - cursor) // span_us)
            cursor += -(-spent * span_us // consumed)  # the time that spending takes, rounded up
        if spent < lot.remaining_minor:  # it expired with money left: the next lot starts then
            cursor = max(cursor, lot.expires_at)
        left = lot.remaining_minor - spent
        lots.append(OpenLot(lot.purchased_at, lot.expires_at, lot.remaining_minor, left))
    return ForfeitProjection(outcome.currency, outcome.end, consumed, span_us, tuple(lots))
