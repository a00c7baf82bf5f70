"""The tornado chart: how far one figure of the recommended policy moves with each input.

Why a tornado: a planner asks "which of my guesses matters?"; one bar per
uncertain input, from the figure with the scenario as it is to the figure at
the input's low and at its high, sorted with the widest swing on top, answers
it at a glance. The rows are ``sim.study.sensitivity_result.Sensitivity.tornado``'s
(``input``, ``base``, ``low``, ``high`` in words; ``<kpi>.base``, ``.low``,
``.high``); the figure's label and unit are the KPI table's.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from sim.account.money import currency as find_currency
from sim.study.kpis import kpi
from sim.views.chart_style import COLOURS, money_axis, percent_axis, styled

Shown = Literal["cost", "risk"]
KPI_OF: dict[Shown, str] = {"cost": "cost_per_year", "risk": "outage_risk_per_year"}
"""The KPI each chart shows (``sim.study.kpis``)."""
SIDE_COLOURS = {"low": COLOURS["documented_example"], "high": COLOURS["recommended"]}
ROW_HEIGHT = 46
RISK_AXIS_MIN = 0.01
"""The least right end of a risk axis (1 %): bars of no change draw on a readable axis."""


def tornado(rows: pd.DataFrame, shown: Shown, *, currency: str, policy: str) -> go.Figure:
    """Horizontal bars from the base figure to the figure at each input's low and high.

    Sorted by the swing of ``shown`` (widest on top); the base is a dashed
    line; hovering a bar names the setting and the change.
    """
    figure_kpi = kpi(KPI_OF[shown])
    cur = find_currency(currency)
    ordered = rows.sort_values(f"{shown}_swing", ascending=False, kind="stable")
    base = float(ordered[f"{shown}.base"].iloc[0]) if len(ordered) else 0.0

    def signed(change: float) -> str:
        return ("+" if change >= 0 else "-") + figure_kpi.text(abs(change), cur)

    figure = go.Figure()
    for side in ("low", "high"):
        values = [float(value) for value in ordered[f"{shown}.{side}"]]
        words = [
            [setting, figure_kpi.text(value, cur), signed(value - base)]
            for setting, value in zip(ordered[side], values, strict=True)
        ]
        figure.add_trace(
            go.Bar(
                y=list(ordered["input"]),
                x=[value - base for value in values],
                base=base,
                orientation="h",
                name=f"the input at its {side}",
                marker={"color": SIDE_COLOURS[side]},
                customdata=words,
                hovertemplate=f"%{{y}} at %{{customdata[0]}}<br>{figure_kpi.label}: "
                f"%{{customdata[1]}} (%{{customdata[2]}}; the scenario as it is: "
                f"{figure_kpi.text(base, cur)})<extra></extra>",
            )
        )
    figure.add_vline(x=base, line={"color": "gray", "dash": "dash"})
    figure.update_layout(barmode="overlay", legend={"orientation": "h", "y": -0.2})
    figure.update_yaxes(autorange="reversed")
    if figure_kpi.unit == "money":
        money_axis(figure, currency, axis="x")
    else:
        percent_axis(figure, axis="x")
        drawn = [base, *ordered["risk.low"], *ordered["risk.high"]]
        figure.update_xaxes(range=[0, max(RISK_AXIS_MIN, *drawn) * 1.05])  # never below 0
    return styled(
        figure,
        title=f"{figure_kpi.label} of {policy}: each input at its low and high",
        x_title=f"{figure_kpi.label} (dashed: the scenario as it is)",
        height=160 + ROW_HEIGHT * max(len(ordered), 1),
    )
