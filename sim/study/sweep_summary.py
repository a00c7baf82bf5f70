"""What a sweep reports: per policy the run's figures, its cost and risk per year; the choice.

Each policy's ``metrics`` and ``outage_probability`` are computed by the same
code as ``credsim run --json`` (``sim.study.run_summary.table_estimates``, Wilson),
from a table laid out as the run lays out its own, so a sweep's row equals
the run of that policy to the last digit. On top come the outage risk per
year, the expected cost per year and its parts (``sim.study.recommend``), the
Pareto frontier and the recommendation over the grid's policies, and the
references (the documented example, the rule of thumb) shown beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pandas as pd

from sim.account.format import money_major, percent
from sim.account.money import currency
from sim.study.experiment import Levers
from sim.study.grid import Grid
from sim.study.recommend import (
    COST_PARTS,
    CostModel,
    Score,
    annual_risk,
    describe,
    explain,
    pareto_frontier,
    recommend,
    warning,
)
from sim.study.run_summary import levers_dict, table_estimates
from sim.study.stats import Estimate, mean_ci, wilson
from sim.world.scenario import Scenario

POLICY_COLUMNS = ("label", "trigger", "amount", "initial", "in_grid")
"""The columns of runs.parquet that say which policy a row is."""

REFERENCE_NAMES = {
    "documented_example": "the documented example",
    "rule_of_thumb": "the rule of thumb",
}
COST_BASIS = (
    "per year, in major units: (forfeited + mean balance x cost_of_capital_per_year x years "
    "+ recharges x fee_per_recharge + blocked minutes x penalty_per_blocked_min) / years, "
    "years = horizon_months / 12"
)
RISK_BASIS = (
    "P(at least one outage in a year) = 1 - (1 - p)^(12 / horizon_months), p = P(at least one "
    "outage over the horizon); the same map is applied to both Wilson 95 % bounds"
)


@dataclass(frozen=True)
class SweepPolicy:
    """One evaluated policy: its levers, whether the grid holds it, which references it is."""

    levers: Levers
    in_grid: bool
    references: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``T400/A1000/I1000``."""
        return self.levers.label()

    def with_reference(self, name: str) -> SweepPolicy:
        """The same policy, also known as reference ``name``."""
        return replace(self, references=(*self.references, name))

    def column(self, name: str) -> object:
        """Its value in a runs.parquet policy column (amounts as floats, for plotting)."""
        if name == "label":
            return self.label
        if name == "in_grid":
            return self.in_grid
        value: Decimal | None = getattr(self.levers, name)
        return None if value is None else float(value)


