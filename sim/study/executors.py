"""Where replications run: this process, a local process pool, or a Dask cluster.

Every executor has one method, ``run(fn, context, items)``: it calls
``fn(context, item)`` for each item and yields ``(position, result)`` as each
finishes, in whatever order they finish. Callers store results by position
(replication index), so the output never depends on the executor, the
number of workers or the finishing order; and yielding on completion lets a
sweep write each replication to disk the moment it is done.

``context`` is what every task shares (the scenario, the policies, the
engine): it is sent to each worker once (a pool initializer; a Dask
broadcast), not once per task.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from typing import Any, Protocol, TypeVar

from sim import __version__

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

Check = Callable[[Sequence[int]], None]
"""A budget check over a pool's worker PIDs (``LocalExecutor(check=...)``)."""
CHECK_EVERY_S = 0.25
"""How often a checked pool's budget is looked at while its tasks run."""

_CONTEXT: Any = None
"""A pool worker's copy of the shared context (set once by the initializer)."""


class Executor(Protocol):
    """Runs ``fn(context, item)`` for each item; yields ``(position, result)`` as they finish."""

    def run(
        self, fn: Callable[[C, T], R], context: C, items: Sequence[T]
    ) -> Iterator[tuple[int, R]]: ...

    def describe(self) -> dict[str, Any]:
        """What ran the work, for the manifest."""
        ...


class LocalExecutor:
    """A pool of ``workers`` processes (default: all cores); 1 worker runs in this process."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        check: Check | None = None,
        processes: BaseContext | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers(={workers}) must be >= 1")
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.check = check
        """Called with the workers' PIDs every ``CHECK_EVERY_S`` while tasks run; what it
        raises stops the workers at once and ends ``run``. With a check, work always
        runs in worker processes (even one), since only a process can be stopped mid-task."""
        self.processes = processes
        """How worker processes start (a ``multiprocessing`` context; the platform's
        default when None): the dashboard starts them from a fork server."""

    def describe(self) -> dict[str, Any]:
        """``{"kind": "local", "workers": K}``."""
        return {"kind": "local", "workers": self.workers}

    def runs_here(self, items: int) -> bool:
        """In this process: one worker or one item, and no budget check."""
        return min(self.workers, items) <= 1 and self.check is None

    def first_here(self, items: int) -> bool:
        """Whether a pool's first item runs in this process before its workers start: when
        they start as copies of it (a fork) and there are more items than workers.

        Why: what the first task loads (the compiled engine from numba's cache, one to
        several seconds of CPU: docs/performance.md#fixed-costs-of-a-sweep) a forked worker
        has already; without this every worker of every pool loads it again. Not with a
        budget check, whose work must run in a process that can be stopped.
        """
        if self.runs_here(items) or self.check is not None or items <= self.workers:
            return False
        return self.forks()

    def forks(self) -> bool:
        """Whether this executor's workers start as copies of this process (a fork)."""
        processes = self.processes or multiprocessing.get_context()
        return processes.get_start_method() == "fork"

    def run(
        self, fn: Callable[[C, T], R], context: C, items: Sequence[T]
    ) -> Iterator[tuple[int, R]]:
        """In this process for one worker or one item, else in a process pool (its first
        item here when ``first_here``).

        ``items[k]`` is read when task ``k`` is handed out (a pool's window of tasks ahead
        of the results), not before: a lazy sequence may make each item from the results
        so far (``sim.study.sweep_stages`` keeps a replication's demand while it has room).
        """
        upcoming = ((position, items[position]) for position in range(len(items)))
        if self.runs_here(len(items)):
            for position, item in upcoming:
                yield position, fn(context, item)
            return
        rest = len(items)
        if self.first_here(len(items)):
            position, item = next(upcoming)
            yield position, fn(context, item)
            rest -= 1
        count = min(self.workers, rest)
        pool = ProcessPoolExecutor(
            count, mp_context=self.processes, initializer=_install, initargs=(context,)
        )
        finished = False
        try:
            yield from _as_completed(pool, fn, upcoming, window=count * 4, check=self.check)
            finished = True
        finally:
            if not finished:  # Ctrl+C, a task's exception, or the caller stopped early
                terminate_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)


def _as_completed(
    pool: ProcessPoolExecutor,
    fn: Callable[[Any, T], R],
    upcoming: Iterator[tuple[int, T]],
    window: int,
    check: Check | None = None,
) -> Iterator[tuple[int, R]]:
    """Keep ``window`` of the ``(position, item)`` tasks in flight (memory stays flat however
    many items there are)."""
    pending: dict[Future[R], int] = {}
    while True:
        for position, item in upcoming:
            pending[pool.submit(_call, fn, item)] = position
            if len(pending) >= window:
                break
        if not pending:
            return
        timeout = None if check is None else CHECK_EVERY_S
        done, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
        if check is not None:
            check(worker_pids(pool))
        for future in sorted(done, key=pending.__getitem__):
            yield pending.pop(future), future.result()


