"""A recharge chain too long to run is computed and refused, in every engine alike.

Before issue 11 a trigger of 10^13 cents with an amount of one cent (or one
call charging near 2^63 cents) made the zero-delay recharge chain loop for
ever: one recharge, lot and email per cent. ``signal.alarm`` turns such a loop
back into a failing test instead of a hung suite.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from sim.account.clock import MICROS_PER_DAY
from sim.account.payments import Payments
from sim.account.policy import AutoRecharge, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.batch import ENGINE_NAMES, evaluate
from sim.errors import InputError
from sim.limits import MONEY_MAX_MINOR, RECHARGES_TO_TRIGGER_MAX
from tests.engines.test_fast import as_stream
from tests.strategies import END, START, USD, at

_SECONDS = 30  # each run below takes well under a second; before the fix they never ended


@contextmanager
def _deadline() -> Iterator[None]:
    def expired(*_: object) -> None:
        raise TimeoutError(f"the run did not end within {_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _outcomes(engine: str, calls: list[Call], policy: Policy, end: int = END) -> list[object]:
    spec = RunSpec(USD, START, end, Payments())
    seed = np.random.SeedSequence(1)
    stream = as_stream(calls)
    # compile the fast engine (or load its cache) outside the deadline: that is not the loop
    evaluate(engine, as_stream([]), [Policy(0)], spec, payment_seed=seed)  # type: ignore[arg-type]
    with _deadline():
        return list(evaluate(engine, stream, [policy], spec, payment_seed=seed))  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_trigger_of_the_money_ceiling_with_a_one_cent_amount_is_refused(engine: str) -> None:
    policy = Policy(0, AutoRecharge(MONEY_MAX_MINOR, 1))
    with pytest.raises(InputError) as caught:
        _outcomes(engine, [], policy)
    message = str(caught.value)
    assert "10,000,000,000,000 auto-recharges of $0.01" in message
    assert f"{RECHARGES_TO_TRIGGER_MAX:,} (RECHARGES_TO_TRIGGER_MAX" in message
    assert message.startswith("at 2024-01-15T00:00:00Z the balance $0.00")


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_deep_deficit_from_one_call_is_refused_at_the_posting(engine: str) -> None:
    charge = 2**62  # an int64 charge that the usage readers now refuse; engines hold the line too
    call = Call(at("2024-02-01T10:00:00Z"), at("2024-02-01T10:05:00Z"), "tf", charge, True, 0)
    with pytest.raises(InputError, match=r"at 2024-02-01T10:05:00Z the balance -\$"):
        _outcomes(engine, [call], Policy(100_000, AutoRecharge(40_000, 100_000)))


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_chain_at_the_limit_runs_and_one_more_is_refused(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exactly the limit's count of recharges at one instant is still performed.

    The limit is lowered to 50 here (both places read it: the rules and the fast
    engine's terms) so that the chain takes milliseconds, not 100,000 lots.
    """
    limit, amount = 50, 7
    monkeypatch.setattr("sim.account.rules.RECHARGES_TO_TRIGGER_MAX", limit)
    monkeypatch.setattr("sim.engines.fast.RECHARGES_TO_TRIGGER_MAX", limit)
    day = START + MICROS_PER_DAY  # before the lots expire and ask for a second chain
    (outcome,) = _outcomes(engine, [], Policy(0, AutoRecharge(limit * amount, amount)), day)
    assert outcome.recharges == limit  # type: ignore[attr-defined]
    over = Policy(0, AutoRecharge(limit * amount + 1, amount))
    with pytest.raises(InputError, match=r"would need 51 auto-recharges of \$0\.07"):
        _outcomes(engine, [], over, day)
