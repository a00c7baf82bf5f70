"""Other exports of the bundled truth: growth shown, and the next 12 months within 10 %.

Seeds 16 and 20 of ``BUNDLED`` missed the 10 % of issue 14's done-when (-10.0 % and
-12.2 %) when growth was a line through 14 monthly means: its interval reached 0, so
0 was used and the forecast lagged. Fitted to the daily counts, the toll-free growth
is shown and the spend comes back (-4.2 %, -3.2 %; ``benchmarks/calibration_seeds.py``
measures seeds 1 to 20).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.calls.records import read_records
from sim.calls.synthetic import expected_monthly_spend, generate, write_teams_csv
from sim.calls.truth import BUNDLED
from sim.study.calibration import calibrate
from sim.study.calibration.fit import _load
from sim.world.demand import generate as simulate

FORECAST_MONTHS = 12
SIMULATIONS = 20


@pytest.mark.parametrize("seed", [16, 20])
def test_growth_is_shown_and_the_next_twelve_months_within_10_percent(
    seed: int, tmp_path: Path
) -> None:
    path = tmp_path / "tenant.csv"
    write_teams_csv(generate(BUNDLED, seed), path, BUNDLED.currency)
    fitted = calibrate(read_records([path]), country="US", timezone="America/New_York")
    toll_free = next(fit for fit in fitted.fits if fit.service == "toll_free_dial_in").arrivals
    assert toll_free.growth is not None and toll_free.growth.low > 0
    assert toll_free.growth_used == toll_free.growth.value
    loaded = _load(fitted.scenario_toml, fitted.rates_csv)
    header = loaded.scenario.scenario.model_copy(update={"horizon_months": FORECAST_MONTHS})
    scenario = loaded.scenario.model_copy(update={"scenario": header})
    spent = [
        simulate(scenario, loaded.rates, np.random.default_rng(run)).charged().charge_minor.sum()
        for run in range(SIMULATIONS)
    ]
    monthly = float(np.mean(spent)) / 100 / FORECAST_MONTHS
    expected = expected_monthly_spend(BUNDLED, BUNDLED.months, FORECAST_MONTHS)
    assert monthly == pytest.approx(expected, rel=0.10)
