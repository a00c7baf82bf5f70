"""The dashboard's trade-offs: a sweep run in a scratch folder, and the policies to compare.

Why a wrapper around ``sim.study.sweep``: the dashboard wants the sweep's answer
(summary.json and summary.csv, exactly as ``credsim sweep`` writes them), not
a folder to manage; and it needs a grid that fits the scenario at hand, a
cap on the work one click can start, and names for the policies a planner
picks to compare (yours, the file's, the documented example, the
recommended one, the rule of thumb, or one typed as ``T300/A800/I1000``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.study.executors import Check, LocalExecutor
from sim.study.experiment import (
    EXAMPLE_AMOUNT,
    EXAMPLE_INITIAL,
    EXAMPLE_TRIGGER,
    Levers,
    build_policy,
    scenario_levers,
    with_overrides,
)
from sim.study.grid import Grid, parse_values
from sim.study.summary import SweepSummary
from sim.study.sweep import ProgressFactory, Swept, sweep_in_scratch
from sim.study.widen import WidenLimits
from sim.views.report import ReportPlan, compute_report
from sim.views.report_render import render_report
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario

MAX_SWEEP_POLICIES = 400
"""The most grid policies one click may start (400 x 200 replications of midsize: about 50 s)."""
WIDEN = WidenLimits(max_policies=MAX_SWEEP_POLICIES)
"""How far the dashboard widens a sweep's grid: ``credsim sweep``'s limits, but never past
the policies one click may start."""
GRID_STEPS = 10
_LABEL = re.compile(
    r"^\s*(?:T(?P<t>[^/\s]+)\s*/\s*A(?P<a>[^/\s]+)|(?P<off>off))\s*/\s*I(?P<i>\S+)\s*$",
    re.IGNORECASE,
)


def grid_form_text(scenario: Scenario) -> tuple[str, str]:
    """What the sweep form's trigger and amount fields start with (``START:STOP:STEP`` text).

    A quarter of the scenario's trigger (amount) up to 2.5 times it, in ten
    steps of whole currency units: on midsize (T400/A1000) that is
    ``100:1000:100`` and ``250:2500:250``, the grid the README's benchmark
    sweeps. A scenario without auto-recharge is centred on the documented
    example. Finer than ``sim.study.grid.default_grid`` (the report's five
    multiples) because the dashboard draws the grid as heatmaps.
    """
    levers = scenario_levers(scenario)
    trigger = levers.trigger or EXAMPLE_TRIGGER
    amount = levers.amount or EXAMPLE_AMOUNT

    def axis(value: Decimal) -> str:
        step = max(Decimal(1), (value / 4).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return f"{step}:{step * GRID_STEPS}:{step}"

    return axis(trigger), axis(amount)


def sweep_grid(scenario: Scenario, triggers: str, amounts: str, initials: str = "") -> Grid:
    """The grid typed in the dashboard; InputError names the field and what is wrong."""

    def values(text: str, name: str, *, positive: bool = False) -> tuple[Decimal, ...]:
        try:
            return parse_values(text, positive=positive)
        except ValueError as error:
            raise InputError(f"{name}: {error}") from None

    grid = Grid(
        values(triggers, "triggers"),
        values(amounts, "amounts", positive=True),
        values(initials, "initial balances")
        if initials.strip()
        else (scenario.policy.initial_balance,),
    )
    if len(grid) > MAX_SWEEP_POLICIES:
        raise InputError(
            f"the grid has {len(grid):,} policies; the dashboard runs at most "
            f"{MAX_SWEEP_POLICIES:,} (use `credsim sweep` for more)"
        )
    base = scenario_levers(scenario)
    for levers in grid.levers(base):
        try:
            build_policy(scenario, levers)
        except ValueError as error:
            raise InputError(f"policy {levers.label()}: {error}") from None
    return grid


def sweep(
    loaded: LoadedScenario,
    grid: Grid,
    *,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: ProgressFactory | None = None,
    check: Check | None = None,
    widen: bool = True,
) -> Swept:
    """Run the sweep in a scratch folder and return what it wrote, in memory.

    The same plan as ``credsim sweep`` with the same grid, replications and
    seed (fast engine), so the numbers are the CLI's to the last digit; and
    the report's plan, so ``report_html`` can reuse it. With ``check`` (the
    dashboard's budget) the replications run in worker processes that the
    check stops, mid-task if need be (``LocalExecutor``). With ``widen`` the
    grid is widened while the optimum sits at its edge (``WIDEN``), each
    round a stage of the progress.
    """
    limits = WIDEN if widen else None
    plan = ReportPlan(loaded, grid, replications, seed, widen=limits).sweep_plan()
    executor = LocalExecutor(workers, check=check)
    return sweep_in_scratch(plan, executor=executor, progress=progress)


def grid_initials(rows: pd.DataFrame) -> list[str]:
    """The initial balances of a sweep's grid (``summary_table`` rows), lowest first."""
    return sorted(set(rows.loc[rows["in_grid"], "initial"]), key=Decimal)


