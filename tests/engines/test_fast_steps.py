"""The compiled engine's codes and steps, one by one.

The differential tests (``test_fast.py``) check whole runs against the other
engines; these pin what they cannot name: that the loop's integer codes are the
model's enums and records (so a reordered enum cannot shift them), that the
steps follow ``Funding``'s tie order, and the edges of the lot bookkeeping.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

import numpy as np
from hypothesis import given, settings

from sim.account.clock import MICROS_PER_DAY, add_months
from sim.account.ledger import LOT_VALIDITY_MONTHS, Lot, Source
from sim.account.outcome import EMAIL_KINDS, BlockedTally
from sim.account.policy import AutoRecharge, ManualTopUp, Policy
from sim.account.ties import Funding
from sim.engines import fast_layout as layout
from sim.engines.fast import replay_many
from sim.engines.fast_loop import run_policy
from sim.engines.fast_many import run_policies
from sim.engines.fast_steps import (
    due_step,
    expire_lots,
    put_lot,
    take_from_lots,
)
from tests.engines.test_fast import as_stream
from tests.strategies import START, Case, cases


def test_source_codes_index_the_source_enum() -> None:
    assert tuple(Source) == layout.SOURCES
    codes = {
        Source.INITIAL: layout.INITIAL,
        Source.AUTO_RECHARGE: layout.AUTO,
        Source.MANUAL: layout.MANUAL,
        Source.SCHEDULED: layout.SCHEDULED,
    }
    assert {layout.SOURCES[code]: code for code in codes.values()} == codes


def test_email_blocked_and_lot_columns_are_the_records_fields() -> None:
    assert [EMAIL_KINDS[code] for code in (layout.SUCCEEDED, layout.FAILED, layout.DEPLETED)] == [
        "recharge_succeeded", "recharge_failed", "balance_depleted",
    ]  # fmt: skip
    assert tuple(item.name for item in fields(BlockedTally)) == layout.BLOCKED_FIELDS
    assert {*layout.LOT_COLUMNS, "id"} == {item.name for item in fields(Lot)}
    named = {name: getattr(layout, constant) for name, constant in (
        ("purchased_at", "PURCHASED_AT"), ("expires_at", "EXPIRES_AT"), ("amount_minor", "AMOUNT"),
        ("remaining_minor", "REMAINING"), ("repaid_deficit_minor", "REPAID"),
        ("consumed_minor", "CONSUMED"), ("forfeited_minor", "FORFEITED"), ("source", "SOURCE"),
    )}  # fmt: skip
    assert all(layout.LOT_COLUMNS[code] == name for name, code in named.items())


def test_steps_due_at_one_instant_come_in_funding_order() -> None:
    assert [int(step) for step in Funding] == [
        layout.STEP_INITIAL, layout.STEP_SCHEDULED, layout.STEP_MANUAL, layout.STEP_FIXED,
        layout.STEP_RECHARGE,
    ]  # fmt: skip
    now, opening = 100, np.array([100, 100], np.int64)
    assert due_step(opening, 0, now, now, now, now) == Funding.INITIAL
    assert due_step(opening, 1, now, now, now, now) == Funding.SCHEDULED_TOP_UP
    assert due_step(opening, 2, now, now, now, now) == Funding.MANUAL_TOP_UP
    assert due_step(opening, 2, now + 1, now, now, now) == Funding.PAYMENT_FIXED
    assert due_step(opening, 2, now + 1, now + 1, now, now) == Funding.RECHARGE_COMPLETES
    assert due_step(opening, 2, now + 1, now + 1, now + 1, now) == layout.NO_STEP


def new_lots(rows: int) -> np.ndarray:
    """Room for ``rows`` lots (the loop's room grows them: tests/engines/test_fast_room.py)."""
    return np.zeros((rows, len(layout.LOT_COLUMNS)), np.int64)


def test_lots_expire_twelve_months_on_oldest_first() -> None:
    lots, n_lots, head = new_lots(5), 0, 0
    for day in range(5):
        n_lots, head, repaid = put_lot(
            lots, n_lots, head, START + day * MICROS_PER_DAY, 100 + day, layout.AUTO, 0
        )
        assert repaid == 0
    assert (n_lots, head) == (5, 0)
    assert lots[4, layout.EXPIRES_AT] == add_months(START + 4 * MICROS_PER_DAY, LOT_VALIDITY_MONTHS)
    assert lots[:5, layout.AMOUNT].tolist() == [100, 101, 102, 103, 104]
    head, lost = expire_lots(lots, head, n_lots, lots[1, layout.EXPIRES_AT])
    assert (head, lost) == (2, 201)
    assert lots[:2, layout.FORFEITED].tolist() == [100, 101]


def test_a_lot_that_only_repays_a_deficit_is_born_closed() -> None:
    lots, n_lots, head = new_lots(4), 0, 0
    n_lots, head, repaid = put_lot(lots, n_lots, head, START, 50, layout.MANUAL, 80)
    assert (n_lots, head, repaid) == (1, 1, 50)  # nothing left in it: the head passes it
    n_lots, head, repaid = put_lot(lots, n_lots, head, START, 100, layout.AUTO, 30)
    assert (n_lots, head, repaid, lots[1, layout.REMAINING]) == (2, 1, 30, 70)
    head, uncovered = take_from_lots(lots, head, n_lots, 90)
    assert (head, uncovered, lots[1, layout.CONSUMED]) == (2, 20, 70)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_one_compiled_loop_serves_every_policy_and_payment_behaviour(case: Case) -> None:
    """The terms keep one numba type whatever the policy: no recompiling per case."""
    manual = ManualTopUp(7, timedelta(hours=1))
    policies = [case.policy, Policy(0), Policy(10, AutoRecharge(5, 10), manual)]
    replay_many(as_stream(case.calls), policies, case.spec, payment_seed=np.random.SeedSequence(1))
    assert len(run_policy.signatures) == 1
    assert len(run_policies.signatures) == 1
