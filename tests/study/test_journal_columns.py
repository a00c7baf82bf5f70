"""A journal as columns (``sim.study.journal_columns``): the same entries, as numbers.

The dashboard's sample path is sent from its worker as columns and its CSV is written
from them, so every entry read back must equal the one the ledger wrote, field by field.
"""

from __future__ import annotations

import pickle
from decimal import Decimal

import numpy as np
import pytest

from sim.account.ledger import EntryKind, JournalEntry
from sim.study import journal_columns
from sim.study.experiment import Levers
from sim.study.journal_columns import NO_LOT, JournalColumns, columns_of
from sim.study.trace import traced_run
from sim.world.load import LoadedScenario

LEAN = Levers(Decimal(20), Decimal(10), Decimal(30))  # recharges, deficits and outages


def test_columns_give_back_every_entry_of_a_run(tiny: LoadedScenario) -> None:
    entries = list(traced_run(tiny, LEAN, seed=5).entries)
    columns = JournalColumns.of(entries)
    assert len(columns) == len(entries) > 100
    assert list(columns) == entries
    assert columns[0] == entries[0] and columns[-1] == entries[-1]
    assert list(columns[3:9]) == entries[3:9]
    assert {entry.kind for entry in columns} >= {EntryKind.FUND, EntryKind.CONSUME}
    assert any(entry.lot is None for entry in columns)
    assert list(pickle.loads(pickle.dumps(columns))) == entries


def test_iteration_reads_the_rows_a_chunk_at_a_time(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = list(traced_run(tiny, LEAN, seed=5).entries)
    monkeypatch.setattr(journal_columns, "ITER_CHUNK_ROWS", 7)  # refs cross chunks
    assert list(JournalColumns.of(entries)) == entries


def test_odd_refs_lots_and_money_survive() -> None:
    entries = [
        JournalEntry(0, EntryKind.FUND, 10**15, 10**15, 0, "initial"),
        JournalEntry(5, EntryKind.CONSUME, -(10**15) - 1, -1, None, "café@1"),
        JournalEntry(5, EntryKind.EMAIL, 0, -1, None, ""),
        JournalEntry(2**40, EntryKind.OUTAGE_ENDED, 0, -1, 7, 'a,"b"\n'),
    ]
    columns = JournalColumns.of(entries)
    assert list(columns) == entries
    assert columns.lots.tolist() == [0, NO_LOT, NO_LOT, 7]
    assert columns.rows_of(EntryKind.EMAIL, EntryKind.FUND).tolist() == [0, 2]
    assert list(columns.take(np.array([3, 1]))) == [entries[3], entries[1]]
    assert columns.nbytes < 200


def test_an_empty_journal() -> None:
    columns = JournalColumns.of([])
    assert len(columns) == 0 and list(columns) == [] and columns.rows_of(EntryKind.FUND).size == 0
    assert list(pickle.loads(pickle.dumps(columns))) == [] and list(columns.pack()) == []


def test_packed_columns_are_small_and_exact(tiny: LoadedScenario) -> None:
    """Sent from the dashboard's worker and kept in Streamlit's cache: the differences of
    times, balances and ref ends compress well, and wrap and add back exactly."""
    entries = list(traced_run(tiny, LEAN, seed=5).entries)
    entries.append(JournalEntry(2**62, EntryKind.CONSUME, -(2**62), -(2**63), None, "é"))
    columns = JournalColumns.of(entries)
    packed = columns.pack()
    assert len(pickle.dumps(packed)) < columns.nbytes / 3
    again = pickle.loads(pickle.dumps(packed))
    assert len(again) == len(entries) and list(again) == entries
    assert again[-1] == entries[-1] and list(again[2:5]) == entries[2:5]
    assert columns_of(again).times_us.flags.writeable and columns_of(columns) is columns
    assert list(columns_of(entries)) == entries
