"""The figures a planner reads, one entry each: name, label, unit, per year, better, reading.

Why one table: ``credsim run`` prints the horizon's metrics, the report and
the dashboard show figures per year, the sweep writes some of them to
summary.csv. When each kept its own list, the same quantity had two labels
(``Forfeited a year``, ``Forfeited funds a year``), two units (plain
``9.28`` in the report, ``9.3 h`` on a card) and two readings. Here each
quantity has one entry; every view takes its label, unit and formatting from
it, and its number from ``Kpi.estimate`` over the replications.

Names are those written to files (JSON keys, CSV and parquet columns), so a
name here never renames a column. A replication is read as its metrics row
(``sim.study.stats.flatten`` of ``Outcome.to_dict``, as the runner and the
sweep keep it); ``outcome_rows`` makes those rows from Outcomes for the
dashboard. Outage risk has one definition (docs/model.md#outage-risk): the
share of a replication's 12-month windows (``years``) with an outage
(``years_with_outage``), over all replications, with a Wilson interval; no
other figure is called a probability of outage.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.account import format as fmt
from sim.account.money import Currency
from sim.account.outcome import Outcome
from sim.study.recommend import CostModel
from sim.study.stats import Estimate, flatten, mean_ci, wilson
from sim.world.service_names import words

Unit = Literal["probability", "money", "hours", "minutes", "count"]
TOLL_FREE_BLOCKED = "blocked_by_service.toll_free_dial_in.calls"
EMAILS = ("emails.recharge_succeeded", "emails.recharge_failed", "emails.balance_depleted")


@dataclass(frozen=True)
class Replications:
    """One policy's replications as the KPIs read them: a metrics row per replication."""

    rows: pd.DataFrame
    horizon_months: int | None = None
    """Needed only by the figures per year (a backtest's window is no horizon)."""
    costs: CostModel | None = None
    """The objective's prices; needed only by the cost figures."""

    @property
    def months(self) -> int:
        """The horizon in months."""
        if self.horizon_months is None:
            raise ValueError("the figures per year need the horizon (horizon_months=...)")
        return self.horizon_months

    @property
    def years(self) -> float:
        """The horizon in years."""
        return self.months / 12

    def column(self, name: str) -> np.ndarray:
        """A metric per replication as floats; zeros when no replication reported it."""
        if name in self.rows:
            return self.rows[name].to_numpy(dtype=float)
        return np.zeros(len(self.rows))

    @functools.cached_property
    def _cost_parts(self) -> pd.DataFrame:
        if self.costs is None:
            raise ValueError("the cost figures need the scenario's objective (costs=...)")
        return self.costs.per_year(self.rows)

    def cost_parts(self) -> pd.DataFrame:
        """Each cost part per year and their ``total``, per replication (computed once: six
        figures read it; a copy, so a caller's edit cannot change the next figure)."""
        return self._cost_parts.copy()


Reader = Callable[[Replications], Estimate]
Values = Callable[[Replications], np.ndarray]


@dataclass(frozen=True)
class Kpi:
    """One figure: what it is called where it is stored and shown, and how to read it."""

    name: str
    """Its key in files (JSON, CSV and parquet) and in every table of figures."""
    label: str
    unit: Unit
    per_year: bool = False
    lower_is_better: bool | None = True
    """None: neither (demand, money moved): a change is shown without a colour of merit."""
    digits: int = 2
    """Decimal places shown (money always has the currency's own)."""
    floor: float | None = 0.0
    """The least the quantity can be (None: no bound, e.g. a balance that went below 0): an
    interval never reaches below it (``sim.study.stats.mean_ci``)."""
    values: Values | None = None
    """Its value per replication; None: metric ``name``. The estimate is their mean."""
    read: Reader | None = None
    """A figure that is no mean (outage risk, a proportion): how to estimate it."""
    meaning: str = ""
    """What it is, in one sentence a planner can read (tooltips, the report's glossary)."""

    def estimate(self, replications: Replications) -> Estimate:
        """Its estimate and 95 % interval over ``replications``, within its range."""
        if self.read is not None:
            return self.read(replications)
        data = replications.column(self.name) if self.values is None else self.values(replications)
        return mean_ci(data, floor=self.floor)

    def text(self, value: float | None, cur: Currency, digits: int | None = None) -> str:
        """One value in the KPI's unit: ``12.3 %``, ``$1,234.50``, ``9.3 h``, ``36.6``."""
        places = self.digits if digits is None else digits
        if self.unit == "probability":
            return fmt.percent(value, places)
        if self.unit == "money":
            return fmt.money_major(value, cur)
        if self.unit == "hours":
            return fmt.hours(value, places)
        if self.unit == "minutes":
            return fmt.minutes(value, places)
        return fmt.count(value, places)

    def change_text(self, change: float, cur: Currency) -> str | None:
        """A signed difference (``+1.5 pp``, ``-$12.00``); None when it shows as zero."""
        shown = self.text(abs(change), cur)
        if shown in (self.text(0.0, cur), fmt.MISSING):
            return None
        if self.unit == "probability":
            shown = fmt.points(abs(change), self.digits)
        return f"{'+' if change > 0 else '-'}{shown}"

    def interval_text(self, est: Estimate, cur: Currency) -> str:
        """``low to high`` (``estimate`` keeps it within the quantity's range)."""
        return fmt.interval(est.ci_low, est.ci_high, lambda value: self.text(value, cur))

    def estimate_text(self, est: Estimate, cur: Currency) -> str:
        """``value (low to high)``, or the value alone without an interval."""
        return fmt.with_interval(est, lambda value: self.text(value, cur))


