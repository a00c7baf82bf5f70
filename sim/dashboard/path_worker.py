"""Replication 1's sample path replayed in a worker process, its journal sent back as columns.

Why: the sample path is the exact Python replay of one replication with its
journal (``sim.study.trace_replay``): on ``enterprise`` about 400,000 journal
entries and as many call records, about 130 MB of Python objects while it runs.
In the server, what it freed stayed in the heap's partly used arenas, so each new
policy left the server about 170 MB larger and set the process tree's peak above
1 GB (docs/performance-history.md). Here it runs in a process of the bank's fork server
(``sim.dashboard.bank_workers``: a clean process, never a copy of the server's
threads): its memory goes with the process, and the server receives only the
Outcome and the journal's columns compressed (``PackedJournal``: 3.3 MB on
``enterprise``, 19 MB as arrays), which it unpacks once to lay out the charts. The worker is
sent the kept calls unpacked (2.9 MB): unpacking them there imported pyarrow,
30 MB more in the worker.

Stopping is the bank's: the caller's ``check`` is called with the worker's PID
every ``sim.study.executors.CHECK_EVERY_S``; what it raises (a closed tab, a
budget) terminates the worker at once and propagates. Without a check the
replay runs in this process (scripts, tests). Like ``bank_workers``, this module
must not import Streamlit or pandas: the fork server imports it.
"""

from __future__ import annotations

import numpy as np

from sim.account.outcome import Outcome
from sim.account.stream import CallStream
from sim.dashboard.bank_workers import fork_server
from sim.engines.compact import CompactCalls
from sim.study.executors import Check, LocalExecutor
from sim.study.experiment import Levers
from sim.study.journal_columns import JournalCollector, PackedJournal
from sim.study.trace_replay import journaled_run
from sim.world.demand import generate
from sim.world.load import LoadedScenario

Seeds = tuple[np.random.SeedSequence, np.random.SeedSequence]
"""A replication's (demand seed, payment seed), as ``sim.study.runner.replication_seeds``."""


def journaled_replication(
    loaded: LoadedScenario,
    levers: Levers,
    seeds: Seeds,
    calls: CompactCalls | None = None,
    check: Check | None = None,
) -> tuple[Outcome, PackedJournal]:
    """The replication of ``seeds`` replayed under ``levers``: its Outcome and journal.

    ``calls``: that replication's charged calls as the demand bank kept them (with their
    call numbers, ``refs``), else generated again from the demand seed (in the worker).
    With ``check``, in one worker process of the fork server (module docstring).
    """
    pool = LocalExecutor(1, check=check, processes=fork_server() if check else None)
    sent = None if calls is None else calls.unpack()  # the worker never imports pyarrow
    done = dict(pool.run(_journaled, (loaded, levers, seeds), [sent]))
    return done[0]


def _journaled(
    context: tuple[LoadedScenario, Levers, Seeds], calls: CompactCalls | None
) -> tuple[Outcome, PackedJournal]:
    """A worker's task (``journaled_replication``)."""
    loaded, levers, (demand_seed, payment_seed) = context
    scenario = loaded.scenario
    stream: CallStream
    if calls is None:
        stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    else:
        stream = calls.stream()
    journal = JournalCollector()
    outcome = journaled_run(scenario, levers, stream, payment_seed, journal.append)
    return outcome, journal.columns().pack()
