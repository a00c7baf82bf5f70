"""What ``credsim run`` reports: the JSON object and the readable table.

Every metric of a single run (the backtest keys, nested ones with dots, e.g.
``emails.balance_depleted``) gets its mean and 95 % confidence interval over
the replications; the probability of at least one outage over the horizon
gets a Wilson interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from sim.account.format import money_major
from sim.account.money import Currency
from sim.study.experiment import Levers, scenario_currency
from sim.study.kpis import kpi
from sim.study.runner import PolicyRuns, RunResults
from sim.study.stats import Estimate, mean_ci, wilson
from sim.world.load import LoadedScenario

HEADLINE = (
    # credsim run's first rows, in this order (labels and units: sim.study.kpis)
    "outage_episodes",
    "outage_hours",
    "blocked_calls",
    "blocked_minutes",
    "blocked_charge",
    "forfeited",
    "consumed",
    "funded",
    "mean_balance",
    "min_balance",
    "final_balance",
    "recharges",
    "failed_recharges",
    "emails.recharge_succeeded",
    "emails.recharge_failed",
    "emails.balance_depleted",
)


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
    }


def run_text(loaded: LoadedScenario, results: RunResults, runs: PolicyRuns) -> str:
    """A readable table of outage risk, forfeiture and the rest, with CIs."""
    scenario = loaded.scenario
    cur = scenario_currency(scenario)
    estimates = metric_estimates(runs)
    risk = outage_probability(runs)
    lines = [
        f"Scenario {scenario.scenario.name}: {results.replications} replications, "
        f"seed {results.seed}, engine {results.engine}, {scenario.scenario.horizon_months} "
        f"months from {scenario.scenario.start.date().isoformat()}",
        f"Policy: {_levers_text(runs.levers, cur)}",
        "",
        f"{kpi('outage_probability').label}: {_probability(risk, cur)}",
        "",
        f"{'metric':<28}{'mean':>16}{'95 % CI':>34}",
    ]
    for name in [*HEADLINE, *sorted(set(estimates) - set(HEADLINE))]:
        if name in estimates:
            lines.append(_row(name, estimates[name], cur))
    return "\n".join(lines)


def _row(name: str, est: Estimate, cur: Currency) -> str:
    """``name  mean  low to high`` in the metric's unit (``sim.study.kpis``)."""
    figure = kpi(name)
    interval = figure.interval_text(est, cur)
    return f"{name:<28}{figure.text(est.estimate, cur):>16}{interval:>34}"


def _probability(est: Estimate, cur: Currency) -> str:
    figure = kpi("outage_probability")
    return f"{figure.text(est.estimate, cur)} (95 % CI {figure.interval_text(est, cur)})"


def _levers_text(levers: Levers, cur: Currency) -> str:
    def money(value: Decimal | None) -> str:
        return money_major(value or Decimal(0), cur)

    parts = [f"initial {money(levers.initial)}"]
    if levers.auto_recharge:
        parts.append(f"auto-recharge {money(levers.amount)} when below {money(levers.trigger)}")
    else:
        parts.append("auto-recharge off")
    if levers.manual_top_up is not None:
        parts.append(f"manual top-up {money(levers.manual_top_up)} after a below-zero email")
    if levers.monthly_top_up is not None:
        parts.append(f"monthly top-up {money(levers.monthly_top_up)}")
    return ", ".join(parts)


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
