"""``sim.dashboard.jobs``: budgets from the limits or the server's environment, and the checks."""

from __future__ import annotations

import os

import pytest

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