def worker_pids(pool: ProcessPoolExecutor) -> list[int]:
    """The pool's worker processes now (``_processes``: no public API in Python 3.11)."""
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    return list(processes)


def terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now, mid-task: waiting could take as long as the longest task."""
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}  # no public API in 3.11
    for process in list(processes.values()):
        process.terminate()


def _install(context: Any) -> None:
    """A worker's start: keep the shared context; leave Ctrl+C to the parent.

    The terminal sends SIGINT to the whole process group; a worker that took it
    would die printing a traceback, and the pool would hang on the dead worker.
    The parent alone turns Ctrl+C into one line and stops the workers.
    """
    global _CONTEXT  # noqa: PLW0603  (one per worker process, set once, by design)
    _CONTEXT = context
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call(fn: Callable[[Any, T], R], item: T) -> R:
    return fn(_CONTEXT, item)


class DaskExecutor:
    """The same work on a Dask distributed cluster (``distributed.Client(address)``).

    One task per item; the context is broadcast to every worker once. At most
    ``window`` tasks are in the cluster at once (default: two per worker
    thread), each result is gathered the moment it finishes and released
    once yielded, so neither the scheduler nor the workers nor this client
    ever hold more than ``window`` results, however many items there are.
    Workers need the same ``credsim`` version as this client: ``connect``
    asks each worker for its version and refuses the cluster otherwise.
    ``connect`` first to fail fast, before anything is written.
    """

    def __init__(self, address: str, *, timeout_s: float = 20.0, window: int | None = None) -> None:
        if window is not None and window < 1:
            raise ValueError(f"window(={window}) must be >= 1")
        self.address = address
        self.timeout_s = timeout_s
        self.window = window
        self.peak_in_flight = 0
        """The most tasks the last ``run`` had in the cluster at once (what ``window`` bounds)."""
        self._client: Any = None

    def describe(self) -> dict[str, Any]:
        """``{"kind": "dask", "scheduler": ADDRESS}``."""
        return {"kind": "dask", "scheduler": self.address}

    def connect(self) -> None:
        """Connect to the scheduler; ConnectionError says which address failed and why.

        Also ConnectionError when a worker runs another credsim version than
        this client (its results could differ from a local run's).
        """
        if self._client is not None:
            return
        from distributed import Client  # noqa: PLC0415  (only when asked for)

        try:
            self._client = Client(self.address, timeout=f"{self.timeout_s}s")
        except (OSError, ValueError) as error:
            raise ConnectionError(
                f"cannot reach the Dask scheduler at {self.address}: {error}"
            ) from None
        try:
            versions = self._client.run(_credsim_version)
        except Exception as error:  # a worker without credsim cannot answer
            self.close()
            raise ConnectionError(
                f"the Dask workers at {self.address} cannot run credsim: {error}"
            ) from None
        other = {worker: held for worker, held in versions.items() if held != __version__}
        if other:
            worker, held = sorted(other.items())[0]
            self.close()
            raise ConnectionError(
                f"the Dask worker {worker} at {self.address} runs credsim {held}, this is "
                f"{__version__}: install the same version on every worker"
            )

    def close(self) -> None:
        """Disconnect (the cluster itself keeps running)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def run(
        self, fn: Callable[[C, T], R], context: C, items: Sequence[T]
    ) -> Iterator[tuple[int, R]]:
        """Keep ``window`` items in the cluster; yield each result as the cluster finishes it."""
        from distributed import as_completed  # noqa: PLC0415

        self.connect()
        shared = self._client.scatter(context, broadcast=True, hash=False)
        upcoming = iter(enumerate(items))
        positions: dict[str, int] = {}
        flowing = as_completed()
        self.peak_in_flight = 0
        try:
            self._fill(flowing, upcoming, positions, fn, shared)
            for future in flowing:
                result = future.result()
                position = positions.pop(str(future.key))
                future.release()  # the cluster may forget it: the caller keeps it now
                self._fill(flowing, upcoming, positions, fn, shared)
                yield position, result
        finally:
            self._client.cancel(list(flowing.futures))

    def _fill(
        self,
        flowing: Any,
        upcoming: Iterator[tuple[int, Any]],
        positions: dict[str, int],
        fn: Callable[..., Any],
        shared: Any,
    ) -> None:
        """Submit items until the window is full. Without ``window`` it is two per worker
        thread, asked again each time: workers that join later (an adaptive or batch-queue
        cluster starts with none) widen it."""
        window = self.window or max(1, 2 * sum(self._client.nthreads().values()))
        while flowing.count() < window:
            following = next(upcoming, None)
            if following is None:
                return
            positions[self._submit(flowing, fn, shared, following[1])] = following[0]

    def _submit(self, flowing: Any, fn: Callable[..., Any], shared: Any, item: Any) -> str:
        """One task into the cluster and the completion queue; its key."""
        future = self._client.submit(fn, shared, item, pure=False)
        flowing.add(future)
        self.peak_in_flight = max(self.peak_in_flight, flowing.count())
        return str(future.key)


def _credsim_version() -> str:
    """This process's credsim version (a Dask worker answers with its own)."""
    return __version__
