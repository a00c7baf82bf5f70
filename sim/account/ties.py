"""The order of events that fall on one instant (docs/model.md#ties-at-one-instant).

Both engines use these numbers: the exact replay sorts by them, and the SimPy
model passes them as event priorities, so the two agree on every tie.
"""

from __future__ import annotations

from enum import IntEnum


class Phase(IntEnum):
    """Steps of an instant, in order; fundings are sub-ordered by ``Funding``."""

    EXPIRY = 10
    POSTING = 20
    FUNDING = 30
    ADMISSION = 40
    SETTLE = 50


class Funding(IntEnum):
    """Fundings and admin actions completing at one instant, in this order."""

    INITIAL = 0
    SCHEDULED_TOP_UP = 1
    MANUAL_TOP_UP = 2
    PAYMENT_FIXED = 3
    RECHARGE_COMPLETES = 4

    @property
    def priority(self) -> int:
        """The SimPy event priority of this funding step."""
        return Phase.FUNDING + self.value
