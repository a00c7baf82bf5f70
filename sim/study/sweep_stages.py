"""A sweep's stages: computing one (its missing replications, a parquet part each, on any
executor), and marking the reference policies of a list.

The rows of the stages evaluated so far are ``sim.study.sweep_pool``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol

import pandas as pd

from sim.account.policy import Policy
from sim.engines.batch import Engine
from sim.study.executors import Executor
from sim.study.experiment import Levers, build_policy
from sim.study.kept_demand import KeptDemand
from sim.study.runner import replay, replicate, replication_seeds
from sim.study.summary import SweepPolicy
from sim.study.sweep_store import SweepStore
from sim.world.load import LoadedScenario

Advance = Callable[[int], None]
ProgressFactory = Callable[[str, int], AbstractContextManager[Advance]]
"""``progress(label, total)`` -> a context giving ``advance(n)``; the CLI draws the bar."""


class StagePlan(Protocol):
    """What computing a stage needs of a sweep's plan (``sim.study.sweep.SweepPlan``)."""

    @property
    def loaded(self) -> LoadedScenario: ...
    @property
    def replications(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def engine(self) -> Engine: ...


@dataclass(frozen=True)
class _Context:
    """What every replication task of a stage shares (sent to each worker once)."""

    loaded: LoadedScenario
    policies: tuple[Policy, ...]
    labels: tuple[str, ...]
    engine: Engine
    kept: KeptDemand | None = None
    """The sweep's kept demand when the tasks run in its own process (``sim.study.kept_demand``)."""


def replication_rows(context: _Context, item: tuple[int, tuple[Any, ...]]) -> pd.DataFrame:
    """One replication of a stage: a row per policy (label, replication, metrics)."""
    index, seeds = item
    if context.kept is None:
        per_policy, _ = replicate(
            context.loaded, context.policies, index, seeds, context.engine, daily=False
        )
    else:
        demand_seed, payment_seed = seeds
        stream = context.kept.stream(context.loaded, index, demand_seed)
        per_policy = replay(
            context.loaded, stream, context.policies, index, payment_seed, context.engine,
            daily=False,
        )  # fmt: skip
    rows = [
        {"label": label, "replication": index, **run.metrics}
        for label, run in zip(context.labels, per_policy, strict=True)
    ]
    return pd.DataFrame(rows)


def run_stage(
    store: SweepStore,
    stage: str,
    plan: StagePlan,
    policies: Sequence[SweepPolicy],
    executor: Executor,
    progress: Callable[[int], AbstractContextManager[Advance]],
    kept: KeptDemand | None = None,
) -> int:
    """Compute and write the stage's missing replications; how many there were.

    ``progress(total)`` is the stage's progress bar, already named. ``kept``: the sweep's
    demand kept between stages, used only when ``executor`` runs the tasks in this process.
    """
    labels = tuple(policy.label for policy in policies)
    store.prepare_stage(stage, labels)
    missing = sorted(set(range(plan.replications)) - store.done(stage))
    seeds = replication_seeds(plan.seed, plan.replications)
    context = _Context(
        plan.loaded,
        tuple(build_policy(plan.loaded.scenario, policy.levers) for policy in policies),
        labels,
        plan.engine,
    )
    items = [(index, seeds[index]) for index in missing]
    if kept is not None and executor.runs_here(len(items)):
        context = replace(context, kept=kept)
    with progress(len(items)) as advance:
        for position, frame in executor.run(replication_rows, context, items):
            store.write_part(stage, items[position][0], frame)
            advance(1)
    return len(items)


def with_reference(
    policies: list[SweepPolicy], levers: Levers, name: str
) -> tuple[list[SweepPolicy], list[SweepPolicy]]:
    """Mark the policy equal to ``levers`` as reference ``name``, or append it (and return it)."""
    for position, policy in enumerate(policies):
        if policy.levers == levers:
            marked = policy.with_reference(name)
            return [*policies[:position], marked, *policies[position + 1 :]], []
    added = SweepPolicy(levers, in_grid=False, references=(name,))
    return [*policies, added], [added]
