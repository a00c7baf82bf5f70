"""What the dashboard asks of the model, answered here (the dashboard holds no logic).

Each function takes plain values (a loaded scenario, levers in major units,
replications, a seed) and returns plain results (estimates, tables, Outcomes)
that ``sim.views.charts`` draws. Interactive speed comes from ``DemandBank``
(``sim.dashboard.demand_bank``): the demand of a (demand sections, seed,
replications) is generated once, kept compact, and every policy or payments
change replays only that.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import limits
from sim.account.outcome import Outcome
from sim.dashboard.demand_bank import DemandBank
from sim.dashboard.path_worker import journaled_replication
from sim.engines.compact import CompactCalls
from sim.errors import InputError
from sim.study.executors import Check
from sim.study.experiment import (
    Levers,
    build_policy,
    run_spec,
    scenario_currency,
    scenario_levers,
)
from sim.study.kpis import Replications, estimates, outcome_rows, select
from sim.study.recommend import CostModel
from sim.study.runner import replication_seeds
from sim.study.stats import Estimate, balance_bands
from sim.study.trace import PathPicture, Trace, path_picture
from sim.world import bundled
from sim.world.demand import generate, summarize
from sim.world.demand_summary import DemandSummary, hour_weekday_counts
from sim.world.load import LoadedScenario, checked, load_scenario_bytes
from sim.world.scenario import Scenario

MAX_UPLOAD_BYTES = limits.SCENARIO_MAX_BYTES
Progress = Callable[[int, int], None]


# -- scenarios -----------------------------------------------------------------------------


def bundled_scenarios() -> dict[str, Path]:
    """The bundled scenario files by name (``midsize``, ``checks/poisson-manual``, ...)."""
    return bundled.scenarios()


def scenario_upload(
    data: bytes, name: str, tables: Mapping[str, bytes] | None = None
) -> LoadedScenario:
    """An uploaded scenario: parsed as TOML only, size-limited (by the loader, like a file).

    Its ``[rates].table`` may name only a table uploaded with it (``tables``,
    bytes by file name) or a bundled table (``rates/sample-usd.csv``); no other
    file of the server is opened, whatever the upload says.
    """
    return load_scenario_bytes(
        data, source=Path(name), folder=bundled.scenarios_folder(), tables=dict(tables or {})
    )


@dataclass(frozen=True)
class Edits:
    """The levers of the world a planner changes most (None: as in the file)."""

    users: int | None = None
    monthly_growth: float | None = None
    meetings_per_user_per_day: float | None = None
    toll_free_share: float | None = None
    processing_delay_h: float | None = None
    failure_probability: float | None = None
    card_expires: datetime | None = None
    card_renewed: datetime | None = None
    no_card_expiry: bool = False
    """Drop the file's card expiry (None above can only keep it): "what if it were renewed?"."""
    max_outage_risk_per_year: float | None = None
    cost_of_capital_per_year: float | None = None
    cost_per_recharge: Decimal | None = None
    cost_per_outage_hour: Decimal | None = None
    max_recharges_per_month: float | None = None
    no_recharge_cap: bool = False
    """Drop the file's cap on recharges a month (None above can only keep it)."""

    def world(self) -> Edits:
        """The edits that change the demand or the payments: all but the objective's.

        Why apart: the objective only prices and ranks outcomes, so a change to
        it must reuse the demand already generated (``Choice.key``).
        """
        return self.with_objective_of(Edits())

    def objective(self) -> Edits:
        """The objective's edits alone."""
        return Edits().with_objective_of(self)

    def with_objective_of(self, other: Edits) -> Edits:
        """These edits of the world with ``other``'s edits of the objective."""
        chosen: dict[str, Any] = {name: getattr(other, name) for name in OBJECTIVE_EDITS}
        return replace(self, **chosen, no_recharge_cap=other.no_recharge_cap)


OBJECTIVE_EDITS = (
    "max_outage_risk_per_year",
    "cost_of_capital_per_year",
    "cost_per_recharge",
    "cost_per_outage_hour",
    "max_recharges_per_month",
)
"""The ``[objective]`` keys the sidebar edits (``Edits`` fields of the same names)."""


