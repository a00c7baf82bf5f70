"""Figure builders on small hand-made inputs: the right traces, points, shapes and numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sim.account.clock import to_instant
from sim.account.ledger import EntryKind, JournalEntry
from sim.account.money import currency
from sim.study.kpis import Kpi, kpi
from sim.study.trace import lay_out_path
from sim.views import charts
from sim.world.demand_summary import DemandSummary

USD = currency("USD")
ZONE = "America/New_York"


def at(text: str) -> int:
    """An instant from ``YYYY-MM-DD HH:MM`` UTC."""
    return to_instant(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC))


def local(text: str) -> pd.Timestamp:
    """The same UTC moment as New York wall-clock time (what the figures show)."""
    return pd.Timestamp(text, tz="UTC").tz_convert(ZONE).tz_localize(None)


def entry(time: str, kind: EntryKind, amount: int, balance: int, lot: int | None = None,
          ref: str = "") -> JournalEntry:  # fmt: skip
    return JournalEntry(at(time), kind, amount, balance, lot, ref)


# A week in cents: initial 1,000.00; a failed recharge; a deficit and an outage that a manual
# top-up ends; an auto-recharge; a forfeit a year later; a last outage still open at the end.
JOURNAL = [
    entry("2027-01-04 14:00", EntryKind.FUND, 100_000, 100_000, 1, "initial"),
    entry("2027-01-05 15:00", EntryKind.CONSUME, -60_000, 40_000, 1, "call@1"),
    entry("2027-01-05 15:00", EntryKind.RECHARGE_REQUESTED, 0, 40_000),
    entry("2027-01-05 15:30", EntryKind.RECHARGE_FAILED, 0, 40_000),
    entry("2027-01-05 15:30", EntryKind.EMAIL, 0, 40_000, None, "recharge_failed"),
    entry("2027-01-06 16:00", EntryKind.CONSUME, -40_000, 0, 1, "call@2"),
    entry("2027-01-06 16:00", EntryKind.CONSUME, -500, -500, None, "call@2"),
    entry("2027-01-06 16:00", EntryKind.OUTAGE_STARTED, 0, -500),
    entry("2027-01-06 17:00", EntryKind.CALL_BLOCKED, 0, -500, None, "call@3"),
    entry("2027-01-06 17:30", EntryKind.CALL_BLOCKED, 0, -500, None, "call@4"),
    entry("2027-01-07 14:00", EntryKind.FUND, 100_000, 99_500, 2, "manual"),
    entry("2027-01-07 14:00", EntryKind.OUTAGE_ENDED, 0, 99_500),
    entry("2027-01-08 14:00", EntryKind.FUND, 50_000, 149_500, 3, "auto_recharge"),
    entry("2028-01-07 14:00", EntryKind.FORFEIT, -99_500, 50_000, 2, "expired"),
    entry("2028-01-08 10:00", EntryKind.CONSUME, -50_000, 0, 3, "call@5"),
    entry("2028-01-08 10:00", EntryKind.OUTAGE_STARTED, 0, 0),
]
END = "2028-01-09 00:00"


def journal_figure() -> go.Figure:
    path = lay_out_path(JOURNAL, currency=USD, timezone=ZONE, end=at(END), recharge_minor=50_000)
    return charts.sample_path_chart(path, currency="USD", trigger=400.0)


def by_name(figure: go.Figure) -> dict[str, go.BaseTraceType]:
    return {trace.name: trace for trace in figure.data}


def test_sample_path_shades_exactly_the_journal_outages() -> None:
    figure = journal_figure()
    bands = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    spans = [(pd.Timestamp(band.x0), pd.Timestamp(band.x1)) for band in bands]
    assert spans == [
        (local("2027-01-06 16:00"), local("2027-01-07 14:00")),
        (local("2028-01-08 10:00"), local(END)),  # never ended: shaded to the run's end
    ]
    outages = by_name(figure)["outages"]
    assert "22.0 h, 2 calls blocked" in outages.text[0]
    assert "0 calls blocked" in outages.text[1]


def test_sample_path_steps_through_the_settled_balance_of_each_instant() -> None:
    line = by_name(journal_figure())["balance"]
    assert line.line.shape == "hv"
    # one point per instant, the balance once the instant is done (-7.35 style dips repaired
    # in the same instant never show; here 16:00 ends at -5.00 after two postings)
    assert list(line.y) == [1000.0, 400.0, 400.0, -5.0, -5.0, -5.0, 995.0, 1495.0, 500.0, 0.0]
    assert pd.Timestamp(line.x[0]) == local("2027-01-04 14:00")


def test_sample_path_marks_each_kind_of_event_with_its_amount() -> None:
    traces = by_name(journal_figure())
    assert [name for name in traces if name not in {"balance", "outages"}] == [
        "initial purchase", "auto-recharge", "recharge failed", "manual top-up",
        "forfeited at expiry",
    ]  # fmt: skip
    assert "scheduled top-up" not in traces  # none happened: no empty legend entry
    failed = traces["recharge failed"]
    assert list(failed.y) == [400.0] and failed.text[0].startswith("recharge failed $500.00")
    assert traces["manual top-up"].text[0].startswith("manual top-up +$1,000.00")
    forfeit = traces["forfeited at expiry"]
    assert forfeit.text[0].startswith("forfeited at expiry -$995.00") and list(forfeit.y) == [500]
    assert pd.Timestamp(forfeit.x[0]) == local("2028-01-07 14:00")


def test_sample_path_draws_the_trigger_and_money_axis() -> None:
    figure = journal_figure()
    lines = [shape.y0 for shape in figure.layout.shapes if shape.type == "line"]
    assert sorted(lines) == [0, 400.0]
    assert figure.layout.yaxis.tickprefix == "$"


def test_forfeiture_sources_stacks_each_lots_parts() -> None:
    lots = pd.DataFrame(
        {
            "lot": [1, 2], "source": ["initial", "auto_recharge"],
            "purchased": [pd.Timestamp("2027-01-01"), pd.Timestamp("2027-03-01")],
            "amount": [100.0, 50.0], "repaid_deficit": [0.0, 5.0], "consumed": [60.0, 20.0],
            "forfeited": [40.0, 0.0], "remaining": [0.0, 25.0],
        }
    )  # fmt: skip
    figure = charts.forfeiture_sources(lots, currency="EUR")
    assert figure.layout.barmode == "stack"
    stacks = {trace.name: list(trace.y) for trace in figure.data}
    assert stacks == {
        "consumed by calls": [60.0, 20.0],
        "repaid a deficit": [0.0, 5.0],
        "forfeited at expiry": [40.0, 0.0],
        "left at the end": [0.0, 25.0],
    }
    assert list(figure.data[0].x) == ["1", "2"]
    assert figure.layout.yaxis.tickprefix == "€"


def grid_rows() -> pd.DataFrame:
    """Two triggers x three amounts, out of order and written as a sweep writes them."""
    rows = []
    for trigger in ("400", "50"):
        for amount in ("1000", "250", "12.5"):
            value = float(trigger) / 1000 + float(amount) / 10_000
            rows.append({"label": f"T{trigger}/A{amount}/I100", "trigger": trigger,
                         "amount": amount, "metric": value})  # fmt: skip
    return pd.DataFrame(rows)


def test_grid_heatmap_z_is_the_table_with_triggers_up_and_amounts_across() -> None:
    figure = charts.grid_heatmap(grid_rows(), "metric", title="m", unit="money", currency="USD",
                                 recommended="T400/A250/I100")  # fmt: skip
    heat = figure.data[0]
    assert list(heat.y) == ["50", "400"] and list(heat.x) == ["12.5", "250", "1,000"]
    expected = [[0.05 + a / 10_000 for a in (12.5, 250, 1000)],
                [0.4 + a / 10_000 for a in (12.5, 250, 1000)]]  # fmt: skip
    np.testing.assert_allclose(np.asarray(heat.z, dtype=float), expected)
    marker = by_name(figure)["recommended"]
    assert (list(marker.x), list(marker.y)) == (["250"], ["400"])
    assert figure.layout.xaxis.type == "category"


def test_grid_heatmap_refuses_two_rows_for_one_cell_and_keeps_a_flat_grid_pale() -> None:
    rows = grid_rows()
    with pytest.raises(ValueError, match="one row per"):
        charts.grid_heatmap(pd.concat([rows, rows.head(1)]), "metric", title="m", unit="count")
    flat = charts.grid_heatmap(rows.assign(metric=0.0), "metric", title="m", unit="probability")
    assert (flat.data[0].zmin, flat.data[0].zmax) == (0.0, 1.0)
    money = charts.grid_heatmap(rows, "metric", title="m", unit="money", currency="USD")
    assert money.data[0].colorbar.tickformat == ",.2~f"  # not $0.6000000000000001


def test_grid_heatmap_cells_show_the_figure_as_the_cards_and_the_cli_do() -> None:
    """0.0625 (25 windows of 400) is a tie at one decimal: plotly's own format showed 6.3%
    where the cards and ``credsim run`` show 6.2 %; the cells carry the figure's text."""
    rows = grid_rows().rename(columns={"metric": "outage_risk_per_year"})
    rows["outage_risk_per_year"] = 0.0625
    heat = charts.grid_heatmap(rows, "outage_risk_per_year", title="r", unit="probability",
                               limit=0.01).data[0]  # fmt: skip
    risk = kpi("outage_risk_per_year")
    assert {cell for row in heat.text for cell in row} == {risk.text(0.0625, currency("USD"))}
    assert risk.text(0.0625, currency("USD")) == "6.2 %"
    assert heat.texttemplate == "%{text}" and "%{text}" in heat.hovertemplate
    money = charts.grid_heatmap(grid_rows(), "metric", title="m", unit="money", currency="EUR")
    assert money.data[0].text[0][0] == Kpi("metric", "m", "money").text(0.05125, currency("EUR"))


