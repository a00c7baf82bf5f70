"""Hand-computed traces of the ledger: every entry, every balance, to the cent."""

from __future__ import annotations

import pytest

from sim.account.ledger import EntryKind, JournalEntry, Ledger, Source
from tests.strategies import at

FUND, CONSUME, FORFEIT = EntryKind.FUND, EntryKind.CONSUME, EntryKind.FORFEIT


def traced() -> tuple[Ledger, list[JournalEntry]]:
    journal: list[JournalEntry] = []
    return Ledger(on_entry=journal.append), journal


def rows(journal: list[JournalEntry]) -> list[tuple[int, str, int, int, int | None]]:
    return [(e.time, e.kind.value, e.amount_minor, e.balance_after_minor, e.lot) for e in journal]


def test_fifo_across_lots_takes_the_oldest_lot_first() -> None:
    ledger, journal = traced()
    ledger.fund(at("2025-01-01"), 1000, Source.INITIAL)
    ledger.fund(at("2025-01-02"), 500, Source.AUTO_RECHARGE)
    ledger.consume(at("2025-01-03"), 1200, "call@7")
    assert rows(journal) == [
        (at("2025-01-01"), "fund", 1000, 1000, 1),
        (at("2025-01-02"), "fund", 500, 1500, 2),
        (at("2025-01-03"), "consume", -1000, 500, 1),
        (at("2025-01-03"), "consume", -200, 300, 2),
    ]
    assert [lot.remaining_minor for lot in ledger.lots] == [0, 300]
    assert [lot.id for lot in ledger.open_lots] == [2]
    assert journal[-1].ref == "call@7"


def test_deficit_is_repaid_by_the_next_funding_before_anything_stays_in_the_lot() -> None:
    ledger, journal = traced()
    ledger.fund(at("2025-01-01"), 300, Source.INITIAL)
    ledger.consume(at("2025-01-02"), 450)
    assert (ledger.balance_minor, ledger.deficit_minor) == (-150, 150)
    lot = ledger.fund(at("2025-01-03"), 1000, Source.MANUAL)
    assert (lot.repaid_deficit_minor, lot.remaining_minor) == (150, 850)
    assert (ledger.balance_minor, ledger.deficit_minor) == (850, 0)
    assert rows(journal)[1:] == [
        (at("2025-01-02"), "consume", -300, 0, 1),
        (at("2025-01-02"), "consume", -150, -150, None),
        (at("2025-01-03"), "fund", 1000, 850, 2),
    ]


def test_funding_smaller_than_the_deficit_leaves_an_empty_lot_and_a_smaller_deficit() -> None:
    ledger, _ = traced()
    ledger.consume(at("2025-01-01"), 700)
    lot = ledger.fund(at("2025-01-02"), 500, Source.AUTO_RECHARGE)
    assert (lot.remaining_minor, lot.repaid_deficit_minor) == (0, 500)
    assert (ledger.balance_minor, ledger.deficit_minor) == (-200, 200)
    assert ledger.open_lots == ()
    assert ledger.next_expiry() is None


def test_a_lot_bought_on_29_february_expires_on_28_february_next_year() -> None:
    ledger, journal = traced()
    ledger.fund(at("2024-02-29T13:30:00"), 1000, Source.INITIAL)
    ledger.consume(at("2024-06-01"), 250)
    assert ledger.next_expiry() == at("2025-02-28T13:30:00")
    assert ledger.expire(at("2025-02-28T13:29:59")) == 0
    assert ledger.expire(at("2025-02-28T13:30:00")) == 750
    assert rows(journal)[-1] == (at("2025-02-28T13:30:00"), "forfeit", -750, 0, 1)
    assert ledger.lots[0].forfeited_minor == 750


def test_expiry_is_twelve_calendar_months_not_365_days_across_a_leap_year() -> None:
    ledger, _ = traced()
    ledger.fund(at("2023-03-01T00:00:00"), 100, Source.INITIAL)
    ledger.fund(at("2024-01-15T08:00:00"), 100, Source.AUTO_RECHARGE)
    # 2023-03-01 + 365 days is 2024-02-29; 12 calendar months is 2024-03-01.
    assert ledger.expire(at("2024-02-29T23:59:59")) == 0
    assert ledger.lots[0].expires_at == at("2024-03-01T00:00:00")
    assert ledger.lots[1].expires_at == at("2025-01-15T08:00:00")


def test_operations_after_an_expiry_forfeit_first_and_journal_it_at_the_expiry_time() -> None:
    ledger, journal = traced()
    ledger.fund(at("2025-01-10"), 400, Source.INITIAL)
    ledger.fund(at("2025-06-01"), 300, Source.AUTO_RECHARGE)
    ledger.consume(at("2026-02-01"), 100)  # lot 1 expired on 2026-01-10
    assert rows(journal)[2:] == [
        (at("2026-01-10"), "forfeit", -400, 300, 1),
        (at("2026-02-01"), "consume", -100, 200, 2),
    ]


def test_conservation_holds_after_every_entry_of_a_mixed_trace() -> None:
    ledger = Ledger()
    checks: list[bool] = []
    ledger.on_entry = lambda _entry: checks.append(
        ledger.funded_minor == ledger.consumed_minor + ledger.forfeited_minor + ledger.balance_minor
    )
    ledger.fund(at("2025-01-01"), 500, Source.INITIAL)
    ledger.consume(at("2025-02-01"), 800)
    ledger.fund(at("2025-03-01"), 1000, Source.AUTO_RECHARGE)
    ledger.consume(at("2025-04-01"), 100)
    ledger.expire(at("2026-04-01"))
    assert checks and all(checks)
    assert (ledger.funded_minor, ledger.consumed_minor, ledger.forfeited_minor) == (1500, 900, 600)
    assert ledger.balance_minor == 0


def test_notes_move_no_money_but_are_journalled() -> None:
    ledger, journal = traced()
    ledger.fund(at("2025-01-01"), 100, Source.INITIAL)
    ledger.note(at("2025-01-01"), EntryKind.EMAIL, "recharge_succeeded")
    assert rows(journal)[-1] == (at("2025-01-01"), "email", 0, 100, None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda led: led.fund(0, 0, Source.MANUAL), r"amount_minor\(=0\) must be > 0"),
        (lambda led: led.consume(0, -1), r"amount_minor\(=-1\) must be >= 0"),
    ],
)
def test_invalid_amounts_are_refused_with_the_rule(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call(Ledger())


def test_time_cannot_go_backwards() -> None:
    ledger = Ledger()
    ledger.fund(at("2025-01-02"), 100, Source.INITIAL)
    with pytest.raises(ValueError, match="before the ledger's last entry"):
        ledger.consume(at("2025-01-01"), 10)
