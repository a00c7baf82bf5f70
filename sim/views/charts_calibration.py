"""The holdout chart: each held-out month's actual spend against the fitted scenario's band.

Why this chart: a planner signs a recommendation only if the scenario behind it
would have foreseen spend it was not shown. One point per held-out month (the
actual total), on the simulated mean with its 90 % band, says that at a glance;
a month outside its band is drawn in red. The figures are the ``Holdout``'s
cells (``sim.study.calibration.holdout``), the same numbers as the table, the
CLI's holdout lines and ``calibration.json``.
"""

from __future__ import annotations

import plotly.graph_objects as go

from sim.study.calibration import Holdout
from sim.study.calibration.holdout import TOTAL
from sim.views.chart_style import COLOURS, money_axis, styled


def holdout_chart(holdout: Holdout) -> go.Figure:
    """Monthly totals: the simulated mean with its 90 % band, and the actual spend."""
    scale = holdout.currency.minor_per_major
    totals = [cell for cell in holdout.cells if cell.service == TOTAL]
    months = [cell.month for cell in totals]
    mean = [cell.mean_minor / scale for cell in totals]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=months, y=mean, mode="markers", name="simulated mean (90 % band)",
            marker={"color": COLOURS["balance"], "size": 10, "symbol": "line-ew-open"},
            error_y={
                "type": "data", "symmetric": False,
                "array": [cell.p95_minor / scale - m for cell, m in zip(totals, mean, strict=True)],
                "arrayminus": [m - cell.p5_minor / scale
                               for cell, m in zip(totals, mean, strict=True)],
            },
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=months, y=[cell.actual_minor / scale for cell in totals], mode="markers",
            name="actual spend",
            marker={"size": 11, "color": [COLOURS["consumed"] if cell.inside else COLOURS["zero"]
                                          for cell in totals]},
        )
    )  # fmt: skip
    styled(
        figure,
        title=f"Held-out months: actual spend against the fitted scenario "
        f"({holdout.months_inside} of {len(months)} inside the 90 % band)",
        x_title="month",
        y_title="credit-billed spend",
    )
    money_axis(figure, holdout.currency.code)
    figure.update_xaxes(type="category")
    return figure
