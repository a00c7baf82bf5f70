"""How payments behave: the uncertain world around an auto-recharge request.

Not a lever (that is ``sim.account.policy``) but a fact about the tenant: how long the
processor takes, how often an attempt fails, when the card is expired, how
long the admin takes to fix the payment method after a failure email, and the
office hours in which the admin acts at all.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sim.account.clock import Instant, micros

if TYPE_CHECKING:  # a type only: validate and the command line's options load no numpy
    import numpy as np

DelaySampler = Callable[["np.random.Generator", int], "np.ndarray"]
"""``(rng, size)`` -> ``size`` delays as int64 microseconds >= 0, drawn from ``rng`` in order."""


@dataclass(frozen=True, slots=True)
class RandomDelay:
    """A delay drawn anew for each use: each payment attempt, or each failure.

    Why a sampler and not the distribution: the distributions are the
    scenario's (``sim.world.distributions``), which this layer cannot import;
    ``sim.study.experiment`` builds the sampler from them. ``label`` is the
    distribution in words (``exponential, mean 2 h``). Every engine reads the
    draws from one ``sim.account.payment_draws.PaymentDraws``.
    """

    label: str
    sample_us: DelaySampler = field(compare=False)


Delay = timedelta | RandomDelay
"""A payment delay: fixed (draws nothing) or random."""


def fixed_us(delay: Delay) -> int:
    """A fixed delay in microseconds (0 for a random one, whose draws are used instead)."""
    return 0 if isinstance(delay, RandomDelay) else micros(delay)


@dataclass(frozen=True, slots=True)
class CardExpiry:
    """The card is unusable from ``expired_at`` until ``renewed_at`` (None: never)."""

    expired_at: Instant
    renewed_at: Instant | None = None

    def __post_init__(self) -> None:
        if self.renewed_at is not None and self.renewed_at <= self.expired_at:
            raise ValueError(
                f"renewed_at(={self.renewed_at}) must be after expired_at(={self.expired_at})"
            )

    def covers(self, time: Instant) -> bool:
        """Whether a payment attempt at ``time`` meets the expired card."""
        return self.expired_at <= time and (self.renewed_at is None or time < self.renewed_at)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """When the admin can act: sorted, disjoint ``[open, close)`` intervals of instants.

    Why data and not a calendar: the account layer cannot read the scenario's
    ``[calendar]`` (``sim.world`` builds these intervals over the run's window,
    ``sim.world.office_hours``), and the compiled engine needs plain arrays.
    An instant after the last interval has no office hour left: the admin
    never acts (the intervals reach past the run's end, so that is after it).
    """

    opens_us: tuple[Instant, ...]
    closes_us: tuple[Instant, ...]

    def __post_init__(self) -> None:
        if len(self.opens_us) != len(self.closes_us):
            raise ValueError("office hours need as many opening as closing instants")
        previous_close: Instant | None = None
        for opens, closes in zip(self.opens_us, self.closes_us, strict=True):
            if closes <= opens or (previous_close is not None and opens < previous_close):
                raise ValueError("office hours must be sorted, disjoint, non-empty intervals")
            previous_close = closes

    def next_open(self, time: Instant) -> Instant | None:
        """The first instant >= ``time`` inside office hours (None: none is left)."""
        index = bisect_right(self.closes_us, time)  # the first interval closing after time
        if index == len(self.closes_us):
            return None
        return max(time, self.opens_us[index])


@dataclass(frozen=True, slots=True)
class Payments:
    """Payment processing for auto-recharge.

    An attempt completes ``processing_delay`` after the request (a fixed
    timedelta, or a ``RandomDelay`` drawn per attempt). It fails while the card
    is expired, or else when the attempt's uniform draw is below
    ``failure_probability``. After a failure the admin fixes the payment method
    ``admin_fix_delay`` (fixed, or drawn per failure) after the email; an
    expired card cannot be fixed before it is renewed, so the fix waits for the
    later of the two, and then for the next instant inside ``office_hours``
    (None: the admin acts at any hour).
    """

    processing_delay: Delay = timedelta(0)
    failure_probability: float = 0.0
    admin_fix_delay: Delay = timedelta(0)
    card_expiries: tuple[CardExpiry, ...] = field(default_factory=tuple)
    office_hours: OfficeHours | None = None

    def __post_init__(self) -> None:
        for name in ("processing_delay", "admin_fix_delay"):
            delay = getattr(self, name)
            if isinstance(delay, timedelta) and delay < timedelta(0):
                raise ValueError(f"{name}(={delay}) must be >= 0")
        if not 0.0 <= self.failure_probability < 1.0:
            raise ValueError(
                f"failure_probability(={self.failure_probability}) must be in [0, 1): "
                "at 1 no recharge could ever succeed"
            )

    @property
    def needs_draws(self) -> bool:
        """Whether attempts consume random draws (only with a failure chance)."""
        return self.failure_probability > 0.0

    def expired_card(self, time: Instant) -> CardExpiry | None:
        """The card expiry in force at ``time``, if any."""
        return next((card for card in self.card_expiries if card.covers(time)), None)

    def attempt_fails(self, time: Instant, draw: float) -> bool:
        """Whether an attempt at ``time`` with uniform ``draw`` in [0, 1) fails."""
        return self.expired_card(time) is not None or draw < self.failure_probability

    @property
    def random_delays(self) -> bool:
        """Whether a processing or fix delay is drawn (and needs a ``PaymentDraws``)."""
        return isinstance(self.processing_delay, RandomDelay) or isinstance(
            self.admin_fix_delay, RandomDelay
        )

    def resumes_at(self, failed_at: Instant, fix_delay_us: int | None = None) -> Instant | None:
        """When auto-recharge works again after a failure at ``failed_at`` (None: never).

        The fix delay is wall-clock time (the admin reads the email, gets to it);
        the fix itself is an admin action, so it falls at the first office
        instant at or after the delay (and the card's renewal) has passed.
        ``fix_delay_us`` is this failure's drawn delay (None: the fixed one).
        """
        if fix_delay_us is None:
            if isinstance(self.admin_fix_delay, RandomDelay):
                raise ValueError("a random admin_fix_delay needs this failure's drawn delay")
            fix_delay_us = micros(self.admin_fix_delay)
        fixed_at = failed_at + fix_delay_us
        card = self.expired_card(failed_at)
        if card is not None:
            if card.renewed_at is None:
                return None
            fixed_at = max(fixed_at, card.renewed_at)
        return self.admin_acts_at(fixed_at)

    def admin_acts_at(self, time: Instant) -> Instant | None:
        """The first instant >= ``time`` at which the admin can act (None: never).

        Used for the payment fix and the manual top-up (``sim.account.rules``) alike.
        """
        if self.office_hours is None:
            return time
        return self.office_hours.next_open(time)
