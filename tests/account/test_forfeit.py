"""The forfeit projection: open lots spent oldest first at the window's average rate."""

from __future__ import annotations

from sim.account.clock import MICROS_PER_DAY
from sim.account.forfeit import project_forfeits
from sim.account.money import currency
from sim.account.opening import Opening
from sim.account.policy import Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.engines.replay import replay
from tests.strategies import at

USD = currency("USD")
START = at("2026-01-01")


def run(days: int, spend_minor: int, opening: Opening, initial_minor: int = 0):
    """A run of ``days`` with one call spending ``spend_minor`` at its end."""
    end = START + days * MICROS_PER_DAY
    calls = [Call(end - MICROS_PER_DAY, end - MICROS_PER_DAY, "dial_out", spend_minor, True, 1)]
    return replay(calls, Policy(initial_minor), RunSpec(USD, START, end, opening=opening))


def test_lots_are_spent_oldest_first_at_the_average_rate_and_forfeit_the_rest() -> None:
    # 100 days spending 10000 cents: 100 cents a day
    old, new = at("2025-03-01"), at("2025-12-01")  # expire 2026-03-01 and 2026-12-01
    outcome = run(100, 100_00, Opening(((old, 100_00), (new, 600_00))))
    projection = project_forfeits(outcome)
    assert outcome.end == at("2026-04-11")  # the old lot expired unspent on 2026-03-01
    (lot,) = projection.lots
    assert (lot.purchased, lot.remaining_minor) == (new, 500_00)
    # from 2026-04-11 to 2026-12-01 is 234 days at 100 cents a day
    assert lot.forfeit_minor == lot.remaining_minor - 234 * 100
    assert projection.total_minor == lot.forfeit_minor
    assert projection.rate_per_day_minor == 100.0


def test_a_later_lot_is_spent_only_after_the_one_before_runs_out() -> None:
    first, second = at("2025-06-01"), at("2025-07-01")  # expire 2026-06-01 and 2026-07-01
    outcome = run(10, 10_00, Opening(((first, 50_00), (second, 200_00))))  # 100 cents a day
    lots = project_forfeits(outcome).lots
    assert [lot.remaining_minor for lot in lots] == [40_00, 200_00]
    # the first lasts 40 days from 2026-01-11, the second is spent from 2026-02-20 to its expiry
    assert lots[0].forfeit_minor == 0
    days = (at("2026-07-01") - at("2026-02-20")) // MICROS_PER_DAY
    assert lots[1].forfeit_minor == 200_00 - days * 100


def test_without_spending_every_open_lot_forfeits_all_it_holds() -> None:
    outcome = run(10, 0, Opening(((at("2025-06-01"), 7_00),)), initial_minor=3_00)
    projection = project_forfeits(outcome)
    assert [lot.forfeit_minor for lot in projection.lots] == [7_00, 3_00]
    assert projection.to_dict()["total"] == 10
    assert projection.open_lots_dict()[0] == {
        "purchased": "2025-06-01T00:00:00Z", "remaining": 7, "expires": "2026-06-01T00:00:00Z"
    }  # fmt: skip
