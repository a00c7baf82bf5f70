"""Calibration: a scenario fitted to the tenant's own usage export (docs/calibration.md).

``calibrate(records)`` measures each credit-billed service's arrivals (level,
hour-of-week, holidays, growth, overdispersion, big days), durations,
destinations and effective rates, writes them as a commented scenario with its
rate table, and optionally checks the fit on held-out months.
"""

from sim.study.calibration.fit import calibrate, scenario_start
from sim.study.calibration.holdout import Holdout, HoldoutCell
from sim.study.calibration.record import Calibration, ServiceFit

__all__ = ["Calibration", "Holdout", "HoldoutCell", "ServiceFit", "calibrate", "scenario_start"]
