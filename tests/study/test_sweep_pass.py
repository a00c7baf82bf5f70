"""A sweep's later stages cost what they compute: kept demand replayed in the sweep's own
process, and the parts just written held, not read back from disk."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from sim import limits
from sim.study import sweep_stages, sweep_store
from sim.study.executors import DaskExecutor, LocalExecutor
from sim.study.experiment import build_policy
from sim.study.grid import Grid, parse_values
from sim.study.kept_demand import KeptDemand, demand_key, demand_stream
from sim.study.runner import replication_seeds
from sim.study.sweep import SweepPlan, run_sweep
from sim.study.sweep_pool import stage_types
from sim.study.sweep_stages import ReplicationTask, _Context, replay_here, replication_rows
from sim.study.sweep_store import PORTAL_JSON, RUNS, SUMMARY_CSV, SUMMARY_JSON, SweepStore
from sim.world.load import LoadedScenario

REPLICATIONS = 4
FILES = (RUNS, SUMMARY_CSV, SUMMARY_JSON, PORTAL_JSON)


def _plan(tiny: LoadedScenario) -> SweepPlan:
    grid = Grid(parse_values("0,50"), parse_values("100"), parse_values("100"))
    return SweepPlan(tiny, grid, REPLICATIONS, seed=3, engine="skip")


class _Replays:
    """Where each replication's demand was made or replayed: a line per task, ``pid kind``,
    in a file (a forked worker's memory is its own)."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")
        monkeypatch.setattr(sweep_stages, "demand_stream", self._recorded)

    def _recorded(self, loaded: LoadedScenario, seed: Any, kept: Any, hand_back: bool) -> Any:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {'replayed' if kept is not None else 'generated'}\n")
        return demand_stream(loaded, seed, kept, hand_back)

    def take(self) -> list[tuple[int, str]]:
        """The tasks since the last ``take``: (pid, "generated" or "replayed")."""
        lines = self.path.read_text(encoding="utf-8").split()
        self.path.write_text("", encoding="utf-8")
        return [(int(pid), kind) for pid, kind in zip(lines[::2], lines[1::2], strict=True)]


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="workers are forked copies here"
)
def test_a_pool_sweep_replays_the_rule_of_thumb_in_its_own_process(
    tiny: LoadedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grid stage's replications run in the pool (its first one here), the rule of
    thumb's replays of the kept demand here, with no second pool; the files are those of
    a sweep whose rule-of-thumb stage runs in a pool, byte for byte."""
    replays = _Replays(tmp_path / "replays", monkeypatch)
    run_sweep(_plan(tiny), tmp_path / "here", executor=LocalExecutor(2))
    tasks = replays.take()
    grid, rule = tasks[:REPLICATIONS], tasks[REPLICATIONS:]
    assert [kind for _, kind in grid] == ["generated"] * REPLICATIONS
    assert {pid for pid, _ in grid[1:]} - {os.getpid()}  # the pool's workers
    assert rule == [(os.getpid(), "replayed")] * REPLICATIONS
    monkeypatch.setattr(limits, "SWEEP_REPLAY_HERE_BYTES", 0)
    run_sweep(_plan(tiny), tmp_path / "pool", executor=LocalExecutor(2))
    rule = replays.take()[REPLICATIONS:]
    assert [kind for _, kind in rule] == ["replayed"] * REPLICATIONS
    assert {pid for pid, _ in rule} - {os.getpid()}  # in the workers of a second pool
    for name in FILES:
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "pool" / name).read_bytes()


def _kept(tiny: LoadedScenario, count: int) -> tuple[list[Any], KeptDemand]:
    seeds = [demand for demand, _ in replication_seeds(3, count)]
    keys = [demand_key(index, seed) for index, seed in enumerate(seeds)]
    kept = KeptDemand()
    for key, seed in zip(keys, seeds, strict=True):
        demand = demand_stream(tiny, seed, None, hand_back=True)[1]
        assert demand is not None
        kept.keep(key, demand)
    return keys, kept


def test_only_a_small_replay_of_kept_demand_runs_here(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys, kept = _kept(tiny, 2)
    pool = LocalExecutor(2)
    here = replay_here(pool, keys, kept, policies=1)
    assert isinstance(here, LocalExecutor) and here.runs_here(len(keys))
    unkept = [*keys, demand_key(2, replication_seeds(3, 3)[2][0])]
    assert replay_here(pool, unkept, kept, policies=1) is pool  # one must be generated
    monkeypatch.setattr(limits, "SWEEP_REPLAY_HERE_BYTES", kept.held_bytes * 3 - 1)
    assert replay_here(pool, keys, kept, policies=2) is not pool
    assert replay_here(pool, keys, kept, policies=3) is pool  # more replays than a pool costs
    checked = LocalExecutor(2, check=lambda pids: None)
    assert replay_here(checked, keys, kept, policies=1) is checked  # stopped only in a worker
    spawned = LocalExecutor(2, processes=multiprocessing.get_context("spawn"))
    assert replay_here(spawned, keys, kept, policies=1) is spawned
    cluster = DaskExecutor("tcp://127.0.0.1:1")
    assert replay_here(cluster, keys, kept, policies=1) is cluster


def test_the_parts_written_are_held_as_they_read_back(tiny: LoadedScenario, tmp_path: Path) -> None:
    """The frame and the column types of a stage held from the tables written equal those
    read back from its parts (what a resumed sweep reads)."""
    plan = _plan(tiny)
    levers = [*plan.grid_levers(), plan.example_levers()]
    labels = tuple(f"p{position}" for position in range(len(levers)))
    context = _Context(
        tiny, tuple(build_policy(tiny.scenario, item) for item in levers), labels, "skip"
    )
    store = SweepStore.open(
        tmp_path / "out", plan.identity(), resume=False, force=False, warn=pytest.fail
    )
    store.prepare_stage("main", labels)
    written: dict[int, pa.Table] = {}
    for index, seeds in enumerate(replication_seeds(plan.seed, REPLICATIONS)):
        frame = replication_rows(context, ReplicationTask(index, seeds)).frame
        written[index] = store.write_part("main", index, frame)
    assert stage_types(store, "main", written) == stage_types(store, "main")
    held, read = store.read_parts("main", held=written), store.read_parts("main")
    assert held.dtypes.equals(read.dtypes)
    assert held.equals(read)
    spend = ["replication", "consumed", "blocked_charge"]
    assert store.read_parts("main", spend, held=written).equals(store.read_parts("main", spend))


def test_a_fresh_sweep_reads_no_part_back(
    tiny: LoadedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its stages are held from the tables written; a resumed sweep reads and checks the
    parts an earlier invocation wrote, and ends with the same bytes."""
    reads: list[Path] = []
    load = sweep_store._load

    def counted(path: Path, columns: Any) -> Any:
        reads.append(path)
        return load(path, columns)

    monkeypatch.setattr(sweep_store, "_load", counted)
    run_sweep(_plan(tiny), tmp_path / "fresh", executor=LocalExecutor(1))
    assert reads == []
    run_sweep(_plan(tiny), tmp_path / "resumed", executor=LocalExecutor(1))
    for part in (tmp_path / "resumed" / "parts" / "main").glob("r00000[02].parquet"):
        part.unlink()
    run_sweep(_plan(tiny), tmp_path / "resumed", executor=LocalExecutor(1), resume=True)
    read_main = {path.name for path in reads if path.parent.name == "main"}
    assert read_main == {"r000001.parquet", "r000003.parquet"}  # checked by done(), then read
    for name in FILES:
        assert (tmp_path / "fresh" / name).read_bytes() == (
            tmp_path / "resumed" / name
        ).read_bytes()
