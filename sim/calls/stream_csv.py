"""Write a generated call stream as the canonical stream CSV.

The same format ``credsim backtest`` reads, so a scenario's demand can be
inspected in a spreadsheet or replayed as if it had been recorded (a test
checks that this gives the run's own Outcome: one ledger, two doors).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sim.account.clock import to_iso
from sim.account.money import Currency, to_text
from sim.account.stream import CallStream

COLUMNS = ("start", "end", "service", "charge", "credit_billed", "currency")


def write_stream(stream: CallStream, path: Path, cur: Currency) -> None:
    """All calls of ``stream`` in stream order, one row each."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for call in stream.calls():
            writer.writerow(
                (
                    to_iso(call.start),
                    to_iso(call.end),
                    call.service,
                    to_text(call.charge_minor, cur),
                    "true" if call.credit_billed else "false",
                    cur.code,
                )
            )
