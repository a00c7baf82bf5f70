"""The tornado on a hand-made table: bars from the base, widest swing on top, money in words."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.views.charts_sensitivity import tornado

ROWS = pd.DataFrame([
    {"input": "demand level", "base": "the scenario's calls a day",
     "low": "80 % of the calls a day", "high": "120 % of the calls a day",
     "risk.base": 0.01, "risk.low": 0.005, "risk.high": 0.02,
     "cost.base": 1200.0, "cost.low": 1100.0, "cost.high": 1350.0,
     "cost_swing": 250.0, "risk_swing": 0.015},
    {"input": "payment failure probability", "base": "1.0 %", "low": "0.0 %", "high": "3.0 %",
     "risk.base": 0.01, "risk.low": 0.0, "risk.high": 0.08,
     "cost.base": 1200.0, "cost.low": 1190.0, "cost.high": 3400.0,
     "cost_swing": 2210.0, "risk_swing": 0.08},
])  # fmt: skip


def test_the_cost_tornado_runs_from_the_base_to_each_side_widest_on_top() -> None:
    figure = tornado(ROWS, "cost", currency="USD", policy="T400/A1000/I1000")
    low, high = figure.data
    assert list(low.y) == ["payment failure probability", "demand level"]
    assert low.base == high.base == 1200.0
    assert list(low.x) == [-10.0, -100.0] and list(high.x) == [2200.0, 150.0]
    assert figure.layout.yaxis.autorange == "reversed"  # the first row on top
    assert figure.layout.xaxis.tickprefix == "$" and figure.layout.xaxis.tickformat == ",.2~f"
    assert [list(row) for row in high.customdata] == [
        ["3.0 %", "$3,400.00", "+$2,200.00"],
        ["120 % of the calls a day", "$1,350.00", "+$150.00"],
    ]
    assert list(low.customdata[1]) == ["80 % of the calls a day", "$1,100.00", "-$100.00"]
    assert "Expected cost a year of T400/A1000/I1000" in figure.layout.title.text
    (line,) = figure.layout.shapes
    assert line.x0 == line.x1 == 1200.0


def test_the_risk_tornado_is_in_percent_sorted_by_its_own_swing() -> None:
    frame = ROWS.assign(risk_swing=[0.5, 0.08])
    figure = tornado(frame, "risk", currency="USD", policy="T1/A2/I3")
    _, high = figure.data
    assert list(high.y) == ["demand level", "payment failure probability"]
    assert figure.layout.xaxis.tickformat == ".2~%"
    assert list(high.x) == pytest.approx([0.01, 0.07])
    assert list(high.customdata[1]) == ["3.0 %", "8.0 %", "+7.0 %"]
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 0.084])  # from 0, not below


def test_a_risk_that_never_moves_still_has_a_readable_axis() -> None:
    still = ROWS.assign(**{"risk.base": 0.0, "risk.low": 0.0, "risk.high": 0.0, "risk_swing": 0.0})
    figure = tornado(still, "risk", currency="USD", policy="T1/A2/I3")
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 0.0105])