def policy_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One policy's rows laid out as ``PolicyRuns.table()``: replication, then sorted metrics.

    Metrics the policy never reported are left out and gaps become 0, exactly
    as a single run builds its table from its own replications.
    """
    metrics = rows.drop(columns=["label", "replication"]).dropna(axis=1, how="all")
    table = metrics.fillna(0.0)[sorted(metrics.columns)]
    table.insert(0, "replication", rows["replication"].to_numpy())
    return table.reset_index(drop=True)


def build_summary(
    head: dict[str, Any],
    raw: pd.DataFrame,
    policies: Sequence[SweepPolicy],
    scenario: Scenario,
    grid: Grid,
    spend_per_month: float,
) -> dict[str, Any]:
    """summary.json: ``head``, the objective, every policy, the frontier, the recommendation."""
    costs = CostModel.from_scenario(scenario)
    limit = float(scenario.objective.max_outage_risk_per_year)
    entries, scores = [], []
    for policy in policies:
        entry, score = _policy_entry(policy, policy_table(raw[raw["label"] == policy.label]), costs)
        entries.append(entry)
        scores.append(score)
    in_grid = [i for i, policy in enumerate(policies) if policy.in_grid]
    grid_scores = [scores[i] for i in in_grid]
    frontier = [in_grid[i] for i in pareto_frontier(grid_scores)]
    rec = recommend(grid_scores, limit)
    chosen = in_grid[rec.index]
    for i, entry in enumerate(entries):
        entry["on_frontier"] = i in frontier
        entry["recommended"] = i == chosen
    named = {ref: i for i, policy in enumerate(policies) for ref in policy.references}
    cur = currency(scenario.scenario.currency)
    reason = explain(
        rec,
        grid_scores,
        lambda value: money_major(value, cur),
        references={REFERENCE_NAMES[ref]: scores[i] for ref, i in named.items()},
        edges=_edges(policies[chosen].levers, grid),
    )
    return {
        **head,
        "objective": _objective(scenario),
        "cost_basis": COST_BASIS,
        "risk_basis": RISK_BASIS,
        "policies": entries,
        "frontier": [policies[i].label for i in frontier],
        "recommendation": {
            "label": policies[chosen].label,
            "policy": levers_dict(policies[chosen].levers),
            "qualifies": rec.qualifies,
            "qualifying_policies": rec.qualifying,
            "grid_policies": len(in_grid),
            "outage_risk_per_year": entries[chosen]["outage_risk_per_year"],
            "cost_per_year": entries[chosen]["cost_per_year"],
            "reason": reason,
            "warning": warning(rec, int(head["replications"]), costs.horizon_months),
        },
        "references": _references(named, policies, spend_per_month),
    }


def _policy_entry(
    policy: SweepPolicy, table: pd.DataFrame, costs: CostModel
) -> tuple[dict[str, Any], Score]:
    """One policy's figures as in ``credsim run --json``, plus risk and cost per year."""
    outages = int((table["outage_episodes"] > 0).sum())
    horizon_risk = wilson(outages, len(table))
    risk = annual_risk(horizon_risk, costs.horizon_months)
    per_year = costs.per_year(table)
    cost = mean_ci(per_year["total"].to_numpy())
    entry = {
        "label": policy.label,
        "policy": levers_dict(policy.levers),
        "in_grid": policy.in_grid,
        "references": list(policy.references),
        "metrics": {name: est.as_mean() for name, est in table_estimates(table).items()},
        "outage_probability": horizon_risk.as_probability(),
        "outage_risk_per_year": risk.as_probability(),
        "cost_per_year": cost.as_mean(),
        "cost_parts_per_year": {
            name: mean_ci(per_year[name].to_numpy()).as_mean() for name in COST_PARTS
        },
    }
    return entry, Score(policy.label, risk, cost)


def _edges(levers: Levers, grid: Grid) -> list[str]:
    """Levers of the chosen policy that sit at an end of a grid axis with several values."""
    edges = []
    for name, values in (("trigger", grid.triggers), ("amount", grid.amounts),
                         ("initial balance", grid.initials)):  # fmt: skip
        value = getattr(levers, name.split()[0])
        if len(values) > 1 and value in (values[0], values[-1]):
            end = "lowest" if value == values[0] else "highest"
            edges.append(f"{name} ({value}, the {end} tried)")
    return edges


def _objective(scenario: Scenario) -> dict[str, float]:
    objective = scenario.objective
    return {
        "max_outage_risk_per_year": float(objective.max_outage_risk_per_year),
        "cost_of_capital_per_year": float(objective.cost_of_capital_per_year),
        "fee_per_recharge": float(objective.fee_per_recharge),
        "penalty_per_blocked_min": float(objective.penalty_per_blocked_min),
    }


def _references(
    named: dict[str, int], policies: Sequence[SweepPolicy], spend_per_month: float
) -> dict[str, Any]:
    example = policies[named["documented_example"]]
    rule = policies[named["rule_of_thumb"]]
    return {
        "documented_example": {
            "label": example.label,
            "policy": levers_dict(example.levers),
            "basis": "the only published planning example: initial 1,000, trigger 400, "
            "recharge 1,000 (in the scenario's currency)",
        },
        "rule_of_thumb": {
            "label": rule.label,
            "policy": levers_dict(rule.levers),
            "basis": "trigger = one week of mean spend, amount = initial = one month, rounded "
            "to whole currency units; spend = consumed + blocked charge over all of the "
            "sweep's runs",
            "mean_spend_per_month": round(spend_per_month, 6),
        },
    }


