"""What ``credsim run`` reports: the JSON object (its text is ``sim.views.summary.run_text``).

Every metric of a single run (the backtest keys, nested ones with dots, e.g.
``emails.balance_depleted``) gets its mean and 95 % confidence interval over
the replications; the probability of at least one outage over the horizon
gets a Wilson interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.study.experiment import Levers, portal_list
from sim.study.runner import PolicyRuns, RunResults
from sim.study.stats import Estimate, mean_ci, wilson
from sim.world.assumptions import assumptions
from sim.world.load import LoadedScenario


def metric_estimates(runs: PolicyRuns) -> dict[str, Estimate]:
    """Mean and CI of every metric column, in name order."""
    return table_estimates(runs.table())


def table_estimates(table: pd.DataFrame) -> dict[str, Estimate]:
    """Mean and CI of every column but ``replication``, in column order.

    Shared by ``credsim run`` and ``credsim sweep`` so that a sweep's row and a
    single run of the same policy are the same numbers to the last digit.
    """
    return {
        name: mean_ci(table[name].to_numpy()) for name in table.columns if name != "replication"
    }


def outage_probability(runs: PolicyRuns) -> Estimate:
    """P(at least one outage over the horizon), Wilson interval."""
    return wilson(runs.outages, len(runs.replications))


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
        "metrics": {name: est.as_mean() for name, est in metric_estimates(runs).items()},
        "outage_probability": outage_probability(runs).as_probability(),
        "portal": portal_list(loaded.scenario.scenario.currency, runs.levers),
        "assumptions": [item.to_dict() for item in assumptions(loaded.scenario)],
    }


def comparison_table(results: RunResults, metrics: Sequence[str]) -> pd.DataFrame:
    """One row per policy: P(outage) and the given metrics, each with its CI bounds."""
    rows = []
    for runs in results.policies:
        estimates = {"outage_probability": outage_probability(runs), **metric_estimates(runs)}
        row: dict[str, object] = {"policy": runs.levers.label()}
        for name in ("outage_probability", *metrics):
            est = estimates[name]
            row[name] = est.estimate
            row[f"{name}.ci_low"] = est.ci_low
            row[f"{name}.ci_high"] = est.ci_high
        rows.append(row)
    return pd.DataFrame(rows)
