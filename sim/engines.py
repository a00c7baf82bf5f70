"""The engines, behind one call: evaluate many policies against one call stream.

- ``simpy``: the reference SimPy model (``sim.model``), one run per policy;
- ``replay``: the exact event replay (``sim.replay``), one run per policy;
- ``fast``: the compiled exact replay (``sim.fast``), all policies in one call.

All three give the same Outcome for the same stream, policy and payment
draws (differential tests). Each policy's payment draws restart from the same
seed (common random numbers). Free calls never touch the ledger, so they are
not fed to the engines, only counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from sim.clock import Instant
from sim.model import simulate
from sim.money import Currency
from sim.outcome import Outcome
from sim.payments import Payments
from sim.policy import Policy
from sim.replay import replay
from sim.stream import CallStream

Engine = Literal["fast", "simpy", "replay"]
ENGINE_NAMES: tuple[Engine, ...] = ("fast", "simpy", "replay")
_ONE_AT_A_TIME: dict[str, Callable[..., Outcome]] = {"simpy": simulate, "replay": replay}


def evaluate(
    engine: Engine,
    stream: CallStream,
    policies: Sequence[Policy],
    *,
    currency: Currency,
    start: Instant,
    end: Instant,
    payments: Payments,
    payment_seed: np.random.SeedSequence,
) -> list[Outcome]:
    """One Outcome per policy, in order."""
    if engine == "fast":
        from sim.fast import replay_many  # noqa: PLC0415  (compiles on first use)

        return replay_many(
            stream, policies, currency=currency, start=start, end=end, payments=payments,
            payment_seed=payment_seed,
        )  # fmt: skip
    if engine not in _ONE_AT_A_TIME:
        raise ValueError(f"engine(={engine!r}) must be one of {', '.join(ENGINE_NAMES)}")
    run = _ONE_AT_A_TIME[engine]
    free = stream.free_count
    outcomes = []
    for policy in policies:
        rng = np.random.default_rng(payment_seed)
        outcome = run(
            stream.calls(skip_free=True),
            policy,
            currency=currency,
            start=start,
            end=end,
            payments=payments,
            draw=rng.random,
        )
        outcome.calls += free  # free calls never touch the ledger; count them here
        outcomes.append(outcome)
    return outcomes
