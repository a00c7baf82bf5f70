"""The engines, behind one call: evaluate many policies against one call stream.

- ``simpy``: the reference SimPy model (``sim.engines.simpy_model``), one run per policy;
- ``replay``: the exact event replay (``sim.engines.replay``), one run per policy;
- ``fast``: the compiled exact replay (``sim.engines.fast``), all policies in one call;
- ``skip`` (the default): ``fast`` with each quiet stretch posted in one jump
  (``sim.engines.skip_stretch``): O(events x log calls + days) per policy, not O(calls).

All four give the same Outcome for the same stream, policy and payment
draws (differential tests). Each policy's payment draws restart from the same
seed (common random numbers). Free calls never touch the ledger, so they are
not fed to the engines, only counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the command line reads ENGINE_NAMES at start-up: numpy, simpy load on use
    import numpy as np

    from sim.account.outcome import Outcome
    from sim.account.policy import Policy
    from sim.account.run_spec import RunSpec
    from sim.account.stream import CallStream

Engine = Literal["skip", "fast", "simpy", "replay"]
ENGINE_NAMES: tuple[Engine, ...] = ("skip", "fast", "simpy", "replay")
DEFAULT_ENGINE: Engine = "skip"
"""The engine every command, sweep and view uses unless told otherwise."""


def evaluate(
    engine: Engine,
    stream: CallStream,
    policies: Sequence[Policy],
    spec: RunSpec,
    *,
    payment_seed: np.random.SeedSequence,
    with_lots: bool = True,
) -> list[Outcome]:
    """One Outcome per policy, in order.

    ``payment_seed`` is the replication's payment stream (from
    ``sim.study.runner.replication_seeds``); it is not part of ``spec``, which
    is the same for every replication of a scenario. ``with_lots=False``: every
    Outcome's ``lots`` is left empty, by every engine (the compiled ones skip
    building them: a ``Lot`` per purchase, 3,046 a ``midsize`` replication of a
    10 x 10 grid, that a sweep's metrics never read).
    """
    if engine in ("skip", "fast"):
        from sim.engines.fast import replay_many  # noqa: PLC0415  (compiles on first use)

        return replay_many(
            stream, policies, spec, payment_seed=payment_seed, with_lots=with_lots,
            skip=engine == "skip",
        )  # fmt: skip
    import numpy as np  # noqa: PLC0415  (numpy, simpy: loaded when an engine runs)

    from sim.account.payment_draws import PaymentDraws  # noqa: PLC0415
    from sim.engines.replay import replay  # noqa: PLC0415
    from sim.engines.simpy_model import simulate  # noqa: PLC0415

    one_at_a_time = {"simpy": simulate, "replay": replay}
    if engine not in one_at_a_time:
        raise ValueError(f"engine(={engine!r}) must be one of {', '.join(ENGINE_NAMES)}")
    run = one_at_a_time[engine]
    free = stream.free_count
    outcomes = []
    draws = PaymentDraws(payment_seed, spec.payments)  # drawn delays: shared by the policies
    for policy in policies:
        rng = np.random.default_rng(payment_seed)
        outcome = run(
            stream.calls(skip_free=True), policy, spec, draw=rng.random, delays=draws.reader()
        )
        outcome.calls += free  # free calls never touch the ledger; count them here
        if not with_lots:
            outcome.lots = []
        outcomes.append(outcome)
    return outcomes
