"""Bounded dashboard work: a time and a memory budget per computation, and a stop on a closed tab.

Why: one click can start minutes of work (a 1,000-replication demand bank, a
400-policy sweep), and a planner who closes the tab does not wait for it; the
server, shared by every planner, must not keep computing for nobody, nor let
one job grow past the memory it was allowed. Each heavy computation makes a
``Watch`` and calls ``check`` as it goes (the demand bank after each
replication; a sweep's or a big demand bank's process pool every quarter
second, with its workers' PIDs, so a stuck replication is stopped too: the
pool's workers are terminated). ``check`` raises ``InputError`` (one line, shown beside the
inputs) when a budget is exceeded, and ``SessionGone`` when the browser
session that asked has closed; the page ends quietly on the latter.

The budgets are ``sim.limits.DASHBOARD_JOB_MAX_S`` and
``DASHBOARD_JOB_MAX_BYTES``; a server's operator changes them with the
environment variables ``CREDSIM_DASHBOARD_JOB_MAX_S`` and
``CREDSIM_DASHBOARD_JOB_MAX_MB`` (docs/limits.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psutil
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from sim.dashboard.failures import log
from sim.errors import InputError
from sim.limits import (
    DASHBOARD_JOB_MAX_BYTES,
    DASHBOARD_JOB_MAX_S,
    DASHBOARD_MAX_MB_VARIABLE,
    DASHBOARD_MAX_S_VARIABLE,
    dashboard_job_max_bytes,
    dashboard_job_max_s,
)


class SessionGone(Exception):  # noqa: N818  (a stop, not an error: nobody is left to tell)
    """The browser session that started the computation has closed: stop, show nothing."""


@dataclass(frozen=True)
class Budget:
    """What one computation may use: seconds of wall time and bytes of memory."""

    max_s: float = DASHBOARD_JOB_MAX_S
    max_bytes: int = DASHBOARD_JOB_MAX_BYTES

    @classmethod
    def current(cls) -> Budget:
        """The defaults of ``sim.limits``, or the server's environment variables when set."""
        return cls(dashboard_job_max_s(), dashboard_job_max_bytes())


def session_alive() -> Callable[[], bool]:
    """Whether the browser session running this script is still connected (a callable).

    Streamlit removes a session from its active ones the moment its websocket
    closes (a closed tab, a lost network); outside a server (AppTest, bare
    runs) there is no session to lose, and the answer is always yes.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


class Watch:
    """One computation's budget, checked as it goes; made on the script's thread."""

    def __init__(
        self, what: str, budget: Budget | None = None, alive: Callable[[], bool] | None = None
    ) -> None:
        self.what = what
        self.budget = budget or Budget.current()
        self.alive = alive or session_alive()
        self.started = time.monotonic()
        self.measured_at = float("-inf")  # the first check with workers measures
        log().info("started %s", what)

    def done(self) -> None:
        """Log the end of a computation that finished within its budget."""
        log().info("finished %s in %.1f s", self.what, time.monotonic() - self.started)

    def check(self, workers: Sequence[int] = ()) -> None:
        """Raise when the tab is gone or a budget is exceeded; ``workers``' memory counts."""
        if not self.alive():
            log().info("stopped %s: its browser session went away", self.what)
            raise SessionGone(self.what)
        elapsed_s = time.monotonic() - self.started
        if elapsed_s > self.budget.max_s:
            log().warning("stopped %s after %.0f s: over its time budget", self.what, elapsed_s)
            raise InputError(
                f"{self.what} took longer than the dashboard's {self.budget.max_s:g} s "
                f"(set {DASHBOARD_MAX_S_VARIABLE} on the server to change it); use fewer "
                "replications or a smaller grid here, or `credsim run`/`credsim sweep`, "
                "which have no such limit"
            )
        used = 0
        now = time.monotonic()
        if workers and now - self.measured_at >= MEASURE_MEMORY_EVERY_S:
            self.measured_at, used = now, memory_bytes(workers)
        if used > self.budget.max_bytes:
            log().warning("stopped %s at %d bytes: over its memory budget", self.what, used)
            raise InputError(
                f"{self.what} needed more than the dashboard's {self.budget.max_bytes / 2**30:.1f}"
                f" GiB of memory (set {DASHBOARD_MAX_MB_VARIABLE} on the server to change it); "
                "use fewer replications here, or `credsim run`/`credsim sweep`"
            )


MEASURE_MEMORY_EVERY_S = 0.25
"""A job's workers' memory is measured at most this often: ``check`` also runs after each
replication (about 200 times a bank), and each measurement scans every process of the
machine for the workers' children (``psutil``: 2.2 ms for two workers among 66 processes).
Measured every time, that was about 0.4 CPU-seconds of the server during ``enterprise``'s
bank; now about 50 scans, 0.1 s (docs/performance.md#dashboard-responsiveness). The time
budget and a closed tab are still checked every time."""


def memory_bytes(pids: Sequence[int]) -> int:
    """Resident memory of these processes and their children (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for member in family:
            try:
                total += member.memory_info().rss
            except psutil.Error:
                continue
    return total
