"""Seed after seed: is the fitted scenario's next-12-month spend within 10 % of the generator's?

Issue 14's done-when: for exports made from a known generator, the fitted
scenario's mean monthly spend over the next 12 months is within 10 % of the
generator's. For each seed, ``sim.calls.synthetic.generate(BUNDLED, seed)`` is
written as a Teams report and read back (``read_records``), calibrated
(America/New_York, US, no holdout), and the fitted scenario is simulated over
12 months (``sim.world.demand.generate``, ``--sims`` replications); its mean
credit-billed spend a month is compared with the exact
``expected_monthly_spend(BUNDLED, 14, 12)``. The table shows the error and,
per service, the growth used (fitted or 0) with its 95 % interval.

Run from the repository root: ``python -m benchmarks.calibration_seeds [--seeds 1-20]
[--sims 20]``
(about 5 s a seed on one core). Exit status 1 when a seed misses 10 %.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from sim.calls.records import read_records
from sim.calls.synthetic import expected_monthly_spend, generate, write_teams_csv
from sim.calls.truth import BUNDLED
from sim.study.calibration import Calibration, calibrate
from sim.study.calibration.fit import _load
from sim.world.demand import generate as simulate

FORECAST_MONTHS = 12
TOLERANCE_PCT = 10.0


def calibrated(seed: int, folder: Path) -> Calibration:
    """The calibration of the export ``generate(BUNDLED, seed)`` written and read back."""
    path = folder / f"tenant-{seed}.csv"
    write_teams_csv(generate(BUNDLED, seed), path, BUNDLED.currency)
    records = read_records([path])
    return calibrate(records, country="US", timezone="America/New_York")


def monthly_spend(calibration: Calibration, sims: int) -> float:
    """The fitted scenario's mean credit-billed spend a month over its first 12 months."""
    loaded = _load(calibration.scenario_toml, calibration.rates_csv)
    header = loaded.scenario.scenario.model_copy(update={"horizon_months": FORECAST_MONTHS})
    scenario = loaded.scenario.model_copy(update={"scenario": header})
    spent = [
        simulate(scenario, loaded.rates, np.random.default_rng(run)).charged().charge_minor.sum()
        for run in range(sims)
    ]
    return float(np.mean(spent)) / 100 / FORECAST_MONTHS


def growth_cells(calibration: Calibration) -> list[str]:
    """Per service: the growth used (``fit`` or ``0``) and its interval, in percent a month."""
    cells = []
    for fit in sorted(calibration.fits, key=lambda fit: fit.service):
        growth = fit.arrivals.growth
        if growth is None:
            cells.append(f"{fit.service}: not fitted")
            continue
        used = "fit" if fit.arrivals.growth_used else "0"
        cells.append(
            f"{fit.service}: {used} {growth.value:+.2%} [{growth.low:+.2%}, {growth.high:+.2%}]"
        )
    return cells


def seeds_of(text: str) -> list[int]:
    """``1-20`` or ``1,5,9``."""
    if "-" in text:
        first, last = (int(part) for part in text.split("-"))
        return list(range(first, last + 1))
    return [int(part) for part in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-20", help="1-20 or 1,5,9")
    parser.add_argument("--sims", type=int, default=20, help="replications per seed")
    args = parser.parse_args()
    expected = expected_monthly_spend(BUNDLED, BUNDLED.months, FORECAST_MONTHS)
    print(f"generator's mean monthly spend over months 15-26: {expected:.2f} {BUNDLED.currency}")
    misses = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds_of(args.seeds):
            calibration = calibrated(seed, Path(folder))
            error_pct = 100 * (monthly_spend(calibration, args.sims) / expected - 1)
            mark = "MISS" if abs(error_pct) > TOLERANCE_PCT else "ok"
            misses += [seed] if mark == "MISS" else []
            print(
                f"{seed:>4} {error_pct:+6.1f} % {mark:<4} | "
                + " | ".join(growth_cells(calibration))
            )
            sys.stdout.flush()
    print(f"{len(misses)} miss(es) beyond {TOLERANCE_PCT:.0f} %: {misses}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
