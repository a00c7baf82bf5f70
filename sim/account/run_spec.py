"""RunSpec: what every engine needs to know about a run besides the policy and the calls.

Why one record: the currency the money is in, the window ``[start, end]`` and
how payments behave are fixed facts of a run, the same for every policy an
engine evaluates against one stream. Passed as four keywords they were
repeated by every engine, the backtest and each of their callers, and checked
(or not) in each; here they are built and checked once.

Randomness stays outside: a run's payment draws come from the caller (a
``draw()`` for the exact engines, a ``SeedSequence`` for ``evaluate``), since
they differ per replication while the spec does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral

from sim.account.clock import MICROS_PER_DAY, Instant, to_iso
from sim.account.money import Currency
from sim.account.opening import Opening
from sim.account.payments import Payments


@dataclass(frozen=True, slots=True)
class RunSpec:
    """A run's currency, window ``[start, end]`` (both included) and payment behaviour.

    The opening lots are held and the initial lot is bought at ``start``;
    every event at ``end`` is part of the run. ``end == start`` is allowed (an
    instant's run, as a recorded file of one zero-length call gives); ``end``
    before ``start`` is refused.
    """

    currency: Currency
    start: Instant
    end: Instant
    payments: Payments = field(default_factory=Payments)
    opening: Opening = field(default_factory=Opening)
    """Lots held and a recharge pending at ``start`` (docs/model.md#opening-account)."""

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral):
                raise TypeError(f"{name}(={value!r}) must be an Instant (integer microseconds)")
        if not isinstance(self.currency, Currency) or not isinstance(self.payments, Payments):
            raise TypeError("currency must be a Currency and payments a Payments")
        if not isinstance(self.opening, Opening):
            raise TypeError("opening must be an Opening")
        problems = self.opening.problems(self.start)
        if problems:
            raise ValueError("; ".join(problems))
        if self.end < self.start:
            raise ValueError(
                f"end(={to_iso(self.end)}) must not be before start(={to_iso(self.start)})"
            )

    @property
    def span_us(self) -> int:
        """The window's length in microseconds."""
        return self.end - self.start

    @property
    def whole_days(self) -> int:
        """Day boundaries in ``(start, end]``: how many end-of-day balances a run samples."""
        return self.span_us // MICROS_PER_DAY
