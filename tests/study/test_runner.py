"""Monte Carlo runs against closed forms, and the guarantees of the runner.

Known answers: each estimate must fall inside its own 95 % interval (fixed
seeds, so these are deterministic, not flaky).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as st

from sim.account.clock import MICROS_PER_DAY
from sim.account.ledger import JournalEntry
from sim.account.payments import CardExpiry, Payments
from sim.calls.stream_csv import write_stream
from sim.engines.replay import replay
from sim.engines.simpy_model import simulate
from sim.study.backtest import Recording
from sim.study.experiment import build_policy, run_spec, scenario_levers
from sim.study.experiment import with_overrides as override
from sim.study.run_summary import metric_estimates, outage_risk
from sim.study.runner import replication_seeds, run_replications
from sim.world.demand import generate
from sim.world.load import load_scenario
from tests.paths import CHECKS, ROOT


def inside(value: float, estimate) -> bool:
    return estimate.ci_low <= value <= estimate.ci_high


def test_poisson_manual_outage_risk_matches_the_poisson_tail() -> None:
    loaded = load_scenario(CHECKS / "poisson-manual.toml")
    levers = scenario_levers(loaded.scenario)
    results = run_replications(loaded, [levers], replications=400, seed=11, engine="fast")
    # $10/day expected against $1,850: an outage iff N >= 3,700 calls of $0.50 are
    # posted, N ~ Poisson(20 x 181). Calls cut by the horizon end are negligible. The
    # 6-month horizon is one window (docs/model.md#outage-risk): the risk is this tail.
    expected = st.poisson.sf(3699, 20 * 181)
    risk = outage_risk(results.policies[0])
    assert 0.08 < expected < 0.11
    assert inside(expected, risk), (expected, risk)


def test_instant_recharge_expected_recharges_match_the_closed_form() -> None:
    loaded = load_scenario(CHECKS / "instant-recharge.toml")
    results = run_replications(
        loaded, [scenario_levers(loaded.scenario)], replications=150, seed=3, engine="fast"
    )
    n = np.arange(5000, 9500)
    expected = float(np.sum(st.poisson.pmf(n, 40 * 181) * np.maximum(0, np.ceil((n - 50) / 100))))
    estimates = metric_estimates(results.policies[0])
    assert inside(expected, estimates["recharges"]), (expected, estimates["recharges"])
    assert estimates["outage_episodes"].estimate == 0
    assert inside(40 * 181 * 1.0, estimates["consumed"])


def test_business_hours_in_tokyo_give_calls_per_day_times_business_days() -> None:
    loaded = load_scenario(CHECKS / "business-hours-tokyo.toml")
    holidays = [str(day) for day in loaded.scenario.calendar.holidays]
    business_days = int(np.busday_count("2027-01-01", "2027-04-01", holidays=holidays))
    assert business_days == 59
    results = run_replications(
        loaded, [scenario_levers(loaded.scenario)], replications=60, seed=5, engine="fast"
    )
    assert inside(50 * business_days, metric_estimates(results.policies[0])["calls"])


def test_a_backtest_of_a_runs_stream_equals_the_runs_outcome(tmp_path: Path) -> None:
    """One ledger: the recorded-file path and the scenario path give the same Outcome."""
    loaded = load_scenario(ROOT / "scenarios" / "small-team.toml")
    scenario = loaded.scenario
    demand_seed, _ = replication_seeds(7, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    policy = build_policy(scenario, scenario_levers(scenario))
    spec = run_spec(scenario)
    # A backtest is deterministic: an expired card for a year, no random failures.
    card = CardExpiry(spec.start + 150 * MICROS_PER_DAY, spec.start + 515 * MICROS_PER_DAY)
    payments = replace(spec.payments, failure_probability=0.0, card_expiries=(card,))
    spec = replace(spec, payments=payments)
    run_journal: list[JournalEntry] = []
    expected = simulate(stream.calls(), policy, spec, on_entry=run_journal.append)
    path = tmp_path / "stream.csv"
    write_stream(stream, path, spec.currency)
    backtest_journal: list[JournalEntry] = []
    with Recording(path) as recording:
        result = recording.backtest(policy, spec, on_entry=backtest_journal.append)
    assert result.outcome.to_dict() == expected.to_dict()
    # The same journal, except that the file names a call by its line (row + 2).
    renamed = [
        replace(entry, ref=f"call@{int(entry.ref[5:]) + 2}")
        if entry.ref.startswith("call@") else entry
        for entry in run_journal
    ]  # fmt: skip
    assert backtest_journal == renamed
    assert result.outcome.outage_episodes == expected.outage_episodes
    assert result.outcome.outage_episodes, "the card expiry should cause an outage"


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    loaded = load_scenario(ROOT / "scenarios" / "small-team.toml")
    levers = [scenario_levers(loaded.scenario)]
    first = run_replications(loaded, levers, replications=4, seed=1, engine="fast", workers=1)
    again = run_replications(loaded, levers, replications=4, seed=1, engine="fast", workers=2)
    other = run_replications(loaded, levers, replications=4, seed=2, engine="fast", workers=1)
    table = first.policies[0].table()
    assert table.equals(again.policies[0].table())
    assert not table.equals(other.policies[0].table())


def test_policies_share_demand_and_payment_draws_common_random_numbers() -> None:
    loaded = load_scenario(ROOT / "scenarios" / "small-team.toml")
    base = scenario_levers(loaded.scenario)
    twin = override(base, initial=base.initial)
    richer = override(base, initial=base.initial + Decimal(500))
    results = run_replications(
        loaded, [base, twin, richer], replications=3, seed=4, engine="fast", workers=1
    )
    tables = [runs.table() for runs in results.policies]
    assert tables[0].equals(tables[1])
    assert (tables[0]["consumed"] == tables[2]["consumed"]).all()  # same calls, same charges
    assert (tables[2]["funded_by_source.initial"] > tables[0]["funded_by_source.initial"]).all()


@pytest.mark.parametrize("engine", ["replay", "simpy"])
def test_skipping_free_calls_changes_nothing_but_speed(engine: str) -> None:
    loaded = load_scenario(ROOT / "scenarios" / "small-team.toml")
    scenario = loaded.scenario
    demand_seed, _ = replication_seeds(9, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    run = {"replay": replay, "simpy": simulate}[engine]
    policy = build_policy(scenario, scenario_levers(scenario))
    spec = replace(run_spec(scenario), payments=Payments())  # no random failures
    full = run(stream.calls(), policy, spec)
    fast = run(stream.calls(skip_free=True), policy, spec)
    free = int(stream.free_mask.sum())
    assert free > 0
    fast.calls += free
    assert fast == full
