"""A sweep's stages: computing one (its missing replications, a parquet part each, on any
executor), and marking the reference policies of a list.

The rows of the stages evaluated so far are ``sim.study.sweep_pool``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, overload

import numpy as np
import pandas as pd
import pyarrow as pa

from sim import limits
from sim.account.policy import Policy
from sim.engines.batch import Engine
from sim.engines.compact import CompactCalls
from sim.study.executors import Executor, LocalExecutor
from sim.study.experiment import Levers, build_policy
from sim.study.kept_demand import KeptDemand, Key, demand_key, demand_stream
from sim.study.runner import replay, replication_seeds
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


Seeds = tuple[np.random.SeedSequence, np.random.SeedSequence]
"""A replication's (demand, payments) seeds (``sim.study.runner.replication_seeds``)."""


@dataclass(frozen=True)
class ReplicationTask:
    """One replication of a stage, as a task: what to replay, and whether to send it back."""

    index: int
    seeds: Seeds
    demand: CompactCalls | None = None
    """Kept by an earlier stage: replayed, not generated (``sim.study.kept_demand``)."""
    hand_back: bool = False
    """Send the demand generated back with the rows, to keep for the later stages."""


@dataclass(frozen=True)
class ReplicationRows:
    """A replication task's result: its rows, and its demand when it was asked for."""

    frame: pd.DataFrame
    replayed: bool
    demand: CompactCalls | None


def replication_rows(context: _Context, task: ReplicationTask) -> ReplicationRows:
    """One replication of a stage: a row per policy (label, replication, metrics)."""
    demand_seed, payment_seed = task.seeds
    stream, demand = demand_stream(context.loaded, demand_seed, task.demand, task.hand_back)
    per_policy = replay(
        context.loaded, stream, context.policies, task.index, payment_seed, context.engine,
        daily=False,
    )  # fmt: skip
    rows = [
        {"label": label, "replication": task.index, **run.metrics}
        for label, run in zip(context.labels, per_policy, strict=True)
    ]
    return ReplicationRows(pd.DataFrame(rows), task.demand is not None, demand)


class _Tasks(Sequence[ReplicationTask]):
    """A stage's tasks, each made when the executor hands it out (``Executor.run`` reads
    them so): a replication kept is replayed; one generated is asked back while the sweep
    has room to keep it, and no longer once it is full."""

    def __init__(
        self, missing: Sequence[int], seeds: Sequence[Seeds], keys: Sequence[Key], kept: KeptDemand
    ) -> None:
        self._missing, self._seeds, self._keys, self._kept = missing, seeds, keys, kept

    def __len__(self) -> int:
        return len(self._missing)

    @overload
    def __getitem__(self, position: int) -> ReplicationTask: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[ReplicationTask]: ...
    def __getitem__(self, position: int | slice) -> ReplicationTask | Sequence[ReplicationTask]:
        if isinstance(position, slice):
            return [self[at] for at in range(len(self))[position]]
        index = self._missing[position]
        demand = self._kept.get(self._keys[position])
        hand_back = demand is None and self._kept.has_room()
        return ReplicationTask(index, self._seeds[index], demand, hand_back)


def run_stage(
    store: SweepStore,
    stage: str,
    plan: StagePlan,
    policies: Sequence[SweepPolicy],
    executor: Executor,
    progress: Callable[[int, str], AbstractContextManager[Advance]],
    kept: KeptDemand,
    written: dict[int, pa.Table] | None = None,
) -> int:
    """Compute and write the stage's missing replications; how many there were.

    ``progress(total, note)`` is the stage's progress bar, already named (``note``: what
    to add to its name). ``kept``: the sweep's demand kept between stages; each
    replication generated here is added to it while it has room. ``written``: given,
    each part written is added to it (replication -> table), for the sweep to hold
    without reading it back (``sim.study.sweep_pool.Evaluated.add``).
    """
    labels = tuple(policy.label for policy in policies)
    store.prepare_stage(stage, labels)
    missing = sorted(set(range(plan.replications)) - store.done(stage))
    seeds = replication_seeds(plan.seed, plan.replications)
    keys = [demand_key(index, seeds[index][0]) for index in missing]  # before any generates
    context = _Context(
        plan.loaded,
        tuple(build_policy(plan.loaded.scenario, policy.levers) for policy in policies),
        labels,
        plan.engine,
    )
    tasks = _Tasks(missing, seeds, keys, kept)
    runner = replay_here(executor, keys, kept, len(policies))
    with progress(len(tasks), _regenerated(keys, kept)) as advance:
        for position, result in runner.run(replication_rows, context, tasks):
            table = store.write_part(stage, missing[position], result.frame)
            if written is not None:
                written[missing[position]] = table
            if result.demand is not None:
                kept.keep(keys[position], result.demand)
            kept.count(stage, replayed=result.replayed)
            advance(1)
    return len(tasks)


def replay_here(
    executor: Executor, keys: Sequence[Key], kept: KeptDemand, policies: int
) -> Executor:
    """The executor for a stage: this process when the stage is a small replay, else
    ``executor``.

    Why: a later stage (the rule of thumb above all: one policy, known only once the
    grid stage is done, ``sim.study.sweep``) replays demand this process holds; a pool
    would fork its workers and send each replication to one of them, which costs more
    than the replays (issue 15's sweep, 20 one-policy replays of midsize: 0.29 s with
    a pool of two, 0.19 s here; docs/performance.md#fixed-costs-of-a-sweep). So a stage
    whose every replication is kept runs here when a local pool would fork from this
    process (what a forked worker has loaded, this process has), without a budget check
    (its work must run where it can be stopped), and its replays are few:
    kept bytes x policies at most ``SWEEP_REPLAY_HERE_BYTES``.
    """
    if not isinstance(executor, LocalExecutor) or executor.check is not None:
        return executor
    if not keys or not executor.forks():
        return executor
    held = [kept.get(key) for key in keys]
    if any(demand is None for demand in held):
        return executor
    replay_bytes = sum(demand.nbytes for demand in held if demand is not None) * max(policies, 1)
    return LocalExecutor(1) if replay_bytes <= limits.SWEEP_REPLAY_HERE_BYTES else executor


def _regenerated(keys: Sequence[Key], kept: KeptDemand) -> str:
    """The progress bar's note when some replications are kept and others must be generated
    again (the kept demand was full): how many, and why."""
    again = sum(kept.get(key) is None for key in keys)
    if not len(kept) or not again:
        return ""
    return (
        f" ({again} of {len(keys)} generated again: "
        f"over the {kept.limit_bytes / 1024**2:,.0f} MB of demand kept)"
    )


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
