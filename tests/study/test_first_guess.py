"""The analytic first guess: its formulas on hand-set inputs, and a sweep that agrees with it."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from sim.account.clock import to_instant
from sim.account.payments import OfficeHours
from sim.study.experiment import scenario_levers
from sim.study.first_guess import (
    Inputs,
    delay_mean_h,
    exceedance,
    first_guess,
    lead_times_open_h,
    outage_rate_target,
    scenario_inputs,
)
from sim.study.grid import Grid
from sim.study.kpis import Replications, kpi
from sim.study.recommend import CostModel, Score, recommend
from sim.study.runner import run_replications
from sim.world.load import load_scenario
from sim.world.scenario_types import Exponential, Fixed
from tests.paths import FIXTURES

STEADY = FIXTURES / "steady-demand.toml"
# 12,000 a year, spent at 5 an open hour, no spread: the lead-time spend is its mean
PLAIN = Inputs(
    spend_per_year=12_000.0,
    spend_per_open_hour=5.0,
    spend_sd_per_open_hour=0.0,
    cost_per_recharge=10.0,
    cost_of_capital_per_year=0.05,
    cost_per_outage_hour=0.0,
    max_recharges_per_month=None,
    max_outage_risk_per_year=0.01,
    failure_probability=0.0,
    lead_time_open_h=2.0,
    failed_lead_time_open_h=10.0,
)


def test_the_amount_is_the_economic_order_quantity_and_the_trigger_covers_the_lead_time() -> None:
    guess = first_guess(PLAIN)
    assert guess.economic_amount == pytest.approx(math.sqrt(2 * 12_000 * 10 / 0.05))  # 2,190.9
    assert guess.amount == Decimal(2191)
    assert guess.trigger == Decimal(10)  # 2 open hours x 5: no spread, nothing more
    assert guess.recharges_per_year == pytest.approx(12_000 / 2191)
    assert guess.trigger_set_by == "the risk limit"


def test_the_cap_on_recharges_raises_the_amount_and_forfeiture_lowers_it() -> None:
    capped = first_guess(replace(PLAIN, max_recharges_per_month=0.25))  # at most 3 a year
    assert capped.amount == Decimal(4000)  # a month's 1,000 / 0.25
    cheap_money = first_guess(replace(PLAIN, cost_of_capital_per_year=0.0001))  # EOQ 49,000
    assert cheap_money.economic_amount > 12_000
    # a lot must be spent within its 12 months after the safety stock in front of it (0 here)
    assert cheap_money.amount == Decimal(12_000)
    free = first_guess(replace(PLAIN, cost_of_capital_per_year=0.0))
    assert math.isinf(free.economic_amount) and free.amount == Decimal(12_000)


def test_failures_and_spread_raise_the_trigger_to_meet_the_risk_limit_exactly() -> None:
    inputs = replace(PLAIN, spend_sd_per_open_hour=4.0, failure_probability=0.05)
    guess = first_guess(inputs)
    per_year = 12_000 / float(guess.amount)
    trigger = float(guess.trigger)
    assert (
        per_year * exceedance(inputs, trigger) <= 0.01 < per_year * exceedance(inputs, trigger - 1)
    )
    # the failed lead time (10 open h, mean spend 50) sets it: well above the 10 of a payment
    assert trigger > 50
    assert first_guess(replace(inputs, failure_probability=0.0)).trigger < trigger


def test_the_outage_cost_asks_for_fewer_outages_than_the_limit_when_an_hour_is_dear() -> None:
    # 0.05 x 5 an hour / 100 an outage hour = 0.0025 outages a year, under the 1 % limit
    dear = replace(PLAIN, cost_per_outage_hour=100.0, spend_sd_per_open_hour=4.0)
    assert outage_rate_target(dear) == (pytest.approx(0.0025), "the outage cost")
    cheap = replace(dear, cost_per_outage_hour=1.0)  # 0.25 a year: the limit is tighter
    assert outage_rate_target(cheap) == (0.01, "the risk limit")
    assert first_guess(dear).trigger > first_guess(cheap).trigger


def test_a_lead_time_counts_open_hours_and_a_failed_payment_waits_for_opening() -> None:
    def at(day: int, hour: float) -> int:
        return to_instant(datetime(2027, 1, day, tzinfo=UTC)) + round(hour * 3_600_000_000)

    # Mon 4 to Mon 11 January 2027, open 09:00-17:00 on weekdays
    days = [4, 5, 6, 7, 8, 11]
    hours = OfficeHours(tuple(at(d, 9) for d in days), tuple(at(d, 17) for d in days))
    monday = np.array([at(4, 10)])  # paid at 11:00; failed: fixed 15:00, paid 16:00
    assert lead_times_open_h(hours, monday, 1.0, 4.0) == (1.0, 6.0)
    friday = np.array([at(8, 16.5)])  # 16:30: half an hour open; fixed Monday 09:00, 10:00
    assert lead_times_open_h(hours, friday, 1.0, 4.0) == (0.5, 1.5)
    both = np.array([at(4, 10), at(8, 16.5)])
    assert lead_times_open_h(hours, both, 1.0, 4.0) == (0.75, 3.75)


def test_a_delay_s_mean_is_what_the_lead_time_reads() -> None:
    assert delay_mean_h(3) == 3.0
    assert delay_mean_h(Fixed(dist="fixed", value=1.5)) == 1.5
    assert delay_mean_h(Exponential(dist="exponential", mean=2)) == 2.0


def test_on_steady_demand_the_first_guess_is_within_a_grid_step_of_the_simulated_optimum() -> None:
    """tests/fixtures/steady-demand.toml: Poisson calls around the clock, fixed delay, no
    failures. The grid is 5 triggers x 3 amounts around the formulas' values (548, 5,920);
    the optimum is the sweep's (its figures and ``recommend``), the runs the sweep's runs."""
    loaded = load_scenario(STEADY)
    trigger_step, amount_step = Decimal(80), Decimal(1500)
    grid = Grid(
        tuple(Decimal(400) + trigger_step * k for k in range(5)),
        tuple(Decimal(4500) + amount_step * k for k in range(3)),
        (Decimal(6000),),
    )
    levers = grid.levers(scenario_levers(loaded.scenario))
    results = run_replications(loaded, levers, replications=60, seed=1, engine="fast", workers=1)
    costs = CostModel.from_scenario(loaded.scenario)
    tables = [runs.table() for runs in results.policies]
    scores = []
    for item, table in zip(levers, tables, strict=True):
        replications = Replications(table, costs.horizon_months, costs)
        risk = kpi("outage_risk_per_year").estimate(replications)
        scores.append(Score(item.label(), risk, kpi("cost_per_year").estimate(replications)))
    rec = recommend(scores, float(loaded.scenario.objective.max_outage_risk_per_year))
    optimum = levers[rec.index]
    assert rec.qualifies and optimum.trigger is not None and optimum.amount is not None
    # the optimum is inside the grid, not at its edge: the comparison means something
    assert grid.triggers[0] < optimum.trigger < grid.triggers[-1]
    assert grid.amounts[0] < optimum.amount < grid.amounts[-1]
    guess = first_guess(scenario_inputs(loaded.scenario, pd.concat(tables)))
    assert abs(guess.amount - optimum.amount) <= amount_step
    assert abs(guess.trigger - optimum.trigger) <= trigger_step
    assert guess.trigger_set_by == "the outage cost"
    # the inputs are what the scenario says: 240 a day, a 24 h lead time, no failures
    assert guess.inputs.spend_per_year == pytest.approx(87_600, rel=0.02)
    assert guess.inputs.lead_time_open_h == pytest.approx(24.0)
