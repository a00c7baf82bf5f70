"""The bundled 14-month export (drawn from a stated truth) calibrated: the truth comes back.

``examples/tenant-usage.csv`` is ``sim.calls.synthetic.generate(BUNDLED, seed)`` written as a
Teams report, so every fitted figure has a known answer: the level, growth and dispersion of
the toll-free dial-ins lie in their stated 95 % intervals, the all-hands is found as a
first-Thursday recurrence, the rates are the truth's, the fitted scenario's next 12 months
spend within 10 % of the generator's exact mean, and a 3-month holdout's actual spend lies in
its 90 % band.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from sim.calls.records import read_records
from sim.calls.synthetic import expected_monthly_spend
from sim.calls.truth import BUNDLED, ServiceTruth
from sim.study.calibration import Calibration, ServiceFit, calibrate
from sim.study.calibration.fit import _load
from sim.world.demand import generate
from tests.paths import EXAMPLES

DATA_MONTHS = 14
FORECAST_MONTHS = 12
SIMULATIONS = 20


@pytest.fixture(scope="module")
def fitted() -> Calibration:
    records = read_records([EXAMPLES / "tenant-usage.csv"])
    return calibrate(
        records, country="US", timezone="America/New_York", holdout_months=3, replications=200
    )


def truth(service: str) -> ServiceTruth:
    return next(s for s in BUNDLED.services if s.service == service)


def fit_of(calibration: Calibration, service: str) -> ServiceFit:
    return next(fit for fit in calibration.fits if fit.service == service)


def test_toll_free_level_growth_and_dispersion_lie_in_their_intervals(fitted: Calibration) -> None:
    true = truth("toll_free_dial_in")
    arrivals = fit_of(fitted, "toll_free_dial_in").arrivals
    assert arrivals.growth is not None and arrivals.dispersion is not None
    assert arrivals.growth.contains(true.monthly_growth)
    assert arrivals.growth_used == arrivals.growth.value  # shown: its interval excludes 0
    at_start = true.calls_per_business_day * (1 + true.monthly_growth) ** DATA_MONTHS
    assert arrivals.level_per_day.contains(at_start)
    assert arrivals.dispersion.contains(true.daily_dispersion)
    assert arrivals.holiday_factor == pytest.approx(true.holiday_factor, abs=0.05)
    profile = np.array(arrivals.hour_of_week).reshape(7, 24)
    assert profile[0:5, 10].min() > 10 * profile[0:5, 3].max()  # office hours, not nights


def test_the_all_hands_is_found_as_a_first_thursday_recurrence(fitted: Calibration) -> None:
    big = fit_of(fitted, "toll_free_dial_in").big
    hands = BUNDLED.all_hands
    assert big is not None and hands is not None
    assert big.recurrence == hands.recurrence
    assert big.mean == pytest.approx(hands.dial_ins_mean, rel=0.05)
    assert hands.time.hour == big.start.hour and big.start.minute < 10  # joins over 5 minutes
    assert len(big.days) >= DATA_MONTHS - 1


def test_rates_and_destination_shares_are_the_truths(fitted: Calibration) -> None:
    rows = {tuple(line.split(",")[:5]) for line in fitted.rates_csv.splitlines()}
    assert ("US", "toll_free", "inbound", "0.022", "0") in rows
    assert ("JP", "landline", "outbound", "0.07", "0.01") in rows
    # Reports name the caller's number type on outbound calls, not the far end's: landline.
    assert ("IN", "landline", "outbound", "0.045", "0") in rows
    assert ("US", "landline", "outbound", "0.013", "0") in rows
    shares = {m.country: m.share for m in fit_of(fitted, "international").mix}
    true_shares: dict[str, float] = {}
    for destination in truth("international").destinations:
        country = destination.country
        true_shares[country] = true_shares.get(country, 0.0) + destination.share
    assert shares == pytest.approx(true_shares, abs=0.05)


def test_the_next_twelve_months_spend_within_10_percent_of_the_truth(fitted: Calibration) -> None:
    loaded = _load(fitted.scenario_toml, fitted.rates_csv)
    assert loaded.scenario.scenario.start.isoformat() == "2026-12-01T00:00:00-05:00"
    scenario = loaded.scenario.model_copy(
        update={
            "scenario": loaded.scenario.scenario.model_copy(
                update={"horizon_months": FORECAST_MONTHS}
            )
        }
    )
    spent = [
        generate(scenario, loaded.rates, np.random.default_rng(seed)).charged().charge_minor.sum()
        for seed in range(SIMULATIONS)
    ]
    monthly = float(np.mean(spent)) / 100 / FORECAST_MONTHS
    expected = expected_monthly_spend(BUNDLED, DATA_MONTHS, FORECAST_MONTHS)
    assert monthly == pytest.approx(expected, rel=0.10)


def test_a_three_month_holdout_lies_inside_its_band(fitted: Calibration) -> None:
    holdout = fitted.holdout
    assert holdout is not None
    assert holdout.months == ("2026-09", "2026-10", "2026-11")
    assert holdout.fitted_until == "2026-08-31"
    assert holdout.period.inside
    assert holdout.months_inside >= 2
    assert abs(holdout.total_error_pct) < 10
    totals = [c for c in holdout.cells if c.service == "total"]
    assert sum(c.actual_minor for c in totals) == holdout.period.actual_minor
    assert Decimal(holdout.to_dict()["period"]["actual"]) > 0  # type: ignore[index]


def test_growth_that_cannot_be_shown_is_zero_and_said(fitted: Calibration) -> None:
    arrivals = fit_of(fitted, "dial_out").arrivals
    assert arrivals.growth is not None and arrivals.growth.contains(0.0)
    assert arrivals.growth.contains(truth("dial_out").monthly_growth)
    assert arrivals.growth_used == 0.0
    assert any(note.startswith("dial_out: growth +") for note in fitted.notes)
    assert "# monthly_growth: 0, fitted +0.0080" in fitted.scenario_toml
