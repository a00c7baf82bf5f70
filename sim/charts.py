"""Plotly figure builders, shared by the notebooks, the report and the dashboard.

Figures only: each function takes plain tables (pandas) computed elsewhere in
``sim`` and returns a ``plotly.graph_objects.Figure``. No model logic and no
statistics live here, so every view of a number shows the same number.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

BAND_COLOUR = "rgba(31, 119, 180, {alpha})"


def balance_fan(
    bands: pd.DataFrame,
    *,
    currency: str,
    trigger: float | None = None,
    title: str = "End-of-day balance across replications",
) -> go.Figure:
    """Percentile bands of the daily balance, with the trigger and zero lines.

    ``bands`` has ``day`` and ``p5 p25 p50 p75 p95`` columns (``sim.stats.balance_bands``).
    """
    figure = go.Figure()
    for low, high, alpha in (("p5", "p95", 0.15), ("p25", "p75", 0.3)):
        figure.add_trace(go.Scatter(x=bands["day"], y=bands[high], line={"width": 0},
                                    showlegend=False, hoverinfo="skip"))  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=bands["day"],
                y=bands[low],
                fill="tonexty",
                fillcolor=BAND_COLOUR.format(alpha=alpha),
                line={"width": 0},
                name=f"{low}-{high}",
            )
        )
    figure.add_trace(go.Scatter(x=bands["day"], y=bands["p50"], name="median",
                                line={"color": BAND_COLOUR.format(alpha=1)}))  # fmt: skip
    figure.add_hline(y=0, line={"color": "firebrick", "dash": "dot"}, annotation_text="zero")
    if trigger is not None:
        figure.add_hline(y=trigger, line={"color": "gray", "dash": "dash"},
                         annotation_text="trigger")  # fmt: skip
    figure.update_layout(title=title, xaxis_title="day", yaxis_title=f"balance ({currency})")
    return figure


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
    figure.update_layout(title=title, barmode="group")
    return figure
