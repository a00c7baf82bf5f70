"""LocalExecutor's budget check: a check that raises stops the pool's workers at once."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from typing import overload

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


def _pid(_context: None, _item: int) -> int:
    return os.getpid()


def test_a_forked_pool_runs_its_first_item_here_and_the_rest_in_its_workers() -> None:
    """What the first item loads (the compiled engine) the forked workers then share."""
    if multiprocessing.get_start_method() != "fork":
        pytest.skip("worker processes are not forked on this platform")
    pids = dict(LocalExecutor(2).run(_pid, None, [0, 1, 2, 3, 4]))
    assert pids[0] == os.getpid()
    assert len(pids) == 5 and all(pids[position] != os.getpid() for position in range(1, 5))


def test_no_item_runs_here_without_more_items_than_workers_a_fork_or_with_a_check() -> None:
    assert os.getpid() not in dict(LocalExecutor(2).run(_pid, None, [0, 1])).values()
    assert not LocalExecutor(2).first_here(2)
    assert not LocalExecutor(2, check=lambda _workers: None).first_here(3)
    for method in ("spawn", "forkserver"):
        started = multiprocessing.get_context(method)
        assert not LocalExecutor(2, processes=started).first_here(3), method
    assert LocalExecutor(2, processes=multiprocessing.get_context("fork")).first_here(3)


class _Reads(Sequence[int]):
    """Items that remember which were read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read: list[int] = []

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, position: int) -> int: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[int]: ...
    def __getitem__(self, position: int | slice) -> int | Sequence[int]:
        assert isinstance(position, int)
        self.read.append(position)
        return position


def test_items_are_read_as_their_tasks_start_not_before() -> None:
    items = _Reads(4)
    results = LocalExecutor(1).run(_pid, None, items)
    assert next(results) == (0, os.getpid()) and items.read == [0]
    assert [position for position, _ in results] == [1, 2, 3] and items.read == [0, 1, 2, 3]


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