# -- readers -----------------------------------------------------------------------------


def _sum(replications: Replications, columns: tuple[str, ...]) -> np.ndarray:
    total = replications.column(columns[0])
    for name in columns[1:]:
        total = total + replications.column(name)
    return total


def _per_year(*columns: str) -> Values:
    """The columns' sum per replication, divided by the horizon in years."""
    return lambda replications: _sum(replications, columns) / replications.years


def _total(*columns: str) -> Values:
    """The columns' sum per replication, over the horizon."""
    return lambda replications: _sum(replications, columns)


def outage_risk(years_with_outage: np.ndarray, years: np.ndarray) -> Estimate:
    """Outage risk a year: years with an outage over years, each replication-year a trial.

    Wilson 95 % interval. Used by every output, ``credsim regress`` included.
    """
    return wilson(int(np.sum(years_with_outage)), int(np.sum(years)))


def _outage_risk(replications: Replications) -> Estimate:
    return outage_risk(replications.column("years_with_outage"), replications.column("years"))


def _cost(part: str) -> Values:
    """A cost part per year (``total``: the expected cost) per replication."""
    return lambda replications: replications.cost_parts()[part].to_numpy()


# -- the table ---------------------------------------------------------------------------

_OUTAGE = (
    "An outage is a stretch of time in which the balance is at or below zero, so paid calling "
    "(dial-outs and toll-free dial-ins) is blocked until money is added."
)
_OUTAGE_RISK = (
    "The chance that a year of operation (each 12-month window of the horizon) has at least one "
    "outage, a stretch in which the balance is at or below zero and paid calling is blocked."
)
_FORFEITED = (
    "Forfeited funds are credits that expired unused: each purchase lapses 12 months after it "
    "was bought, and what is left of it is lost."
)
_TIED_UP = (
    "Cash tied up is the balance held in credits on average, money paid in advance that could "
    "earn its cost of capital elsewhere."
)
_COST = (
    "The expected cost a year is forfeited funds plus interest on the cash tied up, the cost "
    "of each recharge, outage hours and blocked-minute penalties, at the objective's prices."
)

