"""The report's Sensitivity section, as plain pieces: the words, the tornados, the two tables.

Why a module of its own: ``sim.views.report_render`` lays out every section
alike (a heading, an intro, figures); this one also has tables and the
robust choice in words, built here from a finished
``sim.study.sensitivity_result.Sensitivity`` so that the dashboard shows the
same rows and sentences as the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from sim.account import format as fmt
from sim.account.money import currency as find_currency
from sim.study.kpis import kpi
from sim.study.sensitivity_result import BASE, Sensitivity
from sim.views.charts_sensitivity import tornado

FIGURE_IDS = ("fig-tornado-cost", "fig-tornado-risk")
RISK, COST = kpi("outage_risk_per_year"), kpi("cost_per_year")


@dataclass(frozen=True)
class Table:
    """A table as text: its header and its rows (every cell a string)."""

    head: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def intro(result: Sensitivity) -> str:
    """Why the section is there, and what was run."""
    return (
        "How the recommended policy's outage risk and expected cost a year move when each "
        "uncertain input of the scenario is set to a low and a high value (one at a time, the "
        f"others as in the scenario): {len(result.candidates)} policies in "
        f"{1 + len(result.settings())} settings, {result.replications} replications each, seed "
        f"{result.seed} (the sweep's: every setting sees the same dice)."
    )


def lines(result: Sensitivity) -> list[str]:
    """The robust choice beside the point optimum, then the recommended policy as it is."""
    cur = find_currency(result.currency)
    base = result.figures[BASE][result.recommended]
    lines = [result.robust_text()]
    lines.append(
        f"{result.recommended} with the scenario as it is: outage risk "
        f"{RISK.text(base.risk.estimate, cur)} a year (upper {RISK.text(base.risk_upper, cur)}), "
        f"expected cost {COST.text(base.cost.estimate, cur)} a year."
    )
    for setting in result.robust.unresolved:
        lines.append(
            f"With {result.setting_words(setting)} no candidate keeps the outage risk within "
            f"{fmt.percent(result.limit)} a year; that setting is left out of the regrets."
        )
    return lines


def figures(result: Sensitivity) -> list[tuple[str, str, go.Figure]]:
    """The two tornados as (id, caption, figure)."""
    rows = result.tornado()
    if rows.empty:
        return []
    rec = result.recommended
    return [
        ("fig-tornado-cost", "Expected cost a year: from the scenario as it is (dashed) to "
         "each input at its low and high, widest swing on top.",
         tornado(rows, "cost", currency=result.currency, policy=rec)),
        ("fig-tornado-risk", _risk_caption(result, rows),
         tornado(rows, "risk", currency=result.currency, policy=rec)),
    ]  # fmt: skip


def _risk_caption(result: Sensitivity, rows: pd.DataFrame) -> str:
    """The risk tornado's caption; it says so when no input moves the risk at all."""
    values = {*rows["risk.base"], *rows["risk.low"], *rows["risk.high"]}
    if len(values) == 1:
        (value,) = values
        cur = find_currency(result.currency)
        return f"Outage risk a year: {RISK.text(value, cur)} in every setting (estimates)."
    return (
        "Outage risk a year, the same way (estimates; the robust choice uses the 95 % upper bound)."
    )


def inputs_table(result: Sensitivity) -> Table:
    """Input, its low and high, and the recommended policy's risk and cost at each."""
    cur = find_currency(result.currency)
    rows = []
    for row in result.tornado().to_dict("records"):
        rows.append((
            str(row["input"]), str(row["base"]), str(row["low"]), str(row["high"]),
            RISK.text(row["risk.low"], cur), RISK.text(row["risk.high"], cur),
            COST.text(row["cost.low"], cur), COST.text(row["cost.high"], cur),
        ))  # fmt: skip
    head = ("input", "in the scenario", "low", "high", "outage risk a year at low",
            "outage risk a year at high", "expected cost a year at low",
            "expected cost a year at high")  # fmt: skip
    return Table(head, rows)


def regret_table(result: Sensitivity) -> Table:
    """Each candidate: its roles, its cost as it is, its worst-case regret and where."""
    cur = find_currency(result.currency)
    robust = result.robust
    rows = []
    for candidate in result.candidates:
        label = candidate.label
        broken = robust.broken(label)
        regret, where = robust.worst(label)
        if broken:
            worst = f"breaks the limit in {len(broken)} setting{'s' if len(broken) > 1 else ''}"
            where_words = "; ".join(result.setting_words(setting) for setting in broken)
        else:
            worst = fmt.money_major(regret, cur)
            where_words = "" if where is None else result.setting_words(where)
        mark = " (robust choice)" if robust.ranked and label == robust.choice else ""
        rows.append((
            f"{label}{mark}", ", ".join(candidate.roles),
            COST.text(result.figures[BASE][label].cost.estimate, cur), worst, where_words,
        ))  # fmt: skip
    head = ("policy", "why it is tried", "expected cost a year as it is",
            "worst-case regret a year", "where")  # fmt: skip
    return Table(head, rows)


def notes(result: Sensitivity) -> list[str]:
    """The ranges assumed, and each variation left out with why."""
    return [
        "Ranges assumed: " + "; ".join(result.assumptions()) + ".",
        "Regret in a setting: a policy's expected cost a year minus the least among the "
        "policies tried whose outage risk stays within the limit there (95 % upper bound); a "
        "policy beyond the limit is not priced but marked as breaking it. The robust choice "
        "has the least worst-case regret.",
        *(f"Left out: {note}" for note in result.notes()),
    ]