def edited(loaded: LoadedScenario, edits: Edits) -> LoadedScenario:
    """The scenario with ``edits`` applied, validated again (InputError names the key)."""
    data = loaded.scenario.model_dump()
    if edits.users is not None:
        data["plans"] |= _holders_for(loaded.scenario, edits.users)
    _set(data, ("users", "count"), edits.users)
    _set(data, ("users", "monthly_growth"), edits.monthly_growth)
    if data.get("meetings") is not None:
        _set(data, ("meetings", "per_user_per_day"), edits.meetings_per_user_per_day)
        _set(data, ("meetings", "toll_free_share"), edits.toll_free_share)
    _set(data, ("payments", "processing_delay_h"), edits.processing_delay_h)
    _set(data, ("payments", "failure_probability"), edits.failure_probability)
    _set(data, ("payments", "card_expires"), edits.card_expires)
    _set(data, ("payments", "card_renewed"), edits.card_renewed)
    if edits.no_card_expiry:
        data["payments"]["card_expires"] = data["payments"]["card_renewed"] = None
    for name in OBJECTIVE_EDITS:
        _set(data, ("objective", name), getattr(edits, name))
    if edits.no_recharge_cap:
        data["objective"]["max_recharges_per_month"] = None
    try:
        scenario = Scenario.model_validate(data)
    except ValueError as error:
        raise InputError(_first_problem(error), source=loaded.path) from None
    return checked(scenario, loaded, str(loaded.path))


def _holders_for(scenario: Scenario, count: int) -> dict[str, int]:
    """Plan holders for a new head count, in the file's shares (the sidebar has no plan inputs).

    Plans cover only their holders (docs/model.md#plan-holders), so more users
    with the same holders would bill the newcomers' calls to credits, and fewer
    users than holders is refused. Rounded to whole users; international
    holders stay among the domestic ones.
    """
    plans, before = scenario.plans, scenario.users.count
    if not before:
        return {}
    domestic = round(plans.domestic_plan_users * count / before)
    international = min(round(plans.international_plan_users * count / before), domestic)
    return {"domestic_plan_users": domestic, "international_plan_users": international}


def _set(data: dict[str, Any], keys: tuple[str, str], value: object) -> None:
    if value is not None:
        data[keys[0]][keys[1]] = value


