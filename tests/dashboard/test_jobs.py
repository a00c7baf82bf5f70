"""``sim.dashboard.jobs``: budgets from the limits or the server's environment, and the checks."""

from __future__ import annotations

import os

import pytest

from sim.dashboard import jobs
from sim.dashboard.jobs import Budget, SessionGone, Watch, memory_bytes
from sim.errors import InputError
from sim.limits import DASHBOARD_JOB_MAX_BYTES, DASHBOARD_JOB_MAX_S


def test_the_budget_is_the_limits_unless_the_server_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CREDSIM_DASHBOARD_JOB_MAX_S", raising=False)
    monkeypatch.delenv("CREDSIM_DASHBOARD_JOB_MAX_MB", raising=False)
    assert Budget.current() == Budget(DASHBOARD_JOB_MAX_S, DASHBOARD_JOB_MAX_BYTES)
    monkeypatch.setenv("CREDSIM_DASHBOARD_JOB_MAX_S", "90")
    monkeypatch.setenv("CREDSIM_DASHBOARD_JOB_MAX_MB", "512")
    assert Budget.current() == Budget(90, 512 * 2**20)


@pytest.mark.parametrize("text", ["soon", "0", "-5", "inf", "nan"])
def test_a_bad_budget_setting_names_the_variable(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDSIM_DASHBOARD_JOB_MAX_S", text)
    with pytest.raises(InputError, match=f"JOB_MAX_S={text!r} is not a number > 0"):
        Budget.current()


def test_a_closed_session_stops_the_job_first() -> None:
    watch = Watch("the sweep", Budget(max_s=0.0), alive=lambda: False)
    with pytest.raises(SessionGone):
        watch.check()


def test_time_and_memory_over_budget_are_one_line_messages() -> None:
    late = Watch("the sweep", Budget(max_s=-1.0), alive=lambda: True)
    with pytest.raises(InputError, match=r"^the sweep took longer than the dashboard's -1 s \(set"):
        late.check()
    small = Watch("the sweep", Budget(max_bytes=1024), alive=lambda: True)
    small.check()  # no workers: nothing to measure
    with pytest.raises(InputError, match=r"needed more than the dashboard's 0\.0 GiB") as caught:
        small.check([os.getpid()])
    assert "\n" not in str(caught.value) and "CREDSIM_DASHBOARD_JOB_MAX_MB" in str(caught.value)


def test_memory_counts_live_processes_and_skips_gone_ones() -> None:
    assert memory_bytes([os.getpid()]) > 10 * 2**20
    assert memory_bytes([2**22 + 7]) == 0  # above Linux's pid_max: never a process


def test_memory_is_measured_at_most_every_quarter_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bank checks after each replication; scanning the processes each time cost the
    server about 0.4 CPU-seconds of enterprise's bank, so memory is measured at most every
    ``MEASURE_MEMORY_EVERY_S``; time and a closed tab are checked every time."""
    clock = [100.0]
    measured: list[list[int]] = []
    monkeypatch.setattr(jobs.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(jobs, "memory_bytes", lambda pids: measured.append(list(pids)) or 10)
    watch = Watch("the bank", Budget(max_s=60.0, max_bytes=100), alive=lambda: True)
    for _ in range(50):
        watch.check([7])
    assert measured == [[7]]  # the first check measures, the next 49 do not
    clock[0] += jobs.MEASURE_MEMORY_EVERY_S
    watch.check([7])
    assert measured == [[7], [7]]
    monkeypatch.setattr(jobs, "memory_bytes", lambda pids: 1000)
    clock[0] += jobs.MEASURE_MEMORY_EVERY_S
    with pytest.raises(InputError, match="needed more than"):
        watch.check([7])
    clock[0] += 61.0
    with pytest.raises(InputError, match="took longer"):
        watch.check([7])  # the time budget, between two measurements
