"""The dashboard's words and tables: KPI cards, backtest figures, the journal as a table.

Why in ``sim`` and not in the app: how a figure is rounded, which unit it
carries and what "better" means for its change are part of what the numbers
say, so they are decided once here (and tested) rather than in widget code,
where a formula would be a bug in the wrong room. Everything returns plain
strings and frames that any front end can show.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from sim.account.clock import MICROS_PER_DAY, hours, to_iso
from sim.account.ledger import JournalEntry
from sim.account.money import Currency, currency, format_money
from sim.calls.journal_csv import COLUMNS, journal_writer
from sim.dashboard.explore import KPI_LABELS
from sim.study.backtest import Backtest
from sim.study.stats import Estimate

Unit = Literal["probability", "hours", "count", "money"]
KPI_UNITS: dict[str, Unit] = {
    "outage_probability_12m": "probability",
    "outage_hours_per_year": "hours",
    "blocked_toll_free_per_year": "count",
    "forfeited_per_year": "money",
    "mean_balance": "money",
    "recharges_per_year": "count",
    "emails_per_year": "count",
}
"""Every KPI is "lower is better": less risk, less lost, less cash idle, fewer emails."""


@dataclass(frozen=True)
class KpiCard:
    """One KPI as a card shows it: label, value, its 95 % CI, and the change from a baseline."""

    name: str
    label: str
    value: str
    interval: str
    delta: str | None
    """Signed change from the baseline policy (``+1.5 pp``, ``-$12.00``); None when unchanged."""


def show(value: float | None, unit: Unit, cur: Currency) -> str:
    """One figure in its unit: ``1.5 %``, ``3.2 h``, ``12.3``, ``$1,234.56``; ``-`` for none."""
    if value is None or math.isnan(value):
        return "-"
    if unit == "probability":
        return f"{value * 100:.1f} %"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "money":
        return format_money(round(value * cur.minor_per_major), cur)
    return f"{value:,.1f}"


def _change(change: float, unit: Unit, cur: Currency) -> str | None:
    """A signed difference; None when it shows as zero in the unit's rounding."""
    shown = show(abs(change), unit, cur)
    if shown in (show(0.0, unit, cur), "-"):
        return None
    if unit == "probability":
        shown = f"{abs(change) * 100:.1f} pp"  # a difference of percentages: points
    return f"{'+' if change > 0 else '-'}{shown}"


def kpi_cards(
    figures: Mapping[str, Estimate],
    currency_code: str,
    baseline: Mapping[str, Estimate] | None = None,
) -> list[KpiCard]:
    """The policy view's cards, in ``KPI_LABELS`` order, with deltas from ``baseline``.

    A KPI a Wilson or t interval cannot bound (one replication) says so
    instead of showing a made-up interval.
    """
    cur = currency(currency_code)
    cards = []
    for name, label in KPI_LABELS.items():
        est, unit = figures[name], KPI_UNITS[name]
        if est.ci_low is None or est.ci_high is None:
            interval = "no 95 % CI with one replication"
        else:
            low, high = max(est.ci_low, 0.0), est.ci_high  # a count's t interval can dip below 0
            interval = f"95 % CI {show(low, unit, cur)} to {show(high, unit, cur)}"
        delta = None
        if baseline is not None:
            delta = _change(est.estimate - baseline[name].estimate, unit, cur)
        cards.append(KpiCard(name, label, show(est.estimate, unit, cur), interval, delta))
    return cards


# -- backtests ---------------------------------------------------------------------------


BACKTEST_LABELS = {
    "window": "Window replayed",
    "outage": "Outage episodes",
    "outage_hours": "Outage hours",
    "blocked_toll_free": "Blocked toll-free dial-ins",
    "blocked_calls": "Blocked calls (all services)",
    "blocked_charge": "Calling blocked (charge)",
    "forfeited": "Forfeited funds",
    "mean_balance": "Mean balance (cash tied up)",
    "recharges": "Recharges (failed)",
    "emails": "Admin emails",
    "funded": "Funded",
    "consumed": "Consumed",
}
"""The backtest's figures: the policy view's KPIs as one recorded path has them (totals)."""


