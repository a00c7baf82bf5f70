"""The journal as CSV: one row per entry, money as exact decimal strings.

Written as entries happen (``--journal``), so a long backtest never holds its
journal in memory, and any cent of the summary can be traced to its rows.
"""

from __future__ import annotations

import csv
from typing import IO

from sim.account.clock import to_iso
from sim.account.ledger import JournalEntry, JournalSink
from sim.account.money import Currency, to_text

COLUMNS = ("time", "kind", "amount", "balance_after", "lot", "ref")


def journal_writer(handle: IO[str], cur: Currency) -> JournalSink:
    """Write the header now and return a sink that writes one row per entry."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)

    def write(entry: JournalEntry) -> None:
        writer.writerow(
            (
                to_iso(entry.time),
                entry.kind.value,
                to_text(entry.amount_minor, cur),
                to_text(entry.balance_after_minor, cur),
                "" if entry.lot is None else entry.lot,
                entry.ref,
            )
        )

    return write