def pareto_rows() -> pd.DataFrame:
    rows = [  # label, in grid, risk, cost
        ("A", True, 0.00, 30.0), ("B", True, 0.002, 12.0), ("C", True, 0.05, 5.0),
        ("D", True, 0.05, 40.0), ("EX", False, 1.0, 290.0), ("RT", False, 0.003, 2.0),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["label", "in_grid", "outage_risk_per_year",
                                        "cost_per_year"])  # fmt: skip
    frame["outage_risk_per_year.ci_low"] = frame["outage_risk_per_year"] / 2
    frame["outage_risk_per_year.ci_high"] = frame["outage_risk_per_year"] + 0.01
    frame["cost_per_year.ci_low"] = frame["cost_per_year"] - 1
    frame["cost_per_year.ci_high"] = frame["cost_per_year"] + 2
    return frame


def pareto() -> go.Figure:
    return charts.pareto_chart(pareto_rows(), frontier=["A", "B", "C"], recommended="B",
                                  documented_example="EX", rule_of_thumb="RT", currency="USD",
                                  limit=0.01)  # fmt: skip


def test_pareto_marks_one_recommended_point_and_both_references() -> None:
    figure = pareto()
    names = [trace.name for trace in figure.data]
    assert names == ["all policies", "Pareto frontier", "documented example: EX",
                     "rule of thumb: RT", "recommended: B"]  # fmt: skip
    marked = [trace for trace in figure.data if trace.name.startswith("recommended")]
    assert len(marked) == 1 and (list(marked[0].x), list(marked[0].y)) == ([0.002], [12.0])
    traces = by_name(figure)
    assert (list(traces["documented example: EX"].x), list(traces["rule of thumb: RT"].y)) == (
        [1.0], [2.0]
    )  # fmt: skip
    symbols = {trace.marker.symbol for trace in figure.data[2:]}
    assert len(symbols) == 3  # each marked distinctly