def summary_table(summary: dict[str, Any]) -> pd.DataFrame:
    """summary.csv: a row per policy; each figure as ``name``, ``name.ci_low``, ``name.ci_high``."""
    rows = []
    for entry in summary["policies"]:
        policy = entry["policy"]
        row: dict[str, object] = {
            "label": entry["label"],
            "trigger": policy["trigger"],
            "amount": policy["amount"],
            "initial": policy["initial"],
            "in_grid": entry["in_grid"],
            "references": ";".join(entry["references"]),
            "on_frontier": entry["on_frontier"],
            "recommended": entry["recommended"],
        }
        _spread(row, "outage_probability", entry["outage_probability"], "estimate")
        _spread(row, "outage_risk_per_year", entry["outage_risk_per_year"], "estimate")
        _spread(row, "cost_per_year", entry["cost_per_year"], "mean")
        for name, value in entry["cost_parts_per_year"].items():
            _spread(row, f"{name}_per_year", value, "mean")
        for name, value in entry["metrics"].items():
            _spread(row, name, value, "mean")
        rows.append(row)
    return pd.DataFrame(rows)


def _spread(row: dict[str, object], name: str, value: dict[str, Any], point: str) -> None:
    row[name] = value[point]
    row[f"{name}.ci_low"] = value["ci_low"]
    row[f"{name}.ci_high"] = value["ci_high"]


def sweep_text(summary: dict[str, Any]) -> str:
    """What ``credsim sweep`` prints: the choice, its reason, the references, the frontier."""
    cur = currency(summary["currency"])
    by_label = {entry["label"]: entry for entry in summary["policies"]}
    rec = summary["recommendation"]

    def money(value: float) -> str:
        return money_major(value, cur)

    def score(label: str) -> Score:
        entry = by_label[label]
        risk, cost = entry["outage_risk_per_year"], entry["cost_per_year"]
        return Score(
            label,
            Estimate(risk["estimate"], risk["ci_low"], risk["ci_high"]),
            Estimate(cost["mean"], cost["ci_low"], cost["ci_high"]),
        )

    grid = sum(entry["in_grid"] for entry in summary["policies"])
    lines = [
        f"Sweep of {summary['scenario']}: {grid} policies x {summary['replications']} "
        f"replications, seed {summary['seed']}, engine {summary['engine']}, "
        f"{summary['horizon_months']} months",
        f"Objective: outage risk <= {percent(summary['objective']['max_outage_risk_per_year'])} "
        "a year (95 % upper bound), then the lowest expected cost a year",
        "",
        f"Recommended: {rec['label']}: {describe(score(rec['label']), money)}",
    ]
    if rec["warning"]:
        lines.append(f"WARNING: {rec['warning']}")
    lines.append(f"  {rec['reason']}")
    lines.append("")
    for key, ref in summary["references"].items():
        name = REFERENCE_NAMES[key]
        lines.append(
            f"{name[:1].upper()}{name[1:]}: {ref['label']}: {describe(score(ref['label']), money)}"
        )
    lines += ["", "Pareto frontier (outage risk a year vs expected cost a year):"]
    lines.append(f"  {'policy':<24}{'risk':>10}{'upper':>10}{'cost':>16}")
    for label in summary["frontier"]:
        entry = score(label)
        lines.append(
            f"  {label:<24}{percent(entry.risk.estimate):>10}{percent(entry.risk_upper):>10}"
            f"{money(entry.cost.estimate):>16}"
        )
    return "\n".join(lines)
