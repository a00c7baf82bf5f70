"""What ``credsim run`` reports: the JSON object (its text is ``sim.views.summary.run_text``).

Every metric of a single run (the backtest keys, nested ones with dots, e.g.
``emails.balance_depleted``) gets its mean and 95 % confidence interval over
the replications, as totals over the horizon; the figures a planner compares
(``PER_YEAR``: outage risk a year, the one definition of docs/model.md#outage-risk,
outage hours, forfeits, recharges and the expected cost a year) come first,
per year, read by ``sim.study.kpis`` exactly as the sweep, report and
dashboard read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.study.experiment import Levers, portal_list
from sim.study.kpis import Replications, kpi
from sim.study.recommend import CostModel
from sim.study.runner import PolicyRuns, RunResults
from sim.study.stats import Estimate, mean_ci
from sim.world.assumptions import assumptions
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario


def metric_estimates(runs: PolicyRuns) -> dict[str, Estimate]:
    """Mean and CI of every metric column, in name order."""
    return table_estimates(runs.table())


def table_estimates(table: pd.DataFrame) -> dict[str, Estimate]:
    """Mean and CI of every column but ``replication``, in column order.

    Shared by ``credsim run`` and ``credsim sweep`` so that a sweep's row and a
    single run of the same policy are the same numbers to the last digit.
    """
    return {
        str(name): mean_ci(column.to_numpy(), floor=kpi(str(name)).floor)
        for name, column in table.items()  # a column at a time: no lookup by name per column
        if name != "replication"
    }


PER_YEAR = (
    "outage_risk_per_year",
    "outage_hours_per_year",
    "blocked_toll_free_per_year",
    "forfeited_per_year",
    "recharges_per_year",
    "emails_per_year",
    "cost_per_year",
)
"""The figures per year of ``credsim run`` (text and JSON), in this order."""


def outage_risk(runs: PolicyRuns) -> Estimate:
    """Outage risk a year (docs/model.md#outage-risk), Wilson interval."""
    return kpi("outage_risk_per_year").estimate(Replications(runs.table()))


def per_year(scenario: Scenario, runs: PolicyRuns) -> dict[str, Estimate]:
    """``PER_YEAR``'s estimates for one policy, priced by the scenario's objective."""
    costs = CostModel.from_scenario(scenario)
    replications = Replications(runs.table(), costs.horizon_months, costs)
    return {name: kpi(name).estimate(replications) for name in PER_YEAR}


def levers_dict(levers: Levers) -> dict[str, Any]:
    """The policy as JSON (major units as decimal strings: exactly as given)."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "initial": text(levers.initial),
        "auto_recharge": levers.auto_recharge,
        "trigger": text(levers.trigger),
        "amount": text(levers.amount),
        "manual_top_up": text(levers.manual_top_up),
        "monthly_top_up": text(levers.monthly_top_up),
    }


def run_dict(loaded: LoadedScenario, results: RunResults, runs: PolicyRuns) -> dict[str, Any]:
    """The object ``credsim run --json`` prints."""
    return {
        "scenario": loaded.scenario.scenario.name,
        "policy": levers_dict(runs.levers),
        "replications": results.replications,
        "seed": results.seed,
        "horizon_months": loaded.scenario.scenario.horizon_months,
        "per_year": {
            name: _json(name, est) for name, est in per_year(loaded.scenario, runs).items()
        },
        "metrics": {name: est.as_mean() for name, est in metric_estimates(runs).items()},
        "portal": portal_list(loaded.scenario.scenario.currency, runs.levers),
        "assumptions": [item.to_dict() for item in assumptions(loaded.scenario)],
    }


def _json(name: str, est: Estimate) -> dict[str, float | None]:
    """A probability as ``estimate``/``ci_low``/``ci_high``, any other figure as a mean."""
    return est.as_probability() if kpi(name).unit == "probability" else est.as_mean()


def comparison_table(results: RunResults, metrics: Sequence[str]) -> pd.DataFrame:
    """One row per policy: outage risk a year and the given metrics, each with its CI bounds."""
    rows = []
    for runs in results.policies:
        estimates = {"outage_risk_per_year": outage_risk(runs), **metric_estimates(runs)}
        row: dict[str, object] = {"policy": runs.levers.label()}
        for name in ("outage_risk_per_year", *metrics):
            est = estimates[name]
            row[name] = est.estimate
            row[f"{name}.ci_low"] = est.ci_low
            row[f"{name}.ci_high"] = est.ci_high
        rows.append(row)
    return pd.DataFrame(rows)
