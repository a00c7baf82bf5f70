"""Laws of the ledger and the engine, checked on hypothesis-generated runs.

Each law must hold for any stream and any policy: conservation, no lot below
zero, FIFO, the balance equals the sum of the journal, and replaying in pieces
equals replaying at once. One test draws each case and checks them all on it:
drawing a case costs more than replaying it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.account.clock import MICROS_PER_MINUTE, add_months
from sim.account.ledger import EntryKind, JournalEntry, Ledger, Source
from sim.account.outcome import Outcome
from sim.engines.replay import Replayer
from tests.strategies import END, START, Case, cases, delays, drawer


def replayer(case: Case, on_entry) -> Replayer:
    return Replayer(
        case.policy, case.spec, draw=drawer(case), delays=delays(case), on_entry=on_entry
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
@given(cases(), st.lists(st.integers(1, 500 * 24 - 1), max_size=6))
def test_the_laws_hold_at_every_entry_and_replaying_in_pieces_equals_replaying_at_once(
    case: Case, cut_hours: list[int]
) -> None:
    """One case, one whole replay: the laws at each of its entries and at its end, then the
    same case replayed in pieces against it (drawing a case costs more than replaying it)."""
    whole_journal: list[JournalEntry] = []
    expected = replay_checking_every_entry(case, whole_journal)
    check_outcome(case, expected)

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


def replay_checking_every_entry(case: Case, journal: list[JournalEntry]) -> Outcome:
    """The case replayed at once, ``check_entry`` after each entry, which ``journal`` gets."""
    running = [0]
    holder: list[Replayer] = []

    def on_entry(entry: JournalEntry) -> None:
        check_entry(holder[0].ledger, entry, running)
        journal.append(entry)

    runner = replayer(case, on_entry)
    holder.append(runner)
    runner.advance(case.calls, END)
    return runner.finish()


def check_outcome(case: Case, outcome: Outcome) -> None:
    """Laws of a finished run: conservation, every call counted, lots dated and ordered."""
    assert outcome.funded_minor == (
        outcome.consumed_minor + outcome.forfeited_minor + outcome.final_balance_minor
    )
    assert outcome.calls == len(case.calls)
    # what the calls cost, whatever the policy: the rule of thumb's spend (docs/model.md)
    charged_minor = sum(call.charge_minor for call in case.calls)
    assert outcome.consumed_minor + outcome.blocked_total.charge_minor == charged_minor
    assert outcome.min_balance_minor <= outcome.final_balance_minor
    assert sum(lot.amount_minor for lot in outcome.lots) == outcome.funded_minor
    assert all(lot.expires_at == add_months(lot.purchased_at, 12) for lot in outcome.lots)
    # the held lots come first, oldest first, each dated by its own purchase; then the
    # pending recharge, which is not one of the run's recharges
    held = [(lot.purchased_at, lot.amount_minor) for lot in outcome.lots[: len(case.opening.lots)]]
    assert held == list(case.opening.by_purchase)
    pending = [lot for lot in outcome.lots if lot.source is Source.OPENING][len(held) :]
    assert [(lot.purchased_at, lot.amount_minor) for lot in pending] == (
        [] if case.opening.pending is None else [case.opening.pending]
    )
