"""A journal kept as columns of numbers: the same entries, without a Python object each.

Why: replication 1's journal on ``enterprise`` is about 400,000 entries; as
``JournalEntry`` objects it took about 130 MB while it was built and left the
dashboard's server larger by 110-170 MB after each new policy (freed objects
leave partly used arenas behind), and it was 18 MB pickled in Streamlit's data
cache, unpickled into objects again on every run of the page. As columns it is
about 12 bytes of arrays and the bytes of its ``ref`` an entry (about 16 MB on
``enterprise``), which a worker process sends back in one piece and which the
allocator gives back to the system in one piece when it is dropped.

``JournalColumns`` is a ``Sequence[JournalEntry]``: reading an entry builds it
from its row, equal to the one the ledger wrote (``tests/study/test_journal_columns.py``),
so the journal CSV written from it is the ``--journal`` CSV byte for byte. The
charts read the columns directly (``sim.study.trace.lay_out_path``).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from sim.account.ledger import EntryKind, JournalEntry

KINDS = tuple(EntryKind)
"""An entry's kind is kept as its position here (``JournalColumns.kinds``)."""
_CODES = {kind: code for code, kind in enumerate(KINDS)}
NO_LOT = -1
"""``JournalColumns.lots`` of an entry without a lot (``JournalEntry.lot`` None)."""
ITER_CHUNK_ROWS = 65_536
"""Rows read into Python numbers at a time while iterating (a few MB of them)."""


@dataclass(frozen=True, eq=False)
class JournalColumns(Sequence[JournalEntry]):
    """A journal's entries, one row each: ``JournalEntry``'s fields as arrays.

    ``ref_ends[i]`` is where entry ``i``'s ``ref`` (UTF-8) ends in ``ref_bytes``; it
    starts where entry ``i - 1``'s ends.
    """

    times_us: np.ndarray
    kinds: np.ndarray
    """Positions in ``KINDS`` (int8)."""
    amounts_minor: np.ndarray
    balances_after_minor: np.ndarray
    lots: np.ndarray
    """Lot ids (int32: a run buys far fewer than 2**31 lots), ``NO_LOT`` for none."""
    ref_ends: np.ndarray
    ref_bytes: bytes

    @classmethod
    def of(cls, entries: Iterable[JournalEntry]) -> JournalColumns:
        """The columns of ``entries`` (in their order)."""
        collector = JournalCollector()
        for entry in entries:
            collector.append(entry)
        return collector.columns()

    def __len__(self) -> int:
        return len(self.times_us)

    @overload
    def __getitem__(self, row: int) -> JournalEntry: ...

    @overload
    def __getitem__(self, row: slice) -> JournalColumns: ...

    def __getitem__(self, row: int | slice) -> JournalEntry | JournalColumns:
        if isinstance(row, slice):
            return self.take(np.arange(len(self))[row])
        index = range(len(self))[row]  # IndexError and negative rows as a list's
        return self._entry(index)

    def __iter__(self) -> Iterator[JournalEntry]:
        """Each entry in turn, its fields read as Python numbers a chunk of rows at a time
        (``ITER_CHUNK_ROWS``): reading them one numpy scalar at a time made the CSV of
        ``enterprise``'s journal 1.3x slower to write than from the list of entries."""
        for low in range(0, len(self), ITER_CHUNK_ROWS):
            rows = slice(low, low + ITER_CHUNK_ROWS)
            start = int(self.ref_ends[low - 1]) if low else 0
            fields = zip(
                self.times_us[rows].tolist(), self.kinds[rows].tolist(),
                self.amounts_minor[rows].tolist(), self.balances_after_minor[rows].tolist(),
                self.lots[rows].tolist(), self.ref_ends[rows].tolist(), strict=True,
            )  # fmt: skip
            for time, kind, amount, balance, lot, end in fields:
                ref, start = self.ref_bytes[start:end].decode(), end
                yield JournalEntry(
                    time, KINDS[kind], amount, balance, None if lot == NO_LOT else lot, ref
                )

    def _entry(self, index: int) -> JournalEntry:
        start = int(self.ref_ends[index - 1]) if index else 0
        lot = int(self.lots[index])
        return JournalEntry(
            time=int(self.times_us[index]),
            kind=KINDS[self.kinds[index]],
            amount_minor=int(self.amounts_minor[index]),
            balance_after_minor=int(self.balances_after_minor[index]),
            lot=None if lot == NO_LOT else lot,
            ref=self.ref_bytes[start : int(self.ref_ends[index])].decode(),
        )

    def rows_of(self, *kinds: EntryKind) -> np.ndarray:
        """The rows (in order) of the entries of these kinds."""
        return np.flatnonzero(np.isin(self.kinds, [_CODES[kind] for kind in kinds]))

    def take(self, rows: np.ndarray) -> JournalColumns:
        """The entries at ``rows`` (in that order), as columns."""
        return JournalColumns.of(self._entry(int(index)) for index in rows)

    @property
    def nbytes(self) -> int:
        """Bytes the columns hold."""
        return sum(array.nbytes for array in self._arrays()) + len(self.ref_bytes)

    def _arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays, in ``_PACKED``'s order."""
        return (self.times_us, self.kinds, self.amounts_minor, self.balances_after_minor,
                self.lots, self.ref_ends)  # fmt: skip

    def pack(self) -> PackedJournal:
        """These columns compressed (``PackedJournal``)."""
        parts = [
            np.diff(array, prepend=0) if delta else array
            for array, (_, delta) in zip(self._arrays(), _PACKED, strict=True)
        ]
        data = b"".join(part.tobytes() for part in parts) + self.ref_bytes
        return PackedJournal(len(self), zlib.compress(data, 1))


