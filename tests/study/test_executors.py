"""LocalExecutor's budget check: a check that raises stops the pool's workers at once."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import pytest

from sim.study.executors import LocalExecutor


class OverBudgetError(Exception):
    pass


def stuck(_context: None, item: int) -> int:
    """A task that would never end (as a replication whose work were unbounded)."""
    if item == 0:
        return os.getpid()
    while True:
        time.sleep(0.05)


def test_a_check_that_raises_terminates_the_workers_mid_task() -> None:
    seen: list[list[int]] = []

    def check(workers: Sequence[int]) -> None:
        seen.append(list(workers))
        if len(seen) >= 3:
            raise OverBudgetError

    began = time.monotonic()
    results = []
    with pytest.raises(OverBudgetError):
        for position, result in LocalExecutor(2, check=check).run(stuck, None, [0, 1, 2]):
            results.append((position, result))
    assert time.monotonic() - began < 30  # not the stuck tasks' "for ever"
    assert results and results[0][0] == 0 and results[0][1] != os.getpid()  # a worker ran it
    workers = {pid for pids in seen for pid in pids}
    assert len(workers) == 2
    for pid in workers:  # terminated and reaped: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_with_a_check_one_worker_is_still_a_process_that_can_be_stopped() -> None:
    pids = [pid for _, pid in LocalExecutor(1, check=lambda _workers: None).run(stuck, None, [0])]
    assert pids and pids[0] != os.getpid()


def test_without_a_check_one_worker_runs_here_as_before() -> None:
    assert [pid for _, pid in LocalExecutor(1).run(stuck, None, [0])] == [os.getpid()]


def _slow_square(context: int, item: int) -> int:
    time.sleep(0.01)
    return context * item * item


def test_the_dask_window_bounds_the_tasks_in_the_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    from sim.study.executors import DaskExecutor  # noqa: PLC0415

    with distributed.LocalCluster(
        n_workers=1, processes=False, threads_per_worker=2, dashboard_address=None
    ) as cluster:
        bounded = DaskExecutor(cluster.scheduler_address, window=3)
        try:
            results = dict(bounded.run(_slow_square, 2, list(range(40))))
            assert results == {i: 2 * i * i for i in range(40)}
            assert bounded.peak_in_flight == 3  # all 40 at once without the window
        finally:
            bounded.close()  # one client at a time: a second one once timed out connecting
        default = DaskExecutor(cluster.scheduler_address)
        try:
            assert dict(default.run(_slow_square, 1, list(range(10)))) == {
                i: i * i for i in range(10)
            }
            assert default.peak_in_flight == 4  # two per worker thread
        finally:
            default.close()


def test_a_worker_on_another_credsim_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    from sim.study import executors  # noqa: PLC0415

    with distributed.LocalCluster(
        n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        # what a worker answers (in this process: the same module as the client's)
        monkeypatch.setattr(executors, "_credsim_version", lambda: "0.0.0-other")
        held = executors.DaskExecutor(cluster.scheduler_address)
        with pytest.raises(ConnectionError, match=r"runs credsim 0\.0\.0-other, this is"):
            held.connect()
