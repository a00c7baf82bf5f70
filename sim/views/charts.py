"""Plotly figure builders, shared by the notebooks, the report and the dashboard.

Figures only: each function takes plain tables (pandas) or records computed
elsewhere in ``sim`` and returns a ``plotly.graph_objects.Figure``. No model
logic and no statistics live here, so every view of a number shows the same
number. The look (template, colours, money and percent axes) comes from
``sim.views.chart_style``; the demand figures live in ``sim.views.charts_demand`` and the
one-replication figures in ``sim.views.charts_path``, re-exported here so that
``from sim import charts`` gives every builder.

Tables from a sweep (``grid_heatmap``, ``pareto_chart``) have the columns
of ``sim.study.sweep_summary.summary_table``: ``label``, ``trigger``, ``amount``,
``in_grid``, each figure ``<name>`` with ``<name>.ci_low`` and ``<name>.ci_high``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.account.format import percent
from sim.account.money import currency as find_currency
from sim.study.kpis import Kpi, Unit, gathered, kpi
from sim.views.chart_style import (
    COLOURS,
    RISK_COLOURS,
    currency_symbol,
    money_axis,
    percent_axis,
    risk_colours,
    styled,
)
from sim.views.charts_demand import calls_by_hour_weekday, pool_use, spend_by_month
from sim.views.charts_path import forfeiture_sources, sample_path_chart

__all__ = [
    "RISK_COLOURS",
    "balance_fan",
    "calls_by_hour_weekday",
    "forfeiture_sources",
    "grid_heatmap",
    "pareto_chart",
    "policy_comparison",
    "policy_table",
    "pool_use",
    "sample_path_chart",
    "spend_by_month",
]

BAND_COLOUR = "rgba(31, 119, 180, {alpha})"
RISK = "outage_risk_per_year"
COST = "cost_per_year"


def balance_fan(
    bands: pd.DataFrame,
    *,
    currency: str,
    trigger: float | None = None,
    start: datetime | None = None,
    title: str = "End-of-day balance across replications",
) -> go.Figure:
    """Percentile bands of the daily balance, with the trigger and zero lines.

    ``bands`` has ``day`` and ``p5 p25 p50 p75 p95`` columns (``sim.study.stats.balance_bands``).
    With ``start`` (the run's start) the x axis is the date each day ends on, as the sample
    path's is; without it, the day number.
    """
    x = bands["day"] if start is None else _day_ends(start, bands["day"])
    figure = go.Figure()
    for low, high, alpha in (("p5", "p95", 0.15), ("p25", "p75", 0.3)):
        figure.add_trace(go.Scatter(x=x, y=bands[high], line={"width": 0},
                                    showlegend=False, hoverinfo="skip"))  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=x,
                y=bands[low],
                fill="tonexty",
                fillcolor=BAND_COLOUR.format(alpha=alpha),
                line={"width": 0},
                name=f"{low}-{high}",
            )
        )
    figure.add_trace(go.Scatter(x=x, y=bands["p50"], name="median",
                                line={"color": BAND_COLOUR.format(alpha=1)}))  # fmt: skip
    # "zero" under its line, "trigger" above its own: a low trigger's label sat on zero's
    figure.add_hline(y=0, line={"color": COLOURS["zero"], "dash": "dot"}, annotation_text="zero",
                     annotation_position="bottom right")  # fmt: skip
    if trigger is not None:
        figure.add_hline(y=trigger, line={"color": COLOURS["trigger"], "dash": "dash"},
                         annotation_text="trigger", annotation_position="top right")  # fmt: skip
    x_title = "day" if start is None else "date (end of day)"
    styled(figure, title=title, x_title=x_title, y_title=f"balance ({currency})")
    money_axis(figure, currency)
    return figure


def _day_ends(start: datetime, days: pd.Series) -> pd.DatetimeIndex:
    """Day ``k`` of a run (1, 2, ...) as the moment it ends: ``start`` + k days."""
    return pd.Timestamp(start) + pd.to_timedelta(days.to_numpy(), unit="D")


def policy_comparison(
    rows: pd.DataFrame,
    metrics: Sequence[str],
    *,
    title: str = "Policies compared (mean and 95 % CI)",
) -> go.Figure:
    """One bar group per metric, one bar per policy, with CI whiskers.

    ``rows`` has a ``policy`` column and, per metric, ``<metric>``,
    ``<metric>.ci_low`` and ``<metric>.ci_high`` columns.
    """
    figure = go.Figure()
    for _, row in rows.iterrows():
        means = [row[metric] for metric in metrics]
        figure.add_trace(
            go.Bar(
                name=str(row["policy"]),
                x=list(metrics),
                y=means,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [row[f"{m}.ci_high"] - row[m] for m in metrics],
                    "arrayminus": [row[m] - row[f"{m}.ci_low"] for m in metrics],
                },
            )
        )
    figure.update_layout(barmode="group")
    return styled(figure, title=title)


def policy_table(
    rows: pd.DataFrame,
    metrics: Sequence[Kpi],
    *,
    currency: str,
    title: str = "Policies side by side (mean and 95 % CI)",
) -> go.Figure:
    """A table with one column per policy (meant for up to three) and one row per KPI.

    ``rows`` is shaped as for ``policy_comparison``; each cell reads
    ``mean (low to high)`` as the KPI table formats it (``Kpi.estimate_text``).
    """
    cur = find_currency(currency)
    columns: list[list[str]] = [[kpi.label for kpi in metrics]]
    for _, row in rows.iterrows():
        columns.append([kpi.estimate_text(gathered(row, kpi.name), cur) for kpi in metrics])
    figure = go.Figure(
        go.Table(
            header={
                "values": ["", *[str(p) for p in rows["policy"]]],
                "align": "left",
                "fill_color": "#e8eef6",
                "font": {"size": 13},
            },
            cells={"values": columns, "align": "left", "height": 28},
        )
    )
    return styled(figure, title=title, height=120 + 30 * len(metrics))


def grid_heatmap(
    rows: pd.DataFrame,
    metric: str,
    *,
    title: str,
    unit: Unit,
    currency: str | None = None,
    recommended: str | None = None,
    limit: float | None = None,
) -> go.Figure:
    """A trigger x amount heatmap of ``metric``, one cell per grid policy.

    ``rows`` holds one row per (trigger, amount) (a sweep's grid at one
    initial balance); triggers run up the y axis and amounts along x, both in
    increasing order and evenly spaced whatever their values. ``recommended``
    (a label) outlines that policy's cell. A probability with a ``limit``
    (the risk limit) is coloured on a fixed 0 to 100 % scale that turns from
    pale to red at the limit (``risk_colours``), so one outage in 200 runs is
    pale, not the darkest red of a scale stretched to the grid's maximum.
    """
    table, triggers, amounts = _pivot(rows, metric)
    z = table.to_numpy(dtype=float)
    cur, shown = find_currency(currency or "USD"), _figure(metric, title, unit)
    anchored = unit == "probability" and limit is not None
    figure = go.Figure(
        go.Heatmap(
            z=z,
            **({"zmin": 0.0, "zmax": 1.0} if anchored else _colour_range(z)),
            x=amounts,
            y=triggers,
            colorscale=risk_colours(limit)
            if anchored and limit is not None
            else "Reds"
            if unit == "probability"
            else "Blues",
            # the cells' text is the figure's own (``Kpi.text``), as on the cards and in the
            # CLI: plotly's d3 format rounds a tie up (0.0625 -> 6.3%) where Python gives 6.2
            text=[[shown.text(value, cur) for value in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="trigger %{y}, amount %{x}<br>%{text}<extra></extra>",
            colorbar=_colorbar(unit, currency, limit),
            name=metric,
        )
    )
    if recommended is not None:
        chosen = _labelled(rows, recommended)
        figure.add_trace(
            go.Scatter(
                x=[_axis_label(chosen["amount"])],
                y=[_axis_label(chosen["trigger"])],
                mode="markers",
                name="recommended",
                hoverinfo="name",
                marker={
                    "symbol": "square-open",
                    "size": 34,
                    "color": COLOURS["recommended"],
                    "line": {"width": 3},
                },
            )
        )
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category")
    code = f" ({currency})" if currency else ""
    return styled(figure, title=title, x_title=f"recharge amount{code}", y_title=f"trigger{code}")


def _pivot(rows: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    """z (triggers x amounts, ascending), and the axis labels as the values were written."""
    keyed = rows.assign(_t=pd.to_numeric(rows["trigger"]), _a=pd.to_numeric(rows["amount"]))
    if keyed.duplicated(["_t", "_a"]).any():
        raise ValueError("grid_heatmap needs one row per (trigger, amount): filter one initial")
    table = keyed.pivot(index="_t", columns="_a", values=metric).sort_index().sort_index(axis=1)
    names_t = dict(zip(keyed["_t"], keyed["trigger"], strict=True))
    names_a = dict(zip(keyed["_a"], keyed["amount"], strict=True))
    triggers = [_axis_label(names_t[value]) for value in table.index]
    amounts = [_axis_label(names_a[value]) for value in table.columns]
    return table, triggers, amounts


def _figure(metric: str, title: str, unit: Unit) -> Kpi:
    """The figure a heatmap's cells show: ``metric``'s own (``sim.study.kpis``: its digits),
    else one of that ``unit``."""
    try:
        return kpi(metric)
    except KeyError:
        return Kpi(metric, title, unit)


def _axis_label(value: object) -> str:
    """``1500`` -> ``1,500`` (a number as written, with thousands separators)."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return f"{number.normalize():,f}"


def _colour_range(z: np.ndarray) -> dict[str, float]:
    """From 0 (or below, for negatives) to the largest value; a flat grid stays pale.

    Autoscaling a grid of equal values (no forfeits anywhere) would paint it
    mid-scale with ticks below zero.
    """
    finite = z[np.isfinite(z)]
    if not finite.size:
        return {}
    low = min(0.0, float(finite.min()))
    high = float(finite.max())
    return {"zmin": low, "zmax": high if high > low else low + 1.0}


def _colorbar(unit: Unit, currency: str | None, limit: float | None = None) -> dict[str, object]:
    if unit == "probability" and limit is not None:
        ticks = [limit, *(value for value in (0.25, 0.5, 0.75, 1.0) if value > limit + 0.05)]
        text = [f"limit {percent(limit)}", *(percent(value, 0) for value in ticks[1:])]
        return {"tickvals": ticks, "ticktext": text}  # no 0 %: it would overlap the limit
    if unit == "probability":
        return {"tickformat": ".2~%"}
    if unit == "money" and currency:
        return {"tickprefix": currency_symbol(currency), "tickformat": ",.2~f"}
    return {}


def _labelled(rows: pd.DataFrame, label: str) -> pd.Series:
    match = rows[rows["label"] == label]
    if match.empty:
        raise ValueError(f"label(={label!r}) is not among the rows")
    return match.iloc[0]


def pareto_chart(
    rows: pd.DataFrame,
    *,
    frontier: Sequence[str],
    recommended: str,
    documented_example: str,
    rule_of_thumb: str,
    currency: str,
    limit: float | None = None,
    title: str = "Outage risk against expected cost, per year",
) -> go.Figure:
    """Every grid policy as a point, the frontier as a line, the choice and references marked.

    ``rows`` has ``label``, ``outage_risk_per_year`` and ``cost_per_year``
    (with ``.ci_low``/``.ci_high``: whiskers on the frontier and the marked
    policies only, since a hundred sets of whiskers hide the points) and
    ``in_grid`` (the points; references outside the grid are only marked). ``frontier`` is
    in the order to join (increasing risk); ``limit`` draws the risk limit.
    """
    grid = rows[rows["in_grid"].astype(bool)] if "in_grid" in rows else rows
    figure = go.Figure()
    figure.add_trace(
        _points(
            grid,
            "all policies",
            currency,
            whiskers=False,
            mode="markers",
            marker={"color": COLOURS["policies"], "size": 8},
        )
    )
    ordered = pd.DataFrame([_labelled(rows, label) for label in frontier])
    figure.add_trace(
        _points(
            ordered,
            "Pareto frontier",
            currency,
            mode="lines+markers",
            line={"color": COLOURS["frontier"], "width": 2},
        )
    )
    for name, label, symbol, size in (  # the recommended last: drawn on top
        ("documented example", documented_example, "diamond", 14),
        ("rule of thumb", rule_of_thumb, "square", 12),
        ("recommended", recommended, "star", 20),
    ):
        key = name.replace(" ", "_")
        marker = {
            "symbol": symbol,
            "size": size,
            "color": COLOURS[key],
            "line": {"width": 1, "color": "white"},
        }
        figure.add_trace(
            _points(
                _labelled(rows, label).to_frame().T,
                f"{name}: {label}",
                currency,
                mode="markers",
                marker=marker,
            )
        )
    if limit is not None:
        figure.add_vline(
            x=limit,
            line={"color": COLOURS["zero"], "dash": "dot"},
            annotation_text=f"risk limit {percent(limit)}",
        )
    styled(
        figure,
        title=title,
        x_title="outage risk a year",
        y_title=f"expected cost a year ({currency})",
    )
    percent_axis(figure, "x")
    money_axis(figure, currency)
    return figure


def _points(
    frame: pd.DataFrame, name: str, currency: str, *, whiskers: bool = True, **style: object
) -> go.Scatter:
    """A scatter of risk (x) against cost (y), with CI whiskers if asked and the bounds exist."""
    hidden = {"visible": False}
    cur, risk, cost = find_currency(currency), kpi(RISK), kpi(COST)
    risks, costs = frame[RISK].astype(float), frame[COST].astype(float)
    return go.Scatter(
        x=risks,
        y=costs,
        name=name,
        text=frame["label"],
        # the figures' own texts (``Kpi.text``), as on the cards: d3 rounds a tie up
        customdata=[
            [risk.text(r, cur), cost.text(c, cur)] for r, c in zip(risks, costs, strict=True)
        ],
        error_x=_whiskers(frame, RISK) if whiskers else hidden,
        error_y=_whiskers(frame, COST) if whiskers else hidden,
        hovertemplate="%{text}<br>outage risk %{customdata[0]} a year<br>"
        "cost %{customdata[1]} a year<extra></extra>",
        **style,
    )


def _whiskers(frame: pd.DataFrame, name: str) -> dict[str, object]:
    low, high = f"{name}.ci_low", f"{name}.ci_high"
    if low not in frame or high not in frame:
        return {"visible": False}
    value = frame[name].astype(float)
    return {
        "type": "data",
        "symmetric": False,
        "array": (frame[high].astype(float) - value).fillna(0).tolist(),
        "arrayminus": (value - frame[low].astype(float)).fillna(0).tolist(),
        "thickness": 1,
        "width": 2,
        "color": "rgba(0, 0, 0, 0.3)",
    }
