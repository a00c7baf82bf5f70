"""credsim: simulation and policy analysis for prepaid Communications Credits.

The names a notebook or script needs, in the vocabulary of policy analysis:
a **Scenario** is the uncertain world (``load_scenario``, ``bundled_scenario``),
**Levers** and a **Policy** are what a planner sets, **Payments** how card
payments behave, an **Outcome** what one run measures. ``run_replications``
runs Monte Carlo replications of several policies on the same demand,
``run_sweep`` a whole grid with a recommendation, ``Recording`` backtests a
usage file, and ``charts`` draws the results::

    from decimal import Decimal
    from sim import bundled_scenario, load_scenario, run_replications, scenario_levers
    from sim import comparison_table, with_overrides

    loaded = load_scenario(bundled_scenario("midsize"))
    documented = scenario_levers(loaded.scenario)
    lean = with_overrides(documented, trigger=Decimal(50), amount=Decimal(100))
    results = run_replications(loaded, [documented, lean], replications=50, seed=1,
                               engine="skip")
    comparison_table(results, ["forfeited", "mean_balance"])

Names are imported on first use (PEP 562), so ``import sim`` and the
command line stay quick; ``__all__`` lists them and ``tests/test_api.py``
guards the list. The packages behind them (``sim.account``, ``sim.world``,
``sim.engines``, ``sim.study``, ``sim.views``) are documented in docs/design.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__: str
"""The installed distribution's version, read on first use (``_installed_version``)."""

_HOMES: dict[str, str] = {
    # the world
    "Scenario": "sim.world.scenario:Scenario",
    "LoadedScenario": "sim.world.load:LoadedScenario",
    "load_scenario": "sim.world.load:load_scenario",
    "bundled_scenario": "sim.world.bundled:scenario",
    "generate_demand": "sim.world.demand:generate",
    # the levers
    "Levers": "sim.study.experiment:Levers",
    "scenario_levers": "sim.study.experiment:scenario_levers",
    "with_overrides": "sim.study.experiment:with_overrides",
    "build_policy": "sim.study.experiment:build_policy",
    "build_payments": "sim.study.experiment:build_payments",
    "run_spec": "sim.study.experiment:run_spec",
    "Policy": "sim.account.policy:Policy",
    "AutoRecharge": "sim.account.policy:AutoRecharge",
    "ManualTopUp": "sim.account.policy:ManualTopUp",
    "ScheduledTopUp": "sim.account.policy:ScheduledTopUp",
    "Payments": "sim.account.payments:Payments",
    "CardExpiry": "sim.account.payments:CardExpiry",
    "RunSpec": "sim.account.run_spec:RunSpec",
    # what a run measures
    "Outcome": "sim.account.outcome:Outcome",
    "CallStream": "sim.account.stream:CallStream",
    "Estimate": "sim.study.stats:Estimate",
    "balance_bands": "sim.study.stats:balance_bands",
    "KPIS": "sim.study.kpis:KPIS",
    "kpi": "sim.study.kpis:kpi",
    # studies
    "evaluate": "sim.engines.batch:evaluate",
    "run_replications": "sim.study.runner:run_replications",
    "RunResults": "sim.study.runner:RunResults",
    "PolicyRuns": "sim.study.runner:PolicyRuns",
    "comparison_table": "sim.study.run_summary:comparison_table",
    "Grid": "sim.study.grid:Grid",
    "SweepPlan": "sim.study.sweep:SweepPlan",
    "SweepResult": "sim.study.sweep:SweepResult",
    "run_sweep": "sim.study.sweep:run_sweep",
    "SweepSummary": "sim.study.summary:SweepSummary",
    "LocalExecutor": "sim.study.executors:LocalExecutor",
    "DaskExecutor": "sim.study.executors:DaskExecutor",
    "Recording": "sim.study.backtest:Recording",
    "Backtest": "sim.study.backtest:Backtest",
    "traced_run": "sim.study.trace:traced_run",
    # pictures
    "charts": "sim.views.charts:",
}
"""Each public name -> ``module:attribute`` that defines it (no attribute: the module itself)."""

__all__ = [
    "KPIS",
    "AutoRecharge",
    "Backtest",
    "CallStream",
    "CardExpiry",
    "DaskExecutor",
    "Estimate",
    "Grid",
    "Levers",
    "LoadedScenario",
    "LocalExecutor",
    "ManualTopUp",
    "Outcome",
    "Payments",
    "Policy",
    "PolicyRuns",
    "Recording",
    "RunResults",
    "RunSpec",
    "Scenario",
    "ScheduledTopUp",
    "SweepPlan",
    "SweepResult",
    "SweepSummary",
    "__version__",
    "balance_bands",
    "build_payments",
    "build_policy",
    "bundled_scenario",
    "charts",
    "comparison_table",
    "evaluate",
    "generate_demand",
    "kpi",
    "load_scenario",
    "run_replications",
    "run_spec",
    "run_sweep",
    "scenario_levers",
    "traced_run",
    "with_overrides",
]
"""Every public name (``_HOMES`` says where each lives; ``tests/test_api.py`` keeps both equal)."""

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports
    from sim.account.outcome import Outcome
    from sim.account.payments import CardExpiry, Payments
    from sim.account.policy import AutoRecharge, ManualTopUp, Policy, ScheduledTopUp
    from sim.account.run_spec import RunSpec
    from sim.account.stream import CallStream
    from sim.engines.batch import evaluate
    from sim.study.backtest import Backtest, Recording
    from sim.study.executors import DaskExecutor, LocalExecutor
    from sim.study.experiment import (
        Levers,
        build_payments,
        build_policy,
        run_spec,
        scenario_levers,
        with_overrides,
    )
    from sim.study.grid import Grid
    from sim.study.kpis import KPIS, kpi
    from sim.study.run_summary import comparison_table
    from sim.study.runner import PolicyRuns, RunResults, run_replications
    from sim.study.stats import Estimate, balance_bands
    from sim.study.summary import SweepSummary
    from sim.study.sweep import SweepPlan, SweepResult, run_sweep
    from sim.study.trace import traced_run
    from sim.views import charts
    from sim.world.bundled import scenario as bundled_scenario
    from sim.world.demand import generate as generate_demand
    from sim.world.load import LoadedScenario, load_scenario
    from sim.world.scenario import Scenario


def _installed_version() -> str:
    """The version pip installed, or ``0.0.0+unknown`` in a source tree never installed.

    Why on first use: ``importlib.metadata`` takes a noticeable part of the command
    line's start-up (docs/performance.md#start-up), and ``credsim --help`` never needs it.
    """
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("credsim")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    """Import a public name from its home on first use, then keep it here."""
    if name == "__version__":
        globals()[name] = _installed_version()
        return globals()[name]
    if name not in _HOMES:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    module_name, _, attribute = _HOMES[name].partition(":")
    module = import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
