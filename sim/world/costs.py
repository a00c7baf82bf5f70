"""The objective's prices in force: the scenario's own, or the currency's stated defaults.

Why defaults that are not zero: with no cost per recharge, the only price of a
small amount is nothing, and the cheapest policy was always the smallest amount
tried (dozens of card charges and admin emails a year to save a few dollars of
interest). No finance team prices its own effort at zero, so a scenario that
leaves the two costs out gets a stated, round figure in its own currency,
listed among the assumptions in force wherever results are shown
(``sim.world.assumptions``, docs/model.md#the-cost-of-a-policy).
"""

from __future__ import annotations

from decimal import Decimal

from sim.world.scenario import Scenario

COST_PER_RECHARGE = {"JPY": Decimal(1500)}
"""Card fee plus accounts-payable and approval effort of one recharge, by currency."""
COST_PER_RECHARGE_OTHER = Decimal(10)
"""... in any other currency (USD, EUR, GBP and the like): 10 major units."""
COST_PER_OUTAGE_HOUR = {"JPY": Decimal(15000)}
"""An hour in which paid calling is stopped (dial-ins, dial-outs cannot be made), by currency."""
COST_PER_OUTAGE_HOUR_OTHER = Decimal(100)
"""... in any other currency: 100 major units an hour."""


def cost_per_recharge(scenario: Scenario) -> Decimal:
    """The scenario's ``[objective].cost_per_recharge``, or its currency's default."""
    stated = scenario.objective.cost_per_recharge
    if stated is not None:
        return stated
    return COST_PER_RECHARGE.get(scenario.scenario.currency, COST_PER_RECHARGE_OTHER)


def cost_per_outage_hour(scenario: Scenario) -> Decimal:
    """The scenario's ``[objective].cost_per_outage_hour``, or its currency's default."""
    stated = scenario.objective.cost_per_outage_hour
    if stated is not None:
        return stated
    return COST_PER_OUTAGE_HOUR.get(scenario.scenario.currency, COST_PER_OUTAGE_HOUR_OTHER)
