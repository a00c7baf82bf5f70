"""``sim.study.widen`` on hand-built grids: which values a widening adds, and what it says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.limits import GRID_WIDEN_VALUES, MONEY_MAX_MINOR
from sim.study.experiment import Levers
from sim.study.grid import Grid
from sim.study.widen import (
    AXES,
    CHAIN_MAX,
    LEVERS,
    Edge,
    Widening,
    WidenLimits,
    bounds,
    edges,
    extend,
    open_edges,
    widen,
)


def numbers(*values: int | str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


REPORT = Grid(numbers(100, 200, 400, 800, 1600), numbers(250, 500, 1000, 2000, 4000), numbers(1000))
"""midsize's default report grid: 0.25 to 4 x its trigger 400 and amount 1,000."""
DASHBOARD = Grid(numbers(*range(100, 1001, 100)), numbers(*range(250, 2501, 250)), numbers(1000))
"""midsize's dashboard grid: 100:1000:100 and 250:2500:250."""


def at(trigger: int, amount: int, initial: int = 1000) -> Levers:
    return Levers(Decimal(initial), Decimal(trigger), Decimal(amount))


def test_a_geometric_axis_is_continued_by_its_ratio() -> None:
    step = widen(REPORT, at(400, 4000), "USD")
    assert step.grid is not None
    assert step.grid.amounts == numbers(250, 500, 1000, 2000, 4000, 8000, 16000)
    assert step.grid.triggers == REPORT.triggers and step.grid.initials == REPORT.initials
    assert step.edges == (Edge("amounts", "highest", Decimal(4000)),)


def test_an_arithmetic_axis_is_continued_by_its_step() -> None:
    step = widen(DASHBOARD, at(1000, 1500), "USD")
    assert step.grid is not None
    assert step.grid.triggers == numbers(*range(100, 1201, 100))
    assert step.grid.amounts == DASHBOARD.amounts


def test_going_down_stops_at_the_portals_minimum() -> None:
    """Trigger 100 halves to 50, USD's minimum; 25 would be refused by the portal."""
    step = widen(REPORT, at(100, 250), "USD")
    assert step.grid is not None
    assert step.grid.triggers == numbers(50, 100, 200, 400, 800, 1600)
    assert step.grid.amounts == numbers(63, 125, 250, 500, 1000, 2000, 4000)  # 62.5: whole units
    arithmetic = widen(DASHBOARD, at(100, 1000), "USD")
    assert arithmetic.grid is not None and arithmetic.grid.triggers[:2] == numbers(50, 100)


def test_an_axis_already_at_its_floor_is_not_widened_and_says_why() -> None:
    grid = Grid(numbers(50, 100, 150), numbers(100, 200), numbers(100))
    step = widen(grid, at(50, 100, 100), "USD")
    assert step.grid is not None  # the amount still widens (to 50), the trigger cannot
    assert step.grid.triggers == grid.triggers and step.grid.amounts == numbers(50, 100, 200)
    ((edge, why),) = step.blocked
    assert edge == Edge("triggers", "lowest", Decimal(50))
    assert why == "at or below the admin portal's minimum trigger in USD, 50"
    only_trigger = widen(
        Grid(numbers(50, 100), numbers(100), numbers(100)), at(50, 100, 100), "USD"
    )
    assert only_trigger.grid is None and len(only_trigger.blocked) == 1
    assert open_edges(at(50, 100, 100), grid, "USD") == [Edge("amounts", "lowest", Decimal(100))]


def test_a_currency_without_a_portal_minimum_goes_down_to_zero_triggers() -> None:
    grid = Grid(numbers(10, 20), numbers(10, 20), numbers(100))
    step = widen(grid, at(10, 10, 100), "SEK")
    assert step.grid is not None
    assert step.grid.triggers == numbers(0, 10, 20)
    assert step.grid.amounts == numbers(1, 10, 20)  # an amount of 0 is no policy


def test_nothing_goes_past_the_money_ceiling() -> None:
    _, ceiling = bounds("amounts", "USD")
    assert ceiling == Decimal(MONEY_MAX_MINOR) / 100
    near = Grid(numbers(50), (ceiling - 2, ceiling - 1), numbers(100))
    step = widen(near, at(50, int(ceiling - 1), 100), "USD")
    assert step.grid is not None and step.grid.amounts[-1] == ceiling
    top = widen(
        Grid(numbers(50), (ceiling - 1, ceiling), numbers(100)), at(50, int(ceiling)), "USD"
    )
    assert top.grid is None
    assert "the largest amount credsim supports" in top.blocked[0][1]


def test_no_trigger_is_added_that_its_smallest_amount_could_not_reach() -> None:
    """A trigger far above an amount would be refused mid-sweep as a runaway chain of
    recharges (RECHARGES_TO_TRIGGER_MAX); the widening stops short of it."""
    grid = Grid(numbers(10, 100, 1000), numbers(1, 2), numbers(0))
    step = widen(grid, at(1000, 1, 0), "SEK", WidenLimits(values=5))
    assert step.grid is not None
    assert step.grid.triggers[-1] == 10000 and step.grid.triggers[-1] <= CHAIN_MAX
    assert step.grid.amounts == numbers(1, 2), "the amount 1 is at the floor of SEK"
    top = Grid(numbers(10, CHAIN_MAX), numbers(1, 2, 3), numbers(0))
    blocked = widen(top, at(int(CHAIN_MAX), 2, 0), "SEK")
    assert blocked.grid is None
    assert blocked.blocked[0][1].startswith("a higher trigger would need over 50,000 recharges")


