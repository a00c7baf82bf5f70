"""The look shared by every figure of ``sim.views.charts``: layout, colours, money and percent axes.

Why one place: the report, the dashboard and the notebooks put many figures
side by side; the same title placement, template, colours for the same
things (a recharge is always green, a forfeit always orange) and the same
number formats (money with the currency's symbol and minor digits,
probabilities as percent) make them read as one document. Nothing here knows
what a figure shows; the units are those of ``sim.study.kpis``, and text
outside plotly's own templates is written by ``sim.account.format``.
"""

from __future__ import annotations

from typing import Literal

import plotly.graph_objects as go
from babel.numbers import get_currency_symbol

from sim.account.money import currency as find_currency

Axis = Literal["x", "y"]

HEIGHT = 420
TEMPLATE = "plotly_white"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
COLOURS = {
    "balance": "#1f77b4",
    "zero": "firebrick",
    "trigger": "gray",
    "initial": "#1f77b4",
    "auto_recharge": "#2ca02c",
    "recharge_failed": "#d62728",
    "manual": "#9467bd",
    "scheduled": "#8c564b",
    "forfeit": "#ff7f0e",
    "outage": "rgba(214, 39, 40, 0.15)",
    "consumed": "#1f77b4",
    "repaid_deficit": "#9467bd",
    "forfeited": "#ff7f0e",
    "remaining": "#c7c7c7",
    "frontier": "#2ca02c",
    "recommended": "#d62728",
    "documented_example": "#1f77b4",
    "rule_of_thumb": "#9467bd",
    "policies": "rgba(127, 127, 127, 0.6)",
}


RISK_COLOURS = {
    "none": "#f7fcf5",
    "at_limit": "#c7e9c0",
    "past_limit": "#fdae6b",
    "certain": "#a50f15",
}
"""The risk heatmap's scale: pale green within the risk limit, orange to dark red past it."""


def risk_colours(limit: float) -> list[tuple[float, str]]:
    """A 0-to-1 colour scale that is pale green up to ``limit`` and red beyond it.

    Within the limit the colour only lightly deepens (acceptable); just past
    it the scale jumps to orange and darkens to red at certainty.
    """
    edge = min(max(limit, 0.0), 1.0)
    past = min(edge + 1e-9, 1.0)
    return [
        (0.0, RISK_COLOURS["none"]),
        (edge, RISK_COLOURS["at_limit"]),
        (past, RISK_COLOURS["past_limit"]),
        (1.0, RISK_COLOURS["certain"]),
    ]


def styled(
    figure: go.Figure,
    *,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = HEIGHT,
) -> go.Figure:
    """The shared layout: template, font, left-aligned title, margins, height, and numbers
    with thousands separators on every axis."""
    figure.update_layout(
        template=TEMPLATE,
        font=FONT,
        title={"text": title, "x": 0.01, "xanchor": "left"},
        height=height,
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
        hoverlabel={"align": "left"},
    )
    # 12,000 rather than 12k or 1.2e4 on every numeric axis (money axes add their symbol).
    figure.update_xaxes(exponentformat="none", separatethousands=True)
    figure.update_yaxes(exponentformat="none", separatethousands=True)
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    return figure


def currency_symbol(code: str) -> str:
    """``$``, ``€``, ``¥``; a code such as ``CHF`` gets a space before the number."""
    symbol = get_currency_symbol(code, locale="en_US")
    return f"{symbol} " if symbol.isalpha() else symbol


def money_axis(figure: go.Figure, code: str, axis: Axis = "y", **selector: object) -> None:
    """Ticks with the currency symbol and thousands separators (``$1,400``, ``$12.5``).

    ``,.2~f``: d3 needs a precision before ``~``; ``,.~f`` is no format, and
    plotly then drew ``$1400``.
    """
    update = figure.update_yaxes if axis == "y" else figure.update_xaxes
    update(tickprefix=currency_symbol(code), tickformat=",.2~f", **selector)


def percent_axis(figure: go.Figure, axis: Axis = "y", **selector: object) -> None:
    """Fractions shown as percent (0.012 -> 1.2%, 0.0005 -> 0.05%)."""
    update = figure.update_yaxes if axis == "y" else figure.update_xaxes
    update(tickformat=".2~%", **selector)


def count_colorbar() -> dict[str, object]:
    """A colour bar of counts with thousands separators (``12,000``, not ``12k``)."""
    return {"tickformat": ",~f"}


def hover_money(field: str, code: str | None = None) -> str:
    """A hovertemplate placeholder for money ``field`` (``x``, ``y``, ``z``) in currency ``code``.

    Only for whole minor units (a balance, a lot, a month's spend), which d3 shows exactly; an
    estimate (a mean) goes through its ``Kpi.text`` instead, since d3 rounds a tie up where
    the cards round it to even."""
    digits = find_currency(code or "USD").digits
    return f"{currency_symbol(code or 'USD')}%{{{field}:,.{digits}f}}"
