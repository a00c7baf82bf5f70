"""Widening a sweep's grid when its optimum sits at an edge: the values to add, and the record.

Why: a grid is a guess. When the cheapest qualifying policy uses the highest
amount tried, the cheapest policy may lie beyond it; telling the planner "a
wider grid may do better" leaves them to guess the next grid and run it again.
So the sweep does it (docs/model.md#widening-the-grid): ``widen`` continues each
axis whose end the optimum sits at by the axis's own spacing (geometric when
its values are, as the report's 0.25 to 4 x multiples; arithmetic otherwise, as
the dashboard's ``100:1000:100``) by a few values, never below the admin portal's
minimum in the currency (``sim.account.portal``: a plan the portal refuses cannot
be put in place) nor above the money ceiling (``sim.limits.MONEY_MAX_MINOR``).

Everything here is pure: ``sim.study.sweep`` runs the rounds (bounded by
``WidenLimits``); ``Widening`` records them for summary.json and the printout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from sim.account.money import currency
from sim.account.portal import rules
from sim.limits import (
    GRID_WIDEN_VALUES,
    GRID_WIDENED_POLICIES_MAX,
    GRID_WIDENINGS_MAX,
    MONEY_MAX_MINOR,
    RECHARGES_TO_TRIGGER_MAX,
)
from sim.study.experiment import Levers
from sim.study.grid import Grid

AXES = ("triggers", "amounts", "initials")
"""The grid's axes, in the order they are widened and described."""
LEVERS = {"triggers": "trigger", "amounts": "amount", "initials": "initial"}
"""The lever each axis sets."""
NOUNS = {"triggers": "trigger", "amounts": "amount", "initials": "initial balance"}
"""How one value of an axis is named in words."""
GEOMETRIC_SPREAD = Decimal("1.1")
"""Ratios of the three values at an end within this factor of each other read as a geometric
axis: rounding to whole units makes 38, 75, 150 a doubling, though 75 / 38 is 1.97."""
TIMES = {1: "once", 2: "twice"}
CHAIN_MAX = Decimal(RECHARGES_TO_TRIGGER_MAX // 2)
"""Recharges of its smallest amount a widened grid's highest trigger may be from a zero
balance: half of ``RECHARGES_TO_TRIGGER_MAX``, so that no policy a widening adds is refused
mid-sweep for a runaway chain of recharges (``sim.account.rules.too_many_recharges``)."""


@dataclass(frozen=True)
class WidenLimits:
    """How far one sweep may widen its grid (``sim.limits``); part of the sweep's identity."""

    rounds: int = GRID_WIDENINGS_MAX
    values: int = GRID_WIDEN_VALUES
    """Values added at an end per round."""
    max_policies: int = GRID_WIDENED_POLICIES_MAX

    def __post_init__(self) -> None:
        for name in ("rounds", "values", "max_policies"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}(={getattr(self, name)}) must be >= 1")

    def to_dict(self) -> dict[str, int]:
        """The manifest's and summary.json's form."""
        return {"rounds": self.rounds, "values": self.values, "max_policies": self.max_policies}


@dataclass(frozen=True)
class Edge:
    """The chosen policy's value sits at one end of an axis with several values."""

    axis: str
    end: str
    """``lowest`` or ``highest``."""
    value: Decimal

    def text(self) -> str:
        """``the highest amount (4,000)``."""
        return f"the {self.end} {NOUNS[self.axis]} ({self.value:,})"

    def to_dict(self) -> dict[str, str]:
        """summary.json's form."""
        return {"axis": self.axis, "end": self.end, "value": str(self.value)}


@dataclass(frozen=True)
class Step:
    """One widening: the wider grid (None: nothing could be added) and why."""

    grid: Grid | None
    edges: tuple[Edge, ...]
    """Where the optimum sat on the grid this step widens."""
    added: tuple[tuple[Edge, tuple[Decimal, ...]], ...] = ()
    """Per widened end, the values added (nearest first)."""
    blocked: tuple[tuple[Edge, str], ...] = ()
    """Ends that could not be widened, with the reason in words."""
    too_many: int | None = None
    """Policies the wider grid would have held, when that is over the ceiling."""

    def to_dict(self) -> dict[str, Any]:
        """summary.json's form of a step taken."""
        return {
            "grid": None if self.grid is None else self.grid.to_dict(),
            "added": [
                {**edge.to_dict(), "values": [str(value) for value in values]}
                for edge, values in self.added
            ],
            "blocked": [{**edge.to_dict(), "why": why} for edge, why in self.blocked],
        }


def edges(levers: Levers, grid: Grid) -> list[Edge]:
    """The ends of the grid's axes (those with several values) where ``levers`` sit."""
    found = []
    for axis in AXES:
        values: tuple[Decimal, ...] = getattr(grid, axis)
        value = getattr(levers, LEVERS[axis])
        if len(values) > 1 and value in (values[0], values[-1]):
            found.append(Edge(axis, "lowest" if value == values[0] else "highest", value))
    return found


def open_edges(levers: Levers, grid: Grid, code: str) -> list[Edge]:
    """``edges`` beyond which the grid could go: not at the portal's minimum or the ceiling."""
    return [edge for edge in edges(levers, grid) if _beyond(_axes(grid), edge, code, 1)]


def bounds(axis: str, code: str) -> tuple[Decimal, Decimal]:
    """(floor, ceiling) of an axis in currency ``code``, in major units.

    The floor is the admin portal's minimum (the trigger's for triggers, the
    purchase minimum for amounts and initial balances); where the portal has
    none, 0 for triggers and 1 for amounts (an auto-recharge of 0 is no
    policy), as ``sim.study.grid.default_grid`` keeps them. The ceiling is
    ``MONEY_MAX_MINOR`` in major units.
    """
    portal = rules(code)
    if axis == "triggers":
        floor = portal.minimum_trigger
    elif axis == "amounts":
        floor = max(Decimal(1), portal.minimum_amount)
    else:
        floor = portal.minimum_amount
    return floor, Decimal(MONEY_MAX_MINOR) / currency(code).minor_per_major


def extend(
    values: Sequence[Decimal], end: str, floor: Decimal, ceiling: Decimal, count: int
) -> tuple[Decimal, ...]:
    """Up to ``count`` new values beyond ``end`` of the sorted ``values``, nearest first.

    They continue the spacing at that end (``spacing``); a value under
    ``floor`` becomes ``floor`` (the portal's minimum is where a cheaper policy
    would then lie; going down, the axis stops there); nothing above
    ``ceiling`` is added.
    """
    following = spacing(values, end)
    current = values[0] if end == "lowest" else values[-1]
    added: list[Decimal] = []
    for _ in range(count):
        candidate = max(following(current), floor)
        if end == "lowest" and candidate >= current:
            break
        if end == "highest" and (candidate > ceiling or candidate <= current):
            break
        added.append(candidate)
        current = candidate
    return tuple(added)


def spacing(values: Sequence[Decimal], end: str) -> Callable[[Decimal], Decimal]:
    """The next value beyond ``end``: x or / the end's ratio when the three values at that end
    are geometric (rounded to whole units), else + or - the gap of its last two values.

    Geometric needs three positive values whose two ratios agree within
    ``GEOMETRIC_SPREAD`` and whose two gaps differ (``100, 200, 300`` is
    arithmetic); two values are read as arithmetic.
    """
    near = list(values[:3]) if end == "lowest" else list(reversed(values[-3:]))  # end first
    gaps = [abs(b - a) for a, b in pairwise(near)]
    if len(near) == 3 and min(near) > 0 and gaps[0] != gaps[1]:
        ratios = [max(a, b) / min(a, b) for a, b in pairwise(near)]
        if max(ratios) <= min(ratios) * GEOMETRIC_SPREAD:
            ratio = ratios[0]
            if end == "highest":
                return lambda value: _whole(value * ratio)
            return lambda value: _whole(value / ratio)
    gap = gaps[0]
    return (lambda value: value + gap) if end == "highest" else (lambda value: value - gap)


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def widen(grid: Grid, levers: Levers, code: str, limits: WidenLimits | None = None) -> Step:
    """The grid widened at every end where ``levers`` (the recommendation) sit.

    ``Step.grid`` is None when the optimum is inside the grid, when no end
    can be widened (each at the portal's minimum or the ceiling: ``blocked``
    says so), or when the wider grid would hold more than
    ``limits.max_policies`` policies (``too_many``).
    """
    limits = limits or WidenLimits()
    found = edges(levers, grid)
    axes = _axes(grid)
    added, blocked = [], []
    for edge in found:  # triggers first: the amounts' floor then sees the widened triggers
        values = _beyond(axes, edge, code, limits.values)
        if values:
            added.append((edge, values))
            axes[edge.axis] = tuple(sorted((*axes[edge.axis], *values)))
        else:
            blocked.append((edge, _why(axes, edge, code)))
    if not added:
        return Step(None, tuple(found), blocked=tuple(blocked))
    wider = Grid(axes["triggers"], axes["amounts"], axes["initials"])
    if len(wider) > limits.max_policies:
        return Step(None, tuple(found), blocked=tuple(blocked), too_many=len(wider))
    return Step(wider, tuple(found), tuple(added), tuple(blocked))


def _axes(grid: Grid) -> dict[str, tuple[Decimal, ...]]:
    return {axis: getattr(grid, axis) for axis in AXES}


def _within(axes: dict[str, tuple[Decimal, ...]], axis: str, code: str) -> tuple[Decimal, Decimal]:
    """``bounds``, narrowed so that every trigger stays within ``CHAIN_MAX`` recharges of
    every amount of the grid ``axes``."""
    floor, ceiling = bounds(axis, code)
    if axis == "triggers":
        ceiling = min(ceiling, min(axes["amounts"]) * CHAIN_MAX)
    elif axis == "amounts":
        least = (max(axes["triggers"]) / CHAIN_MAX).to_integral_value(rounding=ROUND_CEILING)
        floor = max(floor, least)
    return floor, ceiling


def _beyond(
    axes: dict[str, tuple[Decimal, ...]], edge: Edge, code: str, count: int
) -> tuple[Decimal, ...]:
    floor, ceiling = _within(axes, edge.axis, code)
    return extend(axes[edge.axis], edge.end, floor, ceiling, count)


def _why(axes: dict[str, tuple[Decimal, ...]], edge: Edge, code: str) -> str:
    """Why nothing can be added beyond ``edge``, in words."""
    floor, ceiling = _within(axes, edge.axis, code)
    portal_floor, money_ceiling = bounds(edge.axis, code)
    noun = NOUNS[edge.axis]
    chain = (
        f"a {'higher' if edge.end == 'highest' else 'lower'} {noun} would need over "
        f"{CHAIN_MAX:,} recharges of an amount to reach a trigger (RECHARGES_TO_TRIGGER_MAX)"
    )
    if edge.end == "highest":
        if ceiling < money_ceiling:
            return chain
        return f"no {noun} above {ceiling:,}, the largest amount credsim supports in {code}"
    if floor > portal_floor and edge.value <= floor:
        return chain
    portal = rules(code)
    minimum = portal.minimum_trigger if edge.axis == "triggers" else portal.minimum_amount
    if edge.value <= floor:
        if minimum > 0:
            return f"at or below the admin portal's minimum {noun} in {code}, {minimum:,}"
        return f"no {noun} can be lower"
    return f"the grid's spacing gives no whole {noun} between {floor:,} and {edge.value:,}"


@dataclass(frozen=True)
class Widening:
    """What the widening rounds of one sweep did, and where the optimum ended up."""

    asked: Grid
    """The grid asked for."""
    steps: tuple[Step, ...]
    """The widenings run, each with its grid."""
    last: Step | None
    """The widening tried after them that did not run (None: the rounds ran out)."""
    final: tuple[Edge, ...]
    """Where the final optimum sits on the final grid (empty: inside)."""
    limits: WidenLimits

    @property
    def grid(self) -> Grid:
        """The grid of the final sweep."""
        widened = [step.grid for step in self.steps if step.grid is not None]
        return widened[-1] if widened else self.asked

    @property
    def stopped(self) -> str:
        """``inside``, ``rounds`` (the bound), ``policies`` (the ceiling) or ``blocked``."""
        if not self.final:
            return "inside"
        if self.last is None:
            return "rounds"
        return "policies" if self.last.too_many is not None else "blocked"

    def text(self) -> str:
        """One line for the printout; empty when there was nothing to widen or say."""
        stopped = self.stopped
        if not self.steps and stopped == "inside":
            return ""
        if self.steps:
            ranges = _ranges(self.asked, self.grid, self.steps)
            head = f"grid widened {_times(len(self.steps))}: {ranges}"
        else:
            head = "grid not widened"
        return f"{head}; {self._outcome(stopped)}"

    def _outcome(self, stopped: str) -> str:
        if stopped == "inside":
            return "the optimum now lies inside the grid"
        where = _join([edge.text() for edge in self.final])
        if stopped == "rounds":
            return (
                f"the optimum still sits at {where} after {_count(self.limits.rounds)}, "
                "the most one sweep runs: a wider grid may do better"
            )
        if stopped == "policies":
            assert self.last is not None and self.last.too_many is not None
            return (
                f"the optimum sits at {where}, but a wider grid would hold "
                f"{self.last.too_many:,} policies, over the ceiling of "
                f"{self.limits.max_policies:,}"
            )
        assert self.last is not None
        reasons = [f"{edge.text()}: {why}" for edge, why in self.last.blocked]
        return f"the optimum sits at {_join(reasons)}"

    def to_dict(self) -> dict[str, Any]:
        """summary.json's ``widening``."""
        return {
            "rounds": len(self.steps),
            "limits": self.limits.to_dict(),
            "asked": self.asked.to_dict(),
            "steps": [step.to_dict() for step in self.steps],
            "stopped": self.stopped,
            "edges": [edge.to_dict() for edge in self.final],
            "blocked": [] if self.last is None else self.last.to_dict()["blocked"],
            "text": self.text(),
        }


def _ranges(asked: Grid, final: Grid, steps: Sequence[Step]) -> str:
    """``amounts 250-4,000 -> 250-16,000 (the optimum sat at the highest amount)``, per axis."""
    parts = []
    for axis in AXES:
        before: tuple[Decimal, ...] = getattr(asked, axis)
        after: tuple[Decimal, ...] = getattr(final, axis)
        if before == after:
            continue
        ends = [end for end in ("lowest", "highest")
                if any(edge.axis == axis and edge.end == end
                       for step in steps for edge, _ in step.added)]  # fmt: skip
        parts.append(
            f"{axis} {_span(before)} -> {_span(after)} "
            f"(the optimum sat at the {' and the '.join(ends)} {NOUNS[axis]})"
        )
    return "; ".join(parts)


def _times(count: int) -> str:
    """``once``, ``twice``, ``3 times``."""
    return TIMES.get(count, f"{count} times")


def _count(rounds: int) -> str:
    """``1 widening``, ``3 widenings``."""
    return f"{rounds} widening{'' if rounds == 1 else 's'}"


def _span(values: Sequence[Decimal]) -> str:
    return f"{values[0]:,}-{values[-1]:,}"


def _join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
