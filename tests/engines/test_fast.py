"""The compiled engines against the reference engines: every Outcome field, always.

Both compiled engines, ``skip`` and ``fast``, are checked on every bundled
scenario against the exact replay; the hypothesis search of streams, policies
and payment behaviour against the SimPy model is in ``test_model.py`` (SimPy
runs once per example there and every engine meets it). The calendar
arithmetic is checked against ``dateutil`` on its own.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.account.clock import MICROS_PER_DAY, add_months
from sim.account.stream import Call, CallStream
from sim.engines.batch import ENGINE_NAMES, evaluate
from sim.engines.fast_calendar import add_months_us
from sim.study.experiment import build_policy, run_spec, scenario_levers, with_overrides
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import LoadedScenario, load_scenario
from sim.world.scenario import Scenario
from tests.paths import ROOT


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


BUNDLED = sorted(
    str(path.relative_to(ROOT / "scenarios").with_suffix(""))
    for path in (ROOT / "scenarios").rglob("*.toml")
)


ONE_POLICY = {"enterprise"}
"""Scenarios whose exact replay is slow (2.3 million calls in 13 months): they check size,
with the small trigger and amount only; every other scenario checks all three policies."""

FIRST_MONTHS = 13
"""Months the scenarios of ``SHORTENED`` run here: the lots bought in the first month expire
in the thirteenth, so every kind of event still happens (card-expiry's card is out in July and
August of the first year), at about half the calls of their 24 months."""
SHORTENED = {"enterprise", "midsize", "card-expiry", "germany"}
"""The bundled scenarios of a million calls or more (germany: 300,000), whose exact replay
costs seconds a policy over 24 months."""


def first_months(scenario: Scenario, months: int) -> Scenario:
    """``scenario`` over only its first ``months``, validated again as a whole."""
    head = scenario.scenario.model_copy(update={"horizon_months": months})
    return Scenario.model_validate(scenario.model_copy(update={"scenario": head}).model_dump())


@pytest.mark.parametrize("name", BUNDLED)
def test_the_compiled_engines_equal_both_reference_engines_on_every_bundled_scenario(
    name: str,
) -> None:
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    if name in SHORTENED:
        scenario = first_months(scenario, FIRST_MONTHS)
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
        policies = policies[-1:]  # the one with the most recharges
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


def test_without_lots_every_engine_gives_the_same_outcome_but_its_lots(
    tiny: LoadedScenario,
) -> None:
    """``with_lots=False`` (a sweep's replications keep no lots): each engine's Outcome is
    the one with lots, its ``lots`` empty, and the engines still agree."""
    scenario = tiny.scenario
    demand_seed, payment_seed = replication_seeds(5, 1)[0]
    stream = generate(scenario, tiny.rates, np.random.default_rng(demand_seed))
    spec = run_spec(scenario)
    base = scenario_levers(scenario)
    policies = [
        build_policy(scenario, base),
        build_policy(scenario, with_overrides(base, amount=20)),
    ]
    without = {}
    for engine in ENGINE_NAMES:
        full = evaluate(engine, stream, policies, spec, payment_seed=payment_seed)
        assert all(outcome.lots for outcome in full)
        without[engine] = evaluate(
            engine, stream, policies, spec, payment_seed=payment_seed, with_lots=False
        )
        assert without[engine] == [replace(outcome, lots=[]) for outcome in full], engine
    assert all(outcomes == without["replay"] for outcomes in without.values())
