"""The grid ``credsim plan`` sweeps: triggers and amounts measured in days of the tenant's spend.

Why days of spend: a calibrated scenario has no policy of its own to multiply
(``default_grid`` scales the scenario's trigger and amount), and a planner
thinks of a trigger as "enough for the days a recharge can take" and of an
amount as "a week to a few months of calls". So the grid is those spans at
the fitted spend a day, rounded to two significant figures (a price a planner
would type), kept at or above the admin portal's minimums in the currency and
below the money ceiling. A grid that proves too narrow is widened by the sweep
itself (``sim.study.widen``), as for any scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from sim.account.clock import MICROS_PER_DAY, add_months
from sim.account.money import currency as find_currency
from sim.account.money import to_decimal
from sim.account.portal import rules
from sim.limits import MONEY_MAX_MINOR
from sim.study.grid import Grid
from sim.study.runner import replication_seeds
from sim.world.arrivals import horizon
from sim.world.demand import generate
from sim.world.load import LoadedScenario

TRIGGER_DAYS = (2, 5, 10, 20)
"""Trigger: a few days to a few weeks of spend (business and other days alike)."""
AMOUNT_DAYS = (7, 30, 60, 120)
"""Recharge amount: a week to four months of spend (a lot must be spent within 12 months)."""
SIGNIFICANT_DIGITS = 2
SPEND_REPLICATIONS = 5
"""Demand replications the fitted spend a day is averaged over (the grid needs its scale only)."""
SPEND_MONTHS = 12
"""The spend a day is the first year's: the year the recommended policy is set for."""


@dataclass(frozen=True)
class SpendGrid:
    """The plan's grid and the figure it was built from, with the words that say so."""

    grid: Grid
    spend_per_day: Decimal
    currency: str

    def explanation(self) -> str:
        """One line for the printout and the report: where the grid's values come from."""
        days_t = ", ".join(str(days) for days in TRIGGER_DAYS)
        days_a = ", ".join(str(days) for days in AMOUNT_DAYS)
        return (
            f"Grid from the fitted spend of {self.spend_per_day:,.2f} {self.currency} a day: "
            f"triggers {days_t} days of spend, amounts {days_a} days, rounded to "
            f"{SIGNIFICANT_DIGITS} significant figures and kept at or above the admin "
            "portal's minimums."
        )


def nice(value: Decimal, floor: Decimal) -> Decimal:
    """``value`` rounded to two significant figures, whole units, at least ``floor``."""
    if value <= 0:
        return floor
    exponent = value.adjusted() - (SIGNIFICANT_DIGITS - 1)
    step = Decimal(1).scaleb(max(exponent, 0))
    rounded = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return max(floor, rounded.quantize(Decimal(1)))


def spend_grid(spend_per_day: Decimal, currency: str, initial: Decimal) -> SpendGrid:
    """Triggers ``TRIGGER_DAYS`` and amounts ``AMOUNT_DAYS`` of spend, as ``nice`` values.

    ValueError when the spend is not a positive finite amount or the grid would
    pass the money ceiling (the calibration found no credit-billed spend, or an
    absurd one): there is nothing to plan then, and the caller says why.
    """
    if not spend_per_day.is_finite() or spend_per_day <= 0:
        raise ValueError(
            f"the fitted spend a day is {spend_per_day} {currency}: there is no credit-billed "
            "spend to plan recharges for"
        )
    portal = rules(currency)
    amount_floor = max(Decimal(1), portal.minimum_amount)
    triggers = sorted({nice(spend_per_day * days, portal.minimum_trigger) for days in TRIGGER_DAYS})
    amounts = sorted({nice(spend_per_day * days, amount_floor) for days in AMOUNT_DAYS})
    ceiling = to_decimal(MONEY_MAX_MINOR, find_currency(currency))
    if max(amounts) > ceiling:
        raise ValueError(
            f"the fitted spend of {spend_per_day:,.2f} {currency} a day would need recharges "
            f"beyond the supported amount ({ceiling:,})"
        )
    return SpendGrid(Grid(tuple(triggers), tuple(amounts), (initial,)), spend_per_day, currency)


def fitted_spend_per_day(
    loaded: LoadedScenario, *, seed: int, replications: int = SPEND_REPLICATIONS
) -> Decimal:
    """The fitted scenario's mean credit-billed spend a calendar day over its first year.

    Drawn from the scenario's own demand (its first ``replications`` replications
    of ``seed``, the same draws a run of that seed makes), so growth, big days and
    holidays weigh in as the simulation will see them.
    """
    info = loaded.scenario.scenario
    start_us, end_us = horizon(info)
    cut_us = min(end_us, add_months(start_us, SPEND_MONTHS))
    days = Decimal(cut_us - start_us) / MICROS_PER_DAY
    cur = find_currency(info.currency)
    total_minor = 0
    for demand_seed, _payments in replication_seeds(seed, replications):
        stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
        inside = stream.credit_billed & (stream.start_us < cut_us)
        total_minor += int(stream.charge_minor[inside].sum())
    return (to_decimal(total_minor, cur) / replications / days).quantize(Decimal("0.01"))
