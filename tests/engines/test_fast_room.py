"""The compiled loop's room (``sim.engines.fast_room``): outgrown, and shared between policies.

``fast_loop.run_loop`` allocates nothing: a run that fills its lots, outage
episodes or manual top-ups stops and runs again in a room twice the size, and
``run_policies`` clears one room between policies. Either slip would change an
Outcome, so these runs are checked against the exact replay.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from sim.account.ledger import Source
from sim.account.policy import AutoRecharge, ManualTopUp, Policy
from sim.engines.batch import evaluate
from sim.engines.fast import Prepared, replay_prepared
from sim.engines.fast_room import EPISODES_ROOM, LOTS_ROOM, MANUAL_ROOM
from tests.engines.test_fast import as_stream
from tests.engines.test_fast_many import _calls, _spec

SEED = np.random.SeedSequence(5)
OUTAGES = Policy(0, manual=ManualTopUp(500, timedelta(hours=5)))
"""Runs dry every few hours: hundreds of outages, blocked calls and manual top-ups."""
RECHARGES = Policy(1_000, AutoRecharge(300, 600))
"""Recharges every few hours: hundreds of lots, no blocked call."""


def test_runs_that_outgrow_the_first_room_give_the_replays_outcomes() -> None:
    stream, spec = as_stream(_calls()), _spec(failure=0.0)
    policies = [OUTAGES, RECHARGES, OUTAGES]  # the second runs in the room the first filled
    replayed = evaluate("replay", stream, policies, spec, payment_seed=SEED)
    outages, recharges = replayed[0], replayed[1]
    assert len(outages.outage_episodes) > 2 * EPISODES_ROOM and outages.blocked
    assert sum(lot.source is Source.MANUAL for lot in outages.lots) > 2 * MANUAL_ROOM
    assert len(recharges.lots) > 2 * LOTS_ROOM and not recharges.blocked
    for engine in ("skip", "fast"):
        assert evaluate(engine, stream, policies, spec, payment_seed=SEED) == replayed
    prepared = Prepared(stream)
    for policy, expected in zip(policies, replayed, strict=True):
        for skip in (True, False):  # one policy, a room of its own
            alone = replay_prepared(prepared, policy, spec, payment_seed=SEED, skip=skip)
            assert alone == expected
