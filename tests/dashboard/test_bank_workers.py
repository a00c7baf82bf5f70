"""A demand bank generated in worker processes (``sim.dashboard.bank_workers``).

It must be the bank generated in the server, replication by replication and
array by array, and a stop (a closed tab, a budget) must end its workers,
mid-task, not let them finish the bank for nobody.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

import numpy as np
import psutil
import pytest

from sim.dashboard import bank_workers as workers_module
from sim.dashboard.demand_bank import DemandBank, bank_workers
from sim.dashboard.jobs import SessionGone
from sim.engines.compact import CompactCalls, Narrow
from sim.errors import InputError
from sim.limits import DASHBOARD_BANK_POOL_MIN_CALLS
from sim.world.load import LoadedScenario

ROOT = Path(__file__).resolve().parents[2]


def same_calls(one: CompactCalls, other: CompactCalls) -> bool:
    """Every field equal, arrays element by element (``==`` on the dataclass is ambiguous)."""
    for field in fields(CompactCalls):
        mine, theirs = getattr(one, field.name), getattr(other, field.name)
        if isinstance(mine, Narrow) and isinstance(theirs, Narrow):
            parts = ("low", "over_rows", "over_values")
            if not all(np.array_equal(getattr(mine, p), getattr(theirs, p)) for p in parts):
                return False
        elif isinstance(mine, np.ndarray):
            if not np.array_equal(mine, theirs):
                return False
        elif mine != theirs:
            return False
    return True


def test_workers_build_the_bank_built_here(midsize: LoadedScenario) -> None:
    here = DemandBank.build(midsize, seed=4, replications=3, workers=1)
    seen: list[tuple[int, int]] = []
    pooled = DemandBank.build(
        midsize, 4, 3, lambda done, total: seen.append((done, total)), workers=2
    )
    assert len(pooled.compact) == 3
    assert all(same_calls(a, b) for a, b in zip(here.compact, pooled.compact, strict=True))
    assert not same_calls(here.compact[0], here.compact[1])  # the replications differ
    assert here.compact[0].ref_gaps is not None and here.compact[1].ref_gaps is None
    assert [str(seed) for seed in pooled.payment_seeds] == [str(s) for s in here.payment_seeds]
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_big_banks_use_every_core_and_small_ones_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert bank_workers(DASHBOARD_BANK_POOL_MIN_CALLS) == 2
    assert bank_workers(DASHBOARD_BANK_POOL_MIN_CALLS - 1) == 1
    assert bank_workers(1.0, workers=3) == 3
    with pytest.raises(ValueError, match="workers"):
        bank_workers(1.0, workers=0)


@pytest.mark.parametrize("stop", [SessionGone("a closed tab"), InputError("over budget")])
def test_a_stop_terminates_the_workers_mid_bank(midsize: LoadedScenario, stop: Exception) -> None:
    """The check stops the bank at its second look; its workers are gone when build returns."""
    workers: list[int] = []

    def check(pids: Sequence[int]) -> None:
        workers.extend(pids)
        if len(workers) > len(pids):  # the second look: the workers are mid-task
            raise stop

    with pytest.raises(type(stop)):
        DemandBank.build(midsize, seed=6, replications=200, workers=2, check=check)
    assert set(workers), "the check saw the workers"
    assert not any(_running(pid) for pid in set(workers))


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_the_fork_server_imports_the_generator_without_pandas_or_pyarrow() -> None:
    """The fork server imports what it preloads, and every worker is a copy of it: pandas
    there held 67 MB in each of them and pyarrow 26 MB (docs/performance-history.md); the generator
    and the sample path's replay use neither, and the bank's workers send their demand
    unpacked."""
    assert workers_module.PRELOADED == ("sim.dashboard.bank_workers", "sim.dashboard.path_worker")
    code = (
        f"import sys; [__import__(name) for name in {workers_module.PRELOADED!r}]; "
        "print('pandas' in sys.modules or 'pyarrow' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert shown.stdout.strip() == "False"


FAULTS_OF_TWO_TASKS = """
import resource, sys
from sim.dashboard import bank_workers
from sim.study.runner import replication_seeds
from sim.world.load import load_scenario
loaded = load_scenario(sys.argv[1])
faults = []
for index, (demand_seed, _) in enumerate(replication_seeds(3, 3)):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    bank_workers._compact(loaded, (demand_seed, False, index == 2))
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(*faults)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's mallopt")
def test_a_worker_reuses_its_pages_from_one_replication_to_the_next() -> None:
    """The second replication's arrays take the pages the first one freed (faulting them in
    again cost a quarter of the generation's CPU), and the last gives them back."""
    shown = subprocess.run(
        [sys.executable, "-c", FAULTS_OF_TWO_TASKS, str(ROOT / "scenarios" / "midsize.toml")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    first, second, _ = (int(word) for word in shown.stdout.split())
    assert first > 2_000  # a replication's arrays: 8 MB and more
    assert second < first / 5


def test_keeping_freed_memory_sets_glibcs_thresholds_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(workers_module, "_libc_call", lambda name: lambda *a: calls.append(a) or 1)
    workers_module.keep_freed_memory.cache_clear()
    try:
        assert workers_module.keep_freed_memory(5 * 2**20)
        assert workers_module.keep_freed_memory(5 * 2**20)
    finally:
        workers_module.keep_freed_memory.cache_clear()
    assert calls == [(-3, 5 * 2**20), (-1, 5 * 2**20)]  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
