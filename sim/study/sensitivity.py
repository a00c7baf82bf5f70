"""Sensitivity of the recommended policy, and the robust choice across the uncertain inputs.

Why: the recommendation is the cheapest policy that keeps the outage risk
within the limit *if the scenario's figures are right*. Here each uncertain
input (``sim.study.variations``) is moved to its low and its high, and a small
set of candidates is run again in each setting: the recommended policy, the
next ``NEXT_CANDIDATES`` grid policies in the recommendation's order (cheapest
qualifying first) and the two references. Every setting uses the sweep's seed
(common random numbers), so a difference between settings is the input's, not
the dice's; a setting that moves only ``[payments]`` replays the very calls of
the scenario as it is (``sim.study.runner.replay``). The setting "as in the
scenario" with the sweep's replications reproduces the sweep's own figures.

Each candidate in each setting is read through the KPI table
(``kpi("outage_risk_per_year")``, ``kpi("cost_per_year")``), and the robust
choice is ``sim.study.regret``'s: the least worst-case regret.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import limits
from sim.account.policy import Policy
from sim.engines.batch import DEFAULT_ENGINE, Engine
from sim.errors import InputError
from sim.study.executors import Executor, LocalExecutor
from sim.study.experiment import Levers, build_policy, portal_findings
from sim.study.kpis import Replications, kpi
from sim.study.recommend import CostModel
from sim.study.regret import Cell, robust_choice
from sim.study.runner import replay, replication_seeds
from sim.study.sensitivity_result import BASE, Candidate, Figures, Sensitivity
from sim.study.summary import PolicyEntry, SweepSummary
from sim.study.sweep import ProgressFactory
from sim.study.variations import Varied, vary
from sim.world import workload
from sim.world.demand import generate
from sim.world.load import LoadedScenario

NEXT_CANDIDATES = 4
"""Grid policies tried beside the recommended one (the next in the recommendation's order)."""
STAGE = "sensitivity"
"""The progress bar's label."""


def candidates(
    summary: SweepSummary, count: int = NEXT_CANDIDATES
) -> tuple[list[Candidate], list[str]]:
    """The recommended policy, the next ``count`` grid policies, then the references; and
    why a reference is not tried.

    "Next" is the recommendation's order: qualifying policies by expected cost,
    then (when fewer than ``count`` qualify) the others by the upper bound of
    their risk. A policy with several roles is listed once. A reference the
    admin portal would refuse (``sim.account.portal``) is not tried: it could
    not be set, so it must not become the robust choice.
    """
    limit = summary.objective.max_outage_risk_per_year
    rec = summary.recommendation.label
    grid = [entry for entry in summary.policies if entry.in_grid and entry.label != rec]

    def order(entry: PolicyEntry) -> tuple[bool, float, float]:
        score = entry.score
        ok = score.risk_upper <= limit
        return (not ok, score.cost.estimate if ok else score.risk_upper, score.cost.estimate)

    named: dict[Levers, list[str]] = {summary.recommendation.levers: ["recommended"]}
    for entry in sorted(grid, key=order)[:count]:
        named.setdefault(entry.levers, []).append("next cheapest")
    left_out = []
    for ref in summary.references:
        if ref.levers not in named and portal_findings(summary.head.currency, ref.levers):
            left_out.append(f"{ref.name} ({ref.label}) is not tried: the admin portal would "
                            "refuse it")  # fmt: skip
            continue
        named.setdefault(ref.levers, []).append(ref.name)
    return [Candidate(levers, tuple(roles)) for levers, roles in named.items()], left_out


@dataclass(frozen=True)
class _World:
    """One setting as the replications see it: its scenario and its candidates' policies."""

    id: str
    loaded: LoadedScenario
    policies: tuple[Policy, ...]
    own_demand: bool
    """False: replay the previous world's calls (only ``[payments]`` differs)."""


@dataclass(frozen=True)
class _Work:
    worlds: tuple[_World, ...]
    engine: Engine


def run_sensitivity(
    loaded: LoadedScenario,
    summary: SweepSummary,
    *,
    replications: int | None = None,
    engine: Engine = DEFAULT_ENGINE,
    executor: Executor | None = None,
    progress: ProgressFactory | None = None,
) -> Sensitivity:
    """Every candidate in every setting over ``replications`` (default: the sweep's).

    The seed is the sweep's. InputError before any work when the calls to
    replay exceed ``sim.limits.SENSITIVITY_CALLS_MAX``.
    """
    began = time.perf_counter()
    count = replications or summary.head.replications
    chosen, left_out = candidates(summary)
    varied = vary(loaded)
    check_work(loaded, count, varied)
    worlds = _worlds(loaded, chosen, varied)
    seeds = replication_seeds(summary.head.seed, count)
    items = list(enumerate(seeds))
    finished: list[list[list[dict[str, float]]] | None] = [None] * count
    stage = nullcontext(None) if progress is None else progress(STAGE, count)
    with stage as advance:
        for position, rows in (executor or LocalExecutor()).run(
            _replicate, _Work(worlds, engine), items
        ):
            finished[position] = rows
            if advance is not None:
                advance(1)
    costs = CostModel.from_scenario(loaded.scenario)
    figures = _figures(worlds, chosen, finished, costs)
    labels = [candidate.label for candidate in chosen]
    limit = summary.objective.max_outage_risk_per_year
    table = {
        world: {label: Cell(shown.cost.estimate, shown.risk_upper <= limit)
                for label, shown in by_label.items()}
        for world, by_label in figures.items()
    }  # fmt: skip
    return Sensitivity(
        scenario=summary.head.scenario, currency=summary.head.currency, limit=limit,
        candidates=tuple(chosen), varied=tuple(varied), figures=figures,
        robust=robust_choice(table, labels), replications=count, seed=summary.head.seed,
        engine=engine, wall_s=time.perf_counter() - began, left_out=tuple(left_out),
    )  # fmt: skip


def _worlds(
    loaded: LoadedScenario, chosen: Sequence[Candidate], varied: Sequence[Varied]
) -> tuple[_World, ...]:
    """The base, then the settings that replay its calls, then those with calls of their own."""

    def world(id_: str, scenario: LoadedScenario, own: bool) -> _World:
        policies = tuple(build_policy(scenario.scenario, item.levers) for item in chosen)
        return _World(id_, scenario, policies, own)

    shared = [s for item in varied if item.variation.same_demand for s in item.settings]
    own = [s for item in varied if not item.variation.same_demand for s in item.settings]
    return (
        world(BASE, loaded, True),
        *(world(setting.id, setting.loaded, False) for setting in shared),
        *(world(setting.id, setting.loaded, True) for setting in own),
    )


def check_work(
    loaded: LoadedScenario, replications: int, varied: Sequence[Varied] | None = None
) -> int:
    """The calls to replay in all, or InputError beyond ``SENSITIVITY_CALLS_MAX``.

    Needs no sweep (the candidates replay the same calls), so callers check it
    before sweeping.
    """
    varied = vary(loaded) if varied is None else varied
    scenarios = [loaded.scenario, *(s.loaded.scenario for item in varied for s in item.settings)]
    per_replication = sum(workload.estimate(item).calls_per_replication for item in scenarios)
    total = per_replication * replications
    if total > limits.SENSITIVITY_CALLS_MAX:
        raise InputError(
            f"the sensitivity analysis would replay about {total:,.0f} calls ({len(scenarios)} "
            f"settings x {replications:,} replications); the limit is "
            f"{limits.SENSITIVITY_CALLS_MAX:,} (SENSITIVITY_CALLS_MAX in sim/limits.py): use "
            "fewer replications (credsim report --sensitivity-replications N; the dashboard "
            "uses the sweep's) or leave it out (--no-sensitivity)",
            source=loaded.path,
        )
    return int(total)


def _replicate(
    work: _Work, item: tuple[int, tuple[np.random.SeedSequence, np.random.SeedSequence]]
) -> list[list[dict[str, float]]]:
    """Replication ``index`` of every candidate in every world: metrics rows, world by world."""
    index, (demand_seed, payment_seed) = item
    stream = None
    rows = []
    for world in work.worlds:
        if world.own_demand or stream is None:
            scenario = world.loaded
            stream = generate(scenario.scenario, scenario.rates, np.random.default_rng(demand_seed))
        runs = replay(
            world.loaded, stream, world.policies, index, payment_seed, work.engine, daily=False
        )
        rows.append([run.metrics for run in runs])
    return rows


def _figures(
    worlds: Sequence[_World],
    chosen: Sequence[Candidate],
    finished: Sequence[list[list[dict[str, float]]] | None],
    costs: CostModel,
) -> dict[str, dict[str, Figures]]:
    """Risk and cost of each candidate in each world, read by the KPI table."""
    figures: dict[str, dict[str, Figures]] = {}
    for w, world in enumerate(worlds):
        figures[world.id] = {}
        for c, candidate in enumerate(chosen):
            rows = [replication[w][c] for replication in finished if replication is not None]
            frame = pd.DataFrame(rows).fillna(0.0)
            runs = Replications(frame[sorted(frame.columns)], costs.horizon_months, costs)
            figures[world.id][candidate.label] = Figures(
                kpi("outage_risk_per_year").estimate(runs), kpi("cost_per_year").estimate(runs)
            )
    return figures