_PACKED = ((np.int64, True), (np.int8, False), (np.int64, False), (np.int64, True),
           (np.int32, False), (np.int64, True))  # fmt: skip
"""``JournalColumns._arrays``' types and whether each is packed as differences (int64
differences wrap and add back exactly)."""


@dataclass(frozen=True, eq=False)
class PackedJournal(Sequence[JournalEntry]):
    """``JournalColumns`` compressed: times, balances and ref ends as differences, all of it
    with zlib at level 1 (``enterprise``'s replication 1: 19.4 MB -> 3.3 MB in 0.1 s, read
    back in 0.04 s).

    Why: the dashboard's worker sends the sample path's journal this way, and Streamlit's
    data cache keeps it pickled (``PATHS_KEPT`` of them) and unpickles it on every run of
    the page; the columns are unpacked only to lay the path out (once) and to write the
    CSV (on a download). Read as a sequence, it unpacks on each call.
    """

    size: int
    """How many entries (``count`` is ``Sequence``'s method)."""
    data: bytes

    def columns(self) -> JournalColumns:
        """The columns again (exact)."""
        data, arrays, offset = zlib.decompress(self.data), [], 0
        for kind, delta in _PACKED:
            array = np.frombuffer(data, kind, self.size, offset)
            offset += array.nbytes
            arrays.append(np.cumsum(array, dtype=kind) if delta else array.copy())
        times, kinds, amounts, balances, lots, ref_ends = arrays
        return JournalColumns(times, kinds, amounts, balances, lots, ref_ends, data[offset:])

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, row: int) -> JournalEntry: ...

    @overload
    def __getitem__(self, row: slice) -> JournalColumns: ...

    def __getitem__(self, row: int | slice) -> JournalEntry | JournalColumns:
        return self.columns()[row]

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.columns())


def columns_of(entries: Sequence[JournalEntry]) -> JournalColumns:
    """``entries`` as columns: themselves, unpacked, or built from a list."""
    if isinstance(entries, JournalColumns):
        return entries
    if isinstance(entries, PackedJournal):
        return entries.columns()
    return JournalColumns.of(entries)


class JournalCollector:
    """A journal sink (``on_entry``) that keeps each entry's fields, not the entry.

    Kept in typed arrays and one byte string as they come (no Python object an entry):
    the worker that replays ``enterprise``'s replication 1 holds 400,000 of them.
    """

    def __init__(self) -> None:
        self._times = array("q")
        self._kinds = array("b")
        self._amounts = array("q")
        self._balances = array("q")
        self._lots = array("i")
        self._ref_ends = array("q")
        self._refs = bytearray()

    def append(self, entry: JournalEntry) -> None:
        """Keep one entry (the ledger calls this as it writes)."""
        self._times.append(entry.time)
        self._kinds.append(_CODES[entry.kind])
        self._amounts.append(entry.amount_minor)
        self._balances.append(entry.balance_after_minor)
        self._lots.append(NO_LOT if entry.lot is None else entry.lot)
        self._refs += entry.ref.encode()
        self._ref_ends.append(len(self._refs))

    def columns(self) -> JournalColumns:
        """What was kept, as columns (exact: times and money as int64; OverflowError
        beyond, when the entry was appended)."""
        return JournalColumns(
            times_us=_array(self._times, np.int64),
            kinds=_array(self._kinds, np.int8),
            amounts_minor=_array(self._amounts, np.int64),
            balances_after_minor=_array(self._balances, np.int64),
            lots=_array(self._lots, np.int32),
            ref_ends=_array(self._ref_ends, np.int64),
            ref_bytes=bytes(self._refs),
        )


def _array(values: array[int], dtype: type[np.generic]) -> np.ndarray:
    """A copy of ``values`` as a numpy array of the same item size."""
    return np.frombuffer(values, dtype=dtype).copy() if len(values) else np.empty(0, dtype)
