"""The account as it stands when a run starts: lots already held and a recharge on its way.

Why a record of its own: a tenant never starts from nothing. Lots bought
before the run keep their own purchase instants, so each still expires 12
months after ITS purchase (``sim.account.ledger``) and a forfeiture forecast
counts the money already held. A recharge requested before the run but not yet
credited (``pending``) arrives at its instant as money already paid for: it is
not one of the run's recharges (docs/model.md#opening-account).

Pure Python and exact minor units, like the ledger; the scenario's
``[opening]`` section, ``--balance`` and ``--lots`` all become one of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

from sim.account.clock import Instant, add_months, to_iso
from sim.account.ledger import LOT_VALIDITY_MONTHS
from sim.limits import MONEY_MAX_MINOR, OPENING_LOTS_MAX


def _whole(name: str, value: object) -> int:
    """``value`` as an int, refusing bools, floats and the like with the field's name."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}(={value!r}) must be an integer")
    return int(value)


@dataclass(frozen=True, slots=True)
class Opening:
    """Lots held at the start as ``(purchased_us, remaining_minor)``, and an optional
    pending recharge ``(at_us, amount_minor)``.

    Checked on construction (each amount > 0 and within ``MONEY_MAX_MINOR``,
    the total too, at most ``OPENING_LOTS_MAX`` lots); whether they fit a run's
    start is ``problems(start)``, since the same lots may open several runs.
    """

    lots: tuple[tuple[Instant, int], ...] = ()
    pending: tuple[Instant, int] | None = None

    def __post_init__(self) -> None:
        if len(self.lots) > OPENING_LOTS_MAX:
            raise ValueError(
                f"{len(self.lots):,} opening lots are more than {OPENING_LOTS_MAX:,} "
                "(OPENING_LOTS_MAX in sim/limits.py)"
            )
        amounts = [(f"lots[{index}]", lot) for index, lot in enumerate(self.lots)]
        if self.pending is not None:
            amounts.append(("pending", self.pending))
        for name, (at, amount) in amounts:
            _whole(f"{name} instant", at)
            _whole(f"{name} amount", amount)
            if amount <= 0:
                raise ValueError(f"{name} amount(={amount}) must be > 0")
        total = sum(amount for _, (_, amount) in amounts)
        if total > MONEY_MAX_MINOR:
            raise ValueError(
                f"the opening account's total {total:,} minor units is beyond the supported "
                f"{MONEY_MAX_MINOR:,} (MONEY_MAX_MINOR in sim/limits.py)"
            )

    @classmethod
    def single(cls, balance_minor: int, at_us: Instant) -> Opening:
        """One lot of ``balance_minor`` bought at ``at_us`` (none when the balance is 0)."""
        if balance_minor < 0:
            raise ValueError(f"balance(={balance_minor}) must be >= 0")
        return cls(lots=((at_us, balance_minor),) if balance_minor else ())

    @property
    def balance_minor(self) -> int:
        """The money held at the start (the pending recharge is not yet in it)."""
        return sum(amount for _, amount in self.lots)

    @property
    def by_purchase(self) -> tuple[tuple[Instant, int], ...]:
        """The lots oldest first: the order the ledger funds (and so spends) them."""
        return tuple(sorted(self.lots, key=lambda lot: lot[0]))

    def problems(self, start: Instant) -> list[str]:
        """Why these lots cannot open a run starting at ``start`` (empty when they can).

        A lot must be bought at or before the start and must not have expired
        by then (it expires 12 months after its purchase); a pending recharge
        arrives at or after the start.
        """
        found = []
        for index, (purchased, _) in enumerate(self.lots):
            expires = expiry_of(purchased)
            if purchased > start:
                found.append(
                    f"lots[{index}]: purchased {to_iso(purchased)} is after the start "
                    f"{to_iso(start)}; an opening lot is one already held"
                )
            elif expires <= start:
                found.append(
                    f"lots[{index}]: purchased {to_iso(purchased)} expired {to_iso(expires)}, "
                    f"{LOT_VALIDITY_MONTHS} months later, at or before the start {to_iso(start)}"
                )
        if self.pending is not None and self.pending[0] < start:
            found.append(
                f"pending_recharge: at {to_iso(self.pending[0])} is before the start "
                f"{to_iso(start)}; a recharge credited before then is a lot"
            )
        return found


def expiry_of(purchased_us: Instant) -> Instant:
    """When a lot bought at ``purchased_us`` expires (the ledger's rule)."""
    return add_months(purchased_us, LOT_VALIDITY_MONTHS)