_ENTRIES = (
    # Outage risk: the one definition (docs/model.md#outage-risk).
    Kpi("outage_risk_per_year", "Outage risk a year", "probability", per_year=True, digits=1,
        read=_outage_risk, meaning=_OUTAGE_RISK),
    # Per year (the report, the dashboard, summary.csv).
    Kpi("outage_hours_per_year", "Outage hours a year", "hours", per_year=True, digits=1,
        values=_per_year("outage_hours"), meaning=_OUTAGE),
    Kpi("blocked_toll_free_per_year", "Blocked toll-free dial-ins a year", "count",
        per_year=True, digits=1, values=_per_year(TOLL_FREE_BLOCKED)),
    Kpi("forfeited_per_year", "Forfeited funds a year", "money", per_year=True,
        values=_per_year("forfeited"), meaning=_FORFEITED),
    Kpi("recharges_per_year", "Recharges a year", "count", per_year=True, digits=1,
        values=_per_year("recharges")),
    Kpi("emails_per_year", "Admin emails a year", "count", per_year=True, digits=1,
        values=_per_year(*EMAILS)),
    Kpi("cost_per_year", "Expected cost a year", "money", per_year=True, floor=None,
        values=_cost("total"), meaning=_COST),
    Kpi("capital_per_year", "Cost of capital a year", "money", per_year=True, floor=None,
        values=_cost("capital")),
    Kpi("fees_per_year", "Recharge costs a year", "money", per_year=True, values=_cost("fees")),
    Kpi("outages_per_year", "Outage cost a year", "money", per_year=True,
        values=_cost("outages")),
    Kpi("penalties_per_year", "Blocked-minute penalties a year", "money", per_year=True,
        values=_cost("penalties")),
    # Over the horizon: a replication's metrics (credsim run, runs.parquet, backtests).
    Kpi("outage_episodes", "Outage episodes", "count"),
    Kpi("years", "Years of operation (12-month windows)", "count", lower_is_better=None),
    Kpi("years_with_outage", "Years with an outage", "count"),
    Kpi("outage_hours", "Outage hours", "hours", meaning=_OUTAGE),
    Kpi("blocked_calls", "Blocked calls (all services)", "count"),
    Kpi("blocked_minutes", "Blocked minutes", "minutes"),
    Kpi("blocked_charge", "Calling blocked (charge)", "money"),
    Kpi(TOLL_FREE_BLOCKED, "Blocked toll-free dial-ins", "count"),
    Kpi("forfeited", "Forfeited funds", "money", meaning=_FORFEITED),
    Kpi("consumed", "Consumed", "money", lower_is_better=None),
    Kpi("funded", "Funded", "money", lower_is_better=None),
    Kpi("mean_balance", "Mean balance (cash tied up)", "money", floor=None, meaning=_TIED_UP),
    Kpi("min_balance", "Lowest balance", "money", lower_is_better=None, floor=None),
    Kpi("final_balance", "Balance at the end", "money", lower_is_better=None, floor=None),
    Kpi("recharges", "Recharges", "count"),
    Kpi("failed_recharges", "Failed recharges", "count"),
    Kpi("emails", "Admin emails", "count", values=_total(*EMAILS)),
    Kpi("emails.recharge_succeeded", "Emails: recharge succeeded", "count"),
    Kpi("emails.recharge_failed", "Emails: recharge failed", "count"),
    Kpi("emails.balance_depleted", "Emails: balance below zero", "count"),
    Kpi("calls", "Calls", "count", lower_is_better=None),
    Kpi("credit_billed_calls", "Credit-billed calls", "count", lower_is_better=None),
)  # fmt: skip
KPIS: dict[str, Kpi] = {entry.name: entry for entry in _ENTRIES}
"""Every figure by name, in the order above."""

_FAMILIES: tuple[tuple[str, str, str, Unit], ...] = (
    # (prefix, suffix, label with {} for the source or service, unit) of per-name metrics
    ("funded_by_source.", "", "Funded by {}", "money"),
    ("blocked_by_service.", ".calls", "Blocked {} calls", "count"),
    ("blocked_by_service.", ".minutes", "Blocked {} minutes", "minutes"),
    ("blocked_by_service.", ".charge", "Blocked {} charge", "money"),
)


def kpi(name: str) -> Kpi:
    """The entry of ``name``; a per-source or per-service metric gets its family's entry.

    KeyError for a name that is no figure: a view cannot show what the table lacks.
    """
    if name in KPIS:
        return KPIS[name]
    for prefix, suffix, label, unit in _FAMILIES:
        middle = name[len(prefix) : len(name) - len(suffix)]
        if name.startswith(prefix) and name.endswith(suffix) and middle and "." not in middle:
            better = None if prefix.startswith("funded") else True
            return Kpi(name, label.format(words(middle)), unit, lower_is_better=better)
    raise KeyError(f"{name!r} is not a figure of sim.study.kpis")


def select(names: Iterable[str]) -> tuple[Kpi, ...]:
    """The entries of ``names``, in that order (KeyError names the first unknown one)."""
    return tuple(kpi(name) for name in names)


def estimates(kpis: Sequence[Kpi], replications: Replications) -> dict[str, Estimate]:
    """Each KPI's estimate over the same replications, by name."""
    return {entry.name: entry.estimate(replications) for entry in kpis}


def outcome_rows(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """Outcomes as metrics rows, as a run keeps them."""
    rows = [flatten(outcome.to_dict()) for outcome in outcomes]
    return pd.DataFrame(rows).fillna(0.0)  # a service that blocked nothing: 0, as in a run


def spread(row: dict[str, object], name: str, est: Estimate) -> None:
    """Put ``est`` in a table row as ``name``, ``name.ci_low`` and ``name.ci_high``."""
    row[name] = est.estimate
    row[f"{name}.ci_low"] = est.ci_low
    row[f"{name}.ci_high"] = est.ci_high


def gathered(row: Mapping[str, Any] | pd.Series, name: str) -> Estimate:
    """The Estimate ``spread`` put in a row (a NaN bound, a gap in a frame, is no bound)."""

    def bound(value: Any) -> float | None:
        return None if fmt.missing(value) else float(value)

    return Estimate(
        float(row[name]), bound(row.get(f"{name}.ci_low")), bound(row.get(f"{name}.ci_high"))
    )
