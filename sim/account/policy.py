"""Policies: the levers a finance planner sets (EMA Workbench's "Policy").

Small frozen dataclasses, validated at construction with the rule in the
message, so that a bad setting fails where it is made and never mid-run.
Amounts are integer minor units; delays are ``timedelta`` (exact, and units
travel with the value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sim.account.clock import Instant, add_months, to_datetime, to_instant
from sim.limits import MONEY_MAX_MINOR


def _bounded(name: str, amount_minor: int) -> None:
    """ValueError for an amount beyond ``MONEY_MAX_MINOR``: sums of such amounts stay exact
    in int64 (the fast engine's arithmetic), and a trigger of 10^13 cents with an amount of
    one cent would ask for 10^13 recharges."""
    if abs(amount_minor) > MONEY_MAX_MINOR:
        raise ValueError(
            f"{name}(={amount_minor}) is beyond the supported {MONEY_MAX_MINOR:,} minor units "
            "(MONEY_MAX_MINOR in sim/limits.py)"
        )


@dataclass(frozen=True, slots=True)
class AutoRecharge:
    """Buy ``amount_minor`` whenever the balance is strictly below ``trigger_minor``."""

    trigger_minor: int
    amount_minor: int

    def __post_init__(self) -> None:
        if self.trigger_minor < 0:
            raise ValueError(f"trigger(={self.trigger_minor}) must be >= 0")
        if self.amount_minor <= 0:
            raise ValueError(f"amount(={self.amount_minor}) must be > 0")
        _bounded("trigger", self.trigger_minor)
        _bounded("amount", self.amount_minor)

    def recharges_to_trigger(self, balance_minor: int) -> int:
        """How many recharges bring ``balance_minor`` up to the trigger: 0 at or above it.

        The smallest k with ``balance + k * amount >= trigger``, computed, not
        counted: with no processing delay the account performs exactly these k
        recharges one after the other at one instant (calls permitting).
        """
        short_minor = self.trigger_minor - balance_minor
        return 0 if short_minor <= 0 else -(-short_minor // self.amount_minor)


@dataclass(frozen=True, slots=True)
class ManualTopUp:
    """An admin who answers the below-zero email with a top-up after a delay."""

    amount_minor: int
    response_delay: timedelta

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError(f"amount(={self.amount_minor}) must be > 0")
        _bounded("amount", self.amount_minor)
        if self.response_delay <= timedelta(0):
            raise ValueError(
                f"response_delay(={self.response_delay}) must be > 0: "
                "an admin reacts to an email, not within the same instant"
            )


@dataclass(frozen=True, slots=True)
class ScheduledTopUp:
    """A fixed top-up on a calendar schedule, e.g. a monthly budget on the 1st.

    The first top-up is at ``first_at``; then every ``every_months`` calendar
    months on the same day and UTC time, clipped to the month's last day.
    """

    amount_minor: int
    first_at: datetime
    every_months: int = 1

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError(f"amount(={self.amount_minor}) must be > 0")
        _bounded("amount", self.amount_minor)
        if self.every_months <= 0:
            raise ValueError(f"every_months(={self.every_months}) must be > 0")
        to_instant(self.first_at)  # refuses a naive datetime

    @classmethod
    def monthly(cls, amount_minor: int, start: Instant) -> ScheduledTopUp:
        """A monthly budget: 00:00 UTC on the 1st of every month, from the first 1st >= start."""
        first = to_datetime(start).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if to_instant(first) < start:
            first = to_datetime(add_months(to_instant(first), 1))
        return cls(amount_minor, first)

    def instants(self, until: Instant) -> list[Instant]:
        """Every top-up time from ``first_at`` up to and including ``until``.

        Counted from ``first_at`` each time (not month by month), so a top-up on
        the 31st falls on 28/29 February and back on 31 March.
        """
        first = to_instant(self.first_at)
        found: list[Instant] = []
        step = 0
        while (moment := add_months(first, step * self.every_months)) <= until:
            found.append(moment)
            step += 1
        return found


@dataclass(frozen=True, slots=True)
class Policy:
    """Initial balance plus the recharge rules in force."""

    initial_minor: int
    auto: AutoRecharge | None = None
    manual: ManualTopUp | None = None
    scheduled: tuple[ScheduledTopUp, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.initial_minor < 0:
            raise ValueError(f"initial(={self.initial_minor}) must be >= 0")
        _bounded("initial", self.initial_minor)
