"""What ``credsim validate`` prints about a scenario, and the scenario's lines other outputs share.

Why apart from ``sim.views.summary``: these need only the scenario (pydantic, and
numpy, which loading a scenario needs anyway), not the statistics of runs and
sweeps (scipy, pandas), so ``credsim validate`` starts in a fraction of the time
(docs/performance.md#start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.account import format as fmt
from sim.study.experiment import build_policy, scenario_currency, scenario_levers
from sim.world import costs
from sim.world.assumptions import assumption_lines, stream_lines
from sim.world.opening import opening_text, to_opening

if TYPE_CHECKING:
    from sim.account.money import Currency
    from sim.account.policy import Policy
    from sim.world.load import LoadedScenario
    from sim.world.rates import RateTable
    from sim.world.scenario import Scenario


def scenario_text(loaded: LoadedScenario) -> str:
    """What ``credsim validate`` says about a valid scenario."""
    scenario = loaded.scenario
    info, calendar = scenario.scenario, scenario.calendar
    sources = [
        name
        for name, present in (
            ("meetings", scenario.meetings is not None),
            (f"{len(scenario.big_meetings)} big meeting(s)", bool(scenario.big_meetings)),
            ("user calling", scenario.user_calling is not None),
            (f"{len(scenario.streams)} stream(s)", bool(scenario.streams)),
        )
        if present
    ]
    return "\n".join(
        [
            f"OK: {loaded.path}: scenario {info.name!r}",
            f"  {info.horizon_months} months from {info.start.isoformat()}, {info.currency}, "
            f"{_users(scenario)}calendar {calendar.timezone} "
            f"{'-'.join(calendar.business_hours)} {','.join(calendar.business_days)}",
            f"  calls from: {', '.join(sources)}",
            *(f"    {line}" for line in stream_lines(scenario)),
            f"  rates: {rates_text(loaded.rates)}, "
            f"billing increment {scenario.rates.billing_increment_s} s",
            f"  policy: {scenario_policy_text(scenario)}",
            *([f"  {held}"] if (held := opening_line(scenario)) else []),
            f"  objective: {objective_text(scenario)}",
            assumptions_text(scenario),
        ]
    )


def _users(scenario: Scenario) -> str:
    """``1,000 users, `` where per-user sources use them; nothing for a scenario of streams."""
    if scenario.meetings is None and scenario.user_calling is None:
        return ""
    count = scenario.users.count
    return f"{count:,} user{'' if count == 1 else 's'}, "


def rates_text(rates: RateTable) -> str:
    """The rate table as outputs name it: path, size, currency, and ILLUSTRATIVE for a sample.

    Why the label: a bundled ``sample-*.csv`` table mixes published Azure
    Communication Services rates with assumed ones; a figure computed from it
    must not read as a tenant's real cost.
    """
    code = f" in {rates.currency}" if rates.currency else ""
    label = "; ILLUSTRATIVE sample rates, not Teams' prices" if rates.illustrative else ""
    return f"{rates.path} ({len(rates.rates)} destinations{code}{label})"


def objective_text(scenario: Scenario) -> str:
    """The ``[objective]`` a sweep recommends by, in words (the currency's defaults filled in)."""
    goal, code = scenario.objective, scenario.scenario.currency
    cap = goal.max_recharges_per_month
    text = (
        f"outage risk <= {fmt.percent(goal.max_outage_risk_per_year)} a year, cost of capital "
        f"{fmt.percent(goal.cost_of_capital_per_year)} a year, {costs.cost_per_recharge(scenario)} "
        f"{code} per recharge, {costs.cost_per_outage_hour(scenario)} {code} per outage hour, "
        f"{goal.penalty_per_blocked_min} {code} per blocked minute"
    )
    return text if cap is None else f"{text}, at most {cap:g} recharges a month"


def scenario_policy_text(scenario: Scenario) -> str:
    """The scenario's own policy in words."""
    return policy_text(
        build_policy(scenario, scenario_levers(scenario)), scenario_currency(scenario)
    )


def policy_text(policy: Policy, cur: Currency) -> str:
    """One line: initial balance and every rule in force."""

    def money(minor: int) -> str:
        return fmt.money_minor(minor, cur)

    parts = [f"initial {money(policy.initial_minor)}"]
    if policy.auto is None:
        parts.append("auto-recharge off")
    else:
        parts.append(
            f"auto-recharge {money(policy.auto.amount_minor)} "
            f"when below {money(policy.auto.trigger_minor)}"
        )
    if policy.manual is not None:
        delay_h = policy.manual.response_delay.total_seconds() / 3600
        parts.append(
            f"manual top-up {money(policy.manual.amount_minor)} {delay_h:g} h after a "
            "below-zero email"
        )
    parts.extend(
        f"scheduled {money(top_up.amount_minor)} every {top_up.every_months} month(s) "
        f"from {top_up.first_at.date().isoformat()}"
        for top_up in policy.scheduled
    )
    return ", ".join(parts)


def opening_line(scenario: Scenario) -> str | None:
    """``opening balance: $800.00 in 1 lot (expires 2027-12-01)``; None: nothing held."""
    cur = scenario_currency(scenario)
    return opening_text(to_opening(scenario.opening, scenario.calendar.zone, cur), cur)


def assumptions_text(scenario: Scenario) -> str:
    """The assumptions in force (``sim.world.assumptions``), as ``validate``, ``run`` and
    ``sweep`` print them: a heading, then one line each."""
    return "\n".join(
        ["Assumptions in force:", *(f"  - {line}" for line in assumption_lines(scenario))]
    )