def test_pareto_points_are_the_grid_and_the_frontier_is_joined_in_order() -> None:
    traces = by_name(pareto())
    points = traces["all policies"]
    assert list(points.text) == ["A", "B", "C", "D"]  # references outside the grid: marked only
    assert [list(pair) for pair in points.customdata][1] == ["0.2 %", "$12.00"]  # the cards' texts
    assert "%{customdata[0]}" in points.hovertemplate and "%{customdata[1]}" in points.hovertemplate
    frontier = traces["Pareto frontier"]
    assert list(frontier.x) == [0.0, 0.002, 0.05] and list(frontier.y) == [30.0, 12.0, 5.0]
    assert points.error_x.visible is False and points.error_y.visible is False  # a cloud, no bars
    assert list(frontier.error_x.array) == pytest.approx([0.01] * 3)
    assert list(frontier.error_y.arrayminus) == pytest.approx([1.0] * 3)
    assert list(traces["recommended: B"].error_y.array) == pytest.approx([2.0])


def test_pareto_draws_the_risk_limit_with_percent_and_money_axes() -> None:
    figure = pareto()
    assert [shape.x0 for shape in figure.layout.shapes] == [0.01]
    assert figure.layout.xaxis.tickformat.endswith("%")
    assert figure.layout.yaxis.tickprefix == "$"


def comparison_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "policy": ["lean", "ample"],
            "forfeited": [10.0, 250.5], "forfeited.ci_low": [8.0, 240.0],
            "forfeited.ci_high": [12.0, 261.0],
            "risk": [0.2, 0.0], "risk.ci_low": [0.1, 0.0], "risk.ci_high": [0.3, 0.05],
        }
    )  # fmt: skip


def test_policy_comparison_has_a_bar_per_policy_with_ci_whiskers() -> None:
    figure = charts.policy_comparison(comparison_rows(), ["forfeited", "risk"])
    assert [trace.name for trace in figure.data] == ["lean", "ample"]
    assert list(figure.data[1].y) == [250.5, 0.0]
    assert list(figure.data[1].error_y.array) == pytest.approx([10.5, 0.05])
    assert list(figure.data[1].error_y.arrayminus) == pytest.approx([10.5, 0.0])


