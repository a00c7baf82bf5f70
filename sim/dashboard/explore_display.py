"""The dashboard's words and tables: KPI cards, backtest figures, the journal as a table.

Why in ``sim`` and not in the app: how a figure is rounded, which unit it
carries and what "better" means for its change are part of what the numbers
say, so they are decided once (``sim.study.kpis``, tested) rather than in
widget code, where a formula would be a bug in the wrong room. Everything
returns plain strings and frames that any front end can show.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.account.clock import MICROS_PER_DAY, to_iso
from sim.account.format import money_major
from sim.account.ledger import JournalEntry
from sim.account.money import Currency, currency
from sim.calls.journal_csv import COLUMNS, journal_writer
from sim.dashboard.explore import CARDS
from sim.study.backtest import Backtest
from sim.study.kpis import TOLL_FREE_BLOCKED, Kpi, Replications, kpi, outcome_rows, select
from sim.study.stats import Estimate
from sim.world.service_names import words


@dataclass(frozen=True)
class KpiCard:
    """One KPI as a card shows it: label, value, its 95 % CI, and the change from a baseline."""

    name: str
    label: str
    value: str
    interval: str
    delta: str | None
    """Signed change from the baseline policy (``+1.5 pp``, ``-$12.00``); None when unchanged."""
    lower_is_better: bool | None = True
    """Whether a fall is good news (None: neither), for the delta's colour."""
    meaning: str = ""
    """What the figure is, in one sentence (``Kpi.meaning``), for the card's tooltip."""

    @property
    def help(self) -> str:
        """The tooltip: the value with its interval, then what the figure means."""
        shown = f"{self.label}: {self.value}, {self.interval}."
        return f"{shown} {self.meaning}" if self.meaning else shown


def kpi_cards(
    figures: Mapping[str, Estimate],
    currency_code: str,
    baseline: Mapping[str, Estimate] | None = None,
) -> list[KpiCard]:
    """The policy view's cards, in ``CARDS`` order, with deltas from ``baseline``.

    A KPI a Wilson or t interval cannot bound (one replication) says so
    instead of showing a made-up interval; label, unit, rounding and the
    interval's floor are the KPI table's (``sim.study.kpis``).
    """
    cur = currency(currency_code)
    cards = []
    for card in CARDS:
        est = figures[card.name]
        if est.ci_low is None or est.ci_high is None:
            interval = "no 95 % CI with one replication"
        else:
            interval = f"95 % CI {card.interval_text(est, cur)}"
        delta = None
        if baseline is not None:
            delta = card.change_text(est.estimate - baseline[card.name].estimate, cur)
        value = card.text(est.estimate, cur)
        cards.append(
            KpiCard(
                card.name, card.label, value, interval, delta, card.lower_is_better, card.meaning
            )
        )
    return cards


# -- backtests ---------------------------------------------------------------------------


WINDOW = ("window", "Window replayed")
BACKTEST_FIGURES = select(
    ("outage_episodes", "outage_hours", TOLL_FREE_BLOCKED, "blocked_calls", "blocked_charge",
     "forfeited", "mean_balance", "recharges", "emails", "funded", "consumed")
)  # fmt: skip
"""The backtest's figures: the policy view's KPIs as one recorded path has them (totals)."""
RECHARGES = f"{kpi('recharges').label} (failed)"


def backtest_figures(result: Backtest) -> dict[str, str]:
    """One backtest's figures over its window, by name (totals: the window is what was recorded).

    Counts of one path are whole, so they are shown without decimals.
    """
    outcome = result.outcome
    cur = outcome.currency
    days = (outcome.end - outcome.start) / MICROS_PER_DAY
    one = Replications(outcome_rows([outcome]))
    window = f"{to_iso(outcome.start)[:10]} to {to_iso(outcome.end)[:10]} ({days:,.0f} days)"
    shown = {WINDOW[0]: window}
    for figure in BACKTEST_FIGURES:
        shown[figure.name] = _total(figure, one, cur)
    shown["recharges"] += f" ({_total(kpi('failed_recharges'), one, cur)})"
    return shown


def _total(figure: Kpi, one: Replications, cur: Currency) -> str:
    digits = 0 if figure.unit == "count" else None
    return figure.text(figure.estimate(one).estimate, cur, digits=digits)


def backtest_table(results: Sequence[tuple[str, Backtest]]) -> pd.DataFrame:
    """Policies side by side: one row per figure, one column per (label, backtest)."""
    columns = {label: backtest_figures(result) for label, result in results}
    names = [WINDOW[0], *(figure.name for figure in BACKTEST_FIGURES)]
    labels = [WINDOW[1], *(figure.label for figure in BACKTEST_FIGURES)]
    labels[names.index("recharges")] = RECHARGES
    return pd.DataFrame(columns, index=names).set_axis(labels)


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


def journal_csv(entries: Iterable[JournalEntry], currency_code: str) -> str:
    """The journal as the CLI's ``--journal`` CSV, byte for byte (exact decimal money);
    ``entries`` may be a ``PackedJournal`` (each entry built from its row as it is written)."""
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
            "Bought as": [words(source) for source in lost["source"]],
            "Bought on": [f"{moment:%Y-%m-%d %H:%M}" for moment in lost["purchased"]],
            "Expired on": [f"{moment:%Y-%m-%d %H:%M}" for moment in lost["expires"]],
            "Bought": [money_major(value, cur) for value in lost["amount"]],
            "Forfeited": [money_major(value, cur) for value in lost["forfeited"]],
        }
    )
