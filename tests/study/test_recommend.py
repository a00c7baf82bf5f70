"""Cost, annual risk, Pareto frontier and recommendation on hand-built tables."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from sim.account.outcome import year_count
from sim.study.kpis import outage_risk
from sim.study.recommend import (
    CostModel,
    Score,
    explain,
    pareto_frontier,
    recommend,
    replications_needed,
    rule_of_thumb,
    warning,
)
from sim.study.stats import Estimate


def score(label: str, risk: float, cost: float, upper: float | None = None) -> Score:
    return Score(
        label, Estimate(risk, risk, risk if upper is None else upper), Estimate(cost, None, None)
    )


def money(value: float) -> str:
    return f"${value:,.2f}"


def test_replications_needed_is_the_first_n_where_no_outage_qualifies() -> None:
    for months in (6, 12, 18, 24, 36):
        years = year_count(months)
        needed = replications_needed(0.01, years)
        assert outage_risk(np.zeros(needed), np.full(needed, years)).ci_high <= 0.01
        fewer = needed - 1
        assert outage_risk(np.zeros(fewer), np.full(fewer, years)).ci_high > 0.01
    assert replications_needed(0.01, 2) == 191  # 382 replication-years


def test_cost_per_year_adds_forfeiture_capital_fees_outages_and_penalties() -> None:
    runs = pd.DataFrame(
        {"forfeited": [100.0, 300.0], "mean_balance": [1000.0, 2000.0],
         "recharges": [4, 6], "outage_hours": [0.0, 3.0], "blocked_minutes": [0.0, 30.0]}
    )  # fmt: skip
    model = CostModel(
        cost_of_capital_per_year=0.05, cost_per_recharge=2.5, cost_per_outage_hour=20.0,
        penalty_per_blocked_min=1.0, horizon_months=24,
    )  # fmt: skip
    costs = model.per_year(runs)
    # two years: forfeited 50/150 a year, capital 50/100, fees 5/7.5, outages 0/30,
    # penalties 0/15
    assert costs["forfeited"].tolist() == [50.0, 150.0]
    assert costs["capital"].tolist() == [50.0, 100.0]
    assert costs["fees"].tolist() == [5.0, 7.5]
    assert costs["outages"].tolist() == [0.0, 30.0]
    assert costs["penalties"].tolist() == [0.0, 15.0]
    assert costs["total"].tolist() == [105.0, 302.5]


def test_an_objective_that_is_silent_on_the_costs_gets_the_currency_defaults() -> None:
    from decimal import Decimal  # noqa: PLC0415

    from sim.world import costs  # noqa: PLC0415
    from sim.world.scenario import Scenario  # noqa: PLC0415

    def scenario(code: str, **objective: object) -> Scenario:
        return Scenario.model_validate(
            {"scenario": {"name": "x", "start": "2027-01-04T00:00:00Z", "horizon_months": 12,
                          "currency": code},
             "streams": [{"name": "s", "service": "dial_out", "calls_per_day": 1,
                          "rate_per_min": 0.1, "duration_min": {"dist": "fixed", "value": 1.0}}],
             "objective": objective}
        )  # fmt: skip

    assert costs.cost_per_recharge(scenario("USD")) == Decimal(10)
    assert costs.cost_per_outage_hour(scenario("EUR")) == Decimal(100)
    assert costs.cost_per_recharge(scenario("JPY")) == Decimal(1500)
    assert costs.cost_per_recharge(scenario("USD", cost_per_recharge=0)) == Decimal(0)
    model = CostModel.from_scenario(scenario("GBP", cost_per_outage_hour=7))
    assert (model.cost_per_recharge, model.cost_per_outage_hour) == (10.0, 7.0)


# A hand-built table (risk per year, cost per year):
#   A 0.00 / 90   B 0.00 / 70   C 0.02 / 40   D 0.02 / 60 (dominated by C)
#   E 0.05 / 40 (dominated by C: same cost, more risk)   F 0.10 / 10   G 0.10 / 10 (tie with F)
#   H 0.20 / 15 (dominated by F)
TABLE = [
    score("A", 0.00, 90), score("B", 0.00, 70), score("C", 0.02, 40), score("D", 0.02, 60),
    score("E", 0.05, 40), score("F", 0.10, 10), score("G", 0.10, 10), score("H", 0.20, 15),
]  # fmt: skip


def test_the_frontier_keeps_exactly_the_undominated_policies_in_increasing_risk() -> None:
    assert [TABLE[i].label for i in pareto_frontier(TABLE)] == ["B", "C", "F", "G"]


def test_the_frontier_of_one_policy_is_that_policy() -> None:
    assert pareto_frontier([score("only", 0.5, 1.0)]) == [0]


def test_the_recommendation_is_the_cheapest_policy_whose_upper_bound_is_within_the_limit() -> None:
    table = [
        score("safe-dear", 0.0, 100.0, upper=0.005),
        score("safe-cheap", 0.0, 60.0, upper=0.009),
        score("lucky-cheaper", 0.0, 20.0, upper=0.03),  # no outage seen, but too few runs
        score("risky-cheapest", 0.2, 5.0, upper=0.3),
    ]
    rec = recommend(table, 0.01)
    assert (rec.index, rec.qualifies, rec.qualifying) == (1, True, 2)
    reason = explain(
        rec, table, money, references={"the documented example": table[0]},
        edges=["trigger (50, the lowest tried)"],
    )  # fmt: skip
    assert reason.startswith(
        "safe-cheap has the lowest expected cost, $60.00 a year, of the 2 of 4 policies whose "
        "outage risk stays within 1.0 % a year at the 95 % upper bound (its own: 0.0 %, "
        "upper 0.9 %)."
    )
    assert "The documented example (safe-dear) costs $100.00 a year" in reason
    assert "$40.00 a year more." in reason
    assert "Its trigger (50, the lowest tried) is at the edge of the grid" in reason
    assert warning(rec, 200, 24) is None


def test_a_reference_that_is_the_recommendation_is_named_as_such() -> None:
    table = [score("X", 0.0, 10.0, upper=0.001)]
    reason = explain(
        recommend(table, 0.01), table, money, references={"the rule of thumb": table[0]}
    )
    assert reason.endswith("It is the rule of thumb.")


def test_ties_in_cost_go_to_the_lower_upper_bound() -> None:
    table = [score("first", 0.0, 10.0, upper=0.009), score("second", 0.0, 10.0, upper=0.004)]
    assert recommend(table, 0.01).index == 1


def test_when_none_qualifies_the_lowest_risk_policy_comes_with_a_warning() -> None:
    table = [score("P", 0.3, 5.0, upper=0.5), score("Q", 0.1, 50.0, upper=0.2),
             score("R", 0.1, 40.0, upper=0.2)]  # fmt: skip
    rec = recommend(table, 0.01)
    assert (rec.index, rec.qualifies, rec.qualifying) == (2, False, 0)
    reason = explain(rec, table, money)
    assert reason.startswith(
        "No policy keeps its outage risk within 1.0 % a year at the 95 % upper bound; R has the "
        "lowest risk, 10.0 % a year (upper 20.0 %), at $40.00 a year."
    )
    few = warning(rec, 20, 24)
    assert few is not None
    assert "with 20 replications even a policy that never had an outage" in few
    assert "run at least 191 replications" in few
    many = warning(rec, 500, 24)
    assert many is not None and "replications" not in many
    assert many.startswith("no policy meets the outage-risk limit of 1.0 % a year")


@pytest.mark.parametrize(
    ("spend_per_month", "expected"),
    [
        (433.33, ("100", "433", "433")),  # a week is 433.33 x 12 / 52 = 100.00
        (40.5, ("9", "41", "41")),  # 9.35 -> 9; half up: 40.5 -> 41
        (1050.0, ("242", "1050", "1050")),  # 242.31
        (0.2, ("0", "1", "1")),  # an amount is at least 1
    ],
)
def test_rule_of_thumb_is_a_week_and_a_month_of_spend_in_whole_units(
    spend_per_month: float, expected: tuple[str, str, str]
) -> None:
    assert rule_of_thumb(spend_per_month) == tuple(Decimal(value) for value in expected)


def test_recommend_needs_a_policy() -> None:
    with pytest.raises(ValueError, match="at least one policy"):
        recommend([], 0.01)
