"""Replication 1's sample path replayed in a worker process (``sim.dashboard.path_worker``).

The server must never build the journal of Python objects (on enterprise it left the
server 110-170 MB larger after each new policy): the replay runs in a process of the
fork server, stopped with the tab, and what comes back must be the path ``credsim run``'s
replication 1 gives, its journal CSV byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
import psutil
import pytest

from sim.dashboard import explore
from sim.dashboard.explore import DemandBank
from sim.dashboard.explore_display import journal_csv
from sim.dashboard.jobs import SessionGone
from sim.study import trace_replay
from sim.study.experiment import Levers
from sim.study.journal_columns import PackedJournal
from sim.study.trace import path_picture, traced_run
from sim.world.load import LoadedScenario

LEAN = Levers(Decimal(20), Decimal(10), Decimal(30))  # recharges, failed payments, outages


def test_the_path_is_replayed_in_another_process_with_the_same_journal(
    midsize: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = traced_run(midsize, LEAN, seed=5)
    laid_out = path_picture(expected, LEAN, midsize.scenario)
    bank = DemandBank.build(midsize, seed=5, replications=1, workers=1)

    def here(*args: object, **kwargs: object) -> None:
        raise AssertionError("replication 1 was replayed in the server's process")

    monkeypatch.setattr(trace_replay, "replay", here)  # this process only, not the worker
    seen: list[int] = []
    picture = explore.policy_path(midsize, 5, LEAN, bank.sample_calls(), check=seen.extend)
    assert seen and os.getpid() not in seen
    assert isinstance(picture.trace.entries, PackedJournal)
    assert list(picture.trace.entries) == expected.entries
    assert picture.trace.outcome == expected.outcome
    for shown, wanted in [(picture.path.steps, laid_out.path.steps),
                          (picture.path.events, laid_out.path.events),
                          (picture.path.outages, laid_out.path.outages),
                          (picture.lots, laid_out.lots)]:  # fmt: skip
        pd.testing.assert_frame_equal(shown, wanted)
    assert len(picture.path.outages) > 0
    currency = midsize.scenario.scenario.currency
    assert journal_csv(picture.trace.entries, currency) == journal_csv(expected.entries, currency)


def test_a_closed_tab_terminates_the_path_worker(midsize: LoadedScenario) -> None:
    """The check stops the replay at its first look (the demand is generated in the worker,
    which takes longer than a look); the worker is gone when the call returns."""
    workers: list[int] = []

    def check(pids: Sequence[int]) -> None:
        workers.extend(pids)
        raise SessionGone("a closed tab")

    with pytest.raises(SessionGone):
        explore.policy_path(midsize, 6, LEAN, check=check)
    assert workers and not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
