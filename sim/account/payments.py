"""How payments behave: the uncertain world around an auto-recharge request.

Not a lever (that is ``sim.account.policy``) but a fact about the tenant: how long the
processor takes, how often an attempt fails, when the card is expired, and how
long the admin takes to fix the payment method after a failure email.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sim.account.clock import Instant, micros


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
class Payments:
    """Payment processing for auto-recharge.

    An attempt completes ``processing_delay`` after the request. It fails while
    the card is expired, or else when the attempt's uniform draw is below
    ``failure_probability``. After a failure the admin fixes the payment method
    ``admin_fix_delay`` after the email; an expired card cannot be fixed before
    it is renewed, so auto-recharge resumes at the later of the two.
    """

    processing_delay: timedelta = timedelta(0)
    failure_probability: float = 0.0
    admin_fix_delay: timedelta = timedelta(0)
    card_expiries: tuple[CardExpiry, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.processing_delay < timedelta(0):
            raise ValueError(f"processing_delay(={self.processing_delay}) must be >= 0")
        if self.admin_fix_delay < timedelta(0):
            raise ValueError(f"admin_fix_delay(={self.admin_fix_delay}) must be >= 0")
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

    def resumes_at(self, failed_at: Instant) -> Instant | None:
        """When auto-recharge works again after a failure at ``failed_at``."""
        fixed_at = failed_at + micros(self.admin_fix_delay)
        card = self.expired_card(failed_at)
        if card is None:
            return fixed_at
        if card.renewed_at is None:
            return None
        return max(fixed_at, card.renewed_at)
