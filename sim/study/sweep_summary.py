"""What a sweep reports: per policy the run's figures, its cost and risk per year; the choice.

Each policy's ``metrics`` and ``outage_risk_per_year`` are computed by the same
code as ``credsim run --json`` (``sim.study.run_summary.table_estimates``, ``sim.study.kpis``),
from a table laid out as the run lays out its own, so a sweep's row equals
the run of that policy to the last digit. On top come the outage risk per
year, the expected cost per year and its parts (read by ``sim.study.kpis``,
priced by ``sim.study.recommend``), the Pareto frontier and the recommendation
over the grid's policies, and the references (the documented example, the
rule of thumb) shown beside it. The result is a ``sim.study.summary.SweepSummary``;
``summary_table`` lays it out as summary.csv.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from sim.account.format import money_major
from sim.account.money import Currency, currency
from sim.study.drivers import Candidate, cap_sentence, driver_sentences
from sim.study.experiment import Levers, grid_portal, portal_findings, portal_list
from sim.study.first_guess import first_guess, scenario_inputs
from sim.study.grid import Grid
from sim.study.kpis import Replications, kpi, spread
from sim.study.recommend import (
    COST_PARTS,
    CostModel,
    Score,
    explain,
    pareto_frontier,
    recommend,
    warning,
)
from sim.study.run_summary import table_estimates
from sim.study.stats import Estimate
from sim.study.summary import (
    REFERENCE_NAMES,
    Objective,
    PolicyEntry,
    Recommended,
    Reference,
    SweepHead,
    SweepPolicy,
    SweepSummary,
)
from sim.study.sweep_estimates import PolicyFigures, chunk_tables
from sim.study.verdict import FIGURES, Verdict
from sim.study.widen import NOUNS, open_edges
from sim.world.scenario import Scenario

SPEND_COLUMNS = ("replication", "consumed", "blocked_charge")
"""What the rule of thumb and the first guess read of every row (``SWEEP_SPEND_BYTES_PER_ROW``)."""
POLICY_COLUMNS = ("label", "trigger", "amount", "initial", "in_grid")
"""The columns of runs.parquet that say which policy a row is."""
EXAMPLE_BASIS = (
    "the only published planning example: initial 1,000, trigger 400, recharge 1,000 (in the "
    "scenario's currency)"
)
RULE_BASIS = (
    "trigger = one week of mean spend, amount = initial = one month, rounded to whole currency "
    "units; spend = consumed + blocked charge over all of the sweep's runs"
)


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
    head: SweepHead,
    raw: pd.DataFrame,
    policies: Sequence[SweepPolicy],
    scenario: Scenario,
    spend_per_month: float,
) -> SweepSummary:
    """summary.json: ``head``, the objective, every policy, the frontier, the recommendation."""
    by_label = _by_label(raw)
    return summarize(
        head, [(policies, raw)], policies, scenario, spend_per_month,
        lambda policy: by_label[policy.label],
    )  # fmt: skip


def summarize(
    head: SweepHead,
    chunks: Iterable[tuple[Sequence[SweepPolicy], pd.DataFrame]],
    policies: Sequence[SweepPolicy],
    scenario: Scenario,
    spend_per_month: float,
    rows_of: Callable[[SweepPolicy], pd.DataFrame],
) -> SweepSummary:
    """``build_summary`` from the rows of ``policies`` given chunk by chunk, in their order.

    Only one chunk's rows are held at a time, plus the spend columns of every row
    (the first guess averages them in the whole table's order); ``rows_of`` gives
    the chosen policy's rows again for its verdict.
    """
    costs = CostModel.from_scenario(scenario)
    objective = Objective.from_scenario(scenario)
    entries: list[PolicyEntry] = []
    scores: list[Score] = []
    spend_rows: list[pd.DataFrame] = []
    for chunk, raw in chunks:
        tables = chunk_tables(raw, [policy.label for policy in chunk])
        if tables is None:  # not laid out policy by policy: one table at a time
            by_label = _by_label(raw)
            pairs = [_table_entry(p, policy_table(by_label[p.label]), costs) for p in chunk]
        else:
            pairs = [
                _policy_entry(policy, metrics, figures)
                for policy, metrics, figures in zip(
                    chunk, tables.estimates(), tables.figures(costs), strict=True
                )
            ]
        entries.extend(entry for entry, _ in pairs)
        scores.extend(score for _, score in pairs)
        spend_rows.append(raw[list(SPEND_COLUMNS)])
    if len(entries) != len(policies):
        raise ValueError(f"the chunks held {len(entries)} policies, not {len(policies)}")
    in_grid = [i for i, policy in enumerate(policies) if policy.in_grid]
    grid_scores = [scores[i] for i in in_grid]
    frontier = [in_grid[i] for i in pareto_frontier(grid_scores)]
    rec = recommend(grid_scores, objective.max_outage_risk_per_year, costs.max_recharges_per_month)
    chosen = in_grid[rec.index]
    entries = [
        replace(entry, on_frontier=i in frontier, recommended=i == chosen)
        for i, entry in enumerate(entries)
    ]
    named = {ref: i for i, policy in enumerate(policies) for ref in policy.references}
    cur = currency(head.currency)

    def money(value: float) -> str:
        return money_major(value, cur)

    candidates = [_candidate(entries[i], scores[i]) for i in in_grid]
    reason = explain(
        rec,
        grid_scores,
        money,
        references={REFERENCE_NAMES[ref]: scores[i] for ref, i in named.items()},
        edges=_edges(policies[chosen].levers, head.grid, head.currency),
        drivers=[
            *filter(None, [cap_sentence(rec, grid_scores, money)]),
            *driver_sentences(candidates, rec.index, rec, money),
        ],
    )
    recommendation = Recommended(
        label=policies[chosen].label,
        levers=policies[chosen].levers,
        qualifies=rec.qualifies,
        qualifying_policies=rec.qualifying,
        grid_policies=len(in_grid),
        outage_risk_per_year=entries[chosen].outage_risk_per_year,
        cost_per_year=entries[chosen].cost_per_year,
        reason=reason,
        warning=warning(rec, head.replications, costs.horizon_months),
        verdict=_verdict(policies[chosen], rows_of(policies[chosen]), costs, cur),
    )
    return SweepSummary(
        head=head,
        objective=objective,
        policies=tuple(entries),
        frontier=tuple(policies[i].label for i in frontier),
        recommendation=recommendation,
        references=_references(named, policies, spend_per_month),
        first_guess=first_guess(
            scenario_inputs(scenario, pd.concat(spend_rows, ignore_index=True))
        ),
    )


def _candidate(entry: PolicyEntry, score: Score) -> Candidate:
    """A grid policy as ``sim.study.drivers`` weighs it: the cost parts as summary.json has them."""
    parts = {name: est.estimate for name, est in entry.cost_parts_per_year.items()}
    return Candidate(entry.levers, parts, score.risk_upper, score.recharges_per_month or 0.0)


def _by_label(raw: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each policy's rows of ``raw`` (as ``raw[raw["label"] == label]``, in one pass)."""
    return {str(label): rows for label, rows in raw.groupby("label", sort=False)}


def _verdict(policy: SweepPolicy, rows: pd.DataFrame, costs: CostModel, cur: Currency) -> str:
    """The chosen policy's verdict, its figures read by the KPIs from its replications."""
    table = policy_table(rows)
    replications = Replications(table, costs.horizon_months, costs)
    figures = {name: kpi(name).estimate(replications).rounded() for name in FIGURES}
    return Verdict.from_figures(policy.levers, figures).text(cur)


def _table_entry(
    policy: SweepPolicy, table: pd.DataFrame, costs: CostModel
) -> tuple[PolicyEntry, Score]:
    """``_policy_entry`` of one policy's table (rows not laid out policy by policy)."""
    return _policy_entry(policy, table_estimates(table), table_figures(table, costs))


def table_figures(table: pd.DataFrame, costs: CostModel) -> PolicyFigures:
    """One policy's risk, cost and its parts per year and recharges a month, read by the
    KPIs from its table (``ChunkTables.figures`` computes the same for a chunk at once)."""
    replications = Replications(table, costs.horizon_months, costs)
    return PolicyFigures(
        risk=kpi("outage_risk_per_year").estimate(replications),
        cost=kpi("cost_per_year").estimate(replications),
        cost_parts={name: kpi(f"{name}_per_year").estimate(replications) for name in COST_PARTS},
        recharges_per_month=float(replications.column("recharges").mean()) / costs.horizon_months,
    )


def _policy_entry(
    policy: SweepPolicy, metrics: dict[str, Estimate], figures: PolicyFigures
) -> tuple[PolicyEntry, Score]:
    """One policy's figures as in ``credsim run --json``, plus risk and cost per year.

    The Score (for the frontier and the choice) keeps every digit; the entry
    holds the figures as summary.json stores them. ``metrics``: ``table_estimates``
    of the policy's table.
    """
    entry = PolicyEntry(
        policy=policy,
        metrics={name: est.rounded() for name, est in metrics.items()},
        outage_risk_per_year=figures.risk.rounded(),
        cost_per_year=figures.cost.rounded(),
        cost_parts_per_year={name: est.rounded() for name, est in figures.cost_parts.items()},
    )
    score = Score(policy.label, figures.risk, figures.cost, figures.recharges_per_month)
    return entry, score


def _edges(levers: Levers, grid: Grid, code: str) -> list[str]:
    """Levers of the chosen policy at an end of a grid axis with several values, beyond which
    a grid could go (not at the admin portal's minimum: ``sim.study.widen.open_edges``)."""
    return [
        f"{NOUNS[edge.axis]} ({edge.value}, the {edge.end} tried)"
        for edge in open_edges(levers, grid, code)
    ]


def _references(
    named: dict[str, int], policies: Sequence[SweepPolicy], spend_per_month: float
) -> tuple[Reference, ...]:
    example = policies[named["documented_example"]]
    rule = policies[named["rule_of_thumb"]]
    return (
        Reference("documented_example", example.label, example.levers, EXAMPLE_BASIS),
        Reference("rule_of_thumb", rule.label, rule.levers, RULE_BASIS, round(spend_per_month, 6)),
    )


def summary_table(summary: SweepSummary) -> pd.DataFrame:
    """summary.csv: a row per policy; each figure as ``name``, ``name.ci_low``, ``name.ci_high``."""
    rows = []
    for entry in summary.policies:
        row: dict[str, object] = {"label": entry.label}
        policy = entry.to_dict()["policy"]  # the levers as summary.json writes them
        row.update({name: policy[name] for name in ("trigger", "amount", "initial")})
        row.update(
            in_grid=entry.in_grid,
            references=";".join(entry.policy.references),
            on_frontier=entry.on_frontier,
            recommended=entry.recommended,
        )
        spread(row, "outage_risk_per_year", entry.outage_risk_per_year)
        spread(row, "cost_per_year", entry.cost_per_year)
        for name, est in entry.cost_parts_per_year.items():
            spread(row, f"{name}_per_year", est)
        for name, est in entry.metrics.items():
            spread(row, name, est)
        rows.append(row)
    return pd.DataFrame(rows)


def rule_of_thumb_portal(summary: SweepSummary) -> list[str]:
    """What the portal would refuse of the rule of thumb, which the sweep sized itself."""
    levers = summary.reference("rule_of_thumb").levers
    code = summary.head.currency
    return [item.message("the rule of thumb's ") for item in portal_findings(code, levers)]


def portal_lines(summary: SweepSummary) -> list[str]:
    """The lines ``credsim sweep`` warns: the grid's (one per lever and rule), the rule of
    thumb's; the HTML report lists the same."""
    code = summary.head.currency
    grid = [entry.levers for entry in summary.policies if entry.in_grid]
    return list(dict.fromkeys([*grid_portal(code, grid), *rule_of_thumb_portal(summary)]))


def portal_dict(summary: SweepSummary) -> dict[str, Any]:
    """portal.json: what the admin portal would refuse of the sweep's policies.

    Why a file of its own: summary.json keeps its bytes (its golden test pins
    them). ``warnings`` holds the lines ``credsim sweep`` warns (``portal_lines``),
    ``policies`` each policy's findings by label (the references' too), in
    ``sim.account.portal``'s words.
    """
    code = summary.head.currency
    return {
        "currency": code,
        "warnings": portal_lines(summary),
        "policies": {
            entry.label: portal_list(code, entry.levers)
            for entry in summary.policies
            if portal_findings(code, entry.levers)
        },
    }
