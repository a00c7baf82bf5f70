"""The analytic first guess: an amount and a trigger from two formulas, beside the simulation.

Why: a planner trusts a simulated optimum more when a back-of-the-envelope
figure lands near it, and a grid placed around the formula's answer finds
the optimum in fewer policies. The formulas (docs/model.md#recommendation):

- **amount** = the economic order quantity sqrt(2 x spend a year x cost per
  recharge / cost of capital), the amount that balances recharge costs
  (fewer with a larger amount) against interest on the cash held (half an
  amount on average); at least a month's spend / ``max_recharges_per_month``
  (the cap), at most what is spent in a lot's 12-month life after the safety
  stock in front of it (more would be forfeited);
- **trigger** = the least balance at which recharges a year x P(spend over
  the lead time > trigger) is within the outages a year allowed: the risk
  limit, or fewer when the cost of an outage hour asks for it
  (``outage_rate_target``). The lead time is the processing delay (its mean);
  with the failure probability it is the processing delay, the admin's fix
  time, the wait for business hours and a second processing delay. Calls
  arrive in business hours only, so a lead time counts its **open** hours
  (averaged over request instants spread evenly over the open hours of the
  horizon). Spend over t open hours is taken as gamma (never negative, skewed
  to the right like a sum of calls) with mean rate x t and variance (variance
  of the horizon's spend across the replications / the horizon's open hours)
  x t: a compound-Poisson stream's spread, scaled from the runs.
  Approximations, stated: even spend within open hours (hour-of-day and month
  weights, growth and big meetings ignored), one retry after a failure, no
  card expiry, the overshoot of the call that crosses the trigger ignored.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from sim.account.payments import OfficeHours
from sim.account.portal import rules
from sim.study.experiment import horizon
from sim.study.recommend import CostModel
from sim.world.office_hours import office_hours
from sim.world.scenario import Scenario
from sim.world.scenario_types import Delay, Exponential, Fixed, LogNormal

MICROS_PER_HOUR = 3_600_000_000
LOT_LIFE_YEARS = 1.0
"""A lot expires 12 months after purchase (docs/model.md#lots)."""
REQUEST_INSTANTS = 2_000
"""Request instants spread over the open hours to average a lead time's open hours."""
BASIS = (
    "amount = sqrt(2 x spend_per_year x cost_per_recharge / cost_of_capital_per_year), at "
    "least spend_per_year / 12 / max_recharges_per_month, at most spend_per_year x 1 year - "
    "(trigger - mean spend over the lead time); trigger = least T with recharges_per_year x "
    "((1 - failure_probability) x P(S(lead_time_open_h) > T) + failure_probability x "
    "P(S(failed_lead_time_open_h) > T)) <= outages_per_year = min(max_outage_risk_per_year, "
    "cost_of_capital_per_year x spend_per_open_hour / cost_per_outage_hour), S(t) gamma with "
    "mean spend_per_open_hour x t and sd spend_sd_per_open_hour x sqrt(t); whole currency "
    "units; then at least the admin portal's minimum_trigger and minimum_amount"
)


@dataclass(frozen=True)
class Inputs:
    """What the formulas read: spend and its spread, prices, limits, lead times."""

    spend_per_year: float
    """Mean spend a year (consumed + blocked charge), major units."""
    spend_per_open_hour: float
    spend_sd_per_open_hour: float
    """Standard deviation of the spend over one open hour (from the runs' spread)."""
    cost_per_recharge: float
    cost_of_capital_per_year: float
    cost_per_outage_hour: float
    max_recharges_per_month: float | None
    max_outage_risk_per_year: float
    failure_probability: float
    lead_time_open_h: float
    """Open hours in a processing delay (its mean), from a request."""
    failed_lead_time_open_h: float
    """Open hours from a request whose payment fails to the credits of the retry."""
    minimum_trigger: float = 0.0
    """The admin portal's minimum trigger in the currency (``sim.account.portal``)."""
    minimum_amount: float = 0.0
    """The admin portal's minimum purchase."""

    def spend_over(self, open_h: float) -> tuple[float, float]:
        """Mean and standard deviation of the spend over ``open_h`` open hours."""
        return self.spend_per_open_hour * open_h, self.spend_sd_per_open_hour * math.sqrt(open_h)


@dataclass(frozen=True)
class FirstGuess:
    """The formulas' trigger and amount (whole currency units) and what they were made of."""

    trigger: Decimal
    amount: Decimal
    formula_trigger: Decimal
    """The trigger the formula gives, before the admin portal's minimum."""
    formula_amount: Decimal
    """The amount the formulas give (EOQ within the bounds), before the portal's minimum."""
    economic_amount: float
    """The economic order quantity before the cap and forfeiture bounds (inf: no interest)."""
    forfeiture_cap: float
    recharges_per_year: float
    inputs: Inputs

    @property
    def outages_per_year(self) -> float:
        """The outages a year the trigger aims at (``outage_rate_target``)."""
        return outage_rate_target(self.inputs)[0]

    @property
    def trigger_set_by(self) -> str:
        """``the risk limit`` or ``the outage cost``: which asked for the fewer outages."""
        return outage_rate_target(self.inputs)[1]

    def to_dict(self) -> dict[str, Any]:
        """summary.json's ``first_guess`` (figures rounded to 6 places)."""

        def number(value: float | None) -> float | None:
            return None if value is None or not math.isfinite(value) else round(value, 6)

        return {
            "trigger": str(self.trigger),
            "amount": str(self.amount),
            "formula_trigger": str(self.formula_trigger),
            "formula_amount": str(self.formula_amount),
            "basis": BASIS,
            "economic_amount": number(self.economic_amount),
            "forfeiture_cap": number(self.forfeiture_cap),
            "recharges_per_year": number(self.recharges_per_year),
            "outages_per_year": number(self.outages_per_year),
            "trigger_set_by": self.trigger_set_by,
            "inputs": {name: number(value) for name, value in asdict(self.inputs).items()},
        }


def first_guess(inputs: Inputs) -> FirstGuess:
    """The amount (EOQ within the cap and forfeiture bounds), then the trigger at that amount.

    Both are then raised to the admin portal's minimums where the formula falls
    short (a first guess the portal refuses is no guess; the formula's own value
    is kept beside it).
    """
    spend = inputs.spend_per_year
    if inputs.cost_of_capital_per_year > 0:
        economic = math.sqrt(2 * spend * inputs.cost_per_recharge / inputs.cost_of_capital_per_year)
    else:
        economic = math.inf
    floor = 0.0
    if inputs.max_recharges_per_month is not None:
        floor = spend / 12 / inputs.max_recharges_per_month
    formula_amount = _whole(max(floor, min(economic, spend * LOT_LIFE_YEARS)))
    amount, formula_trigger, trigger = _at(inputs, formula_amount)
    cap = spend * LOT_LIFE_YEARS - max(0.0, float(trigger) - _lead_spend(inputs))
    bounded = _whole(max(floor, min(economic, cap)))
    if bounded != formula_amount:
        formula_amount = bounded
        amount, formula_trigger, trigger = _at(inputs, bounded)
    return FirstGuess(
        trigger, amount, formula_trigger, formula_amount, economic, cap,
        spend / float(amount), inputs,
    )  # fmt: skip


def _at(inputs: Inputs, formula_amount: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(amount, formula trigger, trigger) for a formula amount, the portal's minimums applied."""
    amount = max(formula_amount, _whole(inputs.minimum_amount))
    formula_trigger = _trigger(inputs, amount)
    minimum = Decimal(repr(inputs.minimum_trigger)).quantize(Decimal(1), rounding=ROUND_CEILING)
    return amount, formula_trigger, max(formula_trigger, minimum)


def _lead_spend(inputs: Inputs) -> float:
    """The mean spend over a paid recharge's lead time."""
    return inputs.spend_over(inputs.lead_time_open_h)[0]


def outage_rate_target(inputs: Inputs) -> tuple[float, str]:
    """Outages a year the trigger aims at, and what sets it (``risk limit``, ``outage cost``).

    The risk limit allows ``max_outage_risk_per_year``. The outage cost asks
    for fewer when a unit more of trigger (interest: cost of capital a year)
    is cheaper than the outage time it saves: an outage lasts (spend over the
    lead time - trigger) / spend an open hour, so one more unit of trigger
    saves outages a year / spend an hour of outage, worth that x the cost of an
    outage hour; the two balance at cost of capital x spend an hour / cost of
    an outage hour outages a year.
    """
    limit = inputs.max_outage_risk_per_year
    if inputs.cost_per_outage_hour <= 0:
        return limit, "the risk limit"
    priced = inputs.cost_of_capital_per_year * inputs.spend_per_open_hour
    priced /= inputs.cost_per_outage_hour
    return (limit, "the risk limit") if limit <= priced else (priced, "the outage cost")


def exceedance(inputs: Inputs, trigger: float) -> float:
    """P(the spend over a recharge's lead time exceeds ``trigger``), failures included."""
    p = inputs.failure_probability
    paid = _exceeds(trigger, *inputs.spend_over(inputs.lead_time_open_h))
    failed = _exceeds(trigger, *inputs.spend_over(inputs.failed_lead_time_open_h)) if p else 0.0
    return (1 - p) * paid + p * failed


def _trigger(inputs: Inputs, amount: Decimal) -> Decimal:
    """The least trigger (up to a whole unit) with recharges a year x exceedance on target."""
    if inputs.spend_per_year <= 0:
        return Decimal(0)
    target = outage_rate_target(inputs)[0] * float(amount) / inputs.spend_per_year
    if exceedance(inputs, 0.0) <= target:
        return Decimal(0)
    low, high = 0.0, 1.0
    while exceedance(inputs, high) > target:
        low, high = high, high * 2
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (low, middle) if exceedance(inputs, middle) <= target else (middle, high)
    return Decimal(repr(high)).quantize(Decimal(1), rounding=ROUND_CEILING)


def _exceeds(trigger: float, mean: float, sd: float) -> float:
    """P(spend > trigger), spend gamma with this mean and sd; a step when there is no spread."""
    if mean <= 0:
        return 0.0
    if sd <= 0:
        return 1.0 if mean > trigger else 0.0
    shape, scale = (mean / sd) ** 2, sd * sd / mean
    if trigger <= 0:  # below the gamma's support, as scipy's stats.gamma.sf says
        return 1.0
    return float(special.gammaincc(shape, trigger / scale))  # stats.gamma.sf, without stats


def _whole(value: float) -> Decimal:
    """Half-up to a whole currency unit, at least 1 (an auto-recharge of 0 is no policy)."""
    return max(Decimal(1), Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# -- the inputs of a scenario and its runs ----------------------------------------------


def scenario_inputs(scenario: Scenario, raw: pd.DataFrame) -> Inputs:
    """The inputs from the scenario's objective and payments and the sweep's runs.

    ``raw`` holds runs.parquet's rows (``replication``, ``consumed``,
    ``blocked_charge``); the spend of a replication is the same for every policy
    (common random numbers), so each replication's mean over the policies is it.
    """
    prices = CostModel.from_scenario(scenario)
    spend = (raw["consumed"] + raw["blocked_charge"]).groupby(raw["replication"]).mean()
    totals = spend.to_numpy(dtype=float)
    hours = office_hours(scenario.calendar, *horizon(scenario))
    open_h = _open_h(hours, *horizon(scenario))
    variance = float(totals.var(ddof=1)) if len(totals) > 1 else 0.0
    payments = scenario.payments
    portal = rules(scenario.scenario.currency)
    lead_h, failed_h = lead_times_open_h(
        hours,
        _request_instants(hours, *horizon(scenario)),
        delay_mean_h(payments.processing_delay_h),
        delay_mean_h(payments.admin_fix_delay_h),
    )
    return Inputs(
        spend_per_year=float(totals.mean()) / prices.years,
        spend_per_open_hour=float(totals.mean()) / open_h if open_h else 0.0,
        spend_sd_per_open_hour=math.sqrt(variance / open_h) if open_h else 0.0,
        cost_per_recharge=prices.cost_per_recharge,
        cost_of_capital_per_year=prices.cost_of_capital_per_year,
        cost_per_outage_hour=prices.cost_per_outage_hour,
        max_recharges_per_month=prices.max_recharges_per_month,
        max_outage_risk_per_year=float(scenario.objective.max_outage_risk_per_year),
        failure_probability=float(payments.failure_probability),
        lead_time_open_h=lead_h,
        failed_lead_time_open_h=failed_h,
        minimum_trigger=float(portal.minimum_trigger),
        minimum_amount=float(portal.minimum_amount),
    )


def lead_times_open_h(
    hours: OfficeHours, requests: np.ndarray, processing_h: float, fix_h: float
) -> tuple[float, float]:
    """Mean open hours from a request to its credits: paid at once, and failed then retried.

    A failed payment is known after the processing delay; the admin fixes it
    ``fix_h`` later at the first open instant (docs/model.md#payment-defaults),
    and the retry takes another processing delay.
    """
    if len(requests) == 0:
        return 0.0, 0.0
    processing, fix = _us(processing_h), _us(fix_h)
    paid = _mean_open_h(hours, requests, requests + processing)
    fixed = _next_open(hours, requests + processing + fix)
    return paid, _mean_open_h(hours, requests, fixed + processing)


def delay_mean_h(delay: float | Delay) -> float:
    """The mean of a ``[payments]`` delay in hours."""
    match delay:
        case Fixed():
            return float(delay.value)
        case Exponential() | LogNormal():
            return float(delay.mean)
    return float(delay)


def _us(hours: float) -> np.int64:
    return np.int64(round(hours * MICROS_PER_HOUR))


def _arrays(hours: OfficeHours) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(hours.opens_us, dtype=np.int64), np.asarray(hours.closes_us, dtype=np.int64)


def _clipped(hours: OfficeHours, start_us: int, end_us: int) -> tuple[np.ndarray, np.ndarray]:
    """The office intervals inside the horizon [start, end)."""
    opens, closes = _arrays(hours)
    opens, closes = np.maximum(opens, start_us), np.minimum(closes, end_us)
    keep = closes > opens
    return opens[keep], closes[keep]


def _open_h(hours: OfficeHours, start_us: int, end_us: int) -> float:
    """The horizon's open hours."""
    opens, closes = _clipped(hours, start_us, end_us)
    return float((closes - opens).sum()) / MICROS_PER_HOUR


def _request_instants(hours: OfficeHours, start_us: int, end_us: int) -> np.ndarray:
    """``REQUEST_INSTANTS`` instants spread evenly over the horizon's open time (midpoints)."""
    opens, closes = _clipped(hours, start_us, end_us)
    if len(opens) == 0:
        return np.zeros(0, dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(closes - opens)])
    targets = (np.arange(REQUEST_INSTANTS) + 0.5) / REQUEST_INSTANTS * before[-1]
    index = np.searchsorted(before, targets, side="right") - 1
    return (opens[index] + (targets - before[index])).astype(np.int64)


def _open_before(hours: OfficeHours, instants: np.ndarray) -> np.ndarray:
    """Open microseconds from the first office interval up to each instant."""
    opens, closes = _arrays(hours)
    lengths = closes - opens
    before = np.concatenate([[0], np.cumsum(lengths)])
    index = np.searchsorted(opens, instants, side="right") - 1
    last = np.maximum(index, 0)
    inside = np.clip(instants - opens[last], 0, lengths[last])
    return np.where(index >= 0, before[last] + inside, 0)


def _mean_open_h(hours: OfficeHours, starts: np.ndarray, ends: np.ndarray) -> float:
    """The mean open hours between each start and its end."""
    if len(starts) == 0:
        return 0.0
    spans = _open_before(hours, ends) - _open_before(hours, starts)
    return float(spans.mean()) / MICROS_PER_HOUR


def _next_open(hours: OfficeHours, instants: np.ndarray) -> np.ndarray:
    """The first instant at or after each that is inside office hours (itself when none is)."""
    opens, closes = _arrays(hours)
    index = np.searchsorted(closes, instants, side="right")
    later = np.minimum(index, len(opens) - 1)
    return np.where(index < len(opens), np.maximum(instants, opens[later]), instants)