def test_inside_the_grid_nothing_is_widened() -> None:
    step = widen(REPORT, at(400, 1000), "USD")
    assert step.grid is None and step.edges == () and step.blocked == ()


def test_a_wider_grid_over_the_policy_ceiling_is_not_run() -> None:
    step = widen(DASHBOARD, at(1000, 2500), "USD", WidenLimits(max_policies=120))
    assert step.grid is None and step.too_many == 144  # 12 triggers x 12 amounts


@st.composite
def axis(draw: st.DrawFn) -> tuple[Decimal, ...]:
    start = draw(st.integers(0, 5000))
    if draw(st.booleans()):
        ratio = draw(st.sampled_from([2, 3, 4]))
        values = [start + 1] + [(start + 1) * ratio**k for k in range(1, draw(st.integers(1, 5)))]
    else:
        gap = draw(st.integers(1, 500))
        values = [start + gap * k for k in range(draw(st.integers(1, 6)))]
    return tuple(Decimal(value) for value in values)


@settings(max_examples=200, deadline=None)
@given(
    triggers=axis(),
    amounts=axis().filter(lambda values: values[0] > 0),
    pick=st.tuples(st.integers(0, 100), st.integers(0, 100)),
    code=st.sampled_from(["USD", "JPY", "SEK"]),
    values=st.integers(1, 4),
    max_policies=st.integers(1, 200),
)
def test_a_widened_grid_keeps_the_grid_and_stays_within_its_bounds(
    triggers: tuple[Decimal, ...],
    amounts: tuple[Decimal, ...],
    pick: tuple[int, int],
    code: str,
    values: int,
    max_policies: int,
) -> None:
    grid = Grid(triggers, amounts, numbers(1000))
    levers = at(int(triggers[pick[0] % len(triggers)]), int(amounts[pick[1] % len(amounts)]))
    limits = WidenLimits(values=values, max_policies=max_policies)
    step = widen(grid, levers, code, limits)
    found = edges(levers, grid)
    assert step.edges == tuple(found)
    if step.grid is None:
        assert step.too_many is not None or len(step.blocked) == len(found)
        return
    assert len(step.grid) <= max_policies
    for name in AXES:
        before, after = getattr(grid, name), getattr(step.grid, name)
        assert list(after) == sorted(set(after)), "sorted and unique"
        assert set(before) <= set(after), "every value asked for is kept"
        added = sorted(set(after) - set(before))
        floor, ceiling = bounds(name, code)
        assert all(floor <= value <= ceiling for value in added)
        widened = [edge for edge in found if edge.axis == name]
        assert len(added) <= values * len(widened)
        for value in added:  # only beyond an end the chosen policy sits at
            assert any(
                (value < before[0]) if edge.end == "lowest" else (value > before[-1])
                for edge in widened
            )
        assert getattr(levers, LEVERS[name]) in after
    added_triggers = set(step.grid.triggers) - set(grid.triggers)
    assert all(value <= min(step.grid.amounts) * CHAIN_MAX for value in added_triggers)
    added_amounts = set(step.grid.amounts) - set(grid.amounts)
    assert all(value * CHAIN_MAX >= max(step.grid.triggers) for value in added_amounts)


def test_extend_adds_the_values_nearest_first() -> None:
    assert extend(numbers(38, 75, 150), "lowest", Decimal(0), Decimal(10**9), 3) == numbers(
        19, 10, 5
    )
    assert extend(numbers(0, 50), "highest", Decimal(0), Decimal(10**9), GRID_WIDEN_VALUES) == (
        numbers(100, 150)
    )
    assert extend(numbers(100, 200, 300), "highest", Decimal(0), Decimal(10**9), 1) == (
        numbers(400)
    ), "equal gaps are arithmetic, whatever the ratios"


@pytest.mark.parametrize(
    ("steps", "final", "last", "text"),
    [
        (1, (), None, "grid widened once: amounts 250-4,000 -> 250-16,000 (the optimum sat at "
         "the highest amount); the optimum now lies inside the grid"),
        (1, (Edge("amounts", "highest", Decimal(16000)),), None,
         "grid widened once: amounts 250-4,000 -> 250-16,000 (the optimum sat at the highest "
         "amount); the optimum still sits at the highest amount (16,000) after 1 widening, the "
         "most one sweep runs: a wider grid may do better"),
        (0, (Edge("triggers", "lowest", Decimal(50)),), "blocked",
         "grid not widened; the optimum sits at the lowest trigger (50): at or below the admin "
         "portal's minimum trigger in USD, 50"),
    ],
)  # fmt: skip
def test_the_widening_says_what_it_did_and_where_the_optimum_ended(
    steps: int, final: tuple[Edge, ...], last: str | None, text: str
) -> None:
    taken = (widen(REPORT, at(400, 4000), "USD"),) if steps else ()
    blocked = None
    if last == "blocked":
        grid = Grid(numbers(50, 100), numbers(1000), numbers(1000))
        blocked = widen(grid, at(50, 1000), "USD")
    widening = Widening(REPORT, taken, blocked, final, WidenLimits(rounds=1))
    assert widening.text() == text
    held = widening.to_dict()
    assert held["rounds"] == steps and held["text"] == text
    assert held["stopped"] == ("inside" if not final else "rounds" if last is None else "blocked")
