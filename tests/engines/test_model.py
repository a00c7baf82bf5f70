"""Every engine against the SimPy model: same Outcome, and the replay the same journal.

The hand-computed traces in ``test_replay.py`` run on the SimPy model and the
replay; here hypothesis searches for any stream, policy and payment behaviour
(delays, fixed or drawn, failures, card expiries, lot expiries, ties, zero-length
calls, opening accounts) on which an engine would differ. SimPy is the slow part:
it runs once per example, on every call of the case, and every other engine
meets it in the same example (the exact replay to the journal entry, the two
compiled engines, ``skip`` and ``fast``, on the Outcome).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.account.ledger import JournalEntry
from sim.account.outcome import Outcome
from sim.account.payment_draws import PaymentDraws
from sim.engines.fast import replay_many
from sim.engines.replay import replay
from sim.engines.simpy_model import simulate
from tests.engines.test_fast import COMPILED, as_stream
from tests.strategies import Case, cases


@settings(max_examples=500, deadline=None)
@given(cases(), st.integers(0, 2**32))
def test_every_engine_equals_the_simpy_model_on_any_case(case: Case, seed: int) -> None:
    """The payment draws come from ``seed`` as the compiled engines draw them."""
    payment_seed = np.random.SeedSequence(seed)
    journals: dict[str, list[JournalEntry]] = {}
    outcomes: dict[str, Outcome] = {}
    for name, engine in (("simpy", simulate), ("replay", replay)):
        journals[name] = []
        outcomes[name] = engine(
            case.calls,
            case.policy,
            case.spec,
            draw=np.random.default_rng(payment_seed).random,
            delays=PaymentDraws(payment_seed, case.payments).reader(),
            on_entry=journals[name].append,
        )
    expected = outcomes["simpy"]
    assert journals["replay"] == journals["simpy"]
    assert outcomes["replay"] == expected
    stream = as_stream(case.calls)
    for engine in COMPILED:
        (outcome,) = replay_many(
            stream, [case.policy], case.spec, payment_seed=payment_seed, skip=engine == "skip"
        )
        assert outcome == expected, engine
