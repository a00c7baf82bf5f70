"""A sweep's demand kept between its stages: generated once, the same rows and files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim import limits
from sim.study import kept_demand, runner
from sim.study.executors import LocalExecutor
from sim.study.experiment import build_policy, scenario_levers, with_overrides
from sim.study.grid import Grid, parse_values
from sim.study.kept_demand import KeptDemand, demand_key, demand_stream
from sim.study.runner import replay, replication_seeds
from sim.study.sweep import SweepPlan, run_sweep
from sim.study.sweep_stages import Advance
from sim.study.sweep_store import PORTAL_JSON, RUNS, SUMMARY_CSV, SUMMARY_JSON
from sim.world.demand import generate
from sim.world.load import LoadedScenario

REPLICATIONS = 3
FILES = (RUNS, SUMMARY_CSV, SUMMARY_JSON, PORTAL_JSON)


def test_a_kept_replication_replays_to_the_same_metrics(tiny: LoadedScenario) -> None:
    (demand_seed, payment_seed), *_ = replication_seeds(5, 2)
    levers = with_overrides(scenario_levers(tiny.scenario), trigger=50, amount=100)
    policies = [build_policy(tiny.scenario, levers)]
    key = demand_key(0, demand_seed)
    first, sent = demand_stream(tiny, demand_seed, None, hand_back=True)
    assert sent is not None
    kept = KeptDemand()
    kept.keep(key, sent)
    (same_seed, _), *_ = replication_seeds(5, 2)  # each stage spawns its seeds afresh
    held = kept.get(demand_key(0, same_seed))
    assert held is sent and len(kept) == 1 and kept.held_bytes == sent.nbytes
    again, nothing = demand_stream(tiny, same_seed, held, hand_back=True)
    assert nothing is None and again is not first and len(again) == len(first)
    for engine in ("skip", "replay"):
        made = replay(tiny, first, policies, 0, payment_seed, engine, daily=False)
        replayed = replay(tiny, again, policies, 0, payment_seed, engine, daily=False)
        assert made == replayed, engine


def test_a_replication_of_another_seed_is_not_kept(tiny: LoadedScenario) -> None:
    (one, _), (other, _) = replication_seeds(5, 2)
    keys = demand_key(0, one), demand_key(0, other), demand_key(1, one)
    _, sent = demand_stream(tiny, one, None, hand_back=True)
    assert sent is not None
    kept = KeptDemand()
    kept.keep(keys[0], sent)
    assert kept.get(keys[1]) is None and kept.get(keys[2]) is None
    _, unasked = demand_stream(tiny, other, None, hand_back=False)
    assert unasked is None  # generated, not compacted: the sweep had no room for it


def test_nothing_is_kept_beyond_the_limit(tiny: LoadedScenario) -> None:
    seeds = [demand for demand, _ in replication_seeds(5, 2)]
    keys = [demand_key(index, seed) for index, seed in enumerate(seeds)]
    sent = [demand_stream(tiny, seed, None, hand_back=True)[1] for seed in seeds]
    first, second = sent
    assert first is not None and second is not None
    assert not KeptDemand(limit_bytes=0).has_room()
    kept = KeptDemand(limit_bytes=first.nbytes * 3 // 2)  # room for one replication
    kept.keep(keys[0], first)
    assert kept.has_room()
    kept.keep(keys[1], second)
    assert (len(kept), kept.held_bytes) == (1, first.nbytes)
    assert not kept.has_room()  # full: no replication is asked back any more


def _sweep(tiny: LoadedScenario, out: Path, executor: LocalExecutor, **kwargs: Any) -> Any:
    grid = Grid(parse_values("0,50"), parse_values("100"), parse_values("100"))
    plan = SweepPlan(tiny, grid, REPLICATIONS, seed=3, engine="skip")
    run_sweep(plan, out, executor=executor, **kwargs)
    return (out / "manifest.json").read_text(encoding="utf-8")


def _demand(manifest_text: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(manifest_text)["invocations"][-1]["demand"]
    return record


class _Generations:
    """Counts demand generations in this process and in forked workers (a line each, in a
    file: a worker's memory is its own)."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")
        for module in (kept_demand, runner):  # the sweep's tasks, and a run's replications
            monkeypatch.setattr(module, "generate", self._counted)

    def _counted(self, *args: Any, **kwargs: Any) -> Any:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("generated\n")
        return generate(*args, **kwargs)

    def take(self) -> int:
        """Generations since the last ``take``."""
        count = len(self.path.read_text(encoding="utf-8").splitlines())
        self.path.write_text("", encoding="utf-8")
        return count


def test_a_one_process_sweep_generates_each_replication_once(
    tiny: LoadedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule-of-thumb stage replays the grid stage's demand; with nothing kept (the limit
    at 0) it generates it again, as before, and the files are the same bytes."""
    generations = _Generations(tmp_path / "generations", monkeypatch)
    _sweep(tiny, tmp_path / "kept", LocalExecutor(1))
    assert generations.take() == REPLICATIONS  # two stages, one generation per replication
    monkeypatch.setattr(limits, "SWEEP_KEPT_DEMAND_BYTES", 0)
    _sweep(tiny, tmp_path / "generated", LocalExecutor(1))
    assert generations.take() == 2 * REPLICATIONS
    for name in FILES:
        kept_bytes = (tmp_path / "kept" / name).read_bytes()
        assert kept_bytes == (tmp_path / "generated" / name).read_bytes(), name


def test_a_process_pool_sweep_generates_each_replication_once(
    tiny: LoadedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two worker processes the grid stage's workers send each replication's demand
    back, and the rule-of-thumb stage replays it (the tasks say which they did, in the
    manifest); the files are those of one process, byte for byte."""
    generations = _Generations(tmp_path / "generations", monkeypatch)
    pooled = _demand(_sweep(tiny, tmp_path / "pool", LocalExecutor(2)))
    assert generations.take() == REPLICATIONS  # workers' and this process's, both stages
    assert pooled["stages"] == {
        "main": {"generated": REPLICATIONS, "replayed": 0},
        "rule_of_thumb": {"generated": 0, "replayed": REPLICATIONS},
    }
    assert pooled["kept_replications"] == REPLICATIONS and pooled["kept_bytes"] > 0
    _sweep(tiny, tmp_path / "here", LocalExecutor(1))
    generations.take()
    monkeypatch.setattr(limits, "SWEEP_KEPT_DEMAND_BYTES", 0)
    again = _demand(_sweep(tiny, tmp_path / "again", LocalExecutor(2)))
    assert generations.take() == 2 * REPLICATIONS
    assert again["stages"]["rule_of_thumb"] == {"generated": REPLICATIONS, "replayed": 0}
    assert again["kept_replications"] == 0
    for name in FILES:
        pool_bytes = (tmp_path / "pool" / name).read_bytes()
        assert pool_bytes == (tmp_path / "here" / name).read_bytes(), name
        assert pool_bytes == (tmp_path / "again" / name).read_bytes(), name


def test_beyond_the_limit_the_rest_is_generated_again_and_the_bar_says_so(
    tiny: LoadedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (seed, _), *_ = replication_seeds(3, REPLICATIONS)
    _, one = demand_stream(tiny, seed, None, hand_back=True)
    assert one is not None
    monkeypatch.setattr(limits, "SWEEP_KEPT_DEMAND_BYTES", one.nbytes * 3 // 2)  # room for one
    labels: list[str] = []

    @contextmanager
    def progress(label: str, total: int) -> Iterator[Advance]:
        labels.append(label)
        yield lambda n: None

    record = _demand(_sweep(tiny, tmp_path / "one", LocalExecutor(1), progress=progress))
    assert record["kept_replications"] == 1
    assert record["stages"]["rule_of_thumb"] == {"generated": REPLICATIONS - 1, "replayed": 1}
    assert labels[0] == "policy grid"
    assert labels[1].startswith(f"rule of thumb ({REPLICATIONS - 1} of {REPLICATIONS} generated")


def test_a_replication_is_kept_by_its_seed_as_it_was_before_generating(
    tiny: LoadedScenario,
) -> None:
    (seed, _), *_ = replication_seeds(9, 1)
    (twin, _), *_ = replication_seeds(9, 1)  # the next stage's seeds: equal, not the same
    key = demand_key(0, seed)
    stream = generate(tiny.scenario, tiny.rates, np.random.default_rng(seed))
    assert demand_key(0, seed) != key  # generating spawned from the seed
    demand = kept_demand.compact(stream)
    assert demand is not None
    kept = KeptDemand()
    kept.keep(key, demand)
    kept.keep(demand_key(0, twin), demand)  # the same replication again: held once
    assert len(kept) == 1 and kept.held_bytes == demand.nbytes
    assert kept.get(demand_key(0, twin)) is demand
