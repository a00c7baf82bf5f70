"""Laws of the ledger and the engine, checked on hypothesis-generated runs.

Each law must hold for any stream and any policy: conservation, no lot below
zero, FIFO, the balance equals the sum of the journal, and replaying in pieces
equals replaying at once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.clock import MICROS_PER_DAY, MICROS_PER_MINUTE, parse_instant
from sim.ledger import EntryKind, JournalEntry, Ledger
from sim.money import currency
from sim.payments import CardExpiry, Payments
from sim.policy import AutoRecharge, ManualTopUp, Policy
from sim.replay import Replayer
from sim.stream import Call

USD = currency("USD")
START = parse_instant("2024-01-15T00:00:00Z", naive_is_utc=False)
SPAN_US = 500 * MICROS_PER_DAY  # long enough for lots to expire
END = START + SPAN_US


@dataclass(frozen=True)
class Case:
    calls: list[Call]
    policy: Policy
    payments: Payments
    draws: list[float]


@st.composite
def calls(draw: st.DrawFn) -> list[Call]:
    count = draw(st.integers(0, 40))
    # Coarse start grid (hours) so that ties between events are common.
    starts = sorted(draw(st.lists(st.integers(0, 500 * 24), min_size=count, max_size=count)))
    result = []
    for ref, start_h in enumerate(starts):
        start = START + start_h * 60 * MICROS_PER_MINUTE
        duration = draw(st.sampled_from([0, 30, 60, 600, 3600])) * 1_000_000
        charge = draw(st.integers(0, 5000))
        billed = charge > 0 and draw(st.booleans() | st.just(True))
        service = draw(st.sampled_from(["toll_free_dial_in", "dial_out", "international"]))
        result.append(Call(start, min(start + duration, END), service, charge, billed, ref))
    return result


@st.composite
def cases(draw: st.DrawFn) -> Case:
    auto = draw(st.none() | st.builds(AutoRecharge, st.integers(0, 5000), st.integers(100, 8000)))
    manual = draw(
        st.none()
        | st.builds(
            ManualTopUp,
            st.integers(1, 8000),
            st.sampled_from([timedelta(hours=h) for h in (1, 24)]),
        )
    )
    policy = Policy(draw(st.integers(0, 10_000)), auto, manual)
    card = draw(st.none() | st.tuples(st.integers(0, 400), st.none() | st.integers(1, 60)))
    expiries = ()
    if card is not None:
        expired = START + card[0] * MICROS_PER_DAY
        renewed = None if card[1] is None else expired + card[1] * MICROS_PER_DAY
        expiries = (CardExpiry(expired, renewed),)
    payments = Payments(
        processing_delay=timedelta(hours=draw(st.sampled_from([0, 0, 1, 48]))),
        failure_probability=draw(st.sampled_from([0.0, 0.2, 0.7])),
        admin_fix_delay=timedelta(hours=draw(st.sampled_from([0, 5, 72]))),
        card_expiries=expiries,
    )
    # The cycle of draws ends with a success, so zero-delay retries terminate
    # (with a real generator they do with probability 1).
    draws = [*draw(st.lists(st.floats(0, 1, exclude_max=True), max_size=20)), 0.99]
    return Case(draw(calls()), policy, payments, draws)


def replayer(case: Case, on_entry) -> Replayer:
    cycle = itertools.cycle(case.draws)
    return Replayer(
        case.policy,
        currency=USD,
        start=START,
        end=END,
        payments=case.payments,
        draw=lambda: next(cycle),
        on_entry=on_entry,
    )


def check_entry(ledger: Ledger, entry: JournalEntry, running: list[int]) -> None:
    """Laws that hold after every journal entry."""
    running[0] += entry.amount_minor
    assert entry.balance_after_minor == running[0] == ledger.balance_minor
    assert ledger.funded_minor == (
        ledger.consumed_minor + ledger.forfeited_minor + ledger.balance_minor
    )
    assert all(lot.remaining_minor >= 0 for lot in ledger.lots)
    if entry.kind is EntryKind.CONSUME:
        older = [lot for lot in ledger.lots if entry.lot is None or lot.id < entry.lot]
        assert all(lot.remaining_minor == 0 for lot in older), "FIFO: an older lot had money"
    if ledger.deficit_minor:
        assert ledger.open_lots == (), "a deficit may exist only when no lot has money"


@settings(max_examples=300, deadline=None)
@given(cases())
def test_conservation_fifo_no_negative_lot_and_journal_sum_hold_at_every_entry(case: Case) -> None:
    running = [0]
    holder: list[Replayer] = []
    runner = replayer(case, lambda entry: check_entry(holder[0].ledger, entry, running))
    holder.append(runner)
    runner.advance(case.calls, END)
    outcome = runner.finish()
    assert outcome.funded_minor == (
        outcome.consumed_minor + outcome.forfeited_minor + outcome.final_balance_minor
    )
    assert outcome.calls == len(case.calls)
    assert outcome.min_balance_minor <= outcome.final_balance_minor
    assert sum(lot.amount_minor for lot in outcome.lots) == outcome.funded_minor


@settings(max_examples=300, deadline=None)
@given(cases(), st.lists(st.integers(1, 500 * 24 - 1), max_size=6))
def test_replaying_in_pieces_equals_replaying_at_once(case: Case, cut_hours: list[int]) -> None:
    whole_journal: list[JournalEntry] = []
    whole = replayer(case, whole_journal.append)
    whole.advance(case.calls, END)
    expected = whole.finish()

    piece_journal: list[JournalEntry] = []
    pieces = replayer(case, piece_journal.append)
    remaining = list(case.calls)
    for cut in sorted(set(cut_hours)):
        until = START + cut * 60 * MICROS_PER_MINUTE - 1  # just before a grid hour
        head = [c for c in remaining if c.start <= until]
        remaining = remaining[len(head) :]
        pieces.advance(head, until)
    pieces.advance(remaining, END)
    assert pieces.finish() == expected
    assert piece_journal == whole_journal
