"""The credit ledger: lots, FIFO consumption, deficit, expiry and the journal.

Pure Python on purpose (no simpy, numpy or I/O): it is the one place where
money moves, shared by the backtest, the SimPy model and the fast replay, so it
must be small enough to check by hand and fast to call.

Rules (docs/model.md#lots):
- every funding is a lot that expires 12 calendar months after purchase;
- debits take from the oldest lot first; what no lot covers is a deficit
  (negative balance) that the next funding repays first;
- at expiry a lot's remainder is forfeited and journalled;
- ``funded == consumed + forfeited + balance`` after every entry.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sim.account.clock import Instant, add_months

LOT_VALIDITY_MONTHS = 12


class Source(StrEnum):
    """Where a lot's money came from."""

    INITIAL = "initial"
    AUTO_RECHARGE = "auto_recharge"
    MANUAL = "manual"
    SCHEDULED = "scheduled"
    OPENING = "opening"
    """Held when the run starts (an ``[opening]`` lot, or a recharge pending then)."""


class EntryKind(StrEnum):
    """What a journal entry records. The first three move money."""

    FUND = "fund"
    CONSUME = "consume"
    FORFEIT = "forfeit"
    RECHARGE_REQUESTED = "recharge_requested"
    RECHARGE_FAILED = "recharge_failed"
    PAYMENT_FIXED = "payment_fixed"
    EMAIL = "email"
    CALL_BLOCKED = "call_blocked"
    OUTAGE_STARTED = "outage_started"
    OUTAGE_ENDED = "outage_ended"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One append-only journal line; ``amount_minor`` is signed (+ in, - out)."""

    time: Instant
    kind: EntryKind
    amount_minor: int
    balance_after_minor: int
    lot: int | None = None
    ref: str = ""


@dataclass(slots=True)
class Lot:
    """A purchase of credits: what it brought, what is left, and where it went."""

    id: int
    source: Source
    purchased_at: Instant
    expires_at: Instant
    amount_minor: int
    remaining_minor: int
    repaid_deficit_minor: int = 0
    consumed_minor: int = 0
    forfeited_minor: int = 0


JournalSink = Callable[[JournalEntry], object]


@dataclass
class Ledger:
    """Balance of prepaid credits as FIFO lots plus a possible deficit.

    ``on_entry`` receives every journal entry as it is written (a list's
    ``append`` in tests, a CSV writer for ``--journal``, or nothing), so a
    year of a million calls does not have to be held in memory.
    """

    on_entry: JournalSink | None = None
    lots: list[Lot] = field(default_factory=list)
    balance_minor: int = 0
    deficit_minor: int = 0
    consumed_minor: int = 0
    forfeited_minor: int = 0
    funded_by_source_minor: dict[Source, int] = field(
        default_factory=lambda: dict.fromkeys(Source, 0)
    )
    _open: deque[Lot] = field(default_factory=deque, repr=False)
    _now: Instant | None = field(default=None, repr=False)

    @property
    def funded_minor(self) -> int:
        """All money ever added, whatever its source."""
        return sum(self.funded_by_source_minor.values())

    @property
    def open_lots(self) -> tuple[Lot, ...]:
        """Lots with money left, oldest first."""
        return tuple(self._open)

    def next_expiry(self) -> Instant | None:
        """When the oldest lot with money left expires, if any."""
        return self._open[0].expires_at if self._open else None

    def fund(
        self,
        time: Instant,
        amount_minor: int,
        source: Source,
        ref: str = "",
        *,
        purchased_at: Instant | None = None,
    ) -> Lot:
        """Buy a lot of ``amount_minor``; it repays any deficit first.

        ``purchased_at`` (an opening lot's, at or before ``time``) dates the lot
        and so its expiry; the journal still records the funding at ``time``.
        Such lots must be funded oldest first, before any other, so that the
        open lots stay in order of expiry.
        """
        bought = time if purchased_at is None else purchased_at
        if bought > time:
            raise ValueError(f"purchased_at(={bought}) is after the funding's time(={time})")
        if amount_minor <= 0:
            raise ValueError(f"amount_minor(={amount_minor}) must be > 0")
        self._advance(time)
        repaid = min(self.deficit_minor, amount_minor)
        self.deficit_minor -= repaid
        lot = Lot(
            id=len(self.lots) + 1,
            source=source,
            purchased_at=bought,
            expires_at=add_months(bought, LOT_VALIDITY_MONTHS),
            amount_minor=amount_minor,
            remaining_minor=amount_minor - repaid,
            repaid_deficit_minor=repaid,
        )
        self.lots.append(lot)
        if lot.remaining_minor > 0:
            self._open.append(lot)
        self.funded_by_source_minor[source] += amount_minor
        self.balance_minor += amount_minor
        self._write(time, EntryKind.FUND, amount_minor, lot.id, ref or source.value)
        return lot

    def consume(self, time: Instant, amount_minor: int, ref: str = "") -> None:
        """Debit a posted charge, oldest lot first; the rest becomes deficit."""
        if amount_minor < 0:
            raise ValueError(f"amount_minor(={amount_minor}) must be >= 0")
        self._advance(time)
        left = amount_minor
        while left and self._open:
            lot = self._open[0]
            take = min(left, lot.remaining_minor)
            lot.remaining_minor -= take
            lot.consumed_minor += take
            left -= take
            self.consumed_minor += take
            self.balance_minor -= take
            if lot.remaining_minor == 0:
                self._open.popleft()
            self._write(time, EntryKind.CONSUME, -take, lot.id, ref)
        if left:
            self.deficit_minor += left
            self.consumed_minor += left
            self.balance_minor -= left
            self._write(time, EntryKind.CONSUME, -left, None, ref)

    def expire(self, time: Instant) -> int:
        """Forfeit every lot whose expiry is at or before ``time``; return the sum.

        Every other operation does this first too, so money can never be taken
        from an expired lot, whoever calls the ledger.
        """
        before = self.forfeited_minor
        self._advance(time)
        return self.forfeited_minor - before

    def note(self, time: Instant, kind: EntryKind, ref: str = "") -> None:
        """Journal an event that moves no money (a request, an email, a block)."""
        self._advance(time)
        self._write(time, kind, 0, None, ref)

    def _advance(self, time: Instant) -> None:
        """Move the clock to ``time``, forfeiting lots that expire on the way.

        Each forfeit is journalled at its own ``expires_at``; that is never
        before the last entry, because earlier calls already expired every lot
        due by then.
        """
        if self._now is not None and time < self._now:
            raise ValueError(f"time(={time}) is before the ledger's last entry ({self._now})")
        self._now = time
        while self._open and self._open[0].expires_at <= time:
            lot = self._open.popleft()
            lot.forfeited_minor = lot.remaining_minor
            lot.remaining_minor = 0
            self.forfeited_minor += lot.forfeited_minor
            self.balance_minor -= lot.forfeited_minor
            self._write(lot.expires_at, EntryKind.FORFEIT, -lot.forfeited_minor, lot.id, "expired")

    def _write(
        self, time: Instant, kind: EntryKind, amount: int, lot: int | None, ref: str
    ) -> None:
        if self.on_entry is not None:
            self.on_entry(JournalEntry(time, kind, amount, self.balance_minor, lot, ref))
