"""Put a call stream in stream order (by start, then source order) in bounded memory.

Usage exports are not promised to be sorted, and a year of a large tenant is
millions of rows. Calls are packed into numpy columns a chunk at a time, each
chunk is sorted, and chunks beyond the first are spilled to ``.npy`` files in a
temporary folder; iteration is a k-way merge. Peak memory is a few chunks,
whatever the number of rows.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.account.clock import Instant
from sim.account.stream import Call

DEFAULT_CHUNK_ROWS = 100_000
_BLOCK_ROWS = 1_024
_RECORD = np.dtype(
    [
        ("start", np.int64),
        ("end", np.int64),
        ("charge", np.int64),
        ("service", np.int32),
        ("credit_billed", np.bool_),
        ("ref", np.int64),
    ]
)


@dataclass
class SortedCalls:
    """Calls sorted by ``(start, ref)``; iterate as often as needed, then ``close``."""

    count: int = 0
    first_start: Instant | None = None
    last_end: Instant | None = None
    services: list[str] = field(default_factory=list)
    _chunks: list[np.ndarray | Path] = field(default_factory=list, repr=False)
    _spill: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[Call]:
        if len(self._chunks) == 1:
            return self._decode(self._chunks[0])
        return heapq.merge(
            *(self._decode(chunk) for chunk in self._chunks), key=lambda c: (c.start, c.ref)
        )

    def close(self) -> None:
        """Remove spilled chunks from disk."""
        self._chunks.clear()
        if self._spill is not None:
            self._spill.cleanup()
            self._spill = None

    def __enter__(self) -> SortedCalls:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _decode(self, chunk: np.ndarray | Path) -> Iterator[Call]:
        """Turn a chunk back into Calls a block at a time.

        A spilled chunk is read with plain file reads, not memory-mapped, so
        the blocks already merged do not stay resident.
        """
        services = self.services
        for block in _blocks(chunk):
            columns = [block[name].tolist() for name in _RECORD.names or ()]
            for start, end, charge, service, billed, ref in zip(*columns, strict=True):
                yield Call(start, end, services[service], charge, billed, ref)


def _blocks(chunk: np.ndarray | Path) -> Iterator[np.ndarray]:
    """Consecutive blocks of records, from memory or from a spill file."""
    if isinstance(chunk, np.ndarray):
        for first in range(0, len(chunk), _BLOCK_ROWS):
            yield chunk[first : first + _BLOCK_ROWS]
        return
    with chunk.open("rb") as handle:
        while len(block := np.fromfile(handle, dtype=_RECORD, count=_BLOCK_ROWS)):
            yield block


def sort_calls(calls: Iterable[Call], *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> SortedCalls:
    """Consume ``calls`` once and return them sorted by start, then by ``ref``."""
    result = SortedCalls()
    codes: dict[str, int] = {}
    buffer: list[Call] = []
    for call in calls:
        buffer.append(call)
        if len(buffer) >= chunk_rows:
            _add_chunk(result, buffer, codes)
            buffer = []
    if buffer or not result._chunks:
        _add_chunk(result, buffer, codes)
    return result


def _add_chunk(result: SortedCalls, buffer: list[Call], codes: dict[str, int]) -> None:
    """Sort one chunk, update the totals, and keep it in memory or on disk."""
    for service in {call.service for call in buffer} - codes.keys():
        codes[service] = len(result.services)
        result.services.append(service)
    records = np.fromiter(
        (
            (c.start, c.end, c.charge_minor, codes[c.service], c.credit_billed, c.ref)
            for c in buffer
        ),
        dtype=_RECORD,
        count=len(buffer),
    )
    records = records[np.lexsort((records["ref"], records["start"]))]
    result.count += len(buffer)
    if len(buffer):
        first, last = int(records["start"][0]), int(records["end"].max())
        result.first_start = first if result.first_start is None else min(result.first_start, first)
        result.last_end = last if result.last_end is None else max(result.last_end, last)
    result._chunks.append(_spill(result, records) if result._chunks else records)


def _spill(result: SortedCalls, records: np.ndarray) -> Path:
    """Write a sorted chunk to a raw record file in the spool folder."""
    if result._spill is None:
        result._spill = tempfile.TemporaryDirectory(prefix="credsim-spool-")
    path = Path(result._spill.name) / f"chunk{len(result._chunks)}.bin"
    records.tofile(path)
    return path
