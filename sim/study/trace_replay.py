"""One replication replayed by the exact event replay, every journal entry to a sink.

Why apart from ``sim.study.trace``: the dashboard replays replication 1 in a
worker process of its fork server (``sim.dashboard.path_worker``), which must
start fast and small; this module imports neither pandas nor the run's seeds
(``sim.study.runner`` imports pandas), so the worker takes the payment seed as
given and sends back the journal's columns, and the server lays them out.
"""

from __future__ import annotations

import numpy as np

from sim.account.ledger import JournalSink
from sim.account.outcome import Outcome
from sim.account.payment_draws import PaymentDraws
from sim.account.stream import CallStream
from sim.engines.replay import replay
from sim.study.experiment import Levers, build_policy, run_spec
from sim.world.scenario import Scenario


def journaled_run(
    scenario: Scenario,
    levers: Levers,
    stream: CallStream,
    payment_seed: np.random.SeedSequence,
    on_entry: JournalSink,
) -> Outcome:
    """``stream`` replayed under ``levers`` with the payment draws of ``payment_seed``, each
    journal entry passed to ``on_entry``: with a replication's own seeds, that replication's
    Outcome in ``credsim run`` (``sim.study.trace.traced_run``)."""
    spec = run_spec(scenario)
    outcome = replay(
        stream.calls(skip_free=True),
        build_policy(scenario, levers),
        spec,
        draw=np.random.default_rng(payment_seed).random,
        delays=PaymentDraws(payment_seed, spec.payments).reader(),
        on_entry=on_entry,
    )
    outcome.calls += stream.free_count  # as every engine counts free calls
    return outcome
