"""A sweep's demand kept between its stages: generated once, the same rows and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import limits
from sim.study import kept_demand
from sim.study.executors import LocalExecutor
from sim.study.experiment import build_policy, scenario_levers, with_overrides
from sim.study.grid import Grid, parse_values
from sim.study.kept_demand import KeptDemand
from sim.study.runner import replay, replication_seeds
from sim.study.sweep import SweepPlan, run_sweep
from sim.study.sweep_store import PORTAL_JSON, RUNS, SUMMARY_CSV, SUMMARY_JSON
from sim.world.demand import generate
from sim.world.load import LoadedScenario

REPLICATIONS = 3
FILES = (RUNS, SUMMARY_CSV, SUMMARY_JSON, PORTAL_JSON)


def test_a_kept_replication_replays_to_the_same_metrics(tiny: LoadedScenario) -> None:
    kept = KeptDemand()
    (demand_seed, payment_seed), *_ = replication_seeds(5, 2)
    levers = with_overrides(scenario_levers(tiny.scenario), trigger=50, amount=100)
    policies = [build_policy(tiny.scenario, levers)]
    first = kept.stream(tiny, 0, demand_seed)
    (same_seed, _), *_ = replication_seeds(5, 2)  # each stage spawns its seeds afresh
    again = kept.stream(tiny, 0, same_seed)
    assert (kept.generated, kept.reused, len(kept)) == (1, 1, 1)
    assert again is not first and len(again) == len(first)
    for engine in ("skip", "replay"):
        made = replay(tiny, first, policies, 0, payment_seed, engine, daily=False)
        replayed = replay(tiny, again, policies, 0, payment_seed, engine, daily=False)
        assert made == replayed, engine


def test_a_replication_of_another_seed_is_generated(tiny: LoadedScenario) -> None:
    kept = KeptDemand()
    (one, _), (other, _) = replication_seeds(5, 2)
    kept.stream(tiny, 0, one)
    stream = kept.stream(tiny, 0, other)
    assert (kept.generated, kept.reused) == (2, 0)
    (_, (again, _)) = replication_seeds(5, 2)  # unspent: generating spawns from a seed
    fresh = generate(tiny.scenario, tiny.rates, np.random.default_rng(again))
    assert np.array_equal(stream.charged().start_us, fresh.charged().start_us)


def test_nothing_is_kept_beyond_the_limit(tiny: LoadedScenario) -> None:
    kept = KeptDemand(limit_bytes=0)
    for _ in range(2):
        (demand_seed, _), *_ = replication_seeds(5, 1)
        kept.stream(tiny, 0, demand_seed)
    assert (kept.generated, kept.reused, len(kept), kept.held_bytes) == (2, 0, 0, 0)


def _sweep(tiny: LoadedScenario, out: Path, executor: LocalExecutor) -> None:
    grid = Grid(parse_values("0,50"), parse_values("100"), parse_values("100"))
    plan = SweepPlan(tiny, grid, REPLICATIONS, seed=3, engine="skip")
    run_sweep(plan, out, executor=executor)


def _count_generations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return generate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kept_demand, "generate", counted)
    return calls


def test_a_one_process_sweep_generates_each_replication_once(
    tiny: LoadedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule-of-thumb stage replays the grid stage's demand; with nothing kept (the limit
    at 0) it generates it again, as before, and the files are the same bytes."""
    calls = _count_generations(monkeypatch)
    _sweep(tiny, tmp_path / "kept", LocalExecutor(1))
    assert len(calls) == REPLICATIONS  # two stages, one generation per replication
    calls.clear()
    monkeypatch.setattr(limits, "SWEEP_KEPT_DEMAND_BYTES", 0)
    _sweep(tiny, tmp_path / "generated", LocalExecutor(1))
    assert len(calls) == 2 * REPLICATIONS
    for name in FILES:
        kept_bytes = (tmp_path / "kept" / name).read_bytes()
        assert kept_bytes == (tmp_path / "generated" / name).read_bytes(), name