def backtest_figures(result: Backtest) -> dict[str, str]:
    """One backtest's figures over its window (not per year: the window is what was recorded)."""
    outcome = result.outcome
    cur = outcome.currency
    toll_free = outcome.blocked.get("toll_free_dial_in")
    blocked = outcome.blocked_total
    days = (outcome.end - outcome.start) / MICROS_PER_DAY

    def money(minor: float) -> str:
        return format_money(round(minor), cur)

    return {
        "window": f"{to_iso(outcome.start)[:10]} to {to_iso(outcome.end)[:10]} ({days:,.0f} days)",
        "outage": f"{len(outcome.outage_episodes)}",
        "outage_hours": f"{hours(outcome.outage_us):,.1f} h",
        "blocked_toll_free": f"{toll_free.calls if toll_free else 0:,}",
        "blocked_calls": f"{blocked.calls:,}",
        "blocked_charge": money(blocked.charge_minor),
        "forfeited": money(outcome.forfeited_minor),
        "mean_balance": money(outcome.mean_balance_minor),
        "recharges": f"{outcome.recharges:,} ({outcome.failed_recharges:,})",
        "emails": f"{sum(outcome.emails.values()):,}",
        "funded": money(outcome.funded_minor),
        "consumed": money(outcome.consumed_minor),
    }


def backtest_table(results: Sequence[tuple[str, Backtest]]) -> pd.DataFrame:
    """Policies side by side: one row per figure, one column per (label, backtest)."""
    columns = {label: backtest_figures(result) for label, result in results}
    table = pd.DataFrame(columns, index=list(BACKTEST_LABELS))
    return table.rename(index=BACKTEST_LABELS)


# -- the journal -------------------------------------------------------------------------


def journal_frame(entries: Sequence[JournalEntry], currency_code: str) -> pd.DataFrame:
    """The journal as a table (``credsim backtest --journal`` columns; money in major units)."""
    scale = currency(currency_code).minor_per_major
    return pd.DataFrame(
        {
            "time": [to_iso(entry.time) for entry in entries],
            "kind": [entry.kind.value for entry in entries],
            "amount": [entry.amount_minor / scale for entry in entries],
            "balance_after": [entry.balance_after_minor / scale for entry in entries],
            "lot": pd.array([entry.lot for entry in entries], dtype="Int64"),
            "ref": [entry.ref for entry in entries],
        },
        columns=list(COLUMNS),
    )


def journal_csv(entries: Sequence[JournalEntry], currency_code: str) -> str:
    """The journal as the CLI's ``--journal`` CSV, byte for byte (exact decimal money)."""
    handle = io.StringIO()
    write = journal_writer(handle, currency(currency_code))
    for entry in entries:
        write(entry)
    return handle.getvalue()


def forfeit_table(lots: pd.DataFrame, currency_code: str) -> pd.DataFrame:
    """The lots that expired with money left: which lot, bought how and when, expired when.

    ``lots`` is ``sim.study.trace.PathPicture.lots``. This answers "where did the forfeited
    money come from?" for the sample path in words a planner can check
    against a card statement; an empty frame means nothing was forfeited.
    """
    cur = currency(currency_code)
    lost = lots[lots["forfeited"] > 0]
    return pd.DataFrame(
        {
            "Lot": lost["lot"].astype(int).tolist(),
            "Bought as": lost["source"].str.replace("_", " ").tolist(),
            "Bought on": [f"{moment:%Y-%m-%d %H:%M}" for moment in lost["purchased"]],
            "Expired on": [f"{moment:%Y-%m-%d %H:%M}" for moment in lost["expires"]],
            "Bought": [show(value, "money", cur) for value in lost["amount"]],
            "Forfeited": [show(value, "money", cur) for value in lost["forfeited"]],
        }
    )
