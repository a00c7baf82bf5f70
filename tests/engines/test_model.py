"""The SimPy model against the exact replay: same Outcome, same journal, always.

The hand-computed traces in ``test_replay.py`` run on both engines; here
hypothesis searches for any stream, policy and payment behaviour (delays,
failures, card expiries, expiries, ties) on which they would differ.
"""

from __future__ import annotations

from hypothesis import given, settings

from sim.engines.replay import replay
from sim.engines.simpy_model import simulate
from tests.strategies import Case, cases, run_case


@settings(max_examples=400, deadline=None)
@given(cases())
def test_the_simpy_model_and_the_replay_agree_to_the_journal_entry(case: Case) -> None:
    expected_outcome, expected_journal = run_case(replay, case)
    outcome, journal = run_case(simulate, case)
    assert journal == expected_journal
    assert outcome == expected_outcome