def test_policy_table_puts_policies_side_by_side_in_their_units() -> None:
    specs = [Kpi("forfeited", "Forfeited", "money"),
             Kpi("risk", "Risk", "probability", digits=1)]  # fmt: skip
    table = charts.policy_table(comparison_rows(), specs, currency="USD").data[0]
    assert list(table.header.values) == ["", "lean", "ample"]
    labels, lean, ample = (list(column) for column in table.cells.values)
    assert labels == ["Forfeited", "Risk"]
    assert lean == ["$10.00 ($8.00 to $12.00)", "20.0 % (10.0 % to 30.0 %)"]
    assert ample[0] == "$250.50 ($240.00 to $261.00)"


def test_balance_fan_keeps_its_bands_median_and_lines() -> None:
    bands = pd.DataFrame({"day": [1, 2], "p5": [0, 1], "p25": [2, 3], "p50": [4, 5],
                          "p75": [6, 7], "p95": [8, 9]})  # fmt: skip
    figure = charts.balance_fan(bands, currency="USD", trigger=3.0)
    names = [trace.name for trace in figure.data if trace.showlegend is not False]
    assert names == ["p5-p95", "p25-p75", "median"]
    assert list(by_name(figure)["median"].y) == [4, 5]
    assert sorted(shape.y0 for shape in figure.layout.shapes) == [0, 3.0]
    # a trigger near zero: its label above its line, zero's below, so they never overlap
    placed = {note.text: note.yanchor for note in figure.layout.annotations}
    assert placed == {"zero": "top", "trigger": "bottom"}


def demand() -> DemandSummary:
    """Two months, three services (one free), two pools."""
    return DemandSummary(
        currency=USD, months=("2027-01", "2027-02"),
        services=("toll_free_dial_in", "domestic_outbound", "international"),
        pools=("dial_out", "domestic"),
        calls=np.array([[10, 500, 3], [12, 480, 0]]),
        minutes=np.array([[100.0, 4000.0, 20.0], [120.0, 3900.0, 0.0]]),
        charge_minor=np.array([[2_500, 0, 990], [3_000, 0, 0]]),
        pool_allotment_min=np.array([[1500.0, 75_000.0], [1500.0, 78_000.0]]),  # month x pool
        pool_used_min=np.array([[200.0, 4000.0], [1500.0, 3900.0]]),
        pool_overflow_min=np.array([[0.0, 0.0], [35.0, 0.0]]),
    )  # fmt: skip


def test_spend_by_month_stacks_the_services_that_cost_something() -> None:
    figure = charts.spend_by_month(demand())
    assert figure.layout.barmode == "stack"
    stacks = {trace.name: list(trace.y) for trace in figure.data}
    assert stacks == {"toll-free dial-in": [25.0, 30.0], "international": [9.9, 0.0]}
    assert list(figure.data[0].x) == ["2027-01", "2027-02"]
    assert figure.layout.yaxis.tickprefix == "$"


def test_pool_use_has_a_panel_per_pool_with_its_allotment_month_by_month() -> None:
    figure = charts.pool_use(demand())
    allotments = [trace for trace in figure.data if trace.name == "allotment"]
    assert [list(trace.y) for trace in allotments] == [[1500.0] * 2, [75_000.0, 78_000.0]]
    assert [trace.yaxis for trace in allotments] == ["y", "y2"]
    overflow = [list(t.y) for t in figure.data if t.name == "billed beyond it"]
    assert overflow == [[0.0, 35.0], [0.0, 0.0]]
    assert [a.text for a in figure.layout.annotations] == ["dial-out pool", "domestic pool"]


def test_pool_use_without_pools_says_so() -> None:
    plain = DemandSummary(
        currency=USD, months=("2027-01",), services=("x",), pools=(),
        calls=np.zeros((1, 1), int), minutes=np.zeros((1, 1)), charge_minor=np.zeros((1, 1), int),
        pool_allotment_min=np.zeros((1, 0)), pool_used_min=np.zeros((1, 0)),
        pool_overflow_min=np.zeros((1, 0)),
    )  # fmt: skip
    figure = charts.pool_use(plain)
    assert not figure.data and "No minute pools" in figure.layout.annotations[0].text
    assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False


def test_calls_by_hour_weekday_z_is_the_count_table() -> None:
    counts = pd.DataFrame(np.arange(7 * 24).reshape(7, 24),
                          index=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])  # fmt: skip
    heat = charts.calls_by_hour_weekday(counts, timezone=ZONE).data[0]
    np.testing.assert_array_equal(np.asarray(heat.z), counts.to_numpy())
    assert list(heat.y)[:2] == ["Mon", "Tue"] and list(heat.x)[:2] == ["00:00", "01:00"]
