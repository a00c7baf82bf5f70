"""Figures of a scenario's demand: spend by month and service, calls by hour, pool use.

Why: before trusting a recommendation a planner checks that the scenario
says what they meant. These draw ``sim.world.demand_summary.DemandSummary`` (one
replication's calls, minutes and charge per month) and
``hour_weekday_counts`` tables; they compute nothing. Re-exported by
``sim.views.charts``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.views.chart_style import count_colorbar, hover_money, money_axis, styled
from sim.world.service_names import words

if TYPE_CHECKING:
    from sim.world.demand_summary import DemandSummary


def spend_by_month(
    demand: DemandSummary, *, title: str = "What the calls cost, by month and service"
) -> go.Figure:
    """Stacked bars of each month's charge (major units), one colour per service.

    Services whose calls cost nothing over the whole horizon (inside a pool,
    or free under Audio Conferencing) are left out: they would be empty bars.
    """
    code = demand.currency.code
    charge = demand.charge_minor / demand.currency.minor_per_major
    figure = go.Figure()
    for col, name in enumerate(demand.services):
        service = words(name)
        if not demand.charge_minor[:, col].any():
            continue
        figure.add_trace(
            go.Bar(
                x=list(demand.months),
                y=charge[:, col],
                name=service,
                customdata=demand.calls[:, col],
                hovertemplate=f"{service} %{{x}}<br>{hover_money('y', code)}, "
                "%{customdata:,} calls<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    styled(figure, title=title, x_title="month", y_title=f"charge ({code})")
    money_axis(figure, code)
    return figure


def calls_by_hour_weekday(
    counts: pd.DataFrame, *, timezone: str, title: str = "When calls start"
) -> go.Figure:
    """Heatmap of calls by weekday (rows) and local hour of day (columns).

    ``counts`` is ``sim.world.demand_summary.hour_weekday_counts``: weekdays as
    the index, hours 0..23 as columns.
    """
    figure = go.Figure(
        go.Heatmap(
            z=counts.to_numpy(),
            x=[f"{hour:02d}:00" for hour in counts.columns],
            y=list(counts.index),
            colorscale="Blues",
            name="calls",
            hovertemplate="%{y} %{x}: %{z:,} calls<extra></extra>",
            colorbar=count_colorbar(),
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category")
    return styled(
        figure, title=title, x_title=f"hour of day ({timezone})", y_title="weekday", height=360
    )


def pool_use(
    demand: DemandSummary, *, title: str = "Pooled minutes: used against the allotment"
) -> go.Figure:
    """One panel per pool: minutes used from it and minutes beyond it, with its allotment.

    Each pool has its own scale (a domestic plan's allotment can be fifty
    times an Audio Conferencing pool's). Without pools the figure says so.
    """
    if not demand.pools:
        figure = go.Figure()
        figure.add_annotation(
            text="No minute pools in this scenario",
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
        figure = styled(figure, title=title, height=200)
        figure.update_xaxes(visible=False)  # a note, not an empty plot with ticks
        figure.update_yaxes(visible=False)
        return figure
    figure = make_subplots(
        rows=len(demand.pools),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[f"{words(pool)} pool" for pool in demand.pools],
        vertical_spacing=0.12,
    )
    months = list(demand.months)
    for col, pool in enumerate(demand.pools):
        first = col == 0
        for values, label, colour in (
            (demand.pool_used_min[:, col], "used from the pool", "#1f77b4"),
            (demand.pool_overflow_min[:, col], "billed beyond it", "#ff7f0e"),
        ):
            figure.add_trace(
                go.Bar(
                    x=months,
                    y=values,
                    name=label,
                    marker_color=colour,
                    legendgroup=label,
                    showlegend=first,
                    hovertemplate=f"{pool} %{{x}}<br>{label}: %{{y:,.0f}} min<extra></extra>",
                ),
                row=col + 1,
                col=1,
            )
        allotment = demand.pool_allotment_min[:, col]
        figure.add_trace(
            go.Scatter(
                x=months,
                y=allotment,
                mode="lines",
                name="allotment",
                legendgroup="allotment",
                showlegend=first,
                line={"color": "black", "dash": "dash"},
                hovertemplate=f"{pool} allotment %{{y:,.0f}} min<extra></extra>",
            ),
            row=col + 1,
            col=1,
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text="minutes")
    return styled(figure, title=title, height=220 + 200 * len(demand.pools))
