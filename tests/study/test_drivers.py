"""Which term drove the recommendation, on hand-built grids (no simulation).

Each grid is 3 triggers x 3 amounts at one initial balance; the cost parts a
year are written out so that the expected words and figures can be read off.
"""

from __future__ import annotations

from decimal import Decimal

from sim.study.drivers import Candidate, cap_sentence, driver_sentences, neighbours
from sim.study.experiment import Levers
from sim.study.recommend import Score, explain, recommend, warning
from sim.study.stats import Estimate

LIMIT = 0.01
ZERO = {"forfeited": 0.0, "capital": 0.0, "fees": 0.0, "outages": 0.0, "penalties": 0.0}


def money(value: float) -> str:
    return f"${value:,.2f}"


def candidate(
    trigger: int, amount: int, *, upper: float = 0.005, monthly: float = 1.0, **parts: float
) -> Candidate:
    levers = Levers(Decimal(1000), Decimal(trigger), Decimal(amount))
    return Candidate(levers, {**ZERO, **parts}, upper, monthly)


def scores(grid: list[Candidate]) -> list[Score]:
    return [
        Score(
            item.levers.label(),
            Estimate(item.risk_upper / 2, 0.0, item.risk_upper),
            Estimate(sum(item.parts.values()), None, None),
            item.recharges_per_month,
        )
        for item in grid
    ]


def classic() -> list[Candidate]:
    """Amount: recharge costs against interest. Trigger: T200 breaks the risk limit."""
    grid = []
    for trigger, extra_capital, upper in ((200, 0.0, 0.016), (400, 10.0, 0.005), (800, 30.0, 0.0)):
        for amount, fees, capital in ((500, 120.0, 25.0), (1000, 60.0, 50.0), (2000, 30.0, 100.0)):
            grid.append(candidate(trigger, amount, upper=upper, fees=fees,
                                  capital=capital + extra_capital))  # fmt: skip
    return grid


def test_the_neighbours_are_one_grid_step_away_on_one_lever_the_others_kept() -> None:
    grid = classic()
    chosen = 4  # T400/A1000
    assert neighbours(grid, chosen, "amount") == (3, 5)
    assert neighbours(grid, chosen, "trigger") == (1, 7)
    assert neighbours(grid, 0, "amount") == (None, 1)  # the grid's corner: one side only
    assert neighbours(grid, 0, "trigger") == (None, 3)


def test_the_amount_is_set_by_recharge_costs_against_interest_the_trigger_by_the_risk_limit() -> (
    None
):
    grid = classic()
    rec = recommend(scores(grid), LIMIT)
    assert grid[rec.index].levers.label() == "T400/A1000/I1000"
    assert driver_sentences(grid, rec.index, rec, money) == [
        "The amount is set by the cost per recharge against interest: A500 would add $60.00 a "
        "year in recharge costs and save $25.00 in interest; A2000 would add $50.00 a year in "
        "interest and save $30.00 in recharge costs.",
        "The trigger is set by the risk limit against interest: T200's outage risk upper bound "
        "is 1.6 % a year, above the 1.0 % limit; T800 would add $20.00 a year in interest.",
    ]


def test_a_trigger_set_by_the_outage_cost_names_the_outage_hours_it_would_cost() -> None:
    grid = classic()
    lower = [i for i, item in enumerate(grid) if item.levers.trigger == 200]
    for i in lower:  # T200 within the limit now, but its outages cost more than it saves
        item = grid[i]
        parts = {**item.parts, "outages": 45.0}
        grid[i] = Candidate(item.levers, parts, 0.008, item.recharges_per_month)
    rec = recommend(scores(grid), LIMIT)
    assert grid[rec.index].levers.label() == "T400/A1000/I1000"
    trigger = driver_sentences(grid, rec.index, rec, money)[1]
    assert trigger == (
        "The trigger is set by the outage cost against interest: T200 would add $45.00 a year in "
        "outage costs and save $10.00 in interest; T800 would add $20.00 a year in interest."
    )


