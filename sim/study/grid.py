"""The policy grid of a sweep: lists or ranges of triggers, amounts and initial balances.

Why exact decimals: a grid value is a price a planner will type into the admin
portal, so ``0.1:0.3:0.1`` must give 0.1, 0.2 and 0.3, not 0.30000000000000004,
and the policy built from it must be the very policy ``credsim run --trigger``
builds from the same text (the sweep's rows are checked against single runs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import product
from typing import TYPE_CHECKING

from sim.account.portal import rules
from sim.limits import MONEY_MAX_MINOR
from sim.study.experiment import Levers, with_overrides

if TYPE_CHECKING:  # a type only: the command line parses --triggers without loading pydantic
    from sim.world.scenario import Scenario

MULTIPLES = (Decimal("0.25"), Decimal("0.5"), Decimal(1), Decimal(2), Decimal(4))
"""The default grid (``default_grid``): these multiples of the scenario's own trigger and amount."""
MAX_VALUES = 10_000
"""A range longer than this is refused: it is almost surely a typo in STEP."""


def parse_values(text: str, *, positive: bool = False) -> tuple[Decimal, ...]:
    """``100,200,250`` or ``START:STOP:STEP`` (STOP included when on the grid), sorted, unique.

    ValueError says what is wrong with the text in words a planner can act on.
    """
    text = text.strip()
    if not text:
        raise ValueError(
            "the value is empty: give a comma-separated list (100,200) or START:STOP:STEP"
        )
    values = _range(text) if ":" in text else [_number(part) for part in text.split(",")]
    for value in values:
        if positive and value == 0:
            raise ValueError(f"{value} must be > 0")
    return _unique_sorted(values)


def _range(text: str) -> list[Decimal]:
    """START:STOP:STEP, inclusive of STOP when START + k*STEP lands on it."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"{text!r} must be START:STOP:STEP, e.g. 100:1000:100")
    start, stop, step = (_number(part) for part in parts)
    if step == 0:
        raise ValueError(f"{text!r}: STEP must be > 0")
    if stop < start:
        raise ValueError(f"{text!r}: STOP ({stop}) is below START ({start})")
    count = int((stop - start) // step) + 1
    if count > MAX_VALUES:
        raise ValueError(f"{text!r} has {count:,} values; at most {MAX_VALUES:,} are allowed")
    return [start + step * k for k in range(count)]


def _number(part: str) -> Decimal:
    """One decimal >= 0; never a float, never NaN or infinity."""
    stripped = part.strip()
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise ValueError(f"{stripped!r} is not a decimal number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{stripped!r} must be a number >= 0")
    if value > MONEY_MAX_MINOR:  # in any currency, beyond the ceiling in minor units too
        raise ValueError(f"{stripped!r} is beyond the supported amount ({MONEY_MAX_MINOR:,})")
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))  # 1E3 and 1000.0 read as 1000 (labels: T1000)
    return value


def _unique_sorted(values: Iterable[Decimal]) -> tuple[Decimal, ...]:
    """Ascending, one of each value (``400`` and ``400.00`` are the same value: the first stays)."""
    seen: dict[Decimal, Decimal] = {}
    for value in values:
        seen.setdefault(value, value)
    return tuple(sorted(seen.values()))


@dataclass(frozen=True)
class Grid:
    """Every (trigger, amount, initial) combination, in that order of nesting."""

    triggers: tuple[Decimal, ...]
    amounts: tuple[Decimal, ...]
    initials: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        for name in ("triggers", "amounts", "initials"):
            if not getattr(self, name):
                raise ValueError(f"{name} must not be empty")
        if any(amount <= 0 for amount in self.amounts):
            raise ValueError("amounts must be > 0")

    def __len__(self) -> int:
        return len(self.triggers) * len(self.amounts) * len(self.initials)

    def levers(self, base: Levers) -> list[Levers]:
        """The grid's policies on top of ``base`` (manual and monthly top-ups are kept).

        Built exactly as ``credsim run --trigger T --amount A --initial I`` builds
        its policy, so a sweep row and a single run see the same Policy.
        """
        return [
            with_overrides(base, trigger=trigger, amount=amount, initial=initial)
            for trigger, amount, initial in product(self.triggers, self.amounts, self.initials)
        ]

    def to_dict(self) -> dict[str, list[str]]:
        """JSON form (decimal strings, exactly as parsed) for the manifest."""
        return {
            "triggers": [str(value) for value in self.triggers],
            "amounts": [str(value) for value in self.amounts],
            "initials": [str(value) for value in self.initials],
        }


def default_grid(scenario: Scenario) -> Grid:
    """The grid ``credsim report`` sweeps when none is given: 0.25, 0.5, 1, 2 and 4 x the
    scenario's trigger and amount, in whole currency units, at its initial balance.

    Multiples other than 1 are kept at or above the admin portal's minimum
    trigger and amount in the scenario's currency (``sim.account.portal``: a
    report should not recommend what the portal refuses), and amounts at or
    above 1; the scenario's own values are always in the grid.
    """
    policy = scenario.policy
    portal = rules(scenario.scenario.currency)
    triggers = _multiples(policy.trigger, portal.minimum_trigger)
    amounts = _multiples(policy.amount, max(Decimal(1), portal.minimum_amount))
    return Grid(triggers, amounts, (policy.initial_balance,))


def _multiples(own: Decimal, floor: Decimal) -> tuple[Decimal, ...]:
    values = {own}
    for factor in MULTIPLES:
        if factor != 1:
            value = (own * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            values.add(max(floor, value))
    return tuple(sorted(values))
