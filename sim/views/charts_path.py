"""Figures of one replication: the balance over time with its events, and where lots went.

Why apart from ``sim.views.charts``: these draw a single plausible history (a
journal laid out by ``sim.study.trace``), not Monte Carlo summaries; they
take ``SamplePath`` and ``lots_frame`` tables and nothing else. Re-exported
by ``sim.views.charts``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from sim.account.format import hours as hours_text
from sim.account.format import money_major
from sim.account.money import currency as find_currency
from sim.views.chart_style import COLOURS, hover_money, money_axis, styled

if TYPE_CHECKING:
    from sim.study.trace import SamplePath

EVENT_STYLES = {
    # kind: (legend name, marker symbol, sign shown before the amount)
    "initial": ("initial purchase", "circle", "+"),
    "auto_recharge": ("auto-recharge", "triangle-up", "+"),
    "recharge_failed": ("recharge failed", "x", ""),
    "manual": ("manual top-up", "star", "+"),
    "scheduled": ("scheduled top-up", "square", "+"),
    "forfeit": ("forfeited at expiry", "triangle-down", "-"),
}
LOT_PARTS = (
    ("consumed", "consumed by calls"),
    ("repaid_deficit", "repaid a deficit"),
    ("forfeited", "forfeited at expiry"),
    ("remaining", "left at the end"),
)
TIME_FORMAT = "%Y-%m-%d %H:%M"


def sample_path_chart(
    path: SamplePath,
    *,
    currency: str,
    trigger: float | None = None,
    title: str = "One replication: the balance and what moved it",
) -> go.Figure:
    """The settled balance as a step line, outages shaded, fundings and forfeits marked.

    One trace per kind of event that occurred (``EVENT_STYLES``), with the
    amount in the hover; one shaded band per outage, plus an ``outages``
    trace whose hover gives each outage's length and blocked calls.
    """
    figure = go.Figure(
        go.Scatter(
            x=path.steps["time"],
            y=path.steps["balance"],
            mode="lines",
            line_shape="hv",
            name="balance",
            line={"color": COLOURS["balance"], "width": 1.5},
            hovertemplate=f"%{{x}}<br>balance {hover_money('y', currency)}<extra></extra>",
        )
    )
    for kind, (name, symbol, sign) in EVENT_STYLES.items():
        events = path.events[path.events["kind"] == kind]
        if not events.empty:
            figure.add_trace(_event_trace(events, name, symbol, sign, COLOURS[kind], currency))
    _shade_outages(figure, path.outages)
    figure.add_hline(y=0, line={"color": COLOURS["zero"], "dash": "dot"})
    if trigger is not None:
        figure.add_hline(
            y=trigger, line={"color": COLOURS["trigger"], "dash": "dash"}, annotation_text="trigger"
        )
    styled(figure, title=title, x_title="local time", y_title=f"balance ({currency})", height=460)
    money_axis(figure, currency)
    return figure


def _event_trace(
    events: pd.DataFrame, name: str, symbol: str, sign: str, colour: str, currency: str
) -> go.Scatter:
    cur = find_currency(currency)
    text = [
        f"{name} {sign}{money_major(amount, cur)}<br>{time:{TIME_FORMAT}}"
        f"<br>balance after {money_major(balance, cur)}"
        for time, amount, balance in zip(
            events["time"], events["amount"], events["balance"], strict=True
        )
    ]
    return go.Scatter(
        x=events["time"],
        y=events["balance"],
        mode="markers",
        name=name,
        text=text,
        hovertemplate="%{text}<extra></extra>",
        marker={"symbol": symbol, "size": 10, "color": colour, "line": {"width": 1}},
    )


def _shade_outages(figure: go.Figure, outages: pd.DataFrame) -> None:
    """A red band per outage, and one hoverable marker per outage at its start."""
    for start, end in zip(outages["start"], outages["end"], strict=True):
        figure.add_vrect(x0=start, x1=end, fillcolor=COLOURS["outage"], line_width=0, layer="below")
    if outages.empty:
        return
    text = [
        f"outage {start:{TIME_FORMAT}} to {end:{TIME_FORMAT}}<br>{hours_text(hours)}, "
        f"{blocked:,} calls blocked"
        for start, end, hours, blocked in zip(
            outages["start"],
            outages["end"],
            outages["hours"],
            outages["blocked_calls"],
            strict=True,
        )
    ]
    figure.add_trace(
        go.Scatter(
            x=outages["start"],
            y=[0.0] * len(outages),
            mode="markers",
            name="outages",
            text=text,
            hovertemplate="%{text}<extra></extra>",
            marker={"symbol": "line-ns-open", "size": 16, "color": COLOURS["recharge_failed"]},
        )
    )


def forfeiture_sources(
    lots: pd.DataFrame,
    *,
    currency: str,
    title: str = "Where each lot's money went",
) -> go.Figure:
    """One stacked bar per lot: consumed, repaid deficit, forfeited, left at the end.

    ``lots`` is ``sim.study.trace.lots_frame``: ``lot, source, purchased``
    and the parts in major units. The forfeited (orange) segments are the
    money the policy lost, each on the lot it was bought in.
    """
    names = [str(lot) for lot in lots["lot"]]
    bought = [f"{time:{TIME_FORMAT}}" for time in lots["purchased"]]
    figure = go.Figure()
    for column, label in LOT_PARTS:
        figure.add_trace(
            go.Bar(
                x=names,
                y=lots[column],
                name=label,
                marker_color=COLOURS[column],
                customdata=list(zip(lots["source"], bought, strict=True)),
                hovertemplate=f"lot %{{x}} (%{{customdata[0]}}, bought %{{customdata[1]}})"
                f"<br>{label} {hover_money('y', currency)}<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    styled(figure, title=title, x_title="lot, in order of purchase", y_title=f"money ({currency})")
    money_axis(figure, currency)
    return figure