def _first_problem(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    return str(error)


def policy_levers(
    scenario: Scenario, *, initial: float, trigger: float | None, amount: float | None
) -> Levers:
    """The levers a planner typed (widget floats), as exact decimals on the scenario's own levers.

    Why here: a widget gives ``400.0``; the model needs the exact ``Decimal('400')``
    that ``credsim run --trigger 400`` builds (same label, same policy), and a
    value the currency cannot hold (``0.125`` USD) must come back as a message,
    not a traceback. ``trigger``/``amount`` None turns auto-recharge off.
    """
    base = scenario_levers(scenario)
    exact_initial = exact(initial, "initial")
    exact_trigger = None if trigger is None else exact(trigger, "trigger")
    exact_amount = None if amount is None else exact(amount, "amount")
    if exact_amount is not None and exact_amount <= 0:
        raise InputError(f"amount(={exact_amount}) must be > 0")
    auto = exact_trigger is not None and exact_amount is not None
    levers = replace(
        base,
        initial=exact_initial,
        trigger=exact_trigger if auto else None,
        amount=exact_amount if auto else None,
    )
    try:
        build_policy(scenario, levers)
    except ValueError as error:
        raise InputError(str(error)) from None
    return levers


def exact(value: float, name: str) -> Decimal:
    """A widget float as the decimal it shows (``400.0`` -> ``400``, ``12.5`` -> ``12.5``)."""
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{name}(={value}) must be a number >= 0")
    number = Decimal(repr(float(value)))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


# -- the policy view ---------------------------------------------------------------------


CARDS = select(
    ("outage_risk_per_year", "outage_hours_per_year", "blocked_toll_free_per_year",
     "cost_per_year", "forfeited_per_year", "mean_balance", "recharges_per_year",
     "emails_per_year")
)  # fmt: skip
"""The policy view's figures (its cards and the comparison's rows), in order.

Outage risk is the one definition (docs/model.md#outage-risk), the figure the
sweep, its heatmaps and the report show; the expected cost is what the
recommendation minimises, at the objective's prices in the sidebar.
"""


@dataclass(frozen=True)
class PolicyView:
    """KPIs with CIs and balance bands over every replication, for one policy.

    Replication 1's sample path (``policy_path``) is separate: it is replayed
    by the exact Python engine to get its journal, which takes longer than
    all the replications on the compiled engine (0.4 s against 0.2 s on
    midsize, about 3 s against 0.5 s on enterprise), so the dashboard can show the
    KPIs first.
    """

    levers: Levers
    kpis: dict[str, Estimate]
    bands: pd.DataFrame
    currency: str


def policy_view(bank: DemandBank, levers: Levers, scenario: Scenario | None = None) -> PolicyView:
    """The KPIs and balance bands of one policy, over the bank's replications.

    ``scenario``: the scenario as edited (the bank's own by default): its
    payments and opening are replayed, its ``[objective]`` prices the cost
    figure, so an edit of those reuses the bank (its demand must be the bank's).
    """
    scenario = scenario or bank.loaded.scenario
    outcomes = _outcomes(bank, levers, scenario)
    scale = scenario_currency(scenario).minor_per_major
    daily = np.array([o.daily_balance_minor for o in outcomes], dtype=float) / scale
    return PolicyView(
        levers=levers,
        kpis=kpis(outcomes, scenario),
        bands=balance_bands(daily),
        currency=scenario.scenario.currency,
    )


def _outcomes(bank: DemandBank, levers: Levers, scenario: Scenario) -> list[Outcome]:
    """``levers`` replayed on the bank's demand under ``scenario``'s payments and opening."""
    return bank.outcomes(build_policy(scenario, levers), run_spec(scenario))


def policy_path(
    loaded: LoadedScenario,
    seed: int,
    levers: Levers,
    calls: CompactCalls | None = None,
    *,
    check: Check | None = None,
) -> PathPicture:
    """Replication 1 of ``seed`` under ``levers``, with its journal (any replication count).

    ``calls``: that replication's charged calls if kept (``DemandBank.sample_calls``,
    numbered as in ``credsim run``), else generated again. With ``check`` (the page's), it is
    replayed in a worker process (``sim.dashboard.path_worker``): this process receives the
    Outcome and the journal as compressed columns (``Trace.entries`` is a ``PackedJournal``).
    """
    seeds = replication_seeds(seed, 1)[0]
    outcome, journal = journaled_replication(loaded, levers, seeds, calls, check)
    return path_picture(Trace(outcome, journal), levers, loaded.scenario)


def kpis(outcomes: Sequence[Outcome], scenario: Scenario) -> dict[str, Estimate]:
    """``CARDS`` over the outcomes, read as a run's replications are (``sim.study.kpis``).

    The cost figure prices them at the scenario's ``[objective]`` (as edited).
    """
    rows = outcome_rows(outcomes)
    costs = CostModel.from_scenario(scenario)
    return estimates(CARDS, Replications(rows, costs.horizon_months, costs))


def comparison(
    bank: DemandBank, levers: Sequence[Levers], scenario: Scenario | None = None
) -> pd.DataFrame:
    """Up to three policies side by side: one row per KPI, one column per policy.

    ``scenario`` as for ``policy_view``.
    """
    if not 1 <= len(levers) <= 3:
        raise InputError(f"compare 1 to 3 policies, not {len(levers)}")
    scenario = scenario or bank.loaded.scenario
    cur = scenario_currency(scenario)
    columns = {}
    for item in levers:
        figures = kpis(_outcomes(bank, item, scenario), scenario)
        columns[item.label()] = {
            kpi.label: kpi.estimate_text(figures[kpi.name], cur) for kpi in CARDS
        }
    return pd.DataFrame(columns)


# -- the other views ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemandPicture:
    """Replication 1's demand as the demand view draws it."""

    summary: DemandSummary
    by_hour_weekday: pd.DataFrame
    """Calls by weekday (rows) x local hour of their start (columns), every call counted."""
    charged_by_hour_weekday: pd.DataFrame
    """The same for the calls that cost credits (what draws the balance down)."""


def demand_picture(loaded: LoadedScenario, seed: int) -> DemandPicture:
    """Replication 1 of ``seed`` (what ``credsim demand --seed`` shows), tallied for the charts."""
    demand_seed, _ = replication_seeds(seed, 1)[0]
    stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
    zone = loaded.scenario.calendar.timezone
    return DemandPicture(
        summary=summarize(stream, loaded.scenario),
        by_hour_weekday=hour_weekday_counts(stream, zone),
        charged_by_hour_weekday=hour_weekday_counts(stream, zone, charged_only=True),
    )
