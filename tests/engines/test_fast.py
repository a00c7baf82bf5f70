"""The compiled engine against the SimPy model: every Outcome field, always.

Both compiled engines, ``skip`` and ``fast``, are checked. Hypothesis searches
streams, policies and payment behaviour (delays, fixed or drawn, failures,
card expiries, lot expiries, ties, zero-length calls); the bundled scenarios
are checked too. The calendar arithmetic is checked against
``dateutil`` on its own.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.account.clock import MICROS_PER_DAY, add_months
from sim.account.payment_draws import PaymentDraws
from sim.account.stream import Call, CallStream
from sim.engines.batch import evaluate
from sim.engines.fast import replay_many
from sim.engines.fast_calendar import add_months_us
from sim.engines.simpy_model import simulate
from sim.study.experiment import build_policy, run_spec, scenario_levers, with_overrides
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import load_scenario
from tests.paths import ROOT
from tests.strategies import Case, cases


def as_stream(calls: list[Call]) -> CallStream:
    services = tuple(sorted({call.service for call in calls}))
    code = {name: index for index, name in enumerate(services)}

    def column(values, dtype):
        return np.array(values, dtype=dtype)

    return CallStream(
        start_us=column([c.start for c in calls], np.int64),
        end_us=column([c.end for c in calls], np.int64),
        service=column([code[c.service] for c in calls], np.int16),
        services=services,
        charge_minor=column([c.charge_minor for c in calls], np.int64),
        credit_billed=column([c.credit_billed for c in calls], np.bool_),
        billed_min=np.zeros(len(calls)),
        pool=np.full(len(calls), -1, np.int8),
        pool_min=np.zeros(len(calls)),
        pools=(),
    )


COMPILED = ("skip", "fast")
"""The compiled engines: the skip engine (jumps) and the per-call one."""


@settings(max_examples=500, deadline=None)
@given(cases(), st.integers(0, 2**32))
def test_the_compiled_engines_equal_the_simpy_model_on_any_case(case: Case, seed: int) -> None:
    """SimPy runs once per example (it is the slow part); every compiled engine meets it."""
    payment_seed = np.random.SeedSequence(seed)
    stream = as_stream(case.calls)
    free = int(stream.free_mask.sum())
    expected = simulate(
        stream.calls(skip_free=True), case.policy, case.spec,
        draw=np.random.default_rng(payment_seed).random,
        delays=PaymentDraws(payment_seed, case.payments).reader(),
    )  # fmt: skip
    expected.calls += free
    for engine in COMPILED:
        (outcome,) = replay_many(
            stream, [case.policy], case.spec, payment_seed=payment_seed, skip=engine == "skip"
        )
        assert outcome == expected, engine


BUNDLED = sorted(
    str(path.relative_to(ROOT / "scenarios").with_suffix(""))
    for path in (ROOT / "scenarios").rglob("*.toml")
)


ONE_POLICY = {"enterprise"}
"""Scenarios whose exact replay is slow (4.5 million calls, 14 s a policy): they check size,
with the small trigger and amount only; every other scenario checks all three policies."""


@pytest.mark.parametrize("name", BUNDLED)
def test_the_compiled_engines_equal_both_reference_engines_on_every_bundled_scenario(
    name: str,
) -> None:
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    demand_seed, payment_seed = replication_seeds(3, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    spec = run_spec(scenario)
    base = scenario_levers(scenario)
    policies = [
        build_policy(scenario, levers)
        for levers in (
            base,
            with_overrides(base, auto_recharge=False),
            with_overrides(base, trigger=base.initial / 10, amount=base.initial / 10),
        )
    ]
    if name in ONE_POLICY:
        policies = policies[-1:]  # the one with the most recharges (263 on enterprise)
    expected = evaluate("replay", stream, policies, spec, payment_seed=payment_seed)
    for engine in COMPILED:  # the exact replay once, both compiled engines against it
        assert evaluate(engine, stream, policies, spec, payment_seed=payment_seed) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**15), 10**16), st.integers(-30, 30))
def test_calendar_months_match_dateutil(instant: int, months: int) -> None:
    assert add_months_us(instant, months) == add_months(instant, months)


def test_leap_day_lots_expire_on_28_february() -> None:
    leap_day = 19782 * MICROS_PER_DAY + 13 * 3_600_000_000  # 2024-02-29T13:00Z
    assert add_months_us(leap_day, 12) == add_months(leap_day, 12)
