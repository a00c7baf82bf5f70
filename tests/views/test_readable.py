"""Numbers that can be read (issue 13 item 5): dates, separators, words, anchored colours."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from sim.study.kpis import KPIS, kpi
from sim.views import charts
from sim.world.service_names import words

START = datetime(2027, 1, 1, tzinfo=UTC)


def bands() -> pd.DataFrame:
    return pd.DataFrame({"day": [1, 2, 3], "p5": [0, 1, 2], "p25": [2, 3, 4], "p50": [4, 5, 6],
                         "p75": [6, 7, 8], "p95": [8, 9, 10]})  # fmt: skip


def test_the_balance_fan_is_on_the_dates_each_day_ends() -> None:
    figure = charts.balance_fan(bands(), currency="USD", start=START)
    median = next(trace for trace in figure.data if trace.name == "median")
    assert [pd.Timestamp(x).isoformat() for x in median.x] == [
        "2027-01-02T00:00:00+00:00",
        "2027-01-03T00:00:00+00:00",
        "2027-01-04T00:00:00+00:00",
    ]
    assert figure.layout.xaxis.title.text == "date (end of day)"


def test_every_axis_has_thousands_separators_not_k() -> None:
    figure = charts.balance_fan(bands(), currency="USD", start=START)
    for axis in (figure.layout.xaxis, figure.layout.yaxis):
        assert axis.separatethousands is True and axis.exponentformat == "none"
    assert figure.layout.yaxis.tickformat == ",.2~f"  # $1,400 (",.~f" drew $1400)


def grid(risks: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": [f"T{t}/A1500/I1000" for t in (100, 200, 300)],
            "trigger": ["100", "200", "300"],
            "amount": ["1500"] * 3,
            "outage_risk_per_year": risks,
        }
    )


def test_the_risk_heatmap_is_anchored_to_the_limit_not_to_its_maximum() -> None:
    one_in_200 = grid([0.0, 0.0, 0.0025])  # one outage in 200 two-year runs, a year
    figure = charts.grid_heatmap(
        one_in_200, "outage_risk_per_year", title="risk", unit="probability", limit=0.01
    )
    heat = figure.data[0]
    assert (heat.zmin, heat.zmax) == (0.0, 1.0)  # not stretched to 0.25 %
    scale = [(position, colour) for position, colour in heat.colorscale]
    assert scale[0] == (0.0, charts.RISK_COLOURS["none"])
    assert scale[1] == (0.01, charts.RISK_COLOURS["at_limit"])  # the limit: acceptable
    assert scale[2][1] == charts.RISK_COLOURS["past_limit"]  # just past it: not
    assert scale[2][0] == pytest.approx(0.01)
    assert list(heat.colorbar.ticktext) == ["limit 1.0 %", "25 %", "50 %", "75 %", "100 %"]
    assert "1,500" in list(heat.x)


def test_service_names_are_words_in_figure_labels() -> None:
    assert words("toll_free_dial_in") == "toll-free dial-in"
    assert words("my_own_line") == "my own line"
    assert kpi("blocked_by_service.dial_out.minutes").label == "Blocked dial-out minutes"


@pytest.mark.parametrize(
    ("name", "word"),
    [("outage_risk_per_year", "outage"), ("forfeited_per_year", "expired"),
     ("mean_balance", "tied up"), ("cost_per_year", "recharge")],
)  # fmt: skip
def test_the_figures_a_planner_asks_about_say_what_they_mean_in_one_sentence(
    name: str, word: str
) -> None:
    meaning = KPIS[name].meaning
    assert word in meaning
    assert meaning.endswith(".") and meaning.count(". ") == 0  # one sentence
