"""A kept sweep priced again under other objective prices (the dashboard's objective edits)."""

from __future__ import annotations

from decimal import Decimal

from sim.study.executors import LocalExecutor
from sim.study.grid import Grid
from sim.study.rescore import rescored
from sim.study.sweep import SweepPlan, sweep_in_scratch
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario


def priced(scenario: Scenario, **changes: object) -> Scenario:
    """The scenario with other ``[objective]`` prices."""
    return scenario.model_copy(update={"objective": scenario.objective.model_copy(update=changes)})


def test_rescoring_under_the_same_prices_changes_nothing_and_other_prices_reprice(
    tiny: LoadedScenario,
) -> None:
    grid = Grid((Decimal(0), Decimal(50)), (Decimal(100), Decimal(200)), (Decimal(100),))
    swept = sweep_in_scratch(SweepPlan(tiny, grid, 6, seed=3, engine="fast"),
                             executor=LocalExecutor(1))  # fmt: skip
    same = rescored(swept, tiny.scenario)
    assert same.summary.recommendation == swept.summary.recommendation
    assert [e.cost_per_year for e in same.summary.policies] == [
        e.cost_per_year for e in swept.summary.policies
    ]
    repriced = rescored(swept, priced(tiny.scenario, cost_per_recharge=Decimal(1000)))
    assert repriced.summary.objective.cost_per_recharge == 1000.0
    before = {entry.label: entry for entry in swept.summary.policies}
    for entry in repriced.summary.policies:  # the recharges cost more; nothing else moves
        old = before[entry.label]
        assert entry.outage_risk_per_year == old.outage_risk_per_year
        dearer = entry.cost_per_year.estimate > old.cost_per_year.estimate
        assert dearer == (entry.metrics["recharges"].estimate > 0), entry.label
    assert repriced.summary_csv != swept.summary_csv
    assert repriced.runs is swept.runs  # nothing simulated again
