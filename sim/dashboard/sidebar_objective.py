"""The sidebar's "Objective" inputs: what makes one policy better than another.

Why in the sidebar: the recommendation minimises the expected cost a year
at these prices subject to the risk limit, so a planner whose card fee or
cost of capital differs must be able to say so before trusting it. The
inputs show the prices in force: the scenario's own, or the currency's
stated defaults when the file is silent (``sim.world.costs``). Shares are
typed in percent. An edit here changes only ``[objective]``: the demand is
kept and the results are priced and ranked again (``Choice.key``).
"""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from sim import limits
from sim.dashboard.explore import Edits, exact
from sim.study.experiment import scenario_currency
from sim.world import costs
from sim.world.scenario import Scenario

PERCENT = 100.0
COSTS_DOC = "docs/model.md#the-cost-of-a-policy"


def percent_input(
    label: str,
    fraction: float,
    key: str,
    *,
    low: float = 0.0,
    high: float = 100.0,
    step: float = 0.5,
    note: str | None = None,
) -> float | None:
    """A share typed in percent; the fraction it means, or None when it is the file's."""
    shown = round(fraction * PERCENT, 10)  # 0.07 -> 7.0, not 7.000000000000001
    typed = st.number_input(label, low, high, shown, step, "%.2f", key=key, help=note)
    return None if typed == shown else round(typed / PERCENT, 12)


def objective_edits(scenario: Scenario, scope: str) -> Edits:
    """The objective's inputs, at the prices in force; only what differs from them counts."""
    objective = scenario.objective
    risk = percent_input(
        "Risk limit (% chance a year of an outage)",
        objective.max_outage_risk_per_year,
        f"risk_limit@{scope}",
        low=0.01,
        step=0.5,
        note="The recommended policy keeps the 95 % upper bound of its outage risk a year "
        "at or below this.",
    )
    capital = percent_input(
        "Cost of capital (% a year)",
        objective.cost_of_capital_per_year,
        f"capital@{scope}",
        note="What the cash tied up in credits would earn elsewhere, on the mean balance.",
    )
    recharge = _money(
        scenario,
        "Cost per recharge",
        costs.cost_per_recharge(scenario),
        objective.cost_per_recharge is None,
        f"cost_recharge@{scope}",
        "The card fee plus the accounts-payable and approval effort of one recharge",
    )
    outage = _money(
        scenario,
        "Cost per outage hour",
        costs.cost_per_outage_hour(scenario),
        objective.cost_per_outage_hour is None,
        f"cost_outage@{scope}",
        "What an hour without paid calling (dial-outs, toll-free dial-ins) costs the business",
    )
    stated_cap = objective.max_recharges_per_month
    cap = st.number_input(
        "Most recharges a month (empty: no cap)",
        0.0,
        None,
        None if stated_cap is None else float(stated_cap),
        1.0,
        "%.1f",
        key=f"recharge_cap@{scope}",
        help="A policy with more recharges a month than this is not recommended.",
    )
    return Edits(
        max_outage_risk_per_year=risk,
        cost_of_capital_per_year=capital,
        cost_per_recharge=recharge,
        cost_per_outage_hour=outage,
        max_recharges_per_month=None if cap == stated_cap or cap is None else cap,
        no_recharge_cap=cap is None and stated_cap is not None,
    )


def _money(
    scenario: Scenario, label: str, in_force: Decimal, default: bool, key: str, what: str
) -> Decimal | None:
    """A price in the scenario's currency; None when it is the one in force."""
    cur = scenario_currency(scenario)
    code = cur.code
    source = (
        f"the file is silent: {code}'s stated default ({COSTS_DOC})"
        if default
        else "as the scenario file states it"
    )
    typed = st.number_input(
        f"{label} ({code})",
        0.0,
        limits.MONEY_MAX_MINOR / cur.minor_per_major,
        float(in_force),
        1.0,
        f"%.{cur.digits}f",
        key=key,
        help=f"{what}; {in_force:,} {code} in force, {source}.",
    )
    return None if typed == float(in_force) else exact(typed, label.lower())
