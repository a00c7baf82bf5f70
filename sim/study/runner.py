"""Replications: seeds, common random numbers, engines and executors.

Replication ``i`` of a run with seed ``S`` uses child ``i`` of
``SeedSequence(S).spawn(n)``; that child is split again into one stream for
demand and one for payment draws. Demand is generated once per replication
and replayed against every policy (common random numbers), and each policy's
payment draws restart from the same stream, so two policies differ only by
their levers. Results are ordered by replication whatever the worker count,
so the same inputs and seed give the same numbers, byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.account.outcome import Outcome
from sim.account.policy import Policy
from sim.account.stream import CallStream
from sim.engines.batch import ENGINE_NAMES, Engine, evaluate
from sim.study.executors import LocalExecutor
from sim.study.experiment import Levers, build_policy, run_spec
from sim.study.stats import flatten
from sim.world.demand import generate
from sim.world.load import LoadedScenario

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Replication:
    """One replication of one policy: its flat metrics and end-of-day balances."""

    index: int
    metrics: dict[str, float]
    daily_balance: list[float]


@dataclass
class PolicyRuns:
    """All replications of one policy, in replication order."""

    levers: Levers
    replications: list[Replication] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per replication, one column per metric (missing services are 0)."""
        frame = pd.DataFrame([run.metrics for run in self.replications]).fillna(0.0)
        frame = frame[sorted(frame.columns)]
        frame.insert(0, "replication", [run.index for run in self.replications])
        return frame

    def daily(self) -> np.ndarray:
        """End-of-day balance, replications x days (major units)."""
        return np.array([run.daily_balance for run in self.replications], dtype=float)


@dataclass
class RunResults:
    """The results of ``run_replications``: per policy, plus what it cost."""

    policies: list[PolicyRuns]
    seed: int
    replications: int
    engine: str
    wall_s: float = 0.0
    calls: int = 0


def run_replications(
    loaded: LoadedScenario,
    levers: Sequence[Levers],
    *,
    replications: int,
    seed: int,
    engine: Engine = "simpy",
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunResults:
    """Run ``replications`` of every policy in ``levers`` (common random numbers)."""
    if replications < 1:
        raise ValueError(f"replications(={replications}) must be >= 1")
    if engine not in ENGINE_NAMES:
        raise ValueError(f"engine(={engine!r}) must be one of {', '.join(ENGINE_NAMES)}")
    policies = tuple(build_policy(loaded.scenario, item) for item in levers)
    items = list(enumerate(replication_seeds(seed, replications)))
    results = RunResults([PolicyRuns(item) for item in levers], seed, replications, engine)
    finished: list[tuple[list[Replication], int] | None] = [None] * replications
    began = time.perf_counter()
    work = _Work(loaded, policies, engine)
    for position, done in LocalExecutor(workers).run(_replicate, work, items):
        finished[position] = done
        if progress is not None:
            progress(1)
    for result in finished:
        assert result is not None  # the executor yields every position once
        per_policy, calls = result
        for runs, replication in zip(results.policies, per_policy, strict=True):
            runs.replications.append(replication)
        results.calls += calls
    results.wall_s = time.perf_counter() - began
    return results


def replication_seeds(
    seed: int, replications: int
) -> list[tuple[np.random.SeedSequence, np.random.SeedSequence]]:
    """(demand, payments) seed sequences of each replication: children of ``seed``."""
    return [tuple(child.spawn(2)) for child in np.random.SeedSequence(seed).spawn(replications)]  # type: ignore[misc]


@dataclass(frozen=True)
class _Work:
    """What every replication of a run shares (sent to each pool worker once)."""

    loaded: LoadedScenario
    policies: tuple[Policy, ...]
    engine: Engine


def _replicate(
    work: _Work, item: tuple[int, tuple[np.random.SeedSequence, np.random.SeedSequence]]
) -> tuple[list[Replication], int]:
    """``replicate`` as an executor task: the shared work plus (index, seeds)."""
    index, seeds = item
    return replicate(work.loaded, work.policies, index, seeds, work.engine)


def replicate(
    loaded: LoadedScenario,
    policies: Sequence[Policy],
    index: int,
    seeds: tuple[np.random.SeedSequence, ...],
    engine: Engine,
    *,
    daily: bool = True,
) -> tuple[list[Replication], int]:
    """Replication ``index``: demand once from ``seeds``, then every policy against it.

    ``seeds`` is that replication's (demand, payments) pair from
    ``replication_seeds``; the sweep calls this too, so a sweep's row and a
    single run of the same policy are the same computation. ``daily=False``
    leaves out the end-of-day balances (a sweep does not keep them).
    Returns one Replication per policy and the number of calls generated.
    """
    demand_seed, payment_seed = seeds
    stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
    return replay(loaded, stream, policies, index, payment_seed, engine, daily=daily), len(stream)


def replay(
    loaded: LoadedScenario,
    stream: CallStream,
    policies: Sequence[Policy],
    index: int,
    payment_seed: np.random.SeedSequence,
    engine: Engine,
    *,
    daily: bool = True,
) -> list[Replication]:
    """Replication ``index`` of every policy against a demand ``stream`` already generated.

    ``replicate``'s second half: the sensitivity analysis (``sim.study.sensitivity``)
    replays one stream under several ``[payments]`` settings of ``loaded``
    without generating it again; the metrics are exactly ``replicate``'s.
    """
    spec = run_spec(loaded.scenario)
    # a Replication keeps metrics and balances, never the lots: the engines need not build them
    outcomes = evaluate(engine, stream, policies, spec, payment_seed=payment_seed, with_lots=False)
    return [_replication(index, outcome, stream.services, daily) for outcome in outcomes]


def _replication(
    index: int, outcome: Outcome, services: Sequence[str], daily: bool = True
) -> Replication:
    """Flat metrics; every service of the stream gets blocked counts, zero or not."""
    scale = outcome.currency.minor_per_major
    metrics = flatten({k: v for k, v in outcome.to_dict().items() if k not in {"start", "end"}})
    for service in services:
        for field_name in ("calls", "minutes", "charge"):
            metrics.setdefault(f"blocked_by_service.{service}.{field_name}", 0)
    return Replication(
        index=index,
        metrics=metrics,
        daily_balance=[value / scale for value in outcome.daily_balance_minor] if daily else [],
    )
