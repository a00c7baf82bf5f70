"""Closed forms of plan holders' billing, checked against generated demand.

Expected billed international minutes = non-holders' share x international
minutes + holders' overflow beyond their pool (docs/model.md#plan-holders).
Monte Carlo means must fall within 4 standard errors of the closed form (fixed
seeds, so these are deterministic, not flaky).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from sim.world.arrivals import arrival_grid, horizon
from sim.world.demand import generate
from sim.world.load import load_scenario
from sim.world.rating import DOMESTIC_POOL, INTERNATIONAL_POOL, NO_POOL
from tests.paths import CHECKS, SCENARIOS

TOLERANCE_SE = 4.0
"""A Monte Carlo mean may be this many standard errors from its closed form."""
CHECK_MONTH_DAYS = (31, 28, 31, 30, 31, 30)  # January to June 2027


def expected_billed_min(
    calls_per_day: float,
    holder_share: float,
    minutes_per_call: int,
    pool_min: float,
    month_days: tuple[int, ...],
) -> float:
    """Sum over months m of (1 - h) x lambda_m x d + E[max(0, d x N_m - pool)].

    N_m ~ Poisson(h x lambda_m) are the holders' calls in month m.

    Calls of fixed length ``d`` = ``minutes_per_call`` arrive as a Poisson
    process of ``calls_per_day``; a share ``h`` are plan holders' and draw on a
    monthly pool of ``pool_min`` minutes.
    """
    total = 0.0
    for days in month_days:
        rate = calls_per_day * days
        holders = st.poisson(holder_share * rate)
        counts = np.arange(int(holders.ppf(1 - 1e-15)) + 1)
        overflow = np.maximum(0.0, minutes_per_call * counts - pool_min)
        total += (1 - holder_share) * rate * minutes_per_call + float(
            np.sum(holders.pmf(counts) * overflow)
        )
    return total


def test_the_closed_form_pins_its_hand_computed_values() -> None:
    """The plan-holders check: GB calls 5 a day, 4 of 10 users hold a 200 min pool."""
    value = expected_billed_min(5, 0.4, 5, 200, CHECK_MONTH_DAYS)
    assert math.isclose(value, 3325.2534, abs_tol=1e-3)  # 2,715 others' + 610.25 overflow
    january = expected_billed_min(5, 0.4, 5, 200, (31,))
    assert math.isclose(january - 465, 110.0143, abs_tol=1e-3)
    # no pool: every minute billed; an endless pool: only the others' minutes
    assert math.isclose(expected_billed_min(5, 0.4, 5, 0, (30,)), 5 * 30 * 5)
    assert math.isclose(expected_billed_min(5, 0.4, 5, 10**6, (30,)), 0.6 * 5 * 30 * 5)


def test_the_plan_holders_check_matches_its_closed_form() -> None:
    loaded = load_scenario(CHECKS / "plan-holders.toml")
    seeds = np.random.SeedSequence(2027).spawn(40)
    billed, canada = [], []
    for seed in seeds:
        stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(seed))
        international = stream.service == stream.services.index("international")
        billed.append(float(stream.billed_min[international].sum()))
        canada.append(int(np.count_nonzero(international & (stream.pool == DOMESTIC_POOL))))
    expected = expected_billed_min(5, 0.4, 5, 200, CHECK_MONTH_DAYS)
    mean, se = float(np.mean(billed)), float(np.std(billed, ddof=1) / math.sqrt(len(billed)))
    assert abs(mean - expected) <= TOLERANCE_SE * se, (mean, expected, se)
    assert min(canada) > 600  # CA calls (~905 a run) draw on the domestic pool, billed 0


def _billed_per_call_min(mean_min: float) -> float:
    """E[billed minutes] of an exponential length: whole seconds (>= 1), then whole minutes up.

    E[ceil(s / 60)] = sum_k P(s > 60k) = 1 + sum_{k>=1} exp(-(60k + 0.5) / (60 mean)).
    """
    rate = 1 / (60 * mean_min)
    return 1 + math.exp(-0.5 * rate) * math.exp(-60 * rate) / (1 - math.exp(-60 * rate))


def test_enterprise_bills_the_non_holders_international_minutes() -> None:
    """50 of 5,000 users hold the international plan (growth keeps 1 %): 99 % of the minutes
    are billed; the holders' ~400 min a month stay inside their 30,000+ min pool."""
    loaded = load_scenario(SCENARIOS / "enterprise.toml")
    sc = loaded.scenario
    calling = sc.user_calling
    assert calling is not None and sc.plans.international_plan_users == 50
    grid = arrival_grid(sc.calendar, *horizon(sc.scenario))
    calls = float(grid.expected(calling.per_user_per_day, sc.users).sum())
    calls *= calling.international_share
    per_call = _billed_per_call_min(6.0)
    expected = 0.99 * calls * per_call  # no holders' overflow
    stream = generate(sc, loaded.rates, np.random.default_rng(1))
    international = stream.service == stream.services.index("international")
    held = international & (stream.pool == INTERNATIONAL_POOL)
    others = international & (stream.pool == NO_POOL)
    assert np.all(stream.pool_min[held] * 60 == np.ceil(
        (stream.end_us[held] - stream.start_us[held]) / 60e6) * 60)  # fmt: skip
    assert stream.billed_min[held].sum() == 0  # inside the pool
    billed = float(stream.billed_min[international].sum())
    assert billed == float(stream.billed_min[others].sum())
    # sd of a compound Poisson sum: sqrt(lambda x E[B^2]); E[B^2] < 2 x per_call^2 + per_call
    sd = math.sqrt(0.99 * calls * (2 * per_call**2 + per_call))
    assert abs(billed - expected) <= TOLERANCE_SE * sd, (billed, expected, sd)
    everything = float((stream.billed_min + stream.pool_min)[international].sum())
    assert 0.98 < billed / everything < 1.0  # before holders, the pool took 30,000 min a month
    share = np.count_nonzero(others) / np.count_nonzero(international)
    assert abs(share - 0.99) < TOLERANCE_SE * math.sqrt(0.99 * 0.01 / np.count_nonzero(others))
