"""The uncertain inputs of a scenario, each moved to a low and a high setting.

Why a table: a recommendation rests on figures nobody measured (how often a
card is declined, how long a payment takes, how fast the tenant grows), and a
planner signs it only after seeing what happens when they are wrong. Each
``Variation`` names one such input, the rule that sets its low and its high
(an ASSUMPTION, stated in words wherever results are shown and in
docs/model.md#sensitivity), and makes the two scenarios: copies of the
scenario with that one section changed, validated again by the schema and
checked against ``sim.limits`` like a file (``sim.world.load.checked``). A
variation that does not apply (no big meetings, a delay of 0) or whose setting
breaks a limit is kept with a note, never silently dropped.

Demand level moves every business-day arrival rate (``[meetings]`` and
``[user_calling]`` per user per day, each ``[[streams]]``'s calls per day)
rather than ``[users].count``: head count also sets plan holders and their
pooled minutes, so scaling it would change two things at once. Big meetings
are scheduled events; their size is its own variation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from sim.account import format as fmt
from sim.errors import InputError
from sim.world.load import LoadedScenario, checked
from sim.world.messages import describe
from sim.world.scenario import FAILURE_PROBABILITY_DEFAULT, Scenario
from sim.world.scenario_types import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    NegativeBinomial,
    Poisson,
)

Side = Literal["low", "high"]
SIDES: tuple[Side, Side] = ("low", "high")

FAILURE_HIGH_FACTOR = 3.0
"""The high failure probability: this many times the scenario's (an assumption)."""
FAILURE_HIGH_MAX = 0.99
"""The most the high failure probability may be (the schema wants it below 1)."""
DELAY_FACTORS = (0.5, 2.0)
"""Low and high of a payment delay: half and twice the scenario's (its mean, for a table)."""
DEMAND_FACTORS = (0.8, 1.2)
"""Low and high of every business-day arrival rate."""
GROWTH_STEP = 0.01
"""Low and high monthly growth when the scenario's is 0: one point either side."""
SIZE_FACTORS = (0.5, 1.5)
"""Low and high of each big meeting's phone participants (the count's mean)."""

Moves = tuple[str, tuple[tuple[str, Scenario], tuple[str, Scenario]]]
"""(the scenario's value in words, ((low words, low scenario), (high words, high scenario)))."""


@dataclass(frozen=True)
class Variation:
    """One uncertain input: its name, the rule for its low and high, and how to apply it."""

    key: str
    name: str
    """In words, as tables and charts label it: ``payment failure probability``."""
    rule: str
    """How low and high are set, in words (an assumption, shown with the results)."""
    same_demand: bool
    """True when only ``[payments]`` moves: the calls are those of the scenario as it is."""
    moves: Callable[[Scenario], Moves | str]
    """The two scenarios, or why the variation does not apply."""


@dataclass(frozen=True)
class Setting:
    """One uncertain input at one side, as a checked scenario."""

    key: str
    side: Side
    value: str
    """The input's value in words: ``3.0 %``, ``120 % of the calls a day``."""
    loaded: LoadedScenario

    @property
    def id(self) -> str:
        """``failure_probability:high``."""
        return f"{self.key}:{self.side}"


@dataclass(frozen=True)
class Varied:
    """A variation applied to one scenario: its two settings, or the note saying why not."""

    variation: Variation
    base: str
    """The scenario's own value, in words."""
    settings: tuple[Setting, ...]
    """Low then high; empty when the variation does not apply (see ``note``)."""
    note: str | None = None


def _with(scenario: Scenario, **sections: Any) -> Scenario:
    """A copy with ``sections`` replaced, validated again as a whole by the schema."""
    copy = scenario.model_copy(update=sections)
    return Scenario.model_validate(copy.model_dump())


def _section(model: BaseModel, **fields: Any) -> BaseModel:
    """A section with ``fields`` replaced (the whole scenario is validated by ``_with``)."""
    return model.model_copy(update=fields)


def _scaled(dist: Any, factor: float) -> Any:
    """A distribution (or a number of hours) whose mean is ``factor`` times as large.

    Continuous ones scale the variable (mean and sd together: the same shape);
    a negative binomial keeps its dispersion parameter, so it stays over-dispersed.
    """
    if isinstance(dist, int | float):
        return dist * factor
    if isinstance(dist, Fixed):
        return _section(dist, value=dist.value * factor)
    if isinstance(dist, Exponential | Poisson):
        return _section(dist, mean=dist.mean * factor)
    if isinstance(dist, LogNormal | Gamma):
        return _section(dist, mean=dist.mean * factor, sd=dist.sd * factor)
    if isinstance(dist, Empirical):
        return _section(dist, values=[value * factor for value in dist.values])
    if isinstance(dist, NegativeBinomial):
        excess = dist.sd**2 - dist.mean  # mean^2 / r: scales with the mean squared
        mean = dist.mean * factor
        return _section(dist, mean=mean, sd=(mean + excess * factor**2) ** 0.5)
    raise TypeError(f"cannot scale {dist!r}")


def _delay_words(value: Any) -> str:
    """``0.5 h`` or ``lognormal, mean 0.5 h``."""
    if isinstance(value, int | float):
        return fmt.hours(float(value), 2)
    if isinstance(value, Fixed):
        return fmt.hours(value.value, 2)
    return f"{value.dist}, mean {fmt.hours(value.mean, 2)}"  # exponential or lognormal


def _is_zero(value: Any) -> bool:
    return (isinstance(value, int | float) and value == 0) or (
        isinstance(value, Fixed) and value.value == 0
    )


