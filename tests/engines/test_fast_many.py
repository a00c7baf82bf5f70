"""A replication's policies in one compiled call: the same results as one call per policy.

``replay_many`` runs its policies through ``fast_many.run_policies`` and builds
their Outcomes from the stacked arrays (``fast_outcomes.stacked_outcomes``);
``replay_prepared`` still takes one policy through ``run_policy`` and
``fast_outcomes.outcome``. Here the two paths meet on policies that stop the
compiled call halfway (out of payment draws, a runaway recharge request).
"""

from __future__ import annotations

import pickle
from datetime import timedelta

import numpy as np
import pytest

from sim.account.clock import MICROS_PER_DAY, MICROS_PER_MINUTE
from sim.account.payment_draws import FIRST_DRAWS, PaymentDraws
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, ManualTopUp, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.fast import (
    Prepared,
    _run_terms,
    policy_table,
    replay_many,
    replay_prepared,
    run_loop,
)
from sim.engines.fast_layout import RESULT_SCALARS
from sim.engines.fast_many import run_policies
from sim.engines.skip_layout import with_days
from sim.errors import InputError
from sim.limits import MONEY_MAX_MINOR
from tests.engines.test_fast import as_stream
from tests.strategies import START, USD

SEED = np.random.SeedSequence(11)
DAYS = 120


def _calls() -> list[Call]:
    """Two services, a call every 20 minutes: a policy of small amounts recharges often."""
    calls = []
    for k in range(DAYS * 72):
        begin = START + k * 20 * MICROS_PER_MINUTE
        service = "tf" if k % 3 else "intl"
        calls.append(Call(begin, begin + 7 * MICROS_PER_MINUTE, service, 40 + k % 7, True, k))
    return calls


def _spec(failure: float = 0.2) -> RunSpec:
    payments = Payments(timedelta(hours=1), failure_probability=failure)
    return RunSpec(USD, START, START + DAYS * MICROS_PER_DAY, payments)


POLICIES = [
    Policy(50_000, AutoRecharge(10_000, 40_000)),
    Policy(2_000, AutoRecharge(1_000, 500)),  # hundreds of payment attempts: more draws
    Policy(0, manual=ManualTopUp(30_000, timedelta(hours=5))),  # outages, blocked calls
    Policy(80_000),
    Policy(5_000, AutoRecharge(3_000, 2_000), ManualTopUp(1_000, timedelta(hours=2))),
]


def test_policies_that_stop_the_compiled_call_give_the_one_policy_outcomes() -> None:
    stream, spec = as_stream(_calls()), _spec()
    prepared = Prepared(stream)
    draws = PaymentDraws(SEED, spec.payments)
    jumps = with_days(prepared.jumps(), spec.start, spec.end)
    results = run_policies(
        prepared.calls, jumps, policy_table(POLICIES, spec), _run_terms(spec),
        draws.uniforms, draws.processing_us, draws.fix_us, 0,
    )  # fmt: skip
    stopped = dict(zip(RESULT_SCALARS, results.scalars[results.done].tolist(), strict=True))
    assert results.done == 1 and stopped["out_of_draws"] and stopped["draws_used"] == FIRST_DRAWS
    for skip in (True, False):
        many = replay_many(stream, POLICIES, spec, payment_seed=SEED, skip=skip)
        one = [replay_prepared(prepared, p, spec, payment_seed=SEED, skip=skip) for p in POLICIES]
        assert many == one
        assert many[2].blocked and many[2].outage_episodes and many[1].recharges > FIRST_DRAWS
        lean = replay_many(stream, POLICIES, spec, payment_seed=SEED, skip=skip, with_lots=False)
        assert [outcome.lots for outcome in lean] == [[]] * len(POLICIES)
        assert [outcome.daily_balance_minor for outcome in lean] == [
            outcome.daily_balance_minor for outcome in many
        ]


def test_stacked_outcomes_build_lots_and_balances_on_first_read() -> None:
    """``Outcome.deferred``: nothing read, nothing built; a pickled Outcome is a whole one."""
    stream, spec = as_stream(_calls()), _spec()
    prepared = Prepared(stream)
    for with_lots in (True, False):
        many = replay_many(stream, POLICIES, spec, payment_seed=SEED, with_lots=with_lots)
        assert all(outcome.deferred is not None for outcome in many)
        pickled = [pickle.loads(pickle.dumps(outcome)) for outcome in many]
        one = [
            replay_prepared(prepared, p, spec, payment_seed=SEED, with_lots=with_lots)
            for p in POLICIES
        ]
        assert pickled == one and all(outcome.deferred is None for outcome in many)
        assert all(outcome.lots for outcome in one) == with_lots


def test_each_row_of_the_stacked_results_is_that_policys_loop_result() -> None:
    stream, spec = as_stream(_calls()), _spec(failure=0.0)
    prepared = Prepared(stream)
    draws = PaymentDraws(SEED, spec.payments)
    jumps = with_days(prepared.jumps(), spec.start, spec.end)
    results = run_policies(
        prepared.calls, jumps, policy_table(POLICIES, spec), _run_terms(spec),
        draws.uniforms, draws.processing_us, draws.fix_us, 1,
    )  # fmt: skip
    assert results.done == len(POLICIES) - 1
    for row, policy in enumerate(POLICIES[1:]):
        alone = run_loop(prepared, prepared.jumps(), policy, spec, payment_seed=SEED)
        scalars = results.scalars[row].tolist()
        assert scalars == [int(getattr(alone, name)) for name in RESULT_SCALARS]
        lots = results.lots[results.lot_first[row] : results.lot_first[row + 1]]
        episodes = results.episodes[results.episode_first[row] : results.episode_first[row + 1]]
        assert np.array_equal(lots, alone.lots) and np.array_equal(episodes, alone.episodes)
        assert np.array_equal(results.daily_balance_minor[row], alone.daily_balance_minor)
        assert np.array_equal(results.blocked[row], alone.blocked)
        assert np.array_equal(results.funded_minor[row], alone.funded_minor)
        assert np.array_equal(results.emails[row], alone.emails)


def test_a_runaway_request_between_policies_is_refused_as_alone() -> None:
    stream, spec = as_stream(_calls()), _spec()
    runaway = Policy(0, AutoRecharge(MONEY_MAX_MINOR, 1))
    with pytest.raises(InputError) as alone:
        replay_prepared(Prepared(stream), runaway, spec, payment_seed=SEED)
    with pytest.raises(InputError) as among:
        replay_many(stream, [POLICIES[0], runaway, POLICIES[3]], spec, payment_seed=SEED)
    assert str(among.value) == str(alone.value)
    assert "auto-recharges of $0.01" in str(alone.value)


def test_no_policies_and_no_calls() -> None:
    spec = _spec()
    assert replay_many(as_stream(_calls()), [], spec, payment_seed=SEED) == []
    (empty,) = replay_many(as_stream([]), [POLICIES[0]], spec, payment_seed=SEED)
    assert empty.final_balance_minor == 50_000 and empty.calls == 0
    assert len(empty.daily_balance_minor) == DAYS