def heatmap_rows(rows: pd.DataFrame, initial: str) -> pd.DataFrame:
    """The grid policies at one initial balance: one row per (trigger, amount), for heatmaps."""
    return rows[rows["in_grid"] & (rows["initial"] == initial)]


# -- policies to compare -------------------------------------------------------------------


def policy_choices(
    scenario: Scenario, yours: Levers, summary: SweepSummary | None = None
) -> dict[str, Levers]:
    """Named policies a planner may compare or backtest, each once, in a useful order.

    Yours first, then the scenario file's, the documented example and, after a
    sweep, the recommended policy, the rule of thumb and every other swept
    policy. A policy known by several names is listed once, with every name.
    """
    base = scenario_levers(scenario)
    named: list[tuple[str, Levers]] = [
        ("yours", yours),
        ("scenario file", base),
        ("documented example", documented_example(scenario)),
    ]
    if summary is not None:
        named.append(("recommended", summary.recommendation.levers))
        named.append(("rule of thumb", summary.reference("rule_of_thumb").levers))
        named += [("swept", entry.levers) for entry in summary.policies]
    names: dict[Levers, list[str]] = {}
    for name, levers in named:
        names.setdefault(levers, [])
        if name not in names[levers] and (name != "swept" or not names[levers]):
            names[levers].append(name)
    return {
        f"{levers.label()} ({', '.join(given)})" if given != ["swept"] else levers.label(): levers
        for levers, given in names.items()
    }


def documented_example(scenario: Scenario) -> Levers:
    """The documented example (T400/A1000/I1000) on the scenario's other levers."""
    return with_overrides(
        scenario_levers(scenario),
        trigger=EXAMPLE_TRIGGER,
        amount=EXAMPLE_AMOUNT,
        initial=EXAMPLE_INITIAL,
    )


def parse_label(text: str, base: Levers) -> Levers:
    """``T300/A800/I1000`` or ``off/I1000`` (as the dashboard and CLI label policies) -> Levers.

    The scenario's manual and monthly top-ups (``base``) are kept, as a sweep keeps them.
    """
    match = _LABEL.match(text)
    if match is None:
        raise InputError(f"{text.strip()!r}: write a policy as T400/A1000/I1000 or off/I1000")

    def number(group: str, name: str, *, positive: bool = False) -> Decimal:
        try:
            (value,) = parse_values(match.group(group), positive=positive)
        except ValueError as error:
            raise InputError(f"{text.strip()!r}: {name}: {error}") from None
        return value

    initial = number("i", "initial balance")
    if match.group("off"):
        return with_overrides(base, initial=initial, auto_recharge=False)
    trigger, amount = number("t", "trigger"), number("a", "amount", positive=True)
    return with_overrides(base, trigger=trigger, amount=amount, initial=initial)


def report_html(
    loaded: LoadedScenario,
    grid: Grid,
    swept: Swept,
    *,
    workers: int | None = None,
    progress: ProgressFactory | None = None,
) -> str:
    """The standalone HTML report (``credsim report``) on this scenario and the sweep ``swept``.

    ``swept`` is ``sweep``'s result on the same scenario and grid (widened or
    not, as it was); the report adds the recommended policy's fan chart,
    sample path and demand to it.
    """
    head, widening = swept.summary.head, swept.summary.widening
    limits = None if widening is None else widening.limits
    plan = ReportPlan(loaded, grid, head.replications, head.seed, widen=limits)
    data = compute_report(plan, workers=workers, progress=progress, swept=swept)
    return render_report(data, command=plan.command(Path("report.html")))