# -- the variations ---------------------------------------------------------------------


def _failure(scenario: Scenario) -> Moves:
    payments = scenario.payments
    now = payments.failure_probability
    high = min(FAILURE_HIGH_FACTOR * now if now > 0 else FAILURE_PROBABILITY_DEFAULT,
               FAILURE_HIGH_MAX)  # fmt: skip
    return fmt.percent(now), (
        (fmt.percent(0.0), _with(scenario, payments=_section(payments, failure_probability=0.0))),
        (fmt.percent(high), _with(scenario, payments=_section(payments, failure_probability=high))),
    )


def _delay(name: str) -> Callable[[Scenario], Moves | str]:
    def moves(scenario: Scenario) -> Moves | str:
        payments = scenario.payments
        now = getattr(payments, name)
        if _is_zero(now):
            return "the scenario's is 0 h, which scaling leaves at 0"
        low, high = (_scaled(now, factor) for factor in DELAY_FACTORS)
        return _delay_words(now), (
            (_delay_words(low), _with(scenario, payments=_section(payments, **{name: low}))),
            (_delay_words(high), _with(scenario, payments=_section(payments, **{name: high}))),
        )

    return moves


def _demand(scenario: Scenario) -> Moves | str:
    if not (scenario.meetings or scenario.user_calling or scenario.streams):
        return "the scenario has only big meetings (see big-meeting size)"

    def level(factor: float) -> tuple[str, Scenario]:
        sections: dict[str, Any] = {}
        if scenario.meetings is not None:
            rate = scenario.meetings.per_user_per_day * factor
            sections["meetings"] = _section(scenario.meetings, per_user_per_day=rate)
        if scenario.user_calling is not None:
            rate = scenario.user_calling.per_user_per_day * factor
            sections["user_calling"] = _section(scenario.user_calling, per_user_per_day=rate)
        sections["streams"] = tuple(
            _section(stream, calls_per_day=stream.calls_per_day * factor)
            for stream in scenario.streams
        )
        return f"{fmt.percent(factor, 0)} of the calls a day", _with(scenario, **sections)

    low, high = DEMAND_FACTORS
    return "the scenario's calls a day", (level(low), level(high))


def _growth(scenario: Scenario) -> Moves | str:
    if not (scenario.meetings or scenario.user_calling):
        return "no calls of the scenario scale with head count"
    users = scenario.users
    now = users.monthly_growth
    if now == 0:
        low, high = -GROWTH_STEP, GROWTH_STEP
    else:
        low, high = sorted((0.0, 2 * now))

    def words(rate: float) -> str:
        return f"{fmt.percent(rate)} a month"

    return words(now), (
        (words(low), _with(scenario, users=_section(users, monthly_growth=low))),
        (words(high), _with(scenario, users=_section(users, monthly_growth=high))),
    )


def _size(scenario: Scenario) -> Moves | str:
    if not scenario.big_meetings:
        return "the scenario has no [[big_meetings]]"

    def size(factor: float) -> tuple[str, Scenario]:
        events = tuple(
            _section(event, dial_ins=_scaled(event.dial_ins, factor))
            for event in scenario.big_meetings
        )
        return f"{fmt.percent(factor, 0)} of the participants", _with(scenario, big_meetings=events)

    low, high = SIZE_FACTORS
    return "the scenario's participants", (size(low), size(high))


VARIATIONS = (
    Variation("failure_probability", "payment failure probability",
              f"0, and {FAILURE_HIGH_FACTOR:g} x the scenario's (the planning default "
              f"{fmt.percent(FAILURE_PROBABILITY_DEFAULT)} when it is 0; at most "
              f"{fmt.percent(FAILURE_HIGH_MAX, 0)})", True, _failure),
    Variation("processing_delay_h", "payment processing delay",
              "half and twice the scenario's (a distribution: its mean)", True,
              _delay("processing_delay_h")),
    Variation("admin_fix_delay_h", "admin fix time after a failed payment",
              "half and twice the scenario's (a distribution: its mean)", True,
              _delay("admin_fix_delay_h")),
    Variation("demand_level", "demand level",
              "every business-day arrival rate x0.8 and x1.2 (meetings and own calls per user "
              "per day, each stream's calls per day)", False, _demand),
    Variation("growth", "head-count growth",
              "0 and twice the scenario's monthly growth (one point either side of 0 when it "
              "is 0)", False, _growth),
    Variation("big_meeting_size", "big-meeting size",
              "each big meeting's phone participants x0.5 and x1.5", False, _size),
)  # fmt: skip
"""Every uncertain input the sensitivity analysis moves, in the order it is shown."""


def vary(loaded: LoadedScenario, variations: tuple[Variation, ...] = VARIATIONS) -> list[Varied]:
    """Each variation applied to ``loaded``: checked settings, or a note saying why not."""
    result = []
    for variation in variations:
        try:
            moves = variation.moves(loaded.scenario)
        except ValidationError as error:
            note = f"left out: {'; '.join(describe(error, Scenario))}"
            result.append(Varied(variation, "", (), note))
            continue
        if isinstance(moves, str):
            result.append(Varied(variation, "", (), moves))
            continue
        base, pairs = moves
        try:
            settings = tuple(
                Setting(variation.key, side, words,
                        checked(scenario, loaded, f"{loaded.path} with {variation.name} {side}"))
                for side, (words, scenario) in zip(SIDES, pairs, strict=True)
            )  # fmt: skip
        except InputError as error:
            result.append(Varied(variation, base, (), f"left out: {error}"))
            continue
        result.append(Varied(variation, base, settings))
    return result