def test_an_amount_set_by_forfeiture_says_what_a_larger_lot_would_forfeit() -> None:
    grid = classic()
    for i, item in enumerate(grid):
        if item.levers.amount == 2000:  # a lot this large outlives its 12 months
            parts = {**item.parts, "capital": item.parts["capital"] - 40.0, "forfeited": 70.0}
            grid[i] = Candidate(item.levers, parts, item.risk_upper, item.recharges_per_month)
    rec = recommend(scores(grid), LIMIT)
    amount = driver_sentences(grid, rec.index, rec, money)[0]
    assert amount == (
        "The amount is set by the cost per recharge against forfeiture: A500 would add $60.00 a "
        "year in recharge costs and save $25.00 in interest; A2000 would add $70.00 a year in "
        "forfeited funds and save $30.00 in recharge costs."
    )


def test_the_cap_on_recharges_a_month_rules_out_cheaper_policies_and_says_so() -> None:
    grid = classic()
    for i, item in enumerate(grid):  # A500 recharges 5 times a month, and is cheapest
        if item.levers.amount == 500:
            parts = {**item.parts, "fees": 30.0}
            grid[i] = Candidate(item.levers, parts, item.risk_upper, 5.0)
    table = scores(grid)
    uncapped = recommend(table, LIMIT)
    assert table[uncapped.index].label == "T400/A500/I1000"
    rec = recommend(table, LIMIT, cap=4)
    assert (table[rec.index].label, rec.qualifies, rec.qualifying) == ("T400/A1000/I1000", True, 4)
    assert [table[i].label for i in rec.capped] == ["T400/A500/I1000", "T800/A500/I1000"]
    assert cap_sentence(rec, table, money) == (
        "The cap of 4 recharges a month excluded 2 cheaper policies within the risk limit; the "
        "cheapest, T400/A500/I1000, costs $65.00 a year with 5.0 recharges a month."
    )
    amount = driver_sentences(grid, rec.index, rec, money)[0]
    assert amount.startswith(
        "The amount is set by the cap on recharges a month against interest: A500 would mean "
        "5.0 recharges a month, above the cap of 4; A2000 would add"
    )
    reason = explain(rec, table, money, drivers=[cap_sentence(rec, table, money) or ""])
    assert reason.startswith(
        "T400/A1000/I1000 has the lowest expected cost, $120.00 a year, of the 4 of 9 policies "
        "whose outage risk stays within 1.0 % a year at the 95 % upper bound and whose "
        "recharges stay within 4 a month (its own: 0.2 %, upper 0.5 %). The cap of 4"
    )
    assert cap_sentence(uncapped, table, money) is None


def test_when_the_cap_leaves_no_policy_the_safest_within_it_is_shown_with_a_warning() -> None:
    table = [
        Score("often", Estimate(0.0, 0.0, 0.005), Estimate(10.0, None, None), 6.0),
        Score("seldom-risky", Estimate(0.05, 0.01, 0.09), Estimate(20.0, None, None), 1.0),
        Score("seldom-riskier", Estimate(0.2, 0.1, 0.3), Estimate(5.0, None, None), 1.0),
    ]
    rec = recommend(table, LIMIT, cap=2)
    assert (rec.index, rec.qualifies, rec.capped) == (1, False, (0,))
    assert warning(rec, 200, 24) == (
        "no policy within the outage-risk limit of 1.0 % a year stays within "
        "max_recharges_per_month = 2; try larger amounts or a higher cap"
    )
    assert explain(rec, table, money).startswith(
        "No policy keeps its outage risk within 1.0 % a year at the 95 % upper bound with at "
        "most 2 recharges a month; seldom-risky has the lowest risk"
    )
    assert driver_sentences([], rec.index, rec, money) == []  # the safest: no term set it
